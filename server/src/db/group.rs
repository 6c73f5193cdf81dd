//! Group commit for pushes: a push joins the queue; one push at a time leads, applying every
//! push queued by then in one transaction and answering each, so many clients share one
//! commit (and one sync of the log) instead of taking turns. The leader then hands the lead
//! to the oldest push still waiting, or lays it down when none waits: every other push sleeps
//! until its answer (or the lead) arrives, instead of queueing for a lock it would take only to
//! find its answer already there. The SQLite backend uses it (its writer is one connection
//! anyway). PostgreSQL has a worker of its own for pushes of new bookings (`pg/batch.rs`).

use std::sync::{Mutex, mpsc};

use chrono::{DateTime, Utc};
use incubook_core::protocol::{PushRequest, PushResponse};

use crate::error::{Result, ServerError};

/// A push waiting for the next group.
pub struct Waiting {
    pub person_id: String,
    pub request: PushRequest,
    pub now: DateTime<Utc>,
    wake: mpsc::Sender<Wake>,
}

/// What a waiting push is woken with.
enum Wake {
    Answer(Result<PushResponse>),
    /// Its turn to lead: it is the oldest push waiting.
    Lead,
}

/// At most this many pushes share one commit, so that one commit's wait stays short.
const MAX_GROUP: usize = 256;

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiting>,
    /// Whether some push leads (or has been handed the lead and is waking up).
    led: bool,
}

#[derive(Default)]
pub struct Groups {
    queue: Mutex<Queue>,
}

fn poisoned<T>(_: T) -> ServerError {
    ServerError::Internal("push queue poisoned".into())
}

/// Hands the lead on when the leader is done, even if applying its group panicked.
struct Leading<'a>(&'a Groups);

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let Ok(mut queue) = self.0.queue.lock() else { return };
        loop {
            let Some(next) = queue.waiting.first() else {
                queue.led = false;
                return;
            };
            if next.wake.send(Wake::Lead).is_ok() {
                return;
            }
            // Its thread is gone; nobody waits for that push.
            queue.waiting.remove(0);
        }
    }
}

impl Groups {
    /// Queues the push and returns its answer, applying a group (one that includes this push)
    /// with `run` when this push is handed the lead. `run` answers each push of the group in
    /// order; its own error answers them all.
    pub fn push(
        &self,
        person_id: &str,
        request: &PushRequest,
        now: DateTime<Utc>,
        run: impl Fn(&[Waiting]) -> Result<Vec<Result<PushResponse>>>,
    ) -> Result<PushResponse> {
        let (wake, woken) = mpsc::channel();
        let waiting = Waiting { person_id: person_id.to_string(), request: request.clone(), now, wake };
        let lead = {
            let mut queue = self.queue.lock().map_err(poisoned)?;
            queue.waiting.push(waiting);
            !std::mem::replace(&mut queue.led, true)
        };
        let gone = || ServerError::Internal("the push queue dropped a push".into());
        if !lead {
            match woken.recv().map_err(|_| gone())? {
                Wake::Answer(answer) => return answer,
                Wake::Lead => {}
            }
        }
        let leading = Leading(self);
        let group: Vec<Waiting> = {
            let mut queue = self.queue.lock().map_err(poisoned)?;
            let take = queue.waiting.len().min(MAX_GROUP);
            queue.waiting.drain(..take).collect()
        };
        match run(&group) {
            Ok(answers) => {
                let mut answers = answers.into_iter();
                for push in group {
                    let answer = answers.next().unwrap_or_else(|| Err(ServerError::Internal("a push went unanswered".into())));
                    let _ = push.wake.send(Wake::Answer(answer));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for push in group {
                    let _ = push.wake.send(Wake::Answer(Err(ServerError::Unavailable(message.clone()))));
                }
            }
        }
        drop(leading);
        // This push was the oldest waiting when it took the lead, so it was in the group.
        match woken.recv().map_err(|_| gone())? {
            Wake::Answer(answer) => answer,
            Wake::Lead => Err(gone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// Many threads push at once through a slow `run`: each gets the answer to its own push,
    /// and groups form (fewer runs than pushes).
    #[test]
    fn every_push_gets_its_own_answer_and_pushes_share_groups() {
        let groups = Arc::new(Groups::default());
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..32)
            .map(|i| {
                let (groups, runs) = (groups.clone(), runs.clone());
                std::thread::spawn(move || {
                    let mut answers = Vec::new();
                    for n in 0..20 {
                        let request = PushRequest { client_id: format!("{i}-{n}"), mutations: Vec::new() };
                        let answer = groups.push("someone", &request, incubook_core::clock::Clock::System.now(), |group| {
                            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            std::thread::sleep(std::time::Duration::from_millis(1));
                            // The answer names the push it answers, in its last mutation id.
                            Ok(group
                                .iter()
                                .map(|w| {
                                    let (i, n) = w.request.client_id.split_once('-').unwrap_or_default();
                                    let id = i.parse::<i64>().unwrap_or(-1) * 1_000 + n.parse::<i64>().unwrap_or(-1);
                                    Ok(PushResponse { last_mutation_id: id, outcomes: Vec::new() })
                                })
                                .collect())
                        });
                        answers.push(answer.map(|a| a.last_mutation_id).unwrap_or(-2));
                    }
                    answers
                })
            })
            .collect();
        for (i, thread) in threads.into_iter().enumerate() {
            let answers = thread.join().unwrap_or_default();
            let expected: Vec<i64> = (0..20).map(|n| i as i64 * 1_000 + n).collect();
            assert_eq!(answers, expected, "thread {i}");
        }
        let runs = runs.load(std::sync::atomic::Ordering::Relaxed);
        assert!(runs < 32 * 20, "{runs} runs for {} pushes: no push shared a commit", 32 * 20);
    }
}
