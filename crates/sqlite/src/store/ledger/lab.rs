use super::*;

impl LabLedger for SqliteLedger<'_> {
    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Result<Option<Option<i64>>> {
        Ok(self
            .tx
            .prepare_cached("SELECT expires_at FROM qualification WHERE person_id = ?1 AND resource_id = ?2")?
            .query_row(params![person_id, resource_id], |r| r.get(0))
            .optional()?)
    }

    fn lab_home(&mut self, lab_id: &str) -> Result<Option<(Id, String)>> {
        found(lab_home(self.tx, lab_id))
    }

    fn rates(&mut self, resource_id: &str) -> Result<Option<Rates>> {
        super::super::usage::read_rates(self.tx, resource_id)
    }

    fn usage_rules(&mut self, resource_id: &str) -> Result<Option<UsageRules>> {
        Ok(self
            .tx
            .prepare_cached(USAGE_RULES_SQL)?
            .query_row([resource_id], |r| Ok(usage_rules_of([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?])))
            .optional()?)
    }

    fn write_lab(&mut self, effect: LabEffect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            LabEffect::InsertEquipment { id, makerspace_id, timezone, equipment } => {
                insert_equipment(tx, id, makerspace_id, timezone, equipment)?;
            }
            LabEffect::UpdateEquipment { id, equipment: new } => {
                tx.prepare_cached(
                    "UPDATE equipment SET lab_id = ?2, category = ?3, model = ?4, hourly_fee_cents = ?5, subsidy_pct = ?6 WHERE resource_id = ?1",
                )?
                .execute(params![id, new.lab_id, new.category, new.model, new.hourly_fee_cents, new.subsidy_pct])?;
                tx.prepare_cached("UPDATE resource SET name = ?2, weekly_hours = ?3 WHERE id = ?1")?.execute(params![
                    id,
                    new.name,
                    encode_weekly(&new.weekly_hours)
                ])?;
                write_policy(tx, id, &new.policy)?;
            }
            LabEffect::SetUsageRules { resource_id, rules } => {
                tx.prepare_cached(SET_USAGE_RULES_SQL)?.execute(params![
                    rules.check_in_opens_min,
                    rules.no_show_after_min,
                    rules.close_grace_min,
                    rules.approval_after_no_shows,
                    resource_id
                ])?;
            }
            LabEffect::SetRegister { resource_id, register } => {
                let (value, bought, accepted, funding, asset, open, operator) = register_columns(register);
                tx.prepare_cached(SET_REGISTER_SQL)?.execute(params![
                    value,
                    bought,
                    accepted,
                    funding,
                    asset,
                    open,
                    operator,
                    resource_id
                ])?;
            }
            LabEffect::SetRates { resource_id, rates: r } => {
                tx.prepare_cached(SET_RATES_SQL)?.execute(params![
                    r.internal_fen_per_hour,
                    r.external_fen_per_hour,
                    r.enterprise_fen_per_hour,
                    basis_text(r.basis),
                    r.minimum_fen,
                    r.rounding_min,
                    resource_id
                ])?;
            }
            LabEffect::SetQualification { person_id, resource_id, granted_by, expires_at, at } => {
                tx.prepare_cached(
                    "INSERT INTO qualification(person_id, resource_id, granted_by, granted_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(person_id, resource_id) DO UPDATE SET granted_by = excluded.granted_by,
                       granted_at = excluded.granted_at, expires_at = excluded.expires_at",
                )?
                .execute(params![person_id, resource_id, granted_by, at, expires_at])?;
            }
            LabEffect::DeleteQualification { person_id, resource_id } => {
                tx.prepare_cached("DELETE FROM qualification WHERE person_id = ?1 AND resource_id = ?2")?
                    .execute(params![person_id, resource_id])?;
            }
            LabEffect::InsertLab { id, makerspace_id, name, description, manager_ids } => {
                let lab = Lab {
                    id: id.to_string(),
                    makerspace_code: String::new(),
                    name: name.to_string(),
                    description: description.to_string(),
                    manager_ids: manager_ids.to_vec(),
                };
                insert_lab(tx, &lab, makerspace_id)?;
            }
        }
        Ok(())
    }
}
