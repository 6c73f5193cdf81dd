use super::*;

impl CalendarLedger for SqliteLedger<'_> {
    /// SQLite's one writer holds the file for the whole transaction: nothing to lock.
    fn rules(&mut self, resource_id: &str, _lock: bool) -> Result<Option<ResourceRules>> {
        found(load_rules(self.tx, resource_id))
    }

    fn owner_of(&mut self, row: OwnedRow<'_>) -> Result<Option<Id>> {
        let (sql, id) = match row {
            OwnedRow::DateOverride(id) => ("SELECT resource_id FROM date_override WHERE id = ?1", id),
            OwnedRow::Blackout(id) => ("SELECT resource_id FROM blackout WHERE id = ?1 AND deleted = 0", id),
        };
        Ok(self.tx.prepare_cached(sql)?.query_row([id], |r| r.get(0)).optional()?)
    }

    fn write_calendar(&mut self, effect: CalendarEffect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            CalendarEffect::SetWeeklyHours { resource_id, hours } => {
                tx.prepare_cached("UPDATE resource SET weekly_hours = ?2 WHERE id = ?1")?
                    .execute(params![resource_id, encode_weekly(hours)])?;
            }
            CalendarEffect::SetPolicy { resource_id, policy } => write_policy(tx, resource_id, policy)?,
            CalendarEffect::InsertDateOverride { id, resource_id, date_override: o, note } => {
                let kind = if o.kind == OverrideKind::Off { "off" } else { "extra" };
                tx.prepare_cached(
                    "INSERT INTO date_override(id, resource_id, date, kind, start_min, end_min, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, resource_id, o.date.format("%Y-%m-%d").to_string(), kind, o.start_min, o.end_min, note])?;
            }
            CalendarEffect::DeleteDateOverride { id } => {
                tx.prepare_cached("DELETE FROM date_override WHERE id = ?1")?.execute([id])?;
            }
            CalendarEffect::InsertBlackout { blackout, created_by, at } => insert_blackout(tx, blackout, created_by, at)?,
            CalendarEffect::DeleteBlackout { id } => {
                tx.prepare_cached("UPDATE blackout SET deleted = 1 WHERE id = ?1")?.execute([id])?;
            }
        }
        Ok(())
    }
}
