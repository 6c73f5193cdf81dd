//! One function per subcommand: parse the arguments at the edge, call the core, print.

use chrono::{DateTime, Duration, Utc};
use incubook::csv_import::ImportKind;
use incubook::domain::{BlackoutWhen, Role, parse_date, parse_local_instant, to_utc};
use incubook::i18n::{expertise_label, status_label};
use incubook::report;
use incubook::sample::{self, Scale};
use incubook::store::{
    BlackoutMode, BookingView, EquipmentFilter, MentorSearch, NewBooking, NewSeries, PeopleFilter, SlotSearch, Store,
};
use incubook::{CoreError, Result};

use crate::output::{Output, table};
use crate::{Cli, Command, Decision, Pairing};

fn open(cli: &Cli) -> Result<Store> {
    let path = match &cli.data_dir {
        Some(dir) => dir.join("incubook.db"),
        None => Store::default_path(),
    };
    Store::open(&path)
}

/// A span from `--start` (RFC 3339, or a local time in the resource's zone) and `--minutes`.
fn span_from(store: &Store, resource_id: &str, start: &str, minutes: i64) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = store.resource_rules(resource_id).map(|r| r.tz).unwrap_or(crate::output::DISTRICT_TZ);
    let start = to_utc(parse_local_instant("start", start, tz)?);
    if minutes <= 0 || minutes > 7 * 1440 {
        return Err(CoreError::invalid("minutes", "must be between 1 and 10080"));
    }
    Ok((start, start + Duration::minutes(minutes)))
}

pub fn run(cli: Cli, out: &Output) -> Result<()> {
    let now = incubook::now()?;
    let mut store = open(&cli)?;
    match &cli.command {
        Command::Connect { url, user, insecure_http } => {
            crate::sync_commands::connect(&mut store, url, user, *insecure_http, out, now)
        }
        Command::Sync => crate::sync_commands::sync(&mut store, out, now),
        Command::Usage(c) => crate::usage_commands::run(&mut store, c, out, now),
        Command::Code(c) => crate::code_commands::run(c, out),
        Command::Calls(c) => crate::call_commands::run_calls(&mut store, c, out, now),
        Command::Apply(c) => crate::call_commands::run_apply(&mut store, c, out, now),
        Command::Intake(c) => crate::call_commands::run_intake(&mut store, c, out, now),
        Command::Startups(c) => crate::startup_commands::run(&mut store, c, out, now),
        Command::Events(c) => crate::event_commands::run(&mut store, c, out, now),
        Command::Hours(c) => crate::hours_commands::run(&mut store, c, out, now),
        Command::OfficeHours(c) => crate::office_commands::run(&mut store, c, out, now),
        Command::Match(args) => crate::startup_commands::run_match(&store, args, out, now),
        Command::Instrument(c) => crate::instrument_commands::run(&mut store, c, out, now),
        Command::SyncStatus => crate::sync_commands::status(&store, out),
        Command::Demo { scale, seed, if_empty } => {
            let scale = Scale::parse(scale)?;
            let has_data: bool =
                store.conn().query_row("SELECT EXISTS(SELECT 1 FROM person WHERE deleted = 0)", [], |r| r.get(0))?;
            if *if_empty && has_data {
                return out.show(&serde_json::json!({"loaded": false}), || {
                    out.t("数据库已有数据，未重新载入示例。", "The database has data; the sample was not loaded again.").into()
                });
            }
            let summary = sample::load(&mut store, scale, *seed, now)?;
            out.show(&summary, || {
                let mut s = format!(
                    "{} {} / {} {} / {} {} / {} {} / {} {}\n\n",
                    out.t("已载入示例区：空间", "Sample district loaded: makerspaces"),
                    summary.makerspaces,
                    out.t("导师", "mentors"),
                    summary.mentors,
                    out.t("实验室", "labs"),
                    summary.labs,
                    out.t("设备", "equipment"),
                    summary.equipment,
                    out.t("预约", "bookings"),
                    summary.bookings
                );
                s.push_str(out.t("可以这样体验（--as 后面是人员编号）：\n", "Try it as (the ids go after --as):\n"));
                s.push_str(&format!("  {}  {}\n", out.t("创业者    ", "founder    "), summary.founder_id));
                s.push_str(&format!("  {}  {}\n", out.t("导师      ", "mentor     "), summary.mentor_person_id));
                s.push_str(&format!("  {}  {}\n", out.t("实验室管理员", "lab manager"), summary.lab_manager_id));
                s.push_str(&format!("  {}  {}\n", out.t("空间管理员", "space admin"), summary.space_admin_id));
                s
            })
        }
        Command::Makerspaces => {
            let list = store.makerspaces()?;
            out.show(&list, || {
                let rows: Vec<Vec<String>> =
                    list.iter().map(|m| vec![m.code.clone(), m.name.clone(), m.address.clone()]).collect();
                table(&[out.t("编码", "code"), out.t("名称", "name"), out.t("地址", "address")], &rows)
            })
        }
        Command::People { role, makerspace, viewer } => {
            let filter =
                PeopleFilter { role: role.as_deref().map(Role::parse).transpose()?, makerspace_code: makerspace.clone() };
            let mut people = store.people(&filter)?;
            if let Some(viewer) = viewer {
                people = people.iter().map(|p| store.person(&p.id, Some(viewer))).collect::<Result<_>>()?;
            }
            out.show(&people, || {
                let rows: Vec<Vec<String>> = people
                    .iter()
                    .map(|p| {
                        let roles = p
                            .roles
                            .iter()
                            .map(|g| format!("{}:{}", g.makerspace_code, g.role.as_str()))
                            .collect::<Vec<_>>()
                            .join(" ");
                        vec![p.id.clone(), p.name.clone(), roles, p.startup_name.clone().unwrap_or_default()]
                    })
                    .collect();
                table(&[out.t("编号", "id"), out.t("姓名", "name"), out.t("角色", "roles"), out.t("创业项目", "startup")], &rows)
            })
        }
        Command::Mentors(args) => {
            let search = MentorSearch {
                tag: args.tag.clone(),
                industry: args.industry.clone(),
                language: args.lang.clone(),
                makerspace_code: args.makerspace.clone(),
                text: args.text.clone(),
                free_within_days: args.free_within,
                minutes: args.minutes,
                viewer_id: args.actor.clone(),
                limit: None,
            };
            let cards = store.search_mentors(&search, now)?;
            out.show(&cards, || {
                if cards.is_empty() {
                    return out
                        .t(
                            "没有符合条件的导师。试试放宽专长或时间条件。",
                            "No mentor matches. Try a wider expertise or time window.",
                        )
                        .into();
                }
                let rows: Vec<Vec<String>> = cards
                    .iter()
                    .map(|c| {
                        let tags = c.tags.iter().map(|t| expertise_label(t, out.lang)).collect::<Vec<_>>().join("、");
                        let next = c
                            .next_free
                            .first()
                            .map(|s| out.span(s.start, s.end))
                            .unwrap_or_else(|| out.t("近期无空闲", "no free time soon").into());
                        vec![c.id.clone(), c.name.clone(), c.makerspace_code.clone(), tags, next]
                    })
                    .collect();
                table(
                    &[
                        out.t("编号", "id"),
                        out.t("导师", "mentor"),
                        out.t("空间", "makerspace"),
                        out.t("专长", "expertise"),
                        out.t("最近空闲", "next free"),
                    ],
                    &rows,
                )
            })
        }
        Command::Labs { makerspace } => {
            let labs = store.labs(makerspace.as_deref())?;
            out.show(&labs, || {
                let rows: Vec<Vec<String>> =
                    labs.iter().map(|l| vec![l.id.clone(), l.makerspace_code.clone(), l.name.clone()]).collect();
                table(&[out.t("编号", "id"), out.t("空间", "makerspace"), out.t("实验室", "lab")], &rows)
            })
        }
        Command::Equipment { lab, category, makerspace } => {
            let list = store.equipment(&EquipmentFilter {
                lab_id: lab.clone(),
                category: category.clone(),
                makerspace_code: makerspace.clone(),
            })?;
            out.show(&list, || {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|e| {
                        let mut flags = Vec::new();
                        if e.policy.qualification_required {
                            flags.push(out.t("需资格", "qualification"));
                        }
                        if e.policy.approval_required {
                            flags.push(out.t("需审批", "approval"));
                        }
                        vec![
                            e.id.clone(),
                            e.name.clone(),
                            e.category.clone(),
                            e.policy.capacity.to_string(),
                            format!("¥{:.2}", e.hourly_fee_cents as f64 / 100.0),
                            flags.join(" "),
                        ]
                    })
                    .collect();
                table(
                    &[
                        out.t("编号", "id"),
                        out.t("设备", "equipment"),
                        out.t("类别", "category"),
                        out.t("容量", "capacity"),
                        out.t("每小时", "per hour"),
                        "",
                    ],
                    &rows,
                )
            })
        }
        Command::Slots { resource_id, from, to, minutes } => {
            let search = SlotSearch { from: parse_date("from", from)?, to: parse_date("to", to)?, minutes: *minutes };
            let slots = store.slots(resource_id, &search, now)?;
            out.show(&slots, || {
                if slots.is_empty() {
                    return out.t("这段时间没有可预约的时段。", "No bookable slot in those dates.").into();
                }
                slots.iter().map(|s| out.span(s.start, s.end)).collect::<Vec<_>>().join("\n")
            })
        }
        Command::Place { booking_id, place, actor } => {
            crate::place_commands::set_session_place(&mut store, out, (booking_id, actor), place, now)
        }
        Command::Places { mentor_id, place, actor } => {
            crate::place_commands::set_default_place(&mut store, out, (mentor_id, actor), place, now)
        }
        Command::Book { resource_id, start, minutes, actor, topic, format, repeat: args } => {
            let (start, end) = span_from(&store, resource_id, start, *minutes)?;
            if let Some(repeat) = crate::series_commands::repeat_of(args)? {
                let (resource_id, topic, skip_conflicts) = (resource_id.clone(), topic.clone(), args.skip_conflicts);
                let new = NewSeries { resource_id, start, end, topic, repeat, skip_conflicts };
                return crate::series_commands::book(&mut store, out, (actor, &new), args.dry_run, now);
            }
            let booking = store.book(
                actor,
                &NewBooking { format: *format, resource_id: resource_id.clone(), start, end, topic: topic.clone() },
                now,
            )?;
            out.show(&booking, || {
                format!(
                    "{} {} {} [{}]",
                    out.t("已预约", "Booked"),
                    booking.resource_name,
                    out.span(booking.start, booking.end),
                    status_label(booking.status.as_str(), out.lang)
                ) + &format!("\n{}: {}", out.t("预约编号", "booking id"), booking.id)
            })
        }
        Command::Approve(d) => decided(out, store.approve(&d.actor, &d.booking_id, now)),
        Command::Decline(d) => decided(out, store.decline(&d.actor, &d.booking_id, d.reason.as_deref().unwrap_or(""), now)),
        Command::Cancel(Decision { booking_id, actor, reason, series: Some(scope) }) => {
            store.cancel_series(actor, (booking_id, *scope), reason.as_deref(), now)?;
            crate::series_commands::changed(&store, out, booking_id, *scope)
        }
        Command::Cancel(d) => decided(out, store.cancel(&d.actor, &d.booking_id, d.reason.as_deref(), now)),
        Command::Complete(d) => decided(out, store.complete(&d.actor, &d.booking_id, now)),
        Command::NoShow(Decision { booking_id, actor, .. }) => decided(out, store.no_show(actor, booking_id, now)),
        Command::Reschedule { booking_id, start, minutes, actor, series } => {
            let (start, end) =
                span_from(&store, &store.booking(booking_id).map(|b| b.resource_id).unwrap_or_default(), start, *minutes)?;
            if let Some(scope) = series {
                store.move_series(actor, (booking_id, *scope), (start, end), now)?;
                return crate::series_commands::changed(&store, out, booking_id, *scope);
            }
            decided(out, store.reschedule(actor, booking_id, start, end, now))
        }
        Command::Bookings { actor } => {
            let list = store.bookings_of(actor)?;
            show_bookings(out, &list, actor)
        }
        Command::Requests { actor } => {
            let list = store.requests_for(actor)?;
            show_bookings(out, &list, actor)
        }
        Command::Feedback { booking_id, rating, comment, pairing, actor } => {
            store.give_feedback(actor, booking_id, (*rating, comment, pairing.map(|p| p == Pairing::Fits)), now)?;
            let given = store.session_feedback(booking_id)?;
            out.show(&given, || out.t("感谢评价！", "Thanks for the feedback!").into())
        }
        Command::Waitlist { resource_id, start, minutes, actor } => {
            let (start, end) = span_from(&store, resource_id, start, *minutes)?;
            let entry = store.join_waitlist(actor, resource_id, start, end, now)?;
            out.show(&entry, || format!("{} {}", out.t("已加入候补：", "On the waitlist for"), out.span(entry.start, entry.end)))
        }
        Command::Notifications { actor } => {
            let list = store.notifications(actor)?;
            out.show(&list, || {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|n| {
                        vec![
                            n.created_at.with_timezone(&crate::output::DISTRICT_TZ).format("%Y-%m-%d %H:%M").to_string(),
                            n.kind.clone(),
                            n.detail.to_string(),
                        ]
                    })
                    .collect();
                table(&[out.t("时间", "time"), out.t("类型", "kind"), out.t("详情", "detail")], &rows)
            })
        }
        Command::Blackout { resource_id, start, end, reason, preview, cancel_bookings, actor } => {
            let tz = store.resource_rules(resource_id).map(|r| r.tz).unwrap_or(crate::output::DISTRICT_TZ);
            let when =
                BlackoutWhen::Once { start: parse_local_instant("start", start, tz)?, end: parse_local_instant("end", end, tz)? };
            let mode = match (preview, cancel_bookings) {
                (true, _) => BlackoutMode::Preview,
                (false, true) => BlackoutMode::CancelBookings,
                (false, false) => BlackoutMode::KeepBookings,
            };
            let outcome = store.add_blackout(actor, resource_id, &when, reason, mode, now)?;
            out.show(&outcome, || {
                let mut s = match (mode, outcome.hits.len()) {
                    (BlackoutMode::Preview, 0) => {
                        out.t("这段停用时间不影响任何预约。", "This blackout hits no booking.").to_string()
                    }
                    (BlackoutMode::Preview, n) => {
                        format!("{} {n}", out.t("这段停用时间会影响的预约数：", "Bookings this blackout would hit:"))
                    }
                    (_, n) => format!(
                        "{} {n}, {} {}",
                        out.t("已添加停用时间。影响的预约：", "Blackout added. Bookings hit:"),
                        out.t("已取消：", "cancelled:"),
                        outcome.cancelled
                    ),
                };
                s.push('\n');
                for h in &outcome.hits {
                    s.push_str(&format!("  {} {} {}\n", h.booking.id, h.booker_name, out.span(h.booking.start, h.booking.end)));
                }
                s
            })
        }
        Command::Qualify { resource_id, person, expires, actor } => {
            let tz = store.resource_rules(resource_id).map(|r| r.tz).unwrap_or(crate::output::DISTRICT_TZ);
            let expires = expires.as_deref().map(|e| parse_local_instant("expires", e, tz).map(to_utc)).transpose()?;
            store.grant_qualification(actor, person, resource_id, expires, now)?;
            out.show(&serde_json::json!({"person_id": person, "resource_id": resource_id, "expires_at": expires}), || {
                out.t("已授予操作资格。", "Qualification granted.").into()
            })
        }
        Command::ExportIcs { actor, output } => {
            let list = store.bookings_of(actor)?;
            let seats = store.office_hours(actor, None, now)?;
            let text = incubook::ics::calendar_to_ics(&list, &seats, out.lang);
            match output {
                Some(path) => {
                    std::fs::write(path, &text)?;
                    out.show(&serde_json::json!({"file": path, "events": list.len()}), || {
                        format!("{} {}", out.t("已导出到", "Written to"), path.display())
                    })
                }
                None => crate::output::print_out(&text),
            }
        }
        Command::Import { kind, file, actor } => {
            let kind = match kind.as_str() {
                "mentors" => ImportKind::Mentors,
                "equipment" => ImportKind::Equipment,
                "startups" => ImportKind::Startups,
                other => return Err(CoreError::invalid("kind", format!("'{other}' is not mentors, equipment or startups"))),
            };
            let bytes = std::fs::read(file)?;
            let summary = store.import_csv(actor, kind, &bytes, now, &mut |done, total| {
                if !out.json && (done == total || done % 100 == 0) {
                    eprint!("\r{done}/{total}");
                    if done == total {
                        eprintln!();
                    }
                }
            })?;
            out.show(&summary, || format!("{} {}", out.t("已导入行数：", "Rows imported:"), summary.rows))
        }
        Command::Report { kind, call: Some(call), actor, xlsx, csv, .. } if kind == "intake" => {
            let actor = actor.as_deref().ok_or_else(|| CoreError::invalid("as", "give --as OPERATOR_ID"))?;
            let summary = store.intake_summary(actor, call)?;
            if let Some(path) = xlsx {
                std::fs::write(path, incubook::intake::intake_xlsx(&summary, out.lang)?)?;
            }
            let text = incubook::intake::intake_csv(&summary, out.lang)?;
            if *csv { print_csv(&text) } else { out.show(&summary, || csv_as_table(&text)) }
        }
        Command::Report { kind, credit_code: Some(code), actor, .. } if kind == "applicant" => {
            let actor = actor.as_deref().ok_or_else(|| CoreError::invalid("as", "give --as OPERATOR_ID"))?;
            let list = store.applications_by_credit_code(actor, code)?;
            out.show(&list, || {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|a| {
                        vec![
                            format!("{} {} {:02}", a.programme_code, a.year, a.batch),
                            a.title.clone(),
                            a.state.as_str().to_string(),
                            a.code.clone().unwrap_or_default(),
                            crate::usage_commands::yuan(a.requested_fen),
                        ]
                    })
                    .collect();
                table(
                    &[
                        out.t("专项 年度 批次", "programme year batch"),
                        out.t("项目", "project"),
                        out.t("状态", "state"),
                        out.t("统一编码", "code"),
                        out.t("申请金额", "asked"),
                    ],
                    &rows,
                )
            })
        }
        Command::Report { kind, year: Some(year), district: true, xlsx, csv, .. } if kind == "kpi" => {
            let all = crate::sync_commands::district_year_figures(&store, *year)?;
            if let Some(path) = xlsx {
                std::fs::write(path, incubook::year::district_figures_xlsx(&all, out.lang)?)?;
            }
            let text = incubook::year::district_figures_csv(&all, out.lang)?;
            if *csv { print_csv(&text) } else { out.show(&all, || csv_as_table(&text)) }
        }
        Command::Report { kind, year: Some(year), makerspace, xlsx, csv, .. } if kind == "kpi" => {
            let code = makerspace.as_deref().ok_or_else(|| CoreError::invalid("makerspace", "give --makerspace CODE"))?;
            let figures = store.year_figures(code, *year, now)?;
            if let Some(path) = xlsx {
                std::fs::write(path, incubook::year::year_figures_xlsx(&figures, out.lang)?)?;
            }
            let text = incubook::year::year_figures_csv(&figures, out.lang)?;
            if *csv { print_csv(&text) } else { out.show(&figures, || csv_as_table(&text)) }
        }
        Command::Report { kind, from, to, csv, by, .. } => {
            let missing = || CoreError::invalid("from", "give --from and --to (or --year for kpi)");
            let (from, to) = (from.as_deref().ok_or_else(missing)?, to.as_deref().ok_or_else(missing)?);
            let (from, to) = (parse_date("from", from)?, parse_date("to", to)?);
            match (kind.as_str(), by.as_deref()) {
                ("mentors", by @ (None | Some("mentor") | Some("expertise"))) => {
                    let r = store.mentor_report(from, to)?;
                    let text = if by == Some("expertise") {
                        report::expertise_hours_csv(&r, out.lang)?
                    } else {
                        report::mentor_hours_csv(&r, out.lang)?
                    };
                    if *csv { print_csv(&text) } else { out.show(&r, || csv_as_table(&text)) }
                }
                ("equipment", by @ (None | Some("equipment") | Some("lab"))) => {
                    let r = store.equipment_report(from, to)?;
                    let text = if by == Some("lab") {
                        report::lab_use_csv(&r, out.lang)?
                    } else {
                        report::equipment_use_csv(&r, out.lang)?
                    };
                    if *csv { print_csv(&text) } else { out.show(&r, || csv_as_table(&text)) }
                }
                (k, b) => Err(CoreError::invalid("kind", format!("no report '{k}' by '{}'", b.unwrap_or("")))),
            }
        }
        Command::Audit { limit } => {
            let entries = store.audit_log(*limit)?;
            out.show(&entries, || {
                let rows: Vec<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.seq.to_string(),
                            e.at.to_rfc3339(),
                            e.actor_id.clone().unwrap_or_default(),
                            e.action.clone(),
                            e.entity.clone(),
                            e.entity_id.clone(),
                        ]
                    })
                    .collect();
                table(
                    &[
                        "#",
                        out.t("时间", "time"),
                        out.t("操作人", "actor"),
                        out.t("操作", "action"),
                        out.t("对象", "entity"),
                        out.t("编号", "id"),
                    ],
                    &rows,
                )
            })
        }
    }
}

pub(crate) fn print_csv(text: &str) -> Result<()> {
    crate::output::print_out(text)
}

pub(crate) fn csv_as_table(text: &str) -> String {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<Vec<String>> =
        reader.records().filter_map(|r| r.ok()).map(|r| r.iter().map(str::to_string).collect()).collect();
    match rows.split_first() {
        Some((header, body)) => table(&header.iter().map(String::as_str).collect::<Vec<_>>(), body),
        None => String::new(),
    }
}

fn decided(out: &Output, result: Result<incubook::domain::Booking>) -> Result<()> {
    let b = result?;
    out.show(&b, || format!("{} {} [{}]", b.resource_name, out.span(b.start, b.end), status_label(b.status.as_str(), out.lang)))
}

/// The session's time on the counterpart's clock when it differs from the district's:
/// the mentor's for the booker, the booker's for the mentor.
fn counterpart_time(out: &Output, v: &BookingView, viewer: &str) -> Option<String> {
    let zone = if v.booking.booker_id == viewer { &v.resource_zone } else { &v.booker_zone };
    let zone: chrono_tz::Tz = zone.parse().ok()?;
    let (_, theirs) = incubook::zones::shown_times(v.booking.start, crate::output::DISTRICT_TZ, zone);
    theirs.map(|t| t.text(out.lang))
}

/// Where a session is, as the viewer may see it: the place and join link, or its format.
fn place_cell(out: &Output, v: &BookingView) -> String {
    match (&v.place, v.place_format) {
        (Some(p @ incubook::place::SessionPlace::Online { join_url, .. }), _) if !join_url.is_empty() => {
            format!("{} {join_url}", p.summary(out.lang))
        }
        (Some(p), _) => p.summary(out.lang),
        (None, Some(format)) => format.label(out.lang).to_string(),
        (None, None) => String::new(),
    }
}

fn show_bookings(out: &Output, list: &[BookingView], viewer: &str) -> Result<()> {
    // JSON carries what the table shows: whether a booking waits to sync, and the server's
    // refusal with its reason.
    out.show(&list, || {
        if list.is_empty() {
            return out
                .t(
                    "还没有预约。用 `incubook mentors` 找导师，或 `incubook equipment` 找设备。",
                    "No bookings yet. Find a mentor with `incubook mentors` or equipment with `incubook equipment`.",
                )
                .into();
        }
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|v| {
                let b = &v.booking;
                vec![
                    b.id.clone(),
                    b.resource_name.clone(),
                    v.booker_name.clone(),
                    match counterpart_time(out, v, viewer) {
                        Some(theirs) => format!("{} · {theirs}", out.span(b.start, b.end)),
                        None => out.span(b.start, b.end),
                    },
                    match (&v.rejection, v.pending) {
                        (Some(_), _) => out.t("被区平台拒绝", "rejected by the server").to_string(),
                        (None, true) => {
                            format!("{}（{}）", status_label(b.status.as_str(), out.lang), out.t("待同步", "waiting to sync"))
                        }
                        (None, false) => status_label(b.status.as_str(), out.lang).to_string(),
                    },
                    v.rejection
                        .as_ref()
                        .map(|r| r.message(out.lang).to_string())
                        .or_else(|| b.reason.clone())
                        .unwrap_or_default(),
                    place_cell(out, v),
                ]
            })
            .collect();
        table(
            &[
                out.t("编号", "id"),
                out.t("导师/设备", "mentor/equipment"),
                out.t("预约人", "booker"),
                out.t("时间", "time"),
                out.t("状态", "status"),
                out.t("原因", "reason"),
                out.t("地点", "place"),
            ],
            &rows,
        )
    })
}
