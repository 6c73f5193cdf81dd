//! Programmes, calls and applications on PostgreSQL: the same statements as SQLite's
//! (`incubook_sqlite::store`), the facts `apply` reads. A serial is taken by an upsert that
//! holds the (programme, year) row until the accepting transaction ends, so two server
//! processes on one database take turns and a rolled-back acceptance takes no serial.

use incubook_core::calls::NewProgramme;
use incubook_core::calls::application::{ApplicationBrief, StoredApplication, StoredCall};
use incubook_core::calls::lifecycle::State;
use incubook_core::domain::Id;
use incubook_core::ledger::CallEffect;
use incubook_sqlite::store::{
    APPLICATION_SQL, APPLICATIONS_OF_CALL_SQL, CALL_IN_BATCH_SQL, CALL_SQL, CANCEL_CALL_SQL, INSERT_APPLICATION_EVENT_SQL,
    INSERT_APPLICATION_SQL, INSERT_CALL_SQL, INSERT_PROGRAMME_SQL, LED_ONGOING_SQL, PROGRAMME_SQL, TAKE_SERIAL_SQL,
    TRANSITION_SQL, UPDATE_CALL_SQL, UPDATE_DRAFT_SQL, application_of, brief_of, call_columns, call_of, draft_columns,
    event_columns, programme_kind, programme_of,
};

use super::bookings::Res;
use super::sql::Tx;

pub(super) fn programme(tx: &mut Tx<'_, '_>, code: &str) -> Res<Option<NewProgramme>> {
    let Some(r) = tx.query_opt(PROGRAMME_SQL, &[&code])? else { return Ok(None) };
    Ok(Some(programme_of((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))?))
}

pub(super) fn call(tx: &mut Tx<'_, '_>, id: &str) -> Res<Option<StoredCall>> {
    let Some(r) = tx.query_opt(CALL_SQL, &[&id])? else { return Ok(None) };
    let row = (
        (r.get(0), r.get(1), r.get(2), r.get(3)),
        (r.get(4), r.get(5), r.get(6)),
        (r.get(7), r.get(8), r.get(9), r.get(10), r.get(11), r.get(12), r.get(13)),
        (r.get(14), r.get(15)),
    );
    Ok(Some(call_of(row)?))
}

pub(super) fn call_in_batch(tx: &mut Tx<'_, '_>, programme_code: &str, year: u16, batch: u8) -> Res<Option<Id>> {
    let (year, batch) = (i64::from(year), i64::from(batch));
    Ok(tx.query_opt(CALL_IN_BATCH_SQL, &[&programme_code, &year, &batch])?.map(|r| r.get(0)))
}

pub(super) fn application(tx: &mut Tx<'_, '_>, id: &str) -> Res<Option<StoredApplication>> {
    let Some(r) = tx.query_opt(APPLICATION_SQL, &[&id])? else { return Ok(None) };
    let row = (
        (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)),
        (r.get(5), r.get(6), r.get(7), r.get(8), r.get(9), r.get(10), r.get(11)),
        (r.get(12), r.get(13), r.get(14)),
    );
    Ok(Some(application_of(row)?))
}

pub(super) fn led_ongoing(tx: &mut Tx<'_, '_>, programme_code: &str, person_id: &str, except: &str) -> Res<u32> {
    let led: i64 = tx.query_one(LED_ONGOING_SQL, &[&programme_code, &person_id, &except])?.get(0);
    Ok(u32::try_from(led).unwrap_or(u32::MAX))
}

pub(super) fn applications_of_call(tx: &mut Tx<'_, '_>, call_id: &str) -> Res<Vec<ApplicationBrief>> {
    let mut out = Vec::new();
    for r in tx.query(APPLICATIONS_OF_CALL_SQL, &[&call_id])? {
        out.push(brief_of((r.get(0), r.get(1), r.get(2), r.get(3)))?);
    }
    Ok(out)
}

/// The server mints every code of the district.
pub(super) fn take_serial(tx: &mut Tx<'_, '_>, programme_code: &str, year: u16) -> Res<Option<u32>> {
    let last: i64 = tx.query_one(TAKE_SERIAL_SQL, &[&programme_code, &i64::from(year)])?.get(0);
    Ok(Some(u32::try_from(last).unwrap_or(u32::MAX)))
}

pub(super) fn write_call_effect(tx: &mut Tx<'_, '_>, effect: CallEffect<'_>) -> Res<()> {
    match effect {
        CallEffect::InsertProgramme { programme: p, at } => {
            tx.execute(
                INSERT_PROGRAMME_SQL,
                &[&p.code, &programme_kind(p), &p.name_zh, &p.name_en, &p.funder, &p.yearly_budget_fen, &at],
            )?;
        }
        CallEffect::InsertCall { id, call, created_by, at } => {
            let (p, y, b, tz, te, g, o, cl, ce, bu, sh, pe, on, te2) = call_columns(call);
            tx.execute(
                INSERT_CALL_SQL,
                &[&p, &y, &b, &tz, &te, &g, &o, &cl, &ce, &bu, &sh, &pe, &on, &te2, &at, &id, &created_by],
            )?;
        }
        CallEffect::UpdateCall { id, call, at } => {
            let (p, y, b, tz, te, g, o, cl, ce, bu, sh, pe, on, te2) = call_columns(call);
            tx.execute(UPDATE_CALL_SQL, &[&p, &y, &b, &tz, &te, &g, &o, &cl, &ce, &bu, &sh, &pe, &on, &te2, &at, &id])?;
        }
        CallEffect::CancelCall { id, reason, at } => {
            tx.execute(CANCEL_CALL_SQL, &[&reason, &at, &id])?;
        }
        CallEffect::InsertApplication { id, call_id, startup_id, applicant_id, draft, at } => {
            let (title, answers, requested, avoid, pledged, founded, address) = draft_columns(draft);
            tx.execute(
                INSERT_APPLICATION_SQL,
                &[
                    &id,
                    &call_id,
                    &startup_id,
                    &applicant_id,
                    &title,
                    &answers,
                    &requested,
                    &avoid,
                    &pledged,
                    &founded,
                    &address,
                    &at,
                ],
            )?;
        }
        CallEffect::UpdateDraft { id, draft, at } => {
            let (title, answers, requested, avoid, pledged, founded, address) = draft_columns(draft);
            tx.execute(UPDATE_DRAFT_SQL, &[&title, &answers, &requested, &avoid, &pledged, &founded, &address, &at, &id])?;
        }
        CallEffect::Transition { event_id, event: e, code, until } => {
            let (action, from, to) = event_columns(e);
            tx.execute(
                INSERT_APPLICATION_EVENT_SQL,
                &[&event_id, &e.application_id, &e.actor_id, &e.at, &from, &to, &action, &e.reason],
            )?;
            let returned = i64::from(e.to == State::Returned);
            tx.execute(TRANSITION_SQL, &[&to, &until, &returned, &code, &e.at, &e.application_id])?;
        }
    }
    Ok(())
}
