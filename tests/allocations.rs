//! Hour allocations on a real SQLite file: a space admin gives a startup ten mentor hours for
//! the quarter, its members' completed sessions in those dates debit them (not a cancelled
//! one, not one after the quarter), a top-up needs a reason and the audit log keeps it.

mod common;

use chrono::NaiveDate;
use common::{code, cst, district, now, ok};
use incubook::allocation::{NewAllocation, quarter_of};
use incubook::store::NewBooking;

#[test]
fn completed_sessions_in_the_quarter_debit_the_startups_hours_and_a_top_up_keeps_its_reason() {
    let mut d = district();
    let (admin, mentor_person, mentor) = (d.admin.clone(), d.mentor_person.clone(), d.mentor.clone());
    let (lead, member) = (d.founders[0].clone(), d.founders[1].clone());
    let startup = ok(d.store.create_startup(&admin, &common::team("光年智能"), &lead, now()));
    ok(d.store.set_startup_member(&lead, (&startup, &member), (true, false), now()));
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let (programme, starts_on, ends_on) = quarter_of(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default());
    let new = NewAllocation { startup_id: startup.clone(), makerspace_id: pd1.clone(), programme, starts_on, ends_on, hours: 10 };
    assert_eq!(code(d.store.allocate_hours(&lead, &new, now())), "forbidden", "founders do not give themselves hours");
    assert_eq!(code(d.store.allocate_hours(&admin, &NewAllocation { hours: 0, ..new.clone() }, now())), "invalid.hours");
    let allocation = ok(d.store.allocate_hours(&admin, &new, now()));

    // Three sessions: the lead's and the member's completed, one more cancelled.
    let book = |d: &mut common::District, who: &str, day: u32, minutes: i64| {
        let start = cst(2026, 12, day, 9, 0);
        let new = NewBooking {
            format: None,
            resource_id: mentor.clone(),
            start,
            end: start + chrono::Duration::minutes(minutes),
            topic: String::new(),
        };
        ok(d.store.book(who, &new, now())).id
    };
    let (a, b, c) = (book(&mut d, &lead, 8, 60), book(&mut d, &member, 9, 90), book(&mut d, &lead, 10, 60));
    let after = cst(2026, 12, 11, 12, 0);
    ok(d.store.complete(&mentor_person, &a, after));
    ok(d.store.complete(&mentor_person, &b, after));
    ok(d.store.cancel(&lead, &c, Some("改期"), now()));
    let balance = ok(d.store.my_hour_balances(&member)).remove(0);
    assert_eq!((balance.budget_min, balance.used_min, balance.remaining_min), (600, 150, 450));
    assert_eq!(balance.programme, "2026Q4");

    // A top-up needs its reason; the audit log keeps it.
    assert_eq!(code(d.store.top_up_hours(&admin, &allocation, (5, "  "), now())), "invalid.reason");
    ok(d.store.top_up_hours(&admin, &allocation, (5, "路演前加急辅导"), now()));
    let balance = ok(d.store.hour_balances(&startup)).remove(0);
    assert_eq!((balance.budget_min, balance.remaining_min), (900, 750));
    assert_eq!(ok(d.store.top_ups(&allocation)).iter().map(|t| t.reason.as_str()).collect::<Vec<_>>(), ["路演前加急辅导"]);
    let audit = ok(d.store.audit_log(20));
    assert!(audit.iter().any(|e| e.action == "top_up_hours" && e.detail["reason"] == "路演前加急辅导"));
    // Another makerspace's admin cannot top it up.
    let outsider_admin = d.outsider_admin.clone();
    assert_eq!(code(d.store.top_up_hours(&outsider_admin, &allocation, (5, "多给点"), now())), "forbidden");
}

/// A session is the startup's its founder was in when they booked: after the founder moves to
/// another team, the session still debits the first team's hours and counts as served for it,
/// and the mentor sees which team it was for; their next booking is the new team's.
#[test]
fn a_session_stays_with_the_startup_it_was_booked_for_when_its_founder_moves_on() {
    let mut d = district();
    let (admin, mentor_person, mentor) = (d.admin.clone(), d.mentor_person.clone(), d.mentor.clone());
    let (lead, mover, other_lead) = (d.founders[0].clone(), d.founders[1].clone(), d.founders[2].clone());
    let first = ok(d.store.create_startup(&admin, &common::team("光年智能"), &lead, now()));
    ok(d.store.set_startup_member(&lead, (&first, &mover), (true, false), now()));
    let second = ok(d.store.create_startup(&admin, &common::team("星火材料"), &other_lead, now()));
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let (programme, starts_on, ends_on) = quarter_of(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default());
    for team in [&first, &second] {
        let new = NewAllocation {
            startup_id: team.clone(),
            makerspace_id: pd1.clone(),
            programme: programme.clone(),
            starts_on,
            ends_on,
            hours: 10,
        };
        ok(d.store.allocate_hours(&admin, &new, now()));
    }
    let book = |d: &mut common::District, day: u32| {
        let start = cst(2026, 12, day, 9, 0);
        let new = NewBooking {
            format: None,
            resource_id: mentor.clone(),
            start,
            end: start + chrono::Duration::minutes(60),
            topic: String::new(),
        };
        ok(d.store.book(&mover, &new, now())).id
    };
    let before = book(&mut d, 8);
    // The mover leaves the first team and joins the second.
    ok(d.store.set_startup_member(&lead, (&first, &mover), (false, false), now()));
    ok(d.store.set_startup_member(&other_lead, (&second, &mover), (true, false), now()));
    let after = book(&mut d, 9);
    let later = cst(2026, 12, 11, 12, 0);
    ok(d.store.complete(&mentor_person, &before, later));
    ok(d.store.complete(&mentor_person, &after, later));

    let used = |d: &common::District, team: &str| ok(d.store.hour_balances(team)).remove(0).used_min;
    assert_eq!((used(&d, &first), used(&d, &second)), (60, 60), "each team is debited for its own session");
    let seen: Vec<Option<String>> = ok(d.store.bookings_of(&mentor_person))
        .into_iter()
        .filter(|s| s.booking.id == before || s.booking.id == after)
        .map(|s| s.startup_name)
        .collect();
    assert_eq!(seen, [Some("光年智能".to_string()), Some("星火材料".to_string())], "the mentor sees each session's team");
    let figures = ok(d.store.year_figures("PD-0001", 2026, later));
    assert_eq!(figures.startups_served, 2, "both teams were served, though one founder booked both sessions");
}
