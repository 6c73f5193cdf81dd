use super::*;

impl DirectoryLedger for SqliteLedger<'_> {
    fn actor(&mut self, person_id: &str) -> Result<Option<Actor>> {
        found(load_actor(self.tx, person_id))
    }

    fn lab_managers(&mut self, makerspace_id: &str) -> Result<Vec<Id>> {
        let mut stmt =
            self.tx.prepare_cached("SELECT person_id FROM person_role WHERE makerspace_id = ?1 AND role = 'lab_manager'")?;
        let rows = stmt.query_map([makerspace_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn makerspace(&mut self, key: MakerspaceKey<'_>) -> Result<Option<Makerspace>> {
        match key {
            MakerspaceKey::Code(code) => found(makerspace_by_code(self.tx, code)),
            MakerspaceKey::Id(id) => Ok(self
                .tx
                .prepare_cached("SELECT id, code, name, address, timezone FROM makerspace WHERE id = ?1 AND deleted = 0")?
                .query_row([id], makerspace_from_row)
                .optional()?),
        }
    }

    fn person_name(&mut self, person_id: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .prepare_cached("SELECT name FROM person WHERE id = ?1 AND deleted = 0")?
            .query_row([person_id], |r| r.get(0))
            .optional()?)
    }

    fn write_directory(&mut self, effect: DirectoryEffect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            DirectoryEffect::InsertPerson { id, name, person: p, at } => {
                tx.prepare_cached(
                    "INSERT INTO person(id, name, phone, email, startup_name, industry, stage, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![id, name, p.phone, p.email, p.startup_name, p.industry, p.stage, at])?;
            }
            DirectoryEffect::GrantRole { person_id, makerspace_id, role } => {
                tx.prepare_cached("INSERT OR IGNORE INTO person_role(person_id, makerspace_id, role) VALUES (?1, ?2, ?3)")?
                    .execute(params![person_id, makerspace_id, role.as_str()])?;
            }
            DirectoryEffect::RevokeRole { person_id, makerspace_id, role } => {
                tx.prepare_cached("DELETE FROM person_role WHERE person_id = ?1 AND makerspace_id = ?2 AND role = ?3")?
                    .execute(params![person_id, makerspace_id, role.as_str()])?;
            }
        }
        Ok(())
    }
}
