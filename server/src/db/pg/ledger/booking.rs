use super::*;

impl BookingLedger for PgLedger<'_, '_, '_> {
    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Res<Vec<Span>> {
        load_busy(self.tx, resource_id, window, except)
    }

    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Res<u32> {
        let row = self.tx.query_one(
            "SELECT count(*) FROM booking WHERE resource_id = $1 AND booker_id = $2 AND end_at > $3
             AND status IN ('requested', 'confirmed') AND deleted = 0 AND ($4::text IS NULL OR id <> $4)",
            &[&resource_id, &person_id, &after, &except],
        )?;
        let n: i64 = row.get(0);
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn booking(&mut self, id: &str) -> Res<Option<StoredBooking>> {
        Ok(found(load_booking(self.tx, id))?.map(|b| StoredBooking {
            id: id.to_string(),
            resource_id: b.resource_id,
            booker_id: b.booker_id,
            span: Span::new(b.start, b.end),
            status: b.status,
        }))
    }

    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Res<Option<(Id, Id)>> {
        let row = self.tx.query_opt(
            "SELECT id, person_id FROM waitlist WHERE resource_id = $1 AND notified_at IS NULL AND start_at < $3 AND end_at > $2
             ORDER BY created_at, id LIMIT 1",
            &[&resource_id, &freed.start, &freed.end],
        )?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Locked, like `booking`: a blackout cancels what it read.
    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Res<Vec<StoredBooking>> {
        let rows = self.tx.query(
            "SELECT id, resource_id, booker_id, start_at, end_at, status FROM booking
             WHERE resource_id = $1 AND end_at > $2 AND status IN ('requested', 'confirmed') AND deleted = 0
             ORDER BY start_at, id FOR UPDATE",
            &[&resource_id, &after],
        )?;
        rows.iter().map(stored_booking).collect()
    }

    fn series_of(&mut self, booking_id: &str) -> Res<Vec<SeriesMember>> {
        let rows = self.tx.query(SERIES_OF_SQL, &[&booking_id])?;
        rows.iter().map(|r| Ok(SeriesMember { booking: stored_booking(r)?, recurrence_at: r.get(6) })).collect()
    }

    fn unanswered_requests(&mut self, before: i64) -> Res<Vec<StoredBooking>> {
        self.tx.query(incubook_sqlite::store::UNANSWERED_REQUESTS_SQL, &[&before])?.iter().map(stored_booking).collect()
    }

    fn write_booking(&mut self, effect: BookingEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            BookingEffect::InsertBooking { id, resource_id, booker_id, startup_id, span, status, topic, at } => tx.execute(
                incubook_sqlite::store::INSERT_BOOKING_SQL,
                &[&id, &resource_id, &booker_id, &span.start, &span.end, &status.as_str(), &topic, &at, &startup_id],
            ),
            BookingEffect::JoinSeries { booking_id, series_id, rule, recurrence, rejection } => {
                tx.execute(JOIN_SERIES_SQL, &[&series_id, &rule, &recurrence.start, &recurrence.end, &rejection, &booking_id])
            }
            BookingEffect::SetStatus { id, status, reason, at } => tx.execute(
                "UPDATE booking SET status = $2, reason = COALESCE($3, reason), updated_at = $4 WHERE id = $1",
                &[&id, &status.as_str(), &reason, &at],
            ),
            BookingEffect::Reinstate { id, at } => tx.execute(incubook_sqlite::store::REINSTATE_SQL, &[&at, &id]),
            BookingEffect::MoveBooking { id, span, status, at } => tx.execute(
                "UPDATE booking SET start_at = $2, end_at = $3, status = $4, updated_at = $5 WHERE id = $1",
                &[&id, &span.start, &span.end, &status.as_str(), &at],
            ),
            BookingEffect::InsertWaitlist { id, resource_id, person_id, span, at } => tx.execute(
                "INSERT INTO waitlist(id, resource_id, person_id, start_at, end_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &resource_id, &person_id, &span.start, &span.end, &at],
            ),
            BookingEffect::WaitlistNotified { id, at } => {
                tx.execute("UPDATE waitlist SET notified_at = $2 WHERE id = $1", &[&id, &at])
            }
        }?;
        Ok(())
    }
}
