//! Group commit for bookings on PostgreSQL. A push of new bookings joins the queue of one
//! worker thread, which takes every push queued by then and decides their bookings in one
//! transaction of four statements — lock the calendars, read what `apply` needs, claim the
//! clients' mutations, write bookings, audit entries, notifications and refusals — instead of
//! two or three statements and a commit per booking. Statement start-up, round trips and
//! commits were most of the database's CPU in a profile of the race; the per-row work
//! (indexes, triggers) remains.
//!
//! The calendars are locked first (in one order, so two servers' batches cannot deadlock)
//! and everything after is read in later statements, which see every change committed
//! before the locks were granted. The bookings of a batch are decided in queue order by the
//! core's `apply` over the facts read ahead (`ahead.rs`), each against the rows read plus the
//! bookings accepted before it in the batch; a request for approval tells its owners here
//! too. Anything unusual — a missing row, a taken id, a retry of a push already applied, a
//! client twice in one group, a batch that failed — is handed back to the push's own thread,
//! which applies it the usual way (`push::push`) on its own connection: that way handles
//! every case.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{LazyLock, Mutex, mpsc};

use chrono::{DateTime, Utc};
use incubook_core::decide;
use incubook_core::interval::Span;
use incubook_core::protocol::check_client_id;
use incubook_core::protocol::{Mutation, MutationOutcome, PushRequest, PushResponse};

use super::Pool;
use super::ahead::{self, Asked, Context, Earlier, Effects, NotReadAhead};
use super::bookings::{Failure, Res};
use super::push::{self, client_owner};
use super::sql::{PgConn, Tx};
use crate::error::{Result, ServerError};

/// A push of at most this many new bookings is decided in a batch: as many as the desktop
/// sends in one push (an outbox after a long time offline). A longer one, from another
/// client, goes the usual way, so that it does not hold up everyone's batch.
const MAX_BOOKINGS_PER_PUSH: usize = incubook_core::protocol::PUSH_BATCH;

/// A batch takes pushes until it holds about this many bookings, so that one batch's wait
/// stays short when many desktops push their outboxes at once (a batch of 290 bookings took
/// 30–40 ms here).
const MAX_BATCH_BOOKINGS: usize = 1_000;

/// Times a batch is tried again after a deadlock or serialization failure.
const ATTEMPTS: usize = 4;

/// Whether a push goes through the batch: bookings only, and not too many.
pub(super) fn eligible(request: &PushRequest) -> bool {
    (1..=MAX_BOOKINGS_PER_PUSH).contains(&request.mutations.len()) && request.mutations.iter().all(|m| m.name == "book")
}

/// Clients known to belong to their person are not looked up again: a client's owner never
/// changes. Forgotten when this many are known, to bound the memory.
const KNOWN_CLIENTS: usize = 100_000;

/// A push waiting for the next batch, with where its answer goes.
struct Job {
    person_id: String,
    request: PushRequest,
    now: DateTime<Utc>,
    answer: mpsc::Sender<Answer>,
}

/// The worker's answer to a push: its response, or `None` when the batch left it to the
/// push's own thread (on its own connection, beside the worker).
type Answer = Option<Result<PushResponse>>;

/// The queue of the worker that applies batches. A worker of its own, rather than the pushes
/// taking turns to lead as on SQLite: the next batch starts as soon as the last one is
/// answered, without waiting for a sleeping push to wake up and take the lead.
pub(super) struct Batcher {
    queue: mpsc::Sender<Job>,
    /// (client id, person id) pairs checked already.
    known: Mutex<HashSet<(String, String)>>,
}

impl Batcher {
    /// Starts the worker; it stops when the `Batcher` is dropped and the queue is empty.
    pub(super) fn start(pool: Pool) -> Result<Batcher> {
        let (queue, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("incubook-batch".into())
            .spawn(move || work(&pool, &jobs))
            .map_err(|e| ServerError::Internal(format!("cannot start the booking worker: {e}")))?;
        Ok(Batcher { queue, known: Mutex::default() })
    }

    /// Checks the push's client (registering a new one) on the push's own connection, before
    /// it joins the queue, so that the worker spends no round trip on it.
    pub(super) fn check_client(
        &self,
        conn: impl FnOnce() -> Result<r2d2::PooledConnection<super::sql::Manager>>,
        person_id: &str,
        request: &PushRequest,
    ) -> Result<()> {
        check_client_id(&request.client_id)?;
        let pair = (request.client_id.clone(), person_id.to_string());
        if self.known.lock().is_ok_and(|known| known.contains(&pair)) {
            return Ok(());
        }
        client_owner(&mut *conn()?, &request.client_id, person_id)?;
        if let Ok(mut known) = self.known.lock() {
            if known.len() >= KNOWN_CLIENTS {
                known.clear();
            }
            known.insert(pair);
        }
        Ok(())
    }

    /// The push's answer once its batch is applied, or `None` when the push is to be applied
    /// the usual way.
    pub(super) fn push(&self, person_id: &str, request: &PushRequest, now: DateTime<Utc>) -> Result<Answer> {
        let (answer, answered) = mpsc::channel();
        let job = Job { person_id: person_id.to_string(), request: request.clone(), now, answer };
        let gone = || ServerError::Unavailable("the booking worker stopped".into());
        self.queue.send(job).map_err(|_| gone())?;
        answered.recv().map_err(|_| gone())
    }
}

fn work(pool: &Pool, jobs: &mpsc::Receiver<Job>) {
    // The worker keeps its connection while it works (and takes another once it breaks).
    let mut held: Option<r2d2::PooledConnection<super::sql::Manager>> = None;
    while let Ok(first) = jobs.recv() {
        let mut bookings = first.request.mutations.len();
        let mut group = vec![first];
        while bookings < MAX_BATCH_BOOKINGS {
            let Ok(next) = jobs.try_recv() else { break };
            bookings += next.request.mutations.len();
            group.push(next);
        }
        if held.as_ref().is_some_and(|conn| conn.client.is_closed()) {
            held = None;
        }
        let applied = std::panic::catch_unwind(AssertUnwindSafe(|| -> Result<Vec<Answer>> {
            let conn = match &mut held {
                Some(conn) => conn,
                None => held.insert(pool.get().map_err(|e| ServerError::Postgres(format!("no database connection: {e}")))?),
            };
            Ok(push_group(conn, &group))
        }));
        let answers = match applied {
            Ok(Ok(answers)) => answers,
            Ok(Err(e)) => group.iter().map(|_| Some(Err(ServerError::Unavailable(e.to_string())))).collect(),
            // One push's bookings must not fail the others': each goes the usual way on its
            // own thread, where a panic fails only its own request. The connection is
            // dropped in case the panic left it mid-statement.
            Err(panic) => {
                tracing::error!(
                    "a batch of bookings panicked, applying its pushes one by one: {}",
                    crate::error::panic_message(&*panic)
                );
                held = None;
                group.iter().map(|_| None).collect()
            }
        };
        for (job, answer) in group.into_iter().zip(answers) {
            // A push whose request went away has nobody to answer.
            let _ = job.answer.send(answer);
        }
    }
}

/// Locks the calendars of the batch's resources (moving their counters on, so optimistic
/// bookings read before this decide again), in the order of their ids.
const LOCK_SQL: &str = "INSERT INTO resource_calendar(resource_id, seq)
    SELECT id, 1 FROM resource WHERE id = ANY($1::text[]) AND deleted = 0 ORDER BY id
    ON CONFLICT (resource_id) DO UPDATE SET seq = resource_calendar.seq + 1";

/// Moves each client's last processed mutation on to the last of its batch, if the first is
/// still new; answers the clients claimed.
/// The refusals before each push's first mutation go too (see `PRUNE_FAILURES_SQL`).
const CLAIM_SQL: &str = "WITH pruned AS (
       DELETE FROM sync_failure f USING unnest($1::text[], $2::bigint[]) AS p(client_id, first)
       WHERE f.client_id = p.client_id AND f.mutation_id < p.first)
     UPDATE sync_client c SET last_mutation_id = v.last
    FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(client_id, first, last)
    WHERE c.client_id = v.client_id AND c.last_mutation_id < v.first
    RETURNING c.client_id";

/// The batch's bookings, audit entries, notifications and refusals.
static WRITE_SQL: LazyLock<String> = LazyLock::new(|| format!("WITH {} SELECT count(*) FROM booked", ahead::effects_sql("TRUE")));

/// A new booking asked for by a push of the group.
struct Item {
    id: i64,
    mutation: Mutation,
    request: Span,
    now: DateTime<Utc>,
}

impl Item {
    /// The booking id, resource and topic of the `Book` it holds.
    fn asked(&self) -> (&str, &str, &str) {
        match &self.mutation {
            Mutation::Book { booking_id, resource_id, topic, .. } => (booking_id, resource_id, topic),
            _ => ("", "", ""),
        }
    }
}

/// A push whose bookings are all new: its client, its person and its items.
struct Planned<'g> {
    push: usize,
    client_id: &'g str,
    person: &'g str,
    items: Vec<Item>,
}

/// The group's answers in order.
fn push_group(conn: &mut PgConn, group: &[Job]) -> Vec<Answer> {
    let mut answers: Vec<Answer> = group.iter().map(|_| None).collect();
    let planned = plan(group);
    if !planned.is_empty() {
        for _ in 0..ATTEMPTS {
            match conn.transaction(|tx| decide_and_write(tx, &planned)) {
                Ok(decided) => {
                    for (push, outcomes) in planned.iter().zip(decided) {
                        if let Some(outcomes) = outcomes {
                            let last = outcomes.last().map_or(0, |o| o.id);
                            answers[push.push] = Some(Ok(PushResponse { last_mutation_id: last, outcomes }));
                        }
                    }
                    break;
                }
                Err(Failure::Db(e)) if push::retryable(&e) => continue,
                // Whatever it was, the usual way finds it again for the push it belongs to
                // and answers that push alone.
                Err(e) => {
                    tracing::warn!(
                        "a batch of bookings failed, applying its pushes one by one: {}",
                        crate::error::ServerError::from(e)
                    );
                    break;
                }
            }
        }
    }
    answers
}

/// The pushes whose every mutation is a well-formed booking, in increasing order, with their
/// items. Whether they are new the claim decides.
fn plan(group: &[Job]) -> Vec<Planned<'_>> {
    let mut clients = HashSet::new();
    let mut booking_ids = HashSet::new();
    let mut planned = Vec::new();
    for (n, job) in group.iter().enumerate() {
        let request = &job.request;
        // A retry overlapping its original push is answered from what the first one did.
        if !clients.insert(request.client_id.as_str()) {
            continue;
        }
        let mut items = Vec::with_capacity(request.mutations.len());
        let mut previous = None;
        for pushed in &request.mutations {
            let Ok(mutation @ Mutation::Book { .. }) = pushed.parse() else { break };
            let Mutation::Book { booking_id, start, end, topic, .. } = &mutation else { break };
            let (Ok(request), Ok(())) = (
                decide::validate_request(*start, *end, topic, job.now.timestamp()),
                decide::check_text("booking_id", booking_id, 64, true),
            ) else {
                break;
            };
            if previous.is_some_and(|p| pushed.id <= p) || !booking_ids.insert(booking_id.clone()) {
                break;
            }
            previous = Some(pushed.id);
            items.push(Item { id: pushed.id, mutation, request, now: job.now });
        }
        if items.len() == request.mutations.len() {
            planned.push(Planned { push: n, client_id: &request.client_id, person: &job.person_id, items });
        }
    }
    planned
}

/// Decides and writes the planned pushes' bookings; for each push, its outcomes when the
/// batch decided all of them.
fn decide_and_write(tx: &mut Tx<'_, '_>, planned: &[Planned<'_>]) -> Res<Vec<Option<Vec<MutationOutcome>>>> {
    let items: Vec<(&Planned<'_>, &Item)> = planned.iter().flat_map(|p| p.items.iter().map(move |i| (p, i))).collect();
    let mut resources: Vec<&str> = items.iter().map(|(_, i)| i.asked().1).collect();
    resources.sort_unstable();
    resources.dedup();
    tx.execute(LOCK_SQL, &[&resources])?;
    let asked: Vec<Asked<'_>> = items
        .iter()
        .map(|(push, item)| {
            let (booking_id, resource_id, _) = item.asked();
            Asked { booking_id, person: push.person, resource_id, request: item.request, now: item.now.timestamp() }
        })
        .collect();
    let contexts = ahead::read_contexts(tx, &asked)?;

    // Only a push whose every booking can be decided here is claimed.
    let mut rest = contexts.as_slice();
    let per_push: Vec<&[Option<Context>]> = planned
        .iter()
        .map(|p| {
            let (mine, others) = rest.split_at(p.items.len().min(rest.len()));
            rest = others;
            mine
        })
        .collect();
    // The rest the core's `apply` reads from the context; a fresh booking id and a known
    // booker let its refusal be consumed here too.
    let decidable = |c: &Option<Context>| c.as_ref().is_some_and(|c| !c.taken && c.actor.is_some());
    let ready: Vec<bool> = per_push.iter().map(|contexts| contexts.iter().all(decidable)).collect();
    let claimed = claim(tx, planned, &ready)?;

    let mut effects = Effects::default();
    let mut accepted: HashMap<&str, Vec<Span>> = HashMap::new();
    let mut own: HashMap<(&str, &str), u32> = HashMap::new();
    let mut answers = Vec::with_capacity(planned.len());
    for ((push, contexts), claimed) in planned.iter().zip(per_push).zip(claimed) {
        if !claimed {
            answers.push(None);
            continue;
        }
        let mut outcomes = Vec::with_capacity(push.items.len());
        for (item, context) in push.items.iter().zip(contexts) {
            let Some(context) = context else { return Err(Failure::Corrupt("a claimed booking lost its context".into())) };
            let resource = item.asked().1;
            let earlier = Earlier {
                spans: accepted.get(resource).map_or(&[], Vec::as_slice),
                own: own.get(&(push.person, resource)).copied().unwrap_or(0),
            };
            let who = (push.person, push.client_id, item.id);
            match ahead::decide(&mut effects, who, context, earlier, &item.mutation, item.now.timestamp()) {
                Ok(None) => {
                    accepted.entry(resource).or_default().push(item.request);
                    *own.entry((push.person, resource)).or_default() += 1;
                    outcomes.push(MutationOutcome::applied(item.id));
                }
                Ok(Some(refusal)) => outcomes.push(MutationOutcome::refused(item.id, &refusal)),
                Err(NotReadAhead) => return Err(Failure::Corrupt("a booking of a batch needed a fact not read ahead".into())),
            }
        }
        answers.push(Some(outcomes));
    }
    let written: i64 = tx.query_one(&WRITE_SQL, &effects.params())?.get(0);
    if written != effects.bookings() as i64 {
        return Err(Failure::Corrupt(format!("{written} of {} bookings written", effects.bookings())));
    }
    Ok(answers)
}

/// Claims the ready pushes' mutations; whether each push is claimed.
fn claim(tx: &mut Tx<'_, '_>, planned: &[Planned<'_>], ready: &[bool]) -> Res<Vec<bool>> {
    let (mut clients, mut firsts, mut lasts) = (vec![], vec![], vec![]);
    for push in planned.iter().zip(ready).filter(|(_, ready)| **ready).map(|(p, _)| p) {
        let (Some(first), Some(last)) = (push.items.first(), push.items.last()) else { continue };
        clients.push(push.client_id);
        firsts.push(first.id);
        lasts.push(last.id);
    }
    let rows = if clients.is_empty() { Vec::new() } else { tx.query(CLAIM_SQL, &[&clients, &firsts, &lasts])? };
    let claimed: HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
    Ok(planned.iter().zip(ready).map(|(p, ready)| *ready && claimed.contains(p.client_id)).collect())
}
