//! An application's life as an event log: every transition is an event (who, when, from, to,
//! why), the status is what replaying the events gives, and `next` is the one place that says
//! which transition may follow which. Intake (形式审查) is here; expert review, public notice
//! (公示) and contracts add their states after `Accepted` without changing these.

use serde::{Deserialize, Serialize};

use crate::domain::Id;
use crate::error::{Refusal, Result};

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts-rs", ts(rename = "ApplicationState"))]
pub enum State {
    /// 草稿: on the applicant's desktop, not yet received.
    Draft,
    /// 已提交: received by the server before the close.
    Submitted,
    /// 已受理: its unified code is minted.
    Accepted,
    /// 退回补正: back with the applicant until its correction deadline.
    Returned,
    /// 不予受理: the applicant may ask for a re-check until its deadline.
    Refused,
    /// 申请复审
    RecheckRequested,
    /// 复审维持不予受理: final.
    RefusalUpheld,
    /// 已撤回: final; a code it had is never given again.
    Withdrawn,
}

impl State {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What someone does to an application. Deadlines are Unix seconds, set by the server.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[cfg_attr(feature = "ts-rs", ts(rename = "ApplicationAction"))]
pub enum Action {
    /// The applicant's submission (or resubmission after a return), as the server receives it.
    Submit,
    /// The district operator accepts it; the code is minted in the same transaction.
    Accept {
        code: String,
    },
    /// Back to the applicant once, with the reasons, until `until`.
    Return {
        until: i64,
    },
    /// Refused at intake; a re-check may be asked until `recheck_until`.
    Refuse {
        recheck_until: i64,
    },
    RequestRecheck,
    /// The re-check upholds the refusal.
    Uphold,
    Withdraw,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Accept { .. } => "accept",
            Action::Return { .. } => "return",
            Action::Refuse { .. } => "refuse",
            Action::RequestRecheck => "request_recheck",
            Action::Uphold => "uphold",
            Action::Withdraw => "withdraw",
        }
    }
}

/// One transition of one application, as the audit keeps it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts-rs", ts(rename = "ApplicationEvent"))]
pub struct Event {
    pub id: Id,
    pub application_id: Id,
    pub actor_id: Id,
    pub at: i64,
    pub from: State,
    pub to: State,
    pub action: Action,
    pub reason: String,
}

/// What the transitions depend on besides the state: the log so far and the call's close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The call's close; a first submission after it is refused.
    pub closes_at: i64,
    /// Returned before (an application is returned for correction once).
    pub returned_before: bool,
    /// The deadline of the current return or refusal.
    pub until: Option<i64>,
}

/// The state `action` at `now` leads to from `state`, or why it may not.
pub fn next(state: State, action: &Action, facts: Facts, now: i64) -> Result<State> {
    let not_now = || Refusal::ApplicationState { state: state.as_str().into(), action: action.name().into() };
    let within = |deadline: Option<i64>| deadline.is_none_or(|d| now <= d);
    let to = match (state, action) {
        (State::Draft, Action::Submit) if now <= facts.closes_at => State::Submitted,
        (State::Draft, Action::Submit) => return Err(Refusal::CallClosed.into()),
        (State::Returned, Action::Submit) if within(facts.until) => State::Submitted,
        (State::Returned, Action::Submit) => return Err(Refusal::DeadlinePassed.into()),
        (State::Submitted, Action::Accept { .. }) | (State::RecheckRequested, Action::Accept { .. }) => State::Accepted,
        (State::Submitted, Action::Return { .. }) if facts.returned_before => return Err(Refusal::ReturnedOnce.into()),
        (State::Submitted, Action::Return { .. }) => State::Returned,
        (State::Submitted, Action::Refuse { .. }) => State::Refused,
        (State::Refused, Action::RequestRecheck) if within(facts.until) => State::RecheckRequested,
        (State::Refused, Action::RequestRecheck) => return Err(Refusal::DeadlinePassed.into()),
        (State::RecheckRequested, Action::Uphold) => State::RefusalUpheld,
        (State::Draft | State::Submitted | State::Accepted | State::Returned | State::RecheckRequested, Action::Withdraw) => {
            State::Withdrawn
        }
        _ => return Err(not_now().into()),
    };
    Ok(to)
}

/// The state and facts after `events`, each checked against `next` at its own time: a log
/// that does not replay is corrupt, and says where.
pub fn replay(events: &[Event], closes_at: i64) -> std::result::Result<(State, Facts), usize> {
    let mut state = State::Draft;
    let mut facts = Facts { closes_at, returned_before: false, until: None };
    for (i, e) in events.iter().enumerate() {
        match next(state, &e.action, facts, e.at) {
            Ok(to) if to == e.to && e.from == state => state = to,
            _ => return Err(i),
        }
        facts.until = match e.action {
            Action::Return { until } => Some(until),
            Action::Refuse { recheck_until } => Some(recheck_until),
            _ => None,
        };
        facts.returned_before |= matches!(e.action, Action::Return { .. });
    }
    Ok((state, facts))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const CLOSE: i64 = 1_798_360_200;
    const DAY: i64 = 86_400;

    fn event(from: State, action: Action, at: i64) -> Event {
        let to = next(from, &action, Facts { closes_at: CLOSE, returned_before: false, until: None }, at).unwrap_or(from);
        Event {
            id: format!("e{at}"),
            application_id: "a".into(),
            actor_id: "x".into(),
            at,
            from,
            to,
            action,
            reason: String::new(),
        }
    }

    fn refused(r: Result<State>) -> String {
        match r {
            Err(crate::error::CoreError::Refused(r)) => r.code().to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn the_server_s_clock_decides_the_close() {
        let facts = Facts { closes_at: CLOSE, returned_before: false, until: None };
        assert_eq!(next(State::Draft, &Action::Submit, facts, CLOSE - 1).ok(), Some(State::Submitted));
        assert_eq!(next(State::Draft, &Action::Submit, facts, CLOSE).ok(), Some(State::Submitted), "the closing second counts");
        assert_eq!(refused(next(State::Draft, &Action::Submit, facts, CLOSE + 1)), "call_closed");
    }

    #[test]
    fn an_application_is_returned_once_and_resubmitted_within_its_deadline() {
        let log = [
            event(State::Draft, Action::Submit, CLOSE - 5 * DAY),
            event(State::Submitted, Action::Return { until: CLOSE + 10 * DAY }, CLOSE - 4 * DAY),
            // After the call's close, but within the correction deadline.
            Event { from: State::Returned, to: State::Submitted, ..event(State::Returned, Action::Submit, CLOSE + 3 * DAY) },
        ];
        let (state, facts) = replay(&log, CLOSE).unwrap_or_else(|i| panic!("event {i} does not replay"));
        assert_eq!(state, State::Submitted);
        assert_eq!(refused(next(state, &Action::Return { until: CLOSE + 20 * DAY }, facts, CLOSE + 4 * DAY)), "returned_once");
        let late = Facts { until: Some(CLOSE + 10 * DAY), ..facts };
        assert_eq!(refused(next(State::Returned, &Action::Submit, late, CLOSE + 11 * DAY)), "deadline_passed");
    }

    #[test]
    fn a_refusal_may_be_rechecked_and_nothing_follows_a_withdrawal() {
        let facts = Facts { closes_at: CLOSE, returned_before: false, until: Some(CLOSE + 10 * DAY) };
        assert_eq!(next(State::Refused, &Action::RequestRecheck, facts, CLOSE + DAY).ok(), Some(State::RecheckRequested));
        assert_eq!(refused(next(State::Refused, &Action::RequestRecheck, facts, CLOSE + 11 * DAY)), "deadline_passed");
        assert_eq!(next(State::RecheckRequested, &Action::Uphold, facts, CLOSE + 2 * DAY).ok(), Some(State::RefusalUpheld));
        for action in [Action::Submit, Action::Accept { code: "c".into() }, Action::Withdraw] {
            assert_eq!(refused(next(State::Withdrawn, &action, facts, CLOSE - DAY)), "application_state");
        }
        assert_eq!(refused(next(State::RefusalUpheld, &Action::RequestRecheck, facts, CLOSE + DAY)), "application_state");
    }

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::Submit),
            Just(Action::Accept { code: "c".into() }),
            (0i64..20).prop_map(|d| Action::Return { until: CLOSE + d * DAY }),
            (0i64..20).prop_map(|d| Action::Refuse { recheck_until: CLOSE + d * DAY }),
            Just(Action::RequestRecheck),
            Just(Action::Uphold),
            Just(Action::Withdraw),
        ]
    }

    proptest! {
        /// Whatever is tried in whatever order, the log of what was allowed replays to the
        /// status it reached, and an application is never returned twice.
        #[test]
        fn replaying_the_log_rebuilds_every_status(tries in proptest::collection::vec((action(), -3i64..25), 1..40)) {
            let mut state = State::Draft;
            let mut log: Vec<Event> = Vec::new();
            let mut at = CLOSE - 10 * DAY;
            for (action, hours) in tries {
                at += hours * 3600;
                let facts = replay(&log, CLOSE).map(|(_, f)| f).unwrap_or_else(|i| panic!("log corrupt at {i}"));
                if let Ok(to) = next(state, &action, facts, at) {
                    log.push(Event {
                        id: format!("e{}", log.len()),
                        application_id: "a".into(),
                        actor_id: "x".into(),
                        at,
                        from: state,
                        to,
                        action,
                        reason: String::new(),
                    });
                    state = to;
                }
            }
            prop_assert_eq!(replay(&log, CLOSE).map(|(s, _)| s), Ok(state));
            let returns = log.iter().filter(|e| matches!(e.action, Action::Return { .. })).count();
            prop_assert!(returns <= 1, "returned {} times", returns);
        }
    }
}
