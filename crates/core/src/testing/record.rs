use super::*;

impl RecordLedger for MemoryLedger {
    type Error = Infallible;

    fn exists(&mut self, entity: Entity, id: &str) -> Result<bool, Infallible> {
        Ok(match entity {
            Entity::Booking => self.bookings.contains_key(id),
            Entity::Person | Entity::LivePerson => self.people.contains_key(id),
            Entity::Waitlist => self.waitlist.contains_key(id),
            Entity::Feedback => self.feedback.contains_key(id),
            Entity::Allocation => self.allocations.contains_key(id),
            Entity::TopUp => self.top_ups.contains_key(id),
            Entity::MentorFeedback => self.mentor_feedback.contains_key(id),
            Entity::Resource => self.resources.contains_key(id),
            Entity::Lab => self.labs.contains_key(id),
            Entity::DateOverride => self.overrides.contains_key(id),
            Entity::Blackout => {
                self.deleted_blackouts.contains(id) || self.resources.values().any(|r| r.blackouts.iter().any(|b| b.id == id))
            }
            Entity::MentorPerson => self.mentors.values().any(|m| m.person_id == id),
            Entity::UsageSession => self.sessions.contains_key(id),
            Entity::Startup => self.startups.contains_key(id),
            Entity::ZoneChangeNotice => self.zone_notices.contains(id),
            Entity::Event => self.events.contains_key(id),
            Entity::Residency => self.startups.values().any(|s| s.residencies.iter().any(|r| r.id == id)),
            Entity::Programme => self.programmes.contains_key(id),
            Entity::Call => self.calls.contains_key(id),
            Entity::Application => self.applications.contains_key(id),
            Entity::ApplicationEvent => self.application_events.iter().any(|e| e.id == id),
        })
    }

    fn write_record(&mut self, effect: RecordEffect<'_>) -> Result<(), Infallible> {
        match effect {
            RecordEffect::Notify { person_id, kind, booking_id, .. } => {
                if kind == "zone_change" {
                    self.zone_notices.extend(booking_id.map(str::to_string));
                }
                self.notifications.push((person_id.into(), kind.into()));
            }
            RecordEffect::Audit { actor_id, action, entity_id, .. } => {
                self.audit.push((actor_id.into(), action.into(), entity_id.into()));
            }
        }
        Ok(())
    }
}
