use super::*;

impl BookingLedger for SqliteLedger<'_> {
    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Result<Vec<Span>> {
        load_busy(self.tx, resource_id, window, except)
    }

    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Result<u32> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT count(*) FROM booking WHERE resource_id = ?1 AND booker_id = ?2 AND end_at > ?3
                 AND status IN ('requested', 'confirmed') AND deleted = 0 AND (?4 IS NULL OR id <> ?4)",
            )?
            .query_row(params![resource_id, person_id, after, except], |r| r.get(0))?)
    }

    fn booking(&mut self, id: &str) -> Result<Option<StoredBooking>> {
        let row: Option<(Id, Id, Id, i64, i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT id, resource_id, booker_id, start_at, end_at, status FROM booking WHERE id = ?1 AND deleted = 0",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        row.map(|(id, resource_id, booker_id, start, end, status)| {
            Ok(StoredBooking { id, resource_id, booker_id, span: Span::new(start, end), status: BookingStatus::parse(&status)? })
        })
        .transpose()
    }

    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Result<Option<(Id, Id)>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id, person_id FROM waitlist WHERE resource_id = ?1 AND notified_at IS NULL AND start_at < ?3 AND end_at > ?2
                 ORDER BY created_at, id LIMIT 1",
            )?
            .query_row(params![resource_id, freed.start, freed.end], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Result<Vec<StoredBooking>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, resource_id, booker_id, start_at, end_at, status FROM booking
             WHERE resource_id = ?1 AND end_at > ?2 AND status IN ('requested', 'confirmed') AND deleted = 0 ORDER BY start_at, id",
        )?;
        let rows = stmt.query_map(params![resource_id, after], stored_booking)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_stored).collect()
    }

    fn series_of(&mut self, booking_id: &str) -> Result<Vec<SeriesMember>> {
        let mut stmt = self.tx.prepare_cached(SERIES_OF_SQL)?;
        let rows = stmt.query_map([booking_id], |r| Ok((stored_booking(r)?, r.get::<_, i64>(6)?)))?;
        let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(b, recurrence_at)| Ok(SeriesMember { booking: to_stored(b)?, recurrence_at })).collect()
    }

    fn unanswered_requests(&mut self, before: i64) -> Result<Vec<StoredBooking>> {
        let mut stmt = self.tx.prepare_cached(super::super::UNANSWERED_REQUESTS_SQL)?;
        let rows = stmt.query_map([before], stored_booking)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_stored).collect()
    }

    fn write_booking(&mut self, effect: BookingEffect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            BookingEffect::InsertBooking { id, resource_id, booker_id, startup_id, span, status, topic, at } => {
                tx.prepare_cached(super::super::INSERT_BOOKING_SQL)?.execute(params![
                    id,
                    resource_id,
                    booker_id,
                    span.start,
                    span.end,
                    status.as_str(),
                    topic,
                    at,
                    startup_id
                ])?;
            }
            BookingEffect::JoinSeries { booking_id, series_id, rule, recurrence, rejection } => {
                tx.prepare_cached(JOIN_SERIES_SQL)?.execute(params![
                    series_id,
                    rule,
                    recurrence.start,
                    recurrence.end,
                    rejection,
                    booking_id
                ])?;
            }
            BookingEffect::SetStatus { id, status, reason, at } => {
                tx.prepare_cached(
                    "UPDATE booking SET status = ?2, reason = COALESCE(?3, reason), updated_at = ?4 WHERE id = ?1",
                )?
                .execute(params![id, status.as_str(), reason, at])?;
            }
            BookingEffect::Reinstate { id, at } => {
                tx.prepare_cached(super::super::REINSTATE_SQL)?.execute(params![at, id])?;
            }
            BookingEffect::MoveBooking { id, span, status, at } => {
                tx.prepare_cached("UPDATE booking SET start_at = ?2, end_at = ?3, status = ?4, updated_at = ?5 WHERE id = ?1")?
                    .execute(params![id, span.start, span.end, status.as_str(), at])?;
            }
            BookingEffect::InsertWaitlist { id, resource_id, person_id, span, at } => {
                tx.prepare_cached(
                    "INSERT INTO waitlist(id, resource_id, person_id, start_at, end_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![id, resource_id, person_id, span.start, span.end, at])?;
            }
            BookingEffect::WaitlistNotified { id, at } => {
                tx.prepare_cached("UPDATE waitlist SET notified_at = ?2 WHERE id = ?1")?.execute(params![id, at])?;
            }
        }
        Ok(())
    }
}
