//! Matching on a founder's replica: the best-tagged mentor is at their cap for the month and
//! scores zero, so the next one ranks first; every breakdown adds up to its score; the
//! suggested slot books in one step.

mod common;

use chrono::Duration;
use common::{District, cst, district, mentor_policy, now, weekdays};
use incubook::domain::RoleGrant;
use incubook::domain::{Policy, Visibility};
use incubook::matching::MatchNeed;
use incubook::store::{NewBooking, NewMentor, NewPerson};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn mentor(d: &mut District, name: &str, tags: &[&str], policy: Policy) -> String {
    let admin = d.admin.clone();
    let person = NewPerson {
        name: name.into(),
        roles: vec![RoleGrant { makerspace_code: "PD-0001".into(), role: incubook::domain::Role::Mentor }],
        ..NewPerson::default()
    };
    let person_id = ok(d.store.create_person(Some(&admin), &person, now())).id;
    let new = NewMentor {
        full_time: false,
        person_id,
        makerspace_code: "PD-0001".into(),
        title: "合伙人".into(),
        bio: String::new(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        industries: vec!["人工智能".into()],
        languages: vec!["zh".into()],
        formats: vec!["online".into(), "in_person".into()],
        visibility: Visibility::District,
        timezone: None,
        policy,
        weekly_hours: weekdays(540, 1080),
    };
    ok(d.store.create_mentor(&admin, &new, now())).id
}

#[test]
fn the_best_tagged_mentor_at_cap_gives_way_and_every_breakdown_adds_up() {
    let mut d = district();
    // The best fit for fundraising + legal + ip, but one session a week: four this month.
    let best = mentor(&mut d, "王投资", &["fundraising", "legal", "ip"], Policy { max_per_week: Some(1), ..mentor_policy() });
    let other = mentor(&mut d, "赵市场", &["marketing"], mentor_policy());
    let founder = d.founders[0].clone();
    let need = MatchNeed { tags: vec!["融资".into(), "legal".into(), "ip".into()], ..MatchNeed::default() };

    let before = ok(d.store.match_mentors(&founder, &need, now()));
    assert_eq!(before[0].mentor_id, best, "free, the best-tagged mentor is first: {before:?}");
    assert_eq!(before[0].score.expertise, 40);

    // Four founders fill the month's four sessions (one a week).
    for (week, f) in d.founders.clone().iter().enumerate() {
        let start = cst(2026, 12, 8, 10, 0) + Duration::weeks(week as i64);
        let new =
            NewBooking {
                format: None, resource_id: best.clone(), start, end: start + Duration::hours(1), topic: "融资".into()
            };
        ok(d.store.book(f, &new, now()));
    }
    let after = ok(d.store.match_mentors(&founder, &need, now()));
    assert!(after.iter().all(|m| m.mentor_id != best), "a mentor at cap is not suggested: {after:?}");
    // 张导师 knows fundraising and legal (two of three), the other only marketing.
    assert_eq!(after[0].mentor_id, d.mentor);
    assert_eq!(after[0].score.expertise, 26);
    assert_eq!(after.last().map(|m| m.mentor_id.as_str()), Some(other.as_str()));
    for m in before.iter().chain(&after) {
        let s = m.score;
        assert_eq!(s.expertise + s.industry + s.language + s.format + s.availability + s.capacity, s.total, "{m:?}");
    }
    assert!(after.windows(2).all(|w| w[0].score.total >= w[1].score.total));

    // One click books the suggested slot.
    let slot = after[0].suggested.unwrap_or_else(|| panic!("no slot suggested"));
    let new = NewBooking {
        format: None,
        resource_id: after[0].mentor_id.clone(),
        start: slot.start,
        end: slot.end,
        topic: "匹配推荐".into(),
    };
    ok(d.store.book(&founder, &new, now()));
    // Unknown expertise is refused with its code.
    let bad = MatchNeed { tags: vec!["astrology".into()], ..MatchNeed::default() };
    assert_eq!(d.store.match_mentors(&founder, &bad, now()).err().map(|e| e.code()).as_deref(), Some("invalid.tags"));
}

#[test]
fn a_request_unanswered_for_72_hours_expires_and_the_founder_is_told() {
    let mut d = common::district_with(Policy { approval_required: true, ..mentor_policy() }, common::equipment_policy(1));
    let (f0, f1, mentor_id) = (d.founders[0].clone(), d.founders[1].clone(), d.mentor.clone());
    let ask = |d: &mut District, who: &str, day: u32, at: chrono::DateTime<chrono::Utc>| {
        let start = cst(2026, 12, day, 10, 0);
        let new = NewBooking {
            format: None,
            resource_id: mentor_id.clone(),
            start,
            end: start + Duration::hours(1),
            topic: "融资".into(),
        };
        ok(d.store.book(who, &new, at))
    };
    let old = ask(&mut d, &f0, 14, now());
    let recent = ask(&mut d, &f1, 15, now() + Duration::hours(2));
    // 71 hours on: nothing expires yet.
    assert!(ok(d.store.sweep_usage(now() + Duration::hours(71))).expired.is_empty());
    let swept = ok(d.store.sweep_usage(now() + Duration::hours(72)));
    assert_eq!(swept.expired, vec![old.id.clone()]);
    let expired = ok(d.store.booking(&old.id));
    assert_eq!(expired.status, incubook::domain::BookingStatus::Declined);
    assert_eq!(expired.reason.as_deref(), Some(incubook::apply::REQUEST_EXPIRED));
    assert!(
        ok(d.store.notifications(&f0))
            .iter()
            .any(|n| n.kind == "booking_declined" && n.booking_id.as_deref() == Some(old.id.as_str()))
    );
    assert_eq!(ok(d.store.booking(&recent.id)).status, incubook::domain::BookingStatus::Requested);
    // The next sweep does not expire it twice.
    assert!(ok(d.store.sweep_usage(now() + Duration::hours(73))).expired.is_empty());
}
