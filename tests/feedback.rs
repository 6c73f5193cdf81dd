//! Feedback both ways on a real SQLite file: within a week of a session the founder rates the
//! session and the mentor rates how the founder's startup is doing, once each; the pairing
//! question after a pair's first session only; two low ratings in a row from mentors flag the
//! startup at risk, and a better one clears it.

mod common;

use common::{code, cst, district, now, ok};
use incubook::store::NewBooking;

#[test]
fn both_sides_rate_once_within_a_week_and_two_low_ratings_flag_the_startup() {
    let mut d = district();
    let (admin, mentor_person, mentor) = (d.admin.clone(), d.mentor_person.clone(), d.mentor.clone());
    let (founder, other) = (d.founders[0].clone(), d.founders[1].clone());
    let startup = ok(d.store.create_startup(&admin, &common::team("光年智能"), &founder, now()));
    let mut sessions = Vec::new();
    for day in [8, 9, 10] {
        let new = NewBooking {
            format: None,
            resource_id: mentor.clone(),
            start: cst(2026, 12, day, 9, 0),
            end: cst(2026, 12, day, 10, 0),
            topic: "融资".into(),
        };
        sessions.push(ok(d.store.book(&founder, &new, now())).id);
    }
    let (first, second, third) = (sessions[0].clone(), sessions[1].clone(), sessions[2].clone());
    let after = |day: u32| cst(2026, 12, day, 11, 0);

    assert_eq!(code(d.store.give_feedback(&founder, &first, (5, "", None), now())), "refused.session_not_over");
    // The founder rates the session and says the pairing fits: their first session together.
    assert!(ok(d.store.session_feedback(&first)).asks_pairing);
    ok(d.store.give_feedback(&founder, &first, (5, "很有帮助", Some(true)), after(8)));
    assert_eq!(code(d.store.give_feedback(&founder, &first, (4, "", None), after(8))), "conflict");
    assert_eq!(code(d.store.give_feedback(&other, &first, (1, "", None), after(8))), "forbidden");
    // The mentor rates how the startup is doing: low.
    ok(d.store.give_feedback(&mentor_person, &first, (2, "商业模式还不清楚", Some(true)), after(8)));
    let both = ok(d.store.session_feedback(&first));
    assert_eq!(both.founder.map(|f| (f.rating, f.pairing_fits)), Some((5, Some(true))));
    assert_eq!(both.mentor.map(|f| (f.rating, f.comment)), Some((2, "商业模式还不清楚".to_string())));
    assert!(!ok(d.store.startup(&startup)).at_risk, "one low rating is not a trend");

    // The pairing question is for the first session only.
    assert!(!ok(d.store.session_feedback(&second)).asks_pairing);
    assert_eq!(code(d.store.give_feedback(&mentor_person, &second, (1, "", Some(false)), after(9))), "invalid.pairing_fits");
    ok(d.store.give_feedback(&mentor_person, &second, (1, "进展停滞", None), after(9)));
    assert!(ok(d.store.startup(&startup)).at_risk, "two low ratings in a row");
    let listed = ok(d.store.startups(&Default::default(), after(9).date_naive()));
    assert!(listed.iter().any(|s| s.id == startup && s.at_risk));

    // A better rating since clears the flag.
    ok(d.store.give_feedback(&mentor_person, &third, (4, "明显进步", None), after(10)));
    assert!(!ok(d.store.startup(&startup)).at_risk);

    // A week after the session, feedback is closed.
    let late = cst(2026, 12, 16, 10, 1);
    assert_eq!(code(d.store.give_feedback(&founder, &second, (3, "", None), late)), "refused.feedback_closed");
    assert!(ok(d.store.session_feedback(&second)).founder.is_none());
}
