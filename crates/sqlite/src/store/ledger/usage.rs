use super::*;

impl UsageLedger for SqliteLedger<'_> {
    fn usage_session(&mut self, key: SessionKey<'_>) -> Result<Option<StoredSession>> {
        let (sql, id) = match key {
            SessionKey::Id(id) => (SESSION_BY_ID_SQL, id),
            SessionKey::Booking(id) => (SESSION_BY_BOOKING_SQL, id),
        };
        let row = self.tx.prepare_cached(sql)?.query_row([id], session_columns).optional()?;
        row.map(session_facts).transpose()
    }

    fn open_sessions(&mut self, resource_id: &str) -> Result<Vec<StoredSession>> {
        let mut stmt = self.tx.prepare_cached(OPEN_SESSIONS_SQL)?;
        let rows = stmt.query_map([resource_id], session_columns)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(session_facts).collect()
    }

    fn no_shows(&mut self, person_id: &str, since: i64) -> Result<u32> {
        let count: i64 = self.tx.prepare_cached(NO_SHOWS_SQL)?.query_row(params![person_id, since], |r| r.get(0))?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    fn unchecked_started(&mut self, now: i64) -> Result<Vec<StoredBooking>> {
        let mut stmt = self.tx.prepare_cached(UNCHECKED_STARTED_SQL)?;
        let rows = stmt.query_map([now], stored_booking)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_stored).collect()
    }

    fn open_after_end(&mut self, now: i64) -> Result<Vec<StoredSession>> {
        let mut stmt = self.tx.prepare_cached(OPEN_AFTER_END_SQL)?;
        let rows = stmt.query_map([now], session_columns)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(session_facts).collect()
    }

    fn write_usage(&mut self, effect: UsageEffect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            UsageEffect::SetKioskPin { person_id, pin_hash } => {
                tx.prepare_cached(super::super::SET_KIOSK_PIN_SQL)?.execute(params![pin_hash, person_id])?;
            }
            UsageEffect::InsertUsageSession {
                id,
                resource_id,
                booking_id,
                person_id,
                class,
                purpose,
                samples,
                walk_up,
                startup_id,
                at,
            } => {
                let (class, purpose): (&str, &str) = (class.into(), purpose.into());
                tx.prepare_cached(INSERT_SESSION_SQL)?.execute(params![
                    id,
                    resource_id,
                    booking_id,
                    person_id,
                    at,
                    class,
                    purpose,
                    samples,
                    walk_up,
                    startup_id
                ])?;
            }
            UsageEffect::CorrectUsageSession { id, ran, purpose, samples, fee_fen, waived_fen } => {
                let purpose: &str = purpose.into();
                tx.prepare_cached(CORRECT_SESSION_SQL)?
                    .execute(params![ran.start, ran.end, purpose, samples, fee_fen, waived_fen, id])?;
            }
            UsageEffect::CloseUsageSession { id, ended_at, fee_fen, flagged } => {
                tx.prepare_cached(CLOSE_SESSION_SQL)?.execute(params![ended_at, fee_fen, flagged, id])?;
            }
        }
        Ok(())
    }
}
