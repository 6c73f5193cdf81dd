use super::*;

impl LabLedger for MemoryLedger {
    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Result<Option<Option<i64>>, Infallible> {
        Ok(self.qualifications.get(&(person_id.to_string(), resource_id.to_string())).copied())
    }

    fn lab_home(&mut self, lab_id: &str) -> Result<Option<(Id, String)>, Infallible> {
        Ok(self.labs.get(lab_id).cloned())
    }

    fn rates(&mut self, resource_id: &str) -> Result<Option<Rates>, Infallible> {
        let equipment = self.resources.get(resource_id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Equipment);
        Ok(equipment.then(|| self.rates.get(resource_id).cloned().unwrap_or_default()))
    }

    fn usage_rules(&mut self, resource_id: &str) -> Result<Option<UsageRules>, Infallible> {
        let equipment = self.resources.get(resource_id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Equipment);
        Ok(equipment.then(|| self.usage_rules.get(resource_id).cloned().unwrap_or_default()))
    }

    fn write_lab(&mut self, effect: LabEffect<'_>) -> Result<(), Infallible> {
        match effect {
            LabEffect::SetQualification { person_id, resource_id, expires_at, .. } => {
                self.qualifications.insert((person_id.into(), resource_id.into()), expires_at);
            }
            LabEffect::DeleteQualification { person_id, resource_id } => {
                self.qualifications.remove(&(person_id.to_string(), resource_id.to_string()));
            }
            LabEffect::InsertLab { id, makerspace_id, .. } => {
                let tz = self.makerspaces.get(makerspace_id).map(|m| m.timezone.clone()).unwrap_or_default();
                self.labs.insert(id.into(), (makerspace_id.into(), tz));
            }
            LabEffect::SetRates { resource_id, rates } => {
                self.rates.insert(resource_id.into(), rates.clone());
            }
            LabEffect::SetUsageRules { resource_id, rules } => {
                self.usage_rules.insert(resource_id.into(), rules.clone());
            }
            LabEffect::SetRegister { resource_id, register } => {
                self.registers.insert(resource_id.into(), register.clone());
            }
            // The memory ledger keeps what the booking rules read; catalogue fields it does not.
            LabEffect::InsertEquipment { id, makerspace_id, timezone, equipment } => {
                let rules = self.new_resource(id, crate::domain::ResourceKind::Equipment, makerspace_id, timezone);
                rules.name = equipment.name.clone();
                rules.policy = equipment.policy.clone();
                rules.weekly = equipment.weekly_hours.clone();
            }
            LabEffect::UpdateEquipment { id, equipment } => {
                if let Some(rules) = self.resources.get_mut(id) {
                    rules.name = equipment.name.clone();
                    rules.policy = equipment.policy.clone();
                    rules.weekly = equipment.weekly_hours.clone();
                }
            }
        }
        Ok(())
    }
}
