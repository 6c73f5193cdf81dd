//! Group commit for pushes: a push joins the queue; whoever becomes the leader applies every
//! push queued by then in one transaction and answers each, so many clients share one commit
//! (and one sync of the log) instead of taking turns. The SQLite backend uses it (its writer
//! is one connection anyway). PostgreSQL does not: there a push costs about twenty round
//! trips, and one leader doing them all was slower (306 pushes/s) than concurrent
//! transactions that only queue for the commit (522 pushes/s).

use std::sync::{Mutex, mpsc};

use chrono::{DateTime, Utc};
use incubook::sync::{PushRequest, PushResponse};

use crate::error::{Result, ServerError};

/// A push waiting for the next group.
pub struct Waiting {
    pub person_id: String,
    pub request: PushRequest,
    pub now: DateTime<Utc>,
    answer: mpsc::Sender<Result<PushResponse>>,
}

/// At most this many pushes share one commit, so that one commit's wait stays short.
const MAX_GROUP: usize = 256;

#[derive(Default)]
pub struct Groups {
    waiting: Mutex<Vec<Waiting>>,
    leader: Mutex<()>,
}

fn poisoned<T>(_: T) -> ServerError {
    ServerError::Internal("push queue poisoned".into())
}

impl Groups {
    /// Queues the push and returns its answer, applying a group (this push's, or a later
    /// one that includes it) with `run` when no other push is doing so. `run` answers each
    /// push of the group in order; its own error answers them all.
    pub fn push(
        &self,
        person_id: &str,
        request: &PushRequest,
        now: DateTime<Utc>,
        run: impl Fn(&[Waiting]) -> Result<Vec<Result<PushResponse>>>,
    ) -> Result<PushResponse> {
        let (answer, answered) = mpsc::channel();
        let waiting = Waiting { person_id: person_id.to_string(), request: request.clone(), now, answer };
        self.waiting.lock().map_err(poisoned)?.push(waiting);
        loop {
            // While another push led, it may have applied this one too.
            if let Ok(answer) = answered.try_recv() {
                return answer;
            }
            {
                let _leading = self.leader.lock().map_err(poisoned)?;
                let group: Vec<Waiting> = {
                    let mut waiting = self.waiting.lock().map_err(poisoned)?;
                    let take = waiting.len().min(MAX_GROUP);
                    waiting.drain(..take).collect()
                };
                if !group.is_empty() {
                    match run(&group) {
                        Ok(answers) => {
                            for (push, answer) in group.into_iter().zip(answers) {
                                let _ = push.answer.send(answer);
                            }
                        }
                        Err(e) => {
                            let message = e.to_string();
                            for push in group {
                                let _ = push.answer.send(Err(ServerError::Unavailable(message.clone())));
                            }
                        }
                    }
                }
            }
            if let Ok(answer) = answered.try_recv() {
                return answer;
            }
        }
    }
}
