//! How much one account may push. A push is cheap to send and not to apply (each mutation is
//! a transaction, a refused one still writes its refusal), so an account draws on a budget of
//! rows (a mutation weighs the rows it names, `PushedMutation::weight`): a desktop's first upload of a whole makerspace fits in the burst, a loop
//! resending refused changes is answered 429 with `Retry-After` before any work.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{Result, ServerError};

/// Mutations one account may push at once before it has to wait.
pub const BURST_MUTATIONS: u32 = 10_000;
/// Mutations per second one account may push once its burst is spent.
pub const MUTATIONS_PER_SECOND: u32 = 1_000;

/// Accounts remembered at most; past this, the ones whose budget is whole again are dropped.
const MAX_ACCOUNTS: usize = 100_000;

pub struct PushLimit {
    by_account: DefaultKeyedRateLimiter<String>,
}

impl Default for PushLimit {
    fn default() -> Self {
        let rate = NonZeroU32::new(MUTATIONS_PER_SECOND).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(BURST_MUTATIONS).unwrap_or(NonZeroU32::MIN);
        PushLimit { by_account: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)) }
    }
}

impl PushLimit {
    /// Draws `mutations` from the account's budget, or answers when there is enough again.
    pub fn admit(&self, person_id: &str, mutations: usize) -> Result<()> {
        let Some(n) = u32::try_from(mutations).ok().and_then(NonZeroU32::new) else { return Ok(()) };
        if self.by_account.len() > MAX_ACCOUNTS {
            self.by_account.retain_recent();
        }
        let wait = match self.by_account.check_key_n(&person_id.to_string(), n) {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(not_until)) => not_until.wait_time_from(DefaultClock::default().now()),
            // More than a whole burst in one push: the push's own size limit stops that first.
            Err(_) => Duration::from_secs(u64::from(BURST_MUTATIONS / MUTATIONS_PER_SECOND)),
        };
        tracing::warn!(person_id, mutations, "push refused: the account's budget of mutations is spent");
        Err(ServerError::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_past_its_burst_waits_and_others_do_not() {
        let limit = PushLimit::default();
        for _ in 0..BURST_MUTATIONS / 500 {
            assert!(limit.admit("a", 500).is_ok());
        }
        match limit.admit("a", 500) {
            Err(ServerError::TooManyRequests { retry_after_seconds }) => assert!((1..=2).contains(&retry_after_seconds)),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limit.admit("b", 500).is_ok(), "another account has its own budget");
        assert!(limit.admit("a", 0).is_ok(), "an empty push costs nothing");
    }
}
