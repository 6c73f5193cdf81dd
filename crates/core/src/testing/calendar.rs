use super::*;

impl CalendarLedger for MemoryLedger {
    fn rules(&mut self, resource_id: &str, _lock: bool) -> Result<Option<ResourceRules>, Infallible> {
        Ok(self.resources.get(resource_id).cloned())
    }

    fn owner_of(&mut self, row: OwnedRow<'_>) -> Result<Option<Id>, Infallible> {
        Ok(match row {
            OwnedRow::DateOverride(id) => self.overrides.get(id).map(|(resource, _)| resource.clone()),
            OwnedRow::Blackout(id) => {
                self.resources.values().find(|r| r.blackouts.iter().any(|b| b.id == id)).map(|r| r.id.clone())
            }
        })
    }

    fn write_calendar(&mut self, effect: CalendarEffect<'_>) -> Result<(), Infallible> {
        match effect {
            CalendarEffect::SetWeeklyHours { resource_id, hours } => {
                if let Some(r) = self.resources.get_mut(resource_id) {
                    r.weekly = hours.to_vec();
                }
            }
            CalendarEffect::SetPolicy { resource_id, policy } => {
                if let Some(r) = self.resources.get_mut(resource_id) {
                    r.policy = policy.clone();
                }
            }
            CalendarEffect::InsertDateOverride { id, resource_id, date_override, .. } => {
                self.overrides.insert(id.into(), (resource_id.into(), date_override.clone()));
                self.refresh_overrides(resource_id);
            }
            CalendarEffect::DeleteDateOverride { id } => {
                if let Some((resource_id, _)) = self.overrides.remove(id) {
                    self.refresh_overrides(&resource_id);
                }
            }
            CalendarEffect::InsertBlackout { blackout, .. } => {
                if let Some(r) = self.resources.get_mut(&blackout.resource_id) {
                    r.blackouts.push(blackout.clone());
                }
            }
            CalendarEffect::DeleteBlackout { id } => {
                for r in self.resources.values_mut() {
                    r.blackouts.retain(|b| b.id != id);
                }
                self.deleted_blackouts.insert(id.into());
            }
        }
        Ok(())
    }
}
