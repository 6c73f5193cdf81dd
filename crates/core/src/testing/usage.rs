use super::*;

impl UsageLedger for MemoryLedger {
    fn usage_session(&mut self, key: SessionKey<'_>) -> Result<Option<StoredSession>, Infallible> {
        Ok(match key {
            SessionKey::Id(id) => self.sessions.get(id).map(|(s, _)| s.clone()),
            SessionKey::Booking(id) => self.sessions.values().find(|(s, _)| s.booking_id == id).map(|(s, _)| s.clone()),
        })
    }

    fn unchecked_started(&mut self, now: i64) -> Result<Vec<StoredBooking>, Infallible> {
        let checked: std::collections::BTreeSet<&str> = self.sessions.values().map(|(s, _)| s.booking_id.as_str()).collect();
        let equipment = |id: &str| self.resources.get(id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Equipment);
        Ok(self
            .bookings
            .values()
            .map(|b| &b.booking)
            .filter(|b| b.status == crate::domain::BookingStatus::Confirmed && b.span.start <= now && b.span.end > now)
            .filter(|b| equipment(&b.resource_id) && !checked.contains(b.id.as_str()))
            .cloned()
            .collect())
    }

    fn open_after_end(&mut self, now: i64) -> Result<Vec<StoredSession>, Infallible> {
        Ok(self
            .sessions
            .values()
            .map(|(s, _)| s)
            .filter(|s| s.ended_at.is_none() && self.bookings.get(&s.booking_id).is_some_and(|b| b.booking.span.end <= now))
            .cloned()
            .collect())
    }

    fn open_sessions(&mut self, resource_id: &str) -> Result<Vec<StoredSession>, Infallible> {
        let open = self.sessions.values().map(|(s, _)| s).filter(|s| s.resource_id == resource_id && s.ended_at.is_none());
        Ok(open.cloned().collect())
    }

    fn no_shows(&mut self, person_id: &str, since: i64) -> Result<u32, Infallible> {
        let missed =
            self.bookings.values().map(|b| &b.booking).filter(|b| {
                b.booker_id == person_id && b.status == crate::domain::BookingStatus::NoShow && b.span.start >= since
            });
        Ok(u32::try_from(missed.count()).unwrap_or(u32::MAX))
    }

    fn write_usage(&mut self, effect: UsageEffect<'_>) -> Result<(), Infallible> {
        match effect {
            UsageEffect::SetKioskPin { person_id, pin_hash } => {
                self.pins.insert(person_id.into(), pin_hash.map(str::to_string));
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
                at,
                ..
            } => {
                let session = StoredSession {
                    id: id.into(),
                    resource_id: resource_id.into(),
                    booking_id: booking_id.into(),
                    person_id: person_id.into(),
                    started_at: at,
                    ended_at: None,
                    class,
                    purpose,
                    samples,
                    fee_fen: 0,
                    waived_fen: 0,
                    walk_up,
                };
                self.sessions.insert(id.into(), (session, 0));
            }
            UsageEffect::CloseUsageSession { id, ended_at, fee_fen, .. } => {
                if let Some((s, fee)) = self.sessions.get_mut(id) {
                    s.ended_at = Some(ended_at);
                    s.fee_fen = fee_fen;
                    *fee = fee_fen;
                }
            }
            UsageEffect::CorrectUsageSession { id, ran, purpose, samples, fee_fen, waived_fen } => {
                if let Some((s, fee)) = self.sessions.get_mut(id) {
                    (s.started_at, s.ended_at, s.purpose, s.samples) = (ran.start, Some(ran.end), purpose, samples);
                    (s.fee_fen, s.waived_fen) = (fee_fen, waived_fen);
                    *fee = fee_fen - waived_fen;
                }
            }
        }
        Ok(())
    }
}
