//! A lab's utilisation on a real SQLite file: open, booked and used hours per instrument and
//! week, and 共享率 by month, counted by hand.

mod common;

use chrono::Duration;
use common::{cst, now};
use incubook::domain::{BookingStatus, Policy};
use incubook::store::NewBooking;
use incubook::usage::Purpose;

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

const H: i64 = 3600;

#[test]
fn a_labs_weeks_count_open_booked_and_used_hours_and_its_months_the_share_rate() {
    let mut d = common::district_with(common::mentor_policy(), Policy { min_notice_min: 0, ..common::equipment_policy(1) });
    let (founder, outsider, equipment, lab) = (d.founders[0].clone(), d.outsider.clone(), d.equipment.clone(), d.lab.clone());
    let mut use_it = |who: &str, start, booked_hours: i64, used_minutes: i64| {
        let new = NewBooking {
            format: None,
            resource_id: equipment.clone(),
            start,
            end: start + Duration::hours(booked_hours),
            topic: String::new(),
        };
        let b = ok(d.store.book(who, &new, now()));
        let s = ok(d.store.check_in(who, &b.id, Purpose::Testing, 0, start));
        ok(d.store.check_out(who, &s.id, start + Duration::minutes(used_minutes)));
        assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::Completed);
    };
    // Tuesday: booked two hours, used one; Wednesday: another makerspace's founder, one of one.
    use_it(&founder, cst(2026, 12, 8, 10, 0), 2, 60);
    use_it(&outsider, cst(2026, 12, 9, 14, 0), 1, 60);
    let at = cst(2026, 12, 10, 12, 0);
    let report = ok(d.store.lab_utilisation(&lab, 2, at));
    let laser = report.instruments.iter().find(|i| i.resource_id == equipment).unwrap_or_else(|| panic!("{report:?}"));
    let weeks: Vec<_> =
        laser.weeks.iter().map(|w| (w.week_start.to_string(), w.open_seconds, w.booked_seconds, w.used_seconds)).collect();
    // Open weekdays 09:00–18:00: 45 hours a week.
    assert_eq!(weeks, [("2026-11-30".to_string(), 45 * H, 0, 0), ("2026-12-07".to_string(), 45 * H, 3 * H, 2 * H)]);
    let december = report.share_by_month.last().unwrap_or_else(|| panic!("no months"));
    assert_eq!(report.share_by_month.len(), 12);
    assert_eq!((december.month.as_str(), december.effective_seconds, december.outside_seconds), ("2026-12", 2 * H, H));
    assert_eq!(december.share_permille, Some(500));
    assert_eq!(report.share_by_month[0].month, "2026-01");
    assert!(d.store.lab_utilisation(&lab, 27, at).is_err());
}
