use super::*;

impl EventLedger for SqliteLedger<'_> {
    fn event(&mut self, id: &str, _lock: bool) -> Result<Option<crate::events::StoredEvent>> {
        super::super::events::load_event(self.tx, id)
    }

    fn registrations(&mut self, event_id: &str) -> Result<Vec<crate::events::Registration>> {
        super::super::events::load_registrations(self.tx, event_id)
    }

    fn write_event(&mut self, effect: EventEffect<'_>) -> Result<()> {
        super::super::events::write_event_effect(self.tx, effect)
    }
}
