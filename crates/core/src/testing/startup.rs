use super::*;

impl StartupLedger for MemoryLedger {
    fn startup(&mut self, id: &str) -> Result<Option<StoredStartup>, Infallible> {
        Ok(self.startups.get(id).cloned())
    }

    fn startup_of(&mut self, person_id: &str) -> Result<Option<Id>, Infallible> {
        Ok(self.startups.values().find(|s| s.is_member(person_id)).map(|s| s.id.clone()))
    }

    fn startup_by_credit_code(&mut self, code: &str) -> Result<Option<(Id, String)>, Infallible> {
        let found = self.startups.values().find(|s| s.credit_code.as_deref() == Some(code));
        Ok(found.map(|s| (s.id.clone(), s.name.clone())))
    }

    fn write_startup(&mut self, effect: StartupEffect<'_>) -> Result<(), Infallible> {
        match effect {
            StartupEffect::InsertStartup { id, startup, code_verified, .. } => {
                let stored = StoredStartup {
                    id: id.into(),
                    name: startup.name.clone(),
                    kind: startup.kind,
                    credit_code: startup.credit_code.clone(),
                    code_verified,
                    industry: startup.industry.clone(),
                    headcount: startup.headcount,
                    members: Vec::new(),
                    residencies: Vec::new(),
                };
                self.startups.insert(id.into(), stored);
            }
            StartupEffect::UpdateStartup { id, startup, code_verified } => {
                if let Some(s) = self.startups.get_mut(id) {
                    (s.name, s.kind, s.credit_code) = (startup.name.clone(), startup.kind, startup.credit_code.clone());
                    (s.industry, s.headcount) = (startup.industry.clone(), startup.headcount);
                    s.code_verified = code_verified;
                }
            }
            StartupEffect::ConfirmCreditCode { id } => {
                if let Some(s) = self.startups.get_mut(id) {
                    s.code_verified = true;
                }
            }
            StartupEffect::SetStartupMember { startup_id, person_id, lead, .. } => {
                if let Some(s) = self.startups.get_mut(startup_id) {
                    s.members.retain(|m| m.person_id != person_id);
                    s.members.push(Member { person_id: person_id.into(), lead });
                }
            }
            StartupEffect::RemoveStartupMember { startup_id, person_id } => {
                if let Some(s) = self.startups.get_mut(startup_id) {
                    s.members.retain(|m| m.person_id != person_id);
                }
            }
            StartupEffect::InsertResidency { startup_id, residency } => {
                if let Some(s) = self.startups.get_mut(startup_id) {
                    s.residencies.push(residency.clone());
                }
            }
            StartupEffect::SetMoveOut { residency_id, date } => self.residency(residency_id, |r| r.move_out = Some(date)),
            StartupEffect::SetResidencyStatus { residency_id, status } => self.residency(residency_id, |r| r.status = status),
        }
        Ok(())
    }
}

impl MemoryLedger {
    fn residency(&mut self, id: &str, change: impl Fn(&mut Residency)) {
        for s in self.startups.values_mut() {
            s.residencies.iter_mut().filter(|r| r.id == id).for_each(&change);
        }
    }
}
