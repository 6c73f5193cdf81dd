use super::*;

impl UsageLedger for PgLedger<'_, '_, '_> {
    fn usage_session(&mut self, key: SessionKey<'_>) -> Res<Option<StoredSession>> {
        let (sql, id) = match key {
            SessionKey::Id(id) => (SESSION_BY_ID_SQL, id),
            SessionKey::Booking(id) => (SESSION_BY_BOOKING_SQL, id),
        };
        let Some(r) = self.tx.query_opt(sql, &[&id])? else { return Ok(None) };
        Ok(Some(session_facts(&r)?))
    }

    fn open_sessions(&mut self, resource_id: &str) -> Res<Vec<StoredSession>> {
        let rows = self.tx.query(OPEN_SESSIONS_SQL, &[&resource_id])?;
        Ok(rows.iter().map(session_facts).collect::<incubook_core::Result<_>>()?)
    }

    fn no_shows(&mut self, person_id: &str, since: i64) -> Res<u32> {
        let count: i64 = self.tx.query_one(NO_SHOWS_SQL, &[&person_id, &since])?.get(0);
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    fn unchecked_started(&mut self, now: i64) -> Res<Vec<StoredBooking>> {
        self.tx.query(UNCHECKED_STARTED_SQL, &[&now])?.iter().map(stored_booking).collect()
    }

    fn open_after_end(&mut self, now: i64) -> Res<Vec<StoredSession>> {
        let rows = self.tx.query(OPEN_AFTER_END_SQL, &[&now])?;
        Ok(rows.iter().map(session_facts).collect::<incubook_core::Result<_>>()?)
    }

    fn write_usage(&mut self, effect: UsageEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            UsageEffect::SetKioskPin { person_id, pin_hash } => {
                tx.execute(incubook_sqlite::store::SET_KIOSK_PIN_SQL, &[&pin_hash, &person_id])
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
                let (samples, walk_up) = (i64::from(samples), i64::from(walk_up));
                tx.execute(
                    INSERT_SESSION_SQL,
                    &[&id, &resource_id, &booking_id, &person_id, &at, &class, &purpose, &samples, &walk_up, &startup_id],
                )
            }
            UsageEffect::CorrectUsageSession { id, ran, purpose, samples, fee_fen, waived_fen } => {
                let purpose: &str = purpose.into();
                tx.execute(
                    CORRECT_SESSION_SQL,
                    &[&ran.start, &ran.end, &purpose, &i64::from(samples), &fee_fen, &waived_fen, &id],
                )
            }
            UsageEffect::CloseUsageSession { id, ended_at, fee_fen, flagged } => {
                tx.execute(CLOSE_SESSION_SQL, &[&ended_at, &fee_fen, &i64::from(flagged), &id])
            }
        }?;
        Ok(())
    }
}
