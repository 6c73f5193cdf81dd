use super::*;

impl DirectoryLedger for MemoryLedger {
    fn actor(&mut self, person_id: &str) -> Result<Option<Actor>, Infallible> {
        let district_operator = self.operators.contains(person_id);
        Ok(self.people.get(person_id).map(|roles| Actor { id: person_id.to_string(), roles: roles.clone(), district_operator }))
    }

    fn lab_managers(&mut self, makerspace_id: &str) -> Result<Vec<Id>, Infallible> {
        Ok(self
            .people
            .iter()
            .filter(|(_, roles)| roles.iter().any(|(m, r)| m == makerspace_id && *r == Role::LabManager))
            .map(|(id, _)| id.clone())
            .collect())
    }

    fn makerspace(&mut self, key: MakerspaceKey<'_>) -> Result<Option<Makerspace>, Infallible> {
        Ok(match key {
            MakerspaceKey::Id(id) => self.makerspaces.get(id).cloned(),
            MakerspaceKey::Code(code) => self.makerspaces.values().find(|m| m.code == code).cloned(),
        })
    }

    fn person_name(&mut self, person_id: &str) -> Result<Option<String>, Infallible> {
        Ok(self.people.contains_key(person_id).then(|| self.names.get(person_id).cloned().unwrap_or_default()))
    }

    fn write_directory(&mut self, effect: DirectoryEffect<'_>) -> Result<(), Infallible> {
        match effect {
            DirectoryEffect::InsertPerson { id, name, .. } => {
                self.people.insert(id.into(), Vec::new());
                self.names.insert(id.into(), name.into());
            }
            DirectoryEffect::GrantRole { person_id, makerspace_id, role } => {
                let roles = self.people.entry(person_id.into()).or_default();
                if !roles.iter().any(|(m, r)| m == makerspace_id && *r == role) {
                    roles.push((makerspace_id.into(), role));
                }
            }
            DirectoryEffect::RevokeRole { person_id, makerspace_id, role } => {
                if let Some(roles) = self.people.get_mut(person_id) {
                    roles.retain(|(m, r)| !(m == makerspace_id && *r == role));
                }
            }
        }
        Ok(())
    }
}
