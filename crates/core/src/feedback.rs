//! Feedback both ways: within a week of a session the founder rates the session and the
//! mentor rates how the founder's startup is doing, once each; after a pair's first session
//! each also says whether the pairing fits. Two low ratings in a row from mentors flag a
//! startup as at risk, for its makerspace's staff to look at.

use serde::{Deserialize, Serialize};

/// Who gave the feedback.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The founder who booked, on the session.
    Founder,
    /// The mentor, on the founder's startup.
    Mentor,
}

/// Feedback is given within this many days of the session's end.
pub const FEEDBACK_DAYS: u32 = 7;

/// A mentor's rating at or below this counts against a startup.
pub const LOW_RATING: u8 = 2;

/// Whether a startup is at risk, from its mentors' ratings, latest first: the last two were
/// both low.
pub fn at_risk(latest_first: &[u8]) -> bool {
    latest_first.len() >= 2 && latest_first[..2].iter().all(|r| *r <= LOW_RATING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_low_ratings_in_a_row_flag_a_startup() {
        assert!(!at_risk(&[]));
        assert!(!at_risk(&[1]));
        assert!(at_risk(&[2, 1, 5]));
        assert!(!at_risk(&[3, 1, 1]), "a better rating since clears the flag");
        assert!(!at_risk(&[1, 3]));
    }
}
