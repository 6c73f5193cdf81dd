use super::*;

impl DirectoryLedger for PgLedger<'_, '_, '_> {
    fn actor(&mut self, person_id: &str) -> Res<Option<Actor>> {
        found(load_actor(self.tx, person_id))
    }

    fn lab_managers(&mut self, makerspace_id: &str) -> Res<Vec<Id>> {
        let rows = self
            .tx
            .query("SELECT person_id FROM person_role WHERE makerspace_id = $1 AND role = 'lab_manager'", &[&makerspace_id])?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn makerspace(&mut self, key: MakerspaceKey<'_>) -> Res<Option<Makerspace>> {
        let (sql, k) = match key {
            MakerspaceKey::Code(code) => {
                ("SELECT id, code, name, address, timezone FROM makerspace WHERE code = $1 AND deleted = 0", code)
            }
            MakerspaceKey::Id(id) => {
                ("SELECT id, code, name, address, timezone FROM makerspace WHERE id = $1 AND deleted = 0", id)
            }
        };
        let row = self.tx.query_opt(sql, &[&k])?;
        Ok(row.map(|r| Makerspace { id: r.get(0), code: r.get(1), name: r.get(2), address: r.get(3), timezone: r.get(4) }))
    }

    fn person_name(&mut self, person_id: &str) -> Res<Option<String>> {
        Ok(self.tx.query_opt("SELECT name FROM person WHERE id = $1 AND deleted = 0", &[&person_id])?.map(|r| r.get(0)))
    }

    fn write_directory(&mut self, effect: DirectoryEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            DirectoryEffect::InsertPerson { id, name, person: p, at } => tx.execute(
                "INSERT INTO person(id, name, phone, email, startup_name, industry, stage, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&id, &name, &p.phone, &p.email, &p.startup_name, &p.industry, &p.stage, &at],
            ),
            DirectoryEffect::GrantRole { person_id, makerspace_id, role } => tx.execute(
                "INSERT INTO person_role(person_id, makerspace_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&person_id, &makerspace_id, &role.as_str()],
            ),
            DirectoryEffect::RevokeRole { person_id, makerspace_id, role } => tx.execute(
                "DELETE FROM person_role WHERE person_id = $1 AND makerspace_id = $2 AND role = $3",
                &[&person_id, &makerspace_id, &role.as_str()],
            ),
        }?;
        Ok(())
    }
}
