use super::*;

impl EventLedger for MemoryLedger {
    fn event(&mut self, id: &str, _lock: bool) -> Result<Option<StoredEvent>, Infallible> {
        Ok(self.events.get(id).cloned())
    }

    fn registrations(&mut self, event_id: &str) -> Result<Vec<Registration>, Infallible> {
        Ok(self.registrations.get(event_id).cloned().unwrap_or_default())
    }

    fn write_event(&mut self, effect: EventEffect<'_>) -> Result<(), Infallible> {
        match effect {
            EventEffect::InsertEvent { id, event, .. } => {
                let stored = StoredEvent {
                    id: id.into(),
                    makerspace_id: event.makerspace_id.clone(),
                    start: event.start.timestamp(),
                    end: event.end.timestamp(),
                    capacity: event.capacity,
                    cancelled: false,
                };
                self.events.insert(id.into(), stored);
            }
            EventEffect::CancelEvent { id } => {
                if let Some(e) = self.events.get_mut(id) {
                    e.cancelled = true;
                }
            }
            EventEffect::SetRegistration { event_id, person_id, active, .. } => {
                let list = self.registrations.entry(event_id.into()).or_default();
                match list.iter_mut().find(|r| r.person_id == person_id) {
                    Some(r) => r.active = active,
                    None => list.push(Registration { person_id: person_id.into(), active, attended: false }),
                }
            }
            EventEffect::SetAttendance { event_id, person_id, attended } => {
                if let Some(r) =
                    self.registrations.get_mut(event_id).and_then(|l| l.iter_mut().find(|r| r.person_id == person_id))
                {
                    r.attended = attended;
                }
            }
        }
        Ok(())
    }
}
