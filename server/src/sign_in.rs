//! What keeps sign-in from being a way in or a way down. Failed tries are limited per client
//! address, per username from one address, and per username from everywhere (governor's GCRA
//! limiters, which a failure draws on); once a limit is spent, further tries are answered 429
//! with `Retry-After` before any work. Password hashing, about 19 MiB and tens of milliseconds
//! per try, runs at most a few at a time. An unknown username costs the same hash as a known
//! one, so the time of the answer does not tell which usernames exist.
//!
//! The username-wide limit does not apply from an address the user has signed in from before
//! (review N10): a guesser spreading tries over many addresses can block the username for new
//! addresses, but not lock its owner out of the one they work from.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::auth;
use crate::error::{Result, ServerError};

/// One address: 20 failures, then one every 3 s.
const PER_ADDRESS: (u32, Duration) = (20, Duration::from_secs(3));
/// One username from one address: 5 failures, then one every 20 s.
const PER_USER_AND_ADDRESS: (u32, Duration) = (5, Duration::from_secs(20));
/// One username from anywhere: 30 failures, then one every 10 s (a spread-out guesser).
const PER_USER: (u32, Duration) = (30, Duration::from_secs(10));

/// How long a sign-in waits for its turn to hash before it is told to come back.
const HASH_QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Keys remembered at most; past this, the ones whose wait is over are dropped.
const MAX_KEYS: usize = 100_000;

/// A hash no password matches, checked for unknown usernames so that they take as long as
/// known ones.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| auth::hash_password(&auth::new_token()).ok());

/// What a failure counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    UserAndAddress(String, Option<IpAddr>),
    User(String),
}

fn keys(username: &str, address: Option<IpAddr>) -> Vec<Key> {
    let mut keys = vec![Key::UserAndAddress(username.to_string(), address), Key::User(username.to_string())];
    keys.extend(address.map(Key::Address));
    keys
}

pub struct SignInGuard {
    hashing: Semaphore,
    by_address: DefaultKeyedRateLimiter<Key>,
    by_user_and_address: DefaultKeyedRateLimiter<Key>,
    by_user: DefaultKeyedRateLimiter<Key>,
    /// Keys whose failures are spent, and until when.
    blocked: Mutex<HashMap<Key, Instant>>,
    /// The addresses each username has signed in from, and when last.
    known: Mutex<HashMap<(String, IpAddr), Instant>>,
}

/// How long an address a user signed in from stays theirs.
const KNOWN_FOR: Duration = Duration::from_secs(90 * 86_400);

fn limiter((burst, period): (u32, Duration)) -> DefaultKeyedRateLimiter<Key> {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst);
    RateLimiter::keyed(quota)
}

impl Default for SignInGuard {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // The dummy hash is made now, not on the first unknown username (whose answer would
        // then take twice as long as any other).
        LazyLock::force(&DUMMY_HASH);
        SignInGuard {
            hashing: Semaphore::new(cores.clamp(1, 4)),
            by_address: limiter(PER_ADDRESS),
            by_user_and_address: limiter(PER_USER_AND_ADDRESS),
            by_user: limiter(PER_USER),
            blocked: Mutex::default(),
            known: Mutex::default(),
        }
    }
}

impl SignInGuard {
    /// Lets a sign-in try go ahead, or answers 429 with when to try again.
    pub fn admit(&self, username: &str, address: Option<IpAddr>) -> Result<()> {
        let now = Instant::now();
        let keys = self.keys(username, address, now);
        let blocked = self.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let wait = keys.iter().filter_map(|k| blocked.get(k)).filter(|until| **until > now).max().copied();
        match wait {
            Some(until) => {
                tracing::warn!(username, address = ?address, "sign-in refused: too many failed tries");
                Err(ServerError::TooManyRequests { retry_after_seconds: (until - now).as_secs().max(1) })
            }
            None => Ok(()),
        }
    }

    /// Counts a failed try against its address, its username from that address and its
    /// username; a limit it spends blocks that key until the limit allows a try again.
    pub fn failed(&self, username: &str, address: Option<IpAddr>) {
        let clock = DefaultClock::default();
        let (now, instant) = (clock.now(), Instant::now());
        let keys = self.keys(username, address, instant);
        let mut blocked = self.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in keys {
            let limiter = match key {
                Key::Address(_) => &self.by_address,
                Key::UserAndAddress(..) => &self.by_user_and_address,
                Key::User(_) => &self.by_user,
            };
            if let Err(not_until) = limiter.check_key(&key) {
                blocked.insert(key, instant + not_until.wait_time_from(now));
            }
        }
        if blocked.len() > MAX_KEYS {
            blocked.retain(|_, until| *until > instant);
            self.by_address.retain_recent();
            self.by_user_and_address.retain_recent();
            self.by_user.retain_recent();
        }
    }

    /// Remembers that the user signed in from this address.
    pub fn succeeded(&self, username: &str, address: Option<IpAddr>) {
        let Some(address) = address else { return };
        let now = Instant::now();
        let mut known = self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if known.len() > MAX_KEYS {
            known.retain(|_, at| now.duration_since(*at) < KNOWN_FOR);
        }
        known.insert((username.to_string(), address), now);
    }

    /// The keys a try counts against: not the username-wide one from an address the user
    /// signed in from lately.
    fn keys(&self, username: &str, address: Option<IpAddr>, now: Instant) -> Vec<Key> {
        let known = self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let theirs =
            address.and_then(|a| known.get(&(username.to_string(), a))).is_some_and(|at| now.duration_since(*at) < KNOWN_FOR);
        keys(username, address).into_iter().filter(|k| !(theirs && matches!(k, Key::User(_)))).collect()
    }

    /// A turn to hash a password; sign-ins beyond the few that hash at once wait here, and
    /// are told to come back when the wait is long.
    pub async fn turn(&self) -> Result<SemaphorePermit<'_>> {
        match tokio::time::timeout(HASH_QUEUE_WAIT, self.hashing.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(ServerError::Internal("the sign-in queue is closed".into())),
            Err(_) => Err(ServerError::TooManyRequests { retry_after_seconds: HASH_QUEUE_WAIT.as_secs() }),
        }
    }
}

/// Whether `password` is the account's; an unknown account (`None`) is checked against a
/// hash nothing matches, so that both take the same time.
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    match hash {
        Some(hash) => auth::verify_password(password, hash),
        None => {
            if let Some(dummy) = DUMMY_HASH.as_deref() {
                let _ = auth::verify_password(password, dummy);
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    /// The review's N10: one wrong try a second from 25 addresses spends the username-wide
    /// limit; its owner still signs in from the address they use, a new address waits.
    #[test]
    fn a_guesser_on_many_addresses_cannot_lock_a_user_out_of_their_own() {
        let guard = SignInGuard::default();
        guard.succeeded("sa1", from(200));
        for round in 0..3 {
            for last in 1..=25 {
                if guard.admit("sa1", from(last)).is_ok() {
                    guard.failed("sa1", from(last));
                }
            }
            assert!(guard.admit("sa1", from(200)).is_ok(), "the owner's address was blocked in round {round}");
        }
        assert!(guard.admit("sa1", from(99)).is_err(), "a new address is held back while the guessing goes on");
        // The owner's own typos still count against their address (five, then one in 20 s).
        for _ in 0..6 {
            guard.failed("sa1", from(200));
        }
        assert!(guard.admit("sa1", from(200)).is_err());
    }
}
