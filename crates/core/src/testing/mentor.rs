use super::*;

impl MentorLedger for MemoryLedger {
    fn mentor(&mut self, resource_id: &str) -> Result<Option<MentorFacts>, Infallible> {
        Ok(self.mentors.get(resource_id).cloned())
    }

    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Result<u32, Infallible> {
        let held = |b: &&MemoryBooking| {
            b.booking.booker_id == booker_id
                && b.booking.resource_id == resource_id
                && b.booking.span.start < start
                && matches!(b.booking.status, BookingStatus::Confirmed | BookingStatus::Completed)
        };
        Ok(self.bookings.values().filter(held).count() as u32)
    }

    fn mentor_places(&mut self, resource_id: &str) -> Result<Option<MentorPlaces>, Infallible> {
        let kept = self.mentor_places.get(resource_id).cloned();
        Ok(kept.or_else(|| self.mentors.contains_key(resource_id).then(MentorPlaces::default)))
    }

    /// The memory ledger keeps no zones of people: it names the resource's zone for both.
    fn mentor_sessions(&mut self, window: Span) -> Result<Vec<MentorSession>, Infallible> {
        let mut out: Vec<MentorSession> = self
            .bookings
            .values()
            .map(|b| &b.booking)
            .filter(|b| b.status.holds_slot() && b.span.start >= window.start && b.span.start < window.end)
            .filter_map(|b| {
                let r = self.resources.get(&b.resource_id).filter(|r| r.kind == crate::domain::ResourceKind::Mentor)?;
                Some((b.clone(), r.tz.name().to_string(), Some(r.tz.name().to_string())))
            })
            .collect();
        out.sort_by(|a, b| (a.0.span.start, &a.0.id).cmp(&(b.0.span.start, &b.0.id)));
        Ok(out)
    }

    fn write_mentor(&mut self, effect: MentorEffect<'_>) -> Result<(), Infallible> {
        match effect {
            // The memory ledger keeps what the decisions read; profile texts and facets it does not.
            MentorEffect::InsertMentor { id, makerspace_id, name, timezone, mentor } => {
                let rules = self.new_resource(id, crate::domain::ResourceKind::Mentor, makerspace_id, timezone);
                rules.name = name.to_string();
                rules.policy = mentor.policy.clone();
                rules.weekly = mentor.weekly_hours.clone();
                self.mentors
                    .insert(id.into(), MentorFacts { person_id: mentor.person_id.clone(), visibility: mentor.visibility });
                self.mentor_places.entry(id.into()).or_default().formats = mentor.formats.clone();
            }
            MentorEffect::UpdateMentorProfile { id, profile } => {
                if let Some(facts) = self.mentors.get_mut(id) {
                    facts.visibility = profile.visibility;
                }
                self.mentor_places.entry(id.into()).or_default().formats = profile.formats.clone();
                let zone = profile.timezone.as_deref().and_then(|z| z.parse().ok());
                if let (Some(rules), Some(zone)) = (self.resources.get_mut(id), zone) {
                    rules.tz = zone;
                }
            }
            MentorEffect::SetSessionNote { booking_id, body, .. } => {
                self.notes.insert(booking_id.into(), body.into());
            }
            MentorEffect::InsertFeedback { booking_id, side: crate::feedback::Side::Founder, rating, comment, .. } => {
                self.feedback.insert(booking_id.into(), (rating, comment.into()));
            }
            MentorEffect::InsertFeedback { booking_id, rating, comment, .. } => {
                self.mentor_feedback.insert(booking_id.into(), (rating, comment.into()));
            }
            MentorEffect::SetPlace { booking_id, format, place, .. } => {
                self.places.insert(booking_id.into(), (format, place.cloned()));
            }
            MentorEffect::SetPlaceDefaults { mentor_id, defaults } => {
                self.mentor_places.entry(mentor_id.into()).or_default().defaults = defaults.clone();
            }
        }
        Ok(())
    }
}
