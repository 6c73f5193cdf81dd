use super::*;

impl LabLedger for PgLedger<'_, '_, '_> {
    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Res<Option<Option<i64>>> {
        let row = self.tx.query_opt(
            "SELECT expires_at FROM qualification WHERE person_id = $1 AND resource_id = $2",
            &[&person_id, &resource_id],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn lab_home(&mut self, lab_id: &str) -> Res<Option<(Id, String)>> {
        let row = self.tx.query_opt(
            "SELECT l.makerspace_id, m.timezone FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE l.id = $1 AND l.deleted = 0",
            &[&lab_id],
        )?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn rates(&mut self, resource_id: &str) -> Res<Option<Rates>> {
        let row = self.tx.query_opt(RATES_SQL, &[&resource_id])?;
        Ok(row.map(|r| rates_of([r.get(0), r.get(1), r.get(2)], r.get(3), r.get(4), r.get(5))))
    }

    fn usage_rules(&mut self, resource_id: &str) -> Res<Option<UsageRules>> {
        let row = self.tx.query_opt(USAGE_RULES_SQL, &[&resource_id])?;
        Ok(row.map(|r| usage_rules_of([r.get(0), r.get(1), r.get(2), r.get(3)])))
    }

    fn write_lab(&mut self, effect: LabEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            LabEffect::InsertEquipment { id, makerspace_id, timezone, equipment } => {
                tx.execute(INSERT_RESOURCE_SQL, &[&id, &"equipment", &makerspace_id, &equipment.name, &timezone, &"[]"])?;
                return write_equipment(tx, id, equipment);
            }
            LabEffect::UpdateEquipment { id, equipment } => return write_equipment(tx, id, equipment),
            LabEffect::SetRegister { resource_id, register } => {
                let (value, bought, accepted, funding, asset, open, operator) = register_columns(register);
                tx.execute(SET_REGISTER_SQL, &[&value, &bought, &accepted, &funding, &asset, &open, &operator, &resource_id])
            }
            LabEffect::SetUsageRules { resource_id, rules } => tx.execute(
                SET_USAGE_RULES_SQL,
                &[
                    &i64::from(rules.check_in_opens_min),
                    &i64::from(rules.no_show_after_min),
                    &i64::from(rules.close_grace_min),
                    &i64::from(rules.approval_after_no_shows),
                    &resource_id,
                ],
            ),
            LabEffect::SetRates { resource_id, rates: r } => tx.execute(
                SET_RATES_SQL,
                &[
                    &r.internal_fen_per_hour,
                    &r.external_fen_per_hour,
                    &r.enterprise_fen_per_hour,
                    &basis_text(r.basis),
                    &r.minimum_fen,
                    &i64::from(r.rounding_min),
                    &resource_id,
                ],
            ),
            LabEffect::SetQualification { person_id, resource_id, granted_by, expires_at, at } => tx.execute(
                "INSERT INTO qualification(person_id, resource_id, granted_by, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (person_id, resource_id) DO UPDATE SET granted_by = excluded.granted_by, granted_at = excluded.granted_at,
                   expires_at = excluded.expires_at",
                &[&person_id, &resource_id, &granted_by, &at, &expires_at],
            ),
            LabEffect::DeleteQualification { person_id, resource_id } => {
                tx.execute("DELETE FROM qualification WHERE person_id = $1 AND resource_id = $2", &[&person_id, &resource_id])
            }
            LabEffect::InsertLab { id, makerspace_id, name, description, manager_ids } => {
                tx.execute(
                    "INSERT INTO lab(id, makerspace_id, name, description) VALUES ($1, $2, $3, $4)",
                    &[&id, &makerspace_id, &name, &description],
                )?;
                for m in manager_ids {
                    tx.execute("INSERT INTO lab_manager(lab_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&id, m])?;
                }
                return Ok(());
            }
        }?;
        Ok(())
    }
}
