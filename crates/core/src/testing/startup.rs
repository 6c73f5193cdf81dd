use super::*;

impl StartupLedger for MemoryLedger {
    fn startup(&mut self, id: &str) -> Result<Option<StoredStartup>, Infallible> {
        Ok(self.startups.get(id).map(|(s, _)| s.clone()))
    }

    fn startup_of(&mut self, person_id: &str) -> Result<Option<Id>, Infallible> {
        Ok(self.startups.values().find(|(s, _)| s.is_member(person_id)).map(|(s, _)| s.id.clone()))
    }

    fn startup_by_credit_code(&mut self, code: &str) -> Result<Option<(Id, String)>, Infallible> {
        let found = self.startups.values().find(|(_, c)| c.as_deref() == Some(code));
        Ok(found.map(|(s, _)| (s.id.clone(), s.name.clone())))
    }

    fn write_startup(&mut self, effect: StartupEffect<'_>) -> Result<(), Infallible> {
        match effect {
            StartupEffect::InsertStartup { id, startup, .. } => {
                let stored = StoredStartup {
                    id: id.into(),
                    name: startup.name.clone(),
                    kind: startup.kind,
                    members: Vec::new(),
                    residencies: Vec::new(),
                };
                self.startups.insert(id.into(), (stored, startup.credit_code.clone()));
            }
            StartupEffect::UpdateStartup { id, startup } => {
                if let Some((s, code)) = self.startups.get_mut(id) {
                    (s.name, s.kind, *code) = (startup.name.clone(), startup.kind, startup.credit_code.clone());
                }
            }
            StartupEffect::SetStartupMember { startup_id, person_id, lead, .. } => {
                if let Some((s, _)) = self.startups.get_mut(startup_id) {
                    s.members.retain(|m| m.person_id != person_id);
                    s.members.push(Member { person_id: person_id.into(), lead });
                }
            }
            StartupEffect::RemoveStartupMember { startup_id, person_id } => {
                if let Some((s, _)) = self.startups.get_mut(startup_id) {
                    s.members.retain(|m| m.person_id != person_id);
                }
            }
            StartupEffect::InsertResidency { startup_id, residency } => {
                if let Some((s, _)) = self.startups.get_mut(startup_id) {
                    s.residencies.push(residency.clone());
                }
            }
            StartupEffect::SetMoveOut { residency_id, date } => {
                for (s, _) in self.startups.values_mut() {
                    for r in s.residencies.iter_mut().filter(|r| r.id == residency_id) {
                        r.move_out = Some(date);
                    }
                }
            }
        }
        Ok(())
    }
}
