//! A space admin's first connection uploads the makerspace's catalogue that so far lived
//! only on their desktop, with progress; founders of that makerspace then book from it.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{Arg, Backend, PASSWORD, TestServer, ok};
use incubook::domain::{BlackoutWhen, DateOverride, OverrideKind, Policy, Role, RoleGrant, Visibility, WeeklyHours};
use incubook::store::{BlackoutMode, NewBooking, NewEquipment, NewLab, NewMakerspace, NewMentor, NewPerson, SlotSearch, Store};
use incubook::sync::client::{SyncClient, Transport};
use incubook::sync::client::{SyncProgress, sync_with_progress};
use incubook::sync::http::HttpTransport;
use incubook::sync::upload::{CatalogueUpload, queue_missing_catalogues};
use incubook::sync::{Mutation, PushRequest, PushedMutation};
use incubook_server::auth;
use incubook_server::db::ServerRole;

const CODE: &str = "PD-0099";

fn person(name: &str, roles: &[Role]) -> NewPerson {
    NewPerson {
        name: name.into(),
        phone: Some("13800000000".into()),
        roles: roles.iter().map(|&role| RoleGrant { makerspace_code: CODE.into(), role }).collect(),
        ..NewPerson::default()
    }
}

fn every_day(start_h: u16, end_h: u16) -> Vec<WeeklyHours> {
    (0..7).map(|weekday| WeeklyHours { weekday, start_min: start_h * 60, end_min: end_h * 60 }).collect()
}

/// Ids of the people and resources a new makerspace's desktop made before it connected.
struct Local {
    admin: String,
    founder: String,
    equipment: String,
    mentor: String,
    /// The founder's upcoming confirmed printer booking, made before connecting.
    booked: NewBooking,
    /// A founder of makerspace PD-0100 with an upcoming booking of the mentor.
    visitor: String,
    visiting: NewBooking,
}

/// A desktop that has run makerspace PD-0099 on its own: people, a lab with a 3D printer
/// (qualification needed, one founder qualified, a day off, a blackout) and a mentor; the
/// founder has booked the printer (one booking past, one ahead), and a founder of another
/// makerspace the mentor.
fn desktop_of_a_new_makerspace(store: &mut Store, now: DateTime<Utc>) -> Local {
    let space =
        NewMakerspace {
            code: CODE.into(), name: "张江新空间".into(), address: String::new(), timezone: "Asia/Shanghai".into()
        };
    ok(store.create_makerspace(None, &space, now));
    let admin = ok(store.create_person(None, &person("王主任", &[Role::SpaceAdmin]), now)).id;
    let founder = ok(store.create_person(Some(&admin), &person("李创业", &[Role::Founder]), now)).id;
    let manager = ok(store.create_person(Some(&admin), &person("赵实验", &[Role::LabManager]), now)).id;
    let coach = ok(store.create_person(Some(&admin), &person("陈导师", &[Role::Mentor]), now)).id;
    let lab = NewLab {
        makerspace_code: CODE.into(),
        name: "快速成型实验室".into(),
        description: String::new(),
        manager_ids: vec![manager.clone()],
    };
    let lab = ok(store.create_lab(&admin, &lab, now)).id;
    let printer = NewEquipment {
        lab_id: lab,
        name: "光固化 3D 打印机".into(),
        category: "3D 打印".into(),
        model: "Form 3".into(),
        hourly_fee_cents: 3_000,
        subsidy_pct: 30,
        policy: Policy { qualification_required: true, min_notice_min: 0, ..Policy::default() },
        weekly_hours: every_day(9, 18),
    };
    let equipment = ok(store.create_equipment(&manager, &printer, now)).id;
    let day_off =
        DateOverride { date: (now + Duration::days(10)).date_naive(), kind: OverrideKind::Off, start_min: 0, end_min: 1440 };
    ok(store.add_date_override(&manager, &equipment, &day_off, "盘点", now));
    let later = (now + Duration::days(12)).timestamp();
    let when = BlackoutWhen::Once { start: later, end: later + 7_200 };
    ok(store.add_blackout(&manager, &equipment, &when, "换树脂槽", BlackoutMode::KeepBookings, now));
    ok(store.grant_qualification(&manager, &founder, &equipment, None, now));
    let mentor = NewMentor {
        full_time: false,
        person_id: coach.clone(),
        makerspace_code: CODE.into(),
        title: "硬件创业导师".into(),
        bio: "十年消费电子量产经验".into(),
        tags: vec!["hardware".into()],
        industries: vec!["智能硬件".into()],
        languages: vec!["zh".into()],
        formats: vec!["in_person".into()],
        visibility: Visibility::District,
        timezone: None,
        policy: Policy { min_notice_min: 0, ..Policy::default() },
        weekly_hours: every_day(14, 17),
    };
    let mentor = ok(store.create_mentor(&admin, &mentor, now)).id;
    let away =
        DateOverride { date: (now + Duration::days(9)).date_naive(), kind: OverrideKind::Off, start_min: 0, end_min: 1440 };
    ok(store.add_date_override(&coach, &mentor, &away, "出差", now));

    let first_slot = |store: &Store, resource: &str, day: i64, at: DateTime<Utc>| {
        let search = SlotSearch {
            from: at.date_naive() + Duration::days(day),
            to: at.date_naive() + Duration::days(day + 1),
            minutes: Some(60),
        };
        let slot = ok(store.slots(resource, &search, at)).into_iter().next().unwrap_or_else(|| panic!("no slot on day {day}"));
        NewBooking { format: None, resource_id: resource.into(), start: slot.start, end: slot.end, topic: "样件打印".into() }
    };
    let month_ago = now - Duration::days(30);
    ok(store.book(&founder, &first_slot(store, &equipment, 3, month_ago), month_ago));
    let booked = first_slot(store, &equipment, 3, now);
    ok(store.book(&founder, &booked, now));
    let elsewhere = NewMakerspace {
        code: "PD-0100".into(),
        name: "外区空间".into(),
        address: String::new(),
        timezone: "Asia/Shanghai".into(),
    };
    ok(store.create_makerspace(Some(&admin), &elsewhere, now));
    let visitor = NewPerson {
        roles: vec![RoleGrant { makerspace_code: "PD-0100".into(), role: Role::Founder }],
        ..person("外区创业者", &[])
    };
    let visitor = ok(store.create_person(Some(&admin), &visitor, now)).id;
    let visiting = first_slot(store, &mentor, 4, now);
    ok(store.book(&visitor, &visiting, now));
    Local { admin, founder, equipment, mentor, booked, visitor, visiting }
}

/// A server that knows makerspace PD-0099 and its space admin `wang`, nothing more.
fn server_with_a_new_makerspace(backend: Backend, now: DateTime<Utc>) -> TestServer {
    let server = TestServer::start_on(backend, now);
    ok(server.db.add_makerspace(CODE, "张江新空间"));
    ok(server.db.add_account(CODE, "wang", &ok(auth::hash_password(PASSWORD)), &[ServerRole::SpaceAdmin], None, 0));
    server
}

/// A desktop database in a directory of its own (kept alive with it).
fn new_desktop() -> (tempfile::TempDir, Store) {
    let dir = ok(tempfile::tempdir());
    let store = ok(Store::open(&dir.path().join("incubook.db")));
    (dir, store)
}

/// Signs in, connects and queues what the server lacks: what was queued, and the transport.
fn connect_and_queue(
    server: &TestServer,
    store: &mut Store,
    username: &str,
    now: DateTime<Utc>,
) -> (Vec<CatalogueUpload>, HttpTransport) {
    let http = ok(HttpTransport::new(&server.base));
    let signed_in = ok(http.sign_in(username, PASSWORD));
    ok(store.connect_sync(&server.base, username, &signed_in.user.person_id, &signed_in.token));
    let on_server = ok(http.makerspaces(&signed_in.token));
    (ok(queue_missing_catalogues(store, &on_server, &signed_in.user.roles, now)), http)
}

/// Signs in, connects, queues what the server lacks and syncs: what was queued, and the progress heard.
fn connect_as(
    server: &TestServer,
    store: &mut Store,
    username: &str,
    now: DateTime<Utc>,
) -> (Vec<CatalogueUpload>, Vec<SyncProgress>) {
    let (queued, http) = connect_and_queue(server, store, username, now);
    let mut heard = Vec::new();
    let report = ok(sync_with_progress(&mut *store, &http, now, &mut |p| heard.push(*p)));
    assert!(report.refused.is_empty(), "refused: {:?}", report.refused);
    (queued, heard)
}

fn a_space_admins_first_connection_uploads_the_catalogue_and_founders_book_from_it(backend: Backend) {
    let now = common::now();
    let server = server_with_a_new_makerspace(backend, now);
    let (_dir, mut desktop) = new_desktop();
    let local = desktop_of_a_new_makerspace(&mut desktop, now);
    // The founder's company, resident here since spring: it goes up with the catalogue.
    let company = incubook::startup::NewStartup {
        name: "光年智能".into(),
        kind: incubook::startup::StartupKind::Enterprise,
        credit_code: Some("91310115MA1K4PXX0T".into()),
        stage: "A轮".into(),
        industry: "激光雷达".into(),
        headcount: 9,
        description: String::new(),
    };
    let startup = ok(desktop.create_startup(&local.admin, &company, &local.founder, now));
    let home = ok(desktop.makerspace_by_code(CODE)).id;
    let spring = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
    ok(desktop.move_in(&local.admin, (&startup, &home), spring, now));
    // An event held here and mentor hours given here before connecting: they follow the
    // makerspace to the server's id (a foreign key failed the connection before).
    let talk = incubook::events::NewEvent {
        makerspace_id: home.clone(),
        kind: incubook::events::EventKind::Salon,
        title: "开业沙龙".into(),
        start: now + chrono::Duration::days(3),
        end: now + chrono::Duration::days(3) + chrono::Duration::hours(2),
        place: String::new(),
        capacity: 20,
    };
    let talk_id = ok(desktop.publish_event(&local.admin, &talk, now));
    let (programme, starts_on, ends_on) = ok(desktop.quarter_at(&home, now));
    let hours = incubook::allocation::NewAllocation {
        startup_id: startup.clone(),
        makerspace_id: home.clone(),
        programme,
        starts_on,
        ends_on,
        hours: 8,
    };
    let allocation = ok(desktop.allocate_hours(&local.admin, &hours, now));
    ok(desktop.top_up_hours(&local.admin, &allocation, (2, "路演前加急辅导"), now));
    // A roadshow held in the summer: the yearly figures on the server count it too.
    let held = incubook::events::NewEvent {
        kind: incubook::events::EventKind::Roadshow,
        title: "夏季路演".into(),
        start: now - chrono::Duration::days(100),
        end: now - chrono::Duration::days(100) + chrono::Duration::hours(3),
        ..talk.clone()
    };
    // Published before it began (an event is not entered after the fact).
    let roadshow = ok(desktop.publish_event(&local.admin, &held, now - chrono::Duration::days(101)));

    let (queued, heard) = connect_as(&server, &mut desktop, "wang", now);
    let server_id = ok(desktop.makerspace_by_code(CODE)).id;
    let held_here = ok(desktop.events(&local.admin, now)).into_iter().find(|e| e.id == talk_id).map(|e| e.makerspace_id);
    assert_eq!(held_here, Some(server_id.clone()));
    assert_eq!(ok(desktop.hour_balances(&startup)).first().map(|b| b.makerspace_id.clone()), Some(server_id));
    let expected = CatalogueUpload {
        makerspace_code: CODE.into(),
        people: 4,
        roles: 4,
        labs: 1,
        equipment: 1,
        mentors: 1,
        date_overrides: 1,
        blackouts: 1,
        qualifications: 1,
        // The upcoming printer booking; not the past one, nor the visitor's (skipped with
        // the mentor's own day off).
        bookings: 1,
        events: 2,
        allocations: 1,
        skipped: 2,
    };
    assert_eq!(queued, vec![expected]);
    let sent: Vec<u32> = heard.iter().map(|p| p.sent).collect();
    assert!(sent.windows(2).all(|w| w[0] <= w[1]), "progress only goes forward: {sent:?}");
    // The catalogue's 15 changes, the startup with its stay here (the two made before
    // connecting were never queued: the desktop was on its own), the two events, and the
    // allocation with its top-up.
    assert_eq!(heard.last().map(|p| (p.sent, p.to_send)), Some((21, 21)), "{heard:?}");
    assert_eq!(ok(desktop.sync_status()).map(|s| s.waiting), Some(0));

    // The server has the catalogue under its own makerspace, and so does the desktop now.
    let server_id = server.text("SELECT id FROM makerspace WHERE code = $1", &[Arg::T(CODE)]).unwrap_or_default();
    assert_eq!(ok(desktop.makerspace_by_code(CODE)).id, server_id);
    let home = |table: &str, id: &str| server.text(&format!("SELECT makerspace_id FROM {table} WHERE id = $1"), &[Arg::T(id)]);
    assert_eq!(home("resource", &local.equipment).as_deref(), Some(server_id.as_str()));
    assert_eq!(home("resource", &local.mentor).as_deref(), Some(server_id.as_str()));
    assert_eq!(server.count("SELECT count(*) FROM blackout WHERE resource_id = $1", &[Arg::T(&local.equipment)]), 1);
    assert_eq!(server.count("SELECT count(*) FROM date_override WHERE resource_id = $1", &[Arg::T(&local.equipment)]), 1);
    // The company is one record on the server, its lead the founder, resident here since spring.
    let stay = server.text(
        "SELECT m.person_id || ' ' || r.makerspace_id || ' ' || r.move_in FROM startup s
         JOIN startup_member m ON m.startup_id = s.id AND m.lead = 1 JOIN residency r ON r.startup_id = s.id
         WHERE s.credit_code = $1",
        &[Arg::T("91310115MA1K4PXX0T")],
    );
    assert_eq!(stay, Some(format!("{} {server_id} 2026-03-01", local.founder)));
    // The events and the mentor hours went up too, under the server's makerspace; the top-up
    // keeps its reason.
    for event in [&talk_id, &roadshow] {
        assert_eq!(home("event", event).as_deref(), Some(server_id.as_str()));
    }
    assert_eq!(home("hour_allocation", &allocation).as_deref(), Some(server_id.as_str()));
    let topped = server.text("SELECT minutes || ' ' || reason FROM hour_topup WHERE allocation_id = $1", &[Arg::T(&allocation)]);
    assert_eq!(topped.as_deref(), Some("120 路演前加急辅导"));
    let minutes = server.count("SELECT minutes FROM hour_allocation WHERE id = $1", &[Arg::T(&allocation)]);
    assert_eq!(minutes, 8 * 60);

    // The booking made before connecting holds its time on the server too, as the founder's.
    let held = server.text(
        "SELECT booker_id || ' ' || status FROM booking WHERE resource_id = $1 AND start_at = $2",
        &[Arg::T(&local.equipment), Arg::I(local.booked.start.timestamp())],
    );
    assert_eq!(held, Some(format!("{} confirmed", local.founder)));

    // The operator gives the uploaded founder an account; she finds her booking on her new
    // desktop, books the printer she is qualified for, and sees the mentor's hours.
    server.account("li", &local.founder, CODE, &[ServerRole::Founder]);
    let mut founder = server.client("li", now);
    let mine = ok(founder.store.bookings_of(&local.founder));
    assert!(mine.iter().any(|b| b.booking.start == local.booked.start && b.booking.resource_id == local.equipment), "{mine:?}");
    // Asking the server for that time again (as a desktop that has not pulled would) loses.
    let again = Mutation::Book {
        format: None,
        booking_id: uuid::Uuid::now_v7().to_string(),
        resource_id: local.equipment.clone(),
        start: local.booked.start,
        end: local.booked.end,
        topic: String::new(),
    };
    let push = PushRequest { client_id: "stale-desktop".into(), mutations: vec![ok(PushedMutation::new(1, &again))] };
    let answer = ok(founder.http.push(&founder.token(), &push));
    assert_eq!(answer.outcomes[0].code.as_deref(), Some("refused.slot_taken"), "{answer:?}");
    let search =
        SlotSearch { from: now.date_naive() + Duration::days(2), to: now.date_naive() + Duration::days(5), minutes: Some(60) };
    let slot =
        ok(founder.store.slots(&local.equipment, &search, now)).into_iter().next().unwrap_or_else(|| panic!("no printer slot"));
    assert!(!ok(founder.store.slots(&local.mentor, &search, now)).is_empty(), "the uploaded mentor has free hours");
    let new = NewBooking {
        format: None,
        resource_id: local.equipment.clone(),
        start: slot.start,
        end: slot.end,
        topic: "外壳样件".into(),
    };
    let booking = ok(founder.store.book(&local.founder, &new, now)).id;
    assert!(founder.sync(now).refused.is_empty());
    assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booking)]).as_deref(), Some("confirmed"));

    // A second connection finds the catalogue on the server and uploads nothing.
    let (_again, mut second) = new_desktop();
    desktop_of_a_new_makerspace(&mut second, now);
    let (queued, _) = connect_as(&server, &mut second, "wang", now);
    assert!(queued.is_empty(), "{queued:?}");
    assert_eq!(server.count("SELECT count(*) FROM lab WHERE makerspace_id = $1", &[Arg::T(&server_id)]), 1);
}

/// The keys of the desktop's catalogue rows, by table: what a refused upload must leave alone.
fn catalogue_rows(store: &Store) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    for table in ["person", "person_role", "lab", "resource", "equipment", "mentor", "qualification", "blackout", "booking"] {
        let columns = incubook::sync::table(table).unwrap_or_else(|| panic!("{table} is not synced")).key.join(" || '/' || ");
        let mut stmt = ok(store.conn().prepare(&format!("SELECT '{table} ' || {columns} FROM {table}")));
        keys.extend(ok(stmt.query_map([], |r| r.get::<_, String>(0))).map(ok));
    }
    keys
}

fn an_upload_the_server_refuses_leaves_the_desktops_catalogue_in_place(backend: Backend) {
    let now = common::now();
    let server = server_with_a_new_makerspace(backend, now);
    let (_dir, mut desktop) = new_desktop();
    desktop_of_a_new_makerspace(&mut desktop, now);
    let (queued, http) = connect_and_queue(&server, &mut desktop, "wang", now);
    assert_eq!(queued.len(), 1);
    let before = catalogue_rows(&desktop);

    // The operator takes the space admin role away before the upload goes out: the server
    // refuses every change of it, and the desktop keeps what it had.
    ok(server.db.set_roles("wang", CODE, &[ServerRole::Founder]));
    // New roles sign the account out everywhere: the desktop cannot sync until wang signs in
    // again, and then goes on with the founder's role only.
    let signed_out = desktop.sync_once(&http, now).err().map(|e| e.code());
    assert_eq!(signed_out.as_deref(), Some("unauthorized"));
    let again = ok(http.sign_in("wang", PASSWORD));
    ok(desktop.connect_sync(&server.base, "wang", &again.user.person_id, &again.token));
    let report = ok(desktop.sync_once(&http, now));
    assert_eq!(report.refused.len() as u32, queued[0].changes(), "{:?}", report.refused);
    assert_eq!(ok(desktop.sync_status()).map(|s| s.waiting), Some(0));
    let after = catalogue_rows(&desktop);
    let lost: Vec<&String> = before.difference(&after).collect();
    assert!(lost.is_empty(), "the desktop dropped {lost:?}");
    let server_id = server.text("SELECT id FROM makerspace WHERE code = $1", &[Arg::T(CODE)]).unwrap_or_default();
    assert_eq!(server.count("SELECT count(*) FROM lab WHERE makerspace_id = $1", &[Arg::T(&server_id)]), 0);
}

fn an_upload_wrapped_in_an_upload_is_refused(backend: Backend) {
    let now = common::now();
    let server = server_with_a_new_makerspace(backend, now);
    let http = ok(HttpTransport::new(&server.base));
    let token = ok(http.sign_in("wang", PASSWORD)).token;
    let lab = NewLab { makerspace_code: CODE.into(), name: "实验室".into(), description: String::new(), manager_ids: vec![] };
    let once = Mutation::Uploaded { change: Box::new(Mutation::CreateLab { lab_id: "lab-1".into(), lab }) };
    let twice = Mutation::Uploaded { change: Box::new(once.clone()) };
    let push = PushRequest {
        client_id: "wrapped".into(),
        mutations: vec![ok(PushedMutation::new(1, &twice)), ok(PushedMutation::new(2, &once))],
    };
    let answer = ok(http.push(&token, &push));
    assert_eq!(answer.outcomes[0].code.as_deref(), Some("invalid.mutation"), "{answer:?}");
    assert!(answer.outcomes[1].applied, "{answer:?}");
    assert_eq!(server.count("SELECT count(*) FROM lab WHERE id = $1", &[Arg::T("lab-1")]), 1);
}

/// A founder of PD-0100 who joins PD-0099 too: PD-0100's upload brought her to the district
/// already, so PD-0099's upload adds her role there (and holds her booking) instead of
/// failing to create her a second time.
fn someone_the_district_has_already_gets_the_role_here_from_the_upload(backend: Backend) {
    let now = common::now();
    let server = server_with_a_new_makerspace(backend, now);
    let (_dir, mut desktop) = new_desktop();
    let local = desktop_of_a_new_makerspace(&mut desktop, now);
    ok(desktop.set_role(&local.admin, &local.visitor, CODE, Role::Founder, true, now));

    // PD-0100's space admin uploaded her first, with her role there.
    ok(server.db.add_makerspace("PD-0100", "外区空间"));
    ok(server.db.add_account("PD-0100", "zhou", &ok(auth::hash_password(PASSWORD)), &[ServerRole::SpaceAdmin], None, 0));
    let http = ok(HttpTransport::new(&server.base));
    let zhou = ok(http.sign_in("zhou", PASSWORD)).token;
    let visitor = NewPerson {
        roles: vec![RoleGrant { makerspace_code: "PD-0100".into(), role: Role::Founder }],
        ..person("外区创业者", &[])
    };
    let created = Mutation::CreatePerson { person_id: local.visitor.clone(), person: visitor };
    let uploaded = Mutation::Uploaded { change: Box::new(created) };
    let push = PushRequest { client_id: "pd-0100".into(), mutations: vec![ok(PushedMutation::new(1, &uploaded))] };
    assert!(ok(http.push(&zhou, &push)).outcomes[0].applied);

    let (queued, _) = connect_as(&server, &mut desktop, "wang", now);
    assert_eq!((queued[0].people, queued[0].roles, queued[0].bookings), (5, 5, 2), "{queued:?}");
    let roles = server.text(
        "SELECT string_agg(m.code || ' ' || r.role, ', ' ORDER BY m.code) FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE r.person_id = $1",
        &[Arg::T(&local.visitor)],
    );
    assert_eq!(roles.as_deref(), Some("PD-0099 founder, PD-0100 founder"));
    assert_eq!(server.count("SELECT count(*) FROM person WHERE id = $1", &[Arg::T(&local.visitor)]), 1);
    let held = server.text(
        "SELECT booker_id || ' ' || status FROM booking WHERE resource_id = $1 AND start_at = $2",
        &[Arg::T(&local.mentor), Arg::I(local.visiting.start.timestamp())],
    );
    assert_eq!(held, Some(format!("{} confirmed", local.visitor)));
    // The roles new people came with are not logged as granted a second time.
    let grants = |person: &str| {
        server.count("SELECT count(*) FROM audit_log WHERE action = 'grant_role' AND entity_id = $1", &[Arg::T(person)])
    };
    assert_eq!((grants(&local.founder), grants(&local.visitor)), (0, 1));
}

on_both_backends!(
    someone_the_district_has_already_gets_the_role_here_from_the_upload,
    a_space_admins_first_connection_uploads_the_catalogue_and_founders_book_from_it,
    an_upload_the_server_refuses_leaves_the_desktops_catalogue_in_place,
    an_upload_wrapped_in_an_upload_is_refused
);
