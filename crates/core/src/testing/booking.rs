use super::*;

impl BookingLedger for MemoryLedger {
    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Result<Vec<Span>, Infallible> {
        Ok(self
            .bookings
            .values()
            .map(|b| &b.booking)
            .filter(|b| b.resource_id == resource_id && b.status.holds_slot() && Some(b.id.as_str()) != except)
            .filter(|b| b.span.start < window.end && b.span.end > window.start)
            .map(|b| b.span)
            .collect())
    }

    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Result<u32, Infallible> {
        let mine = self.active_of(resource_id).into_iter().filter(|b| b.booker_id == person_id && b.span.end > after);
        Ok(mine.filter(|b| Some(b.id.as_str()) != except).count() as u32)
    }

    fn booking(&mut self, id: &str) -> Result<Option<StoredBooking>, Infallible> {
        Ok(self.bookings.get(id).map(|b| b.booking.clone()))
    }

    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Result<Option<(Id, Id)>, Infallible> {
        Ok(self.joined.iter().find_map(|id| {
            let (resource, person, window, told) = self.waitlist.get(id)?;
            let waits = resource == resource_id && told.is_none() && window.start < freed.end && window.end > freed.start;
            waits.then(|| (id.clone(), person.clone()))
        }))
    }

    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Result<Vec<StoredBooking>, Infallible> {
        Ok(self.active_of(resource_id).into_iter().filter(|b| b.span.end > after).cloned().collect())
    }

    fn unanswered_requests(&mut self, before: i64) -> Result<Vec<StoredBooking>, Infallible> {
        let mentor = |id: &str| self.resources.get(id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Mentor);
        let mut out: Vec<(i64, StoredBooking)> = self
            .bookings
            .values()
            .filter(|b| {
                b.booking.status == crate::domain::BookingStatus::Requested
                    && b.created_at <= before
                    && mentor(&b.booking.resource_id)
            })
            .map(|b| (b.created_at, b.booking.clone()))
            .collect();
        out.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
        Ok(out.into_iter().map(|(_, b)| b).collect())
    }

    fn series_of(&mut self, booking_id: &str) -> Result<Vec<SeriesMember>, Infallible> {
        let Some((series, ..)) = self.bookings.get(booking_id).and_then(|b| b.series.clone()) else { return Ok(Vec::new()) };
        let mut members: Vec<SeriesMember> = self
            .bookings
            .values()
            .filter_map(|b| match &b.series {
                Some((s, at, _)) if *s == series => Some(SeriesMember { booking: b.booking.clone(), recurrence_at: *at }),
                _ => None,
            })
            .collect();
        members.sort_by_key(|m| m.recurrence_at);
        Ok(members)
    }

    fn write_booking(&mut self, effect: BookingEffect<'_>) -> Result<(), Infallible> {
        match effect {
            BookingEffect::JoinSeries { booking_id, series_id, recurrence, rejection, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.series = Some((series_id.into(), recurrence.start, rejection.map(str::to_string)));
                }
            }
            BookingEffect::InsertBooking { id, resource_id, booker_id, startup_id, span, status, topic, at } => {
                let booking =
                    StoredBooking { id: id.into(), resource_id: resource_id.into(), booker_id: booker_id.into(), span, status };
                let startup_id = startup_id.map(str::to_string);
                let stored =
                    MemoryBooking { booking, topic: topic.into(), reason: None, series: None, created_at: at, startup_id };
                self.bookings.insert(id.into(), stored);
            }
            BookingEffect::SetStatus { id, status, reason, .. } => {
                if let Some(b) = self.bookings.get_mut(id) {
                    b.booking.status = status;
                    if let Some(reason) = reason {
                        b.reason = Some(reason.into());
                    }
                }
            }
            BookingEffect::Reinstate { id, .. } => {
                if let Some(b) = self.bookings.get_mut(id) {
                    b.booking.status = BookingStatus::Confirmed;
                    b.reason = None;
                }
            }
            BookingEffect::MoveBooking { id, span, status, .. } => {
                if let Some(b) = self.bookings.get_mut(id) {
                    b.booking.span = span;
                    b.booking.status = status;
                }
            }
            BookingEffect::InsertWaitlist { id, resource_id, person_id, span, .. } => {
                self.waitlist.insert(id.into(), (resource_id.into(), person_id.into(), span, None));
                self.joined.push(id.into());
            }
            BookingEffect::WaitlistNotified { id, at } => {
                if let Some(entry) = self.waitlist.get_mut(id) {
                    entry.3 = Some(at);
                }
            }
        }
        Ok(())
    }
}
