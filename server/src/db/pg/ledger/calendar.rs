use super::*;

impl CalendarLedger for PgLedger<'_, '_, '_> {
    fn rules(&mut self, resource_id: &str, lock: bool) -> Res<Option<ResourceRules>> {
        found(if lock { lock_rules(self.tx, resource_id) } else { load_rules(self.tx, resource_id) })
    }

    fn owner_of(&mut self, row: OwnedRow<'_>) -> Res<Option<Id>> {
        let (sql, id) = match row {
            OwnedRow::DateOverride(id) => ("SELECT resource_id FROM date_override WHERE id = $1", id),
            OwnedRow::Blackout(id) => ("SELECT resource_id FROM blackout WHERE id = $1 AND deleted = 0", id),
        };
        Ok(self.tx.query_opt(sql, &[&id])?.map(|r| r.get(0)))
    }

    fn write_calendar(&mut self, effect: CalendarEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            CalendarEffect::SetWeeklyHours { resource_id, hours } => {
                tx.execute("UPDATE resource SET weekly_hours = $2 WHERE id = $1", &[&resource_id, &encode_weekly(hours)])
            }
            CalendarEffect::SetPolicy { resource_id, policy } => return write_policy(tx, resource_id, policy),
            CalendarEffect::InsertDateOverride { id, resource_id, date_override: o, note } => tx.execute(
                "INSERT INTO date_override(id, resource_id, date, kind, start_min, end_min, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id,
                    &resource_id,
                    &o.date.format("%Y-%m-%d").to_string(),
                    &if o.kind == OverrideKind::Off { "off" } else { "extra" },
                    &i64::from(o.start_min),
                    &i64::from(o.end_min),
                    &note,
                ],
            ),
            CalendarEffect::DeleteDateOverride { id } => tx.execute("DELETE FROM date_override WHERE id = $1", &[&id]),
            CalendarEffect::InsertBlackout { blackout: b, created_by, at } => {
                let (once, weekly) = match &b.when {
                    BlackoutWhen::Once { start, end } => (Some((*start, *end)), None),
                    BlackoutWhen::Weekly { weekday, start_min, end_min, from, until } => (
                        None,
                        Some((
                            i64::from(*weekday),
                            i64::from(*start_min),
                            i64::from(*end_min),
                            from.format("%Y-%m-%d").to_string(),
                            until.map(|u| u.format("%Y-%m-%d").to_string()),
                        )),
                    ),
                };
                tx.execute(
                    "INSERT INTO blackout(id, resource_id, kind, start_at, end_at, weekday, start_min, end_min, valid_from, valid_until,
                     reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    &[
                        &b.id,
                        &b.resource_id,
                        &if once.is_some() { "once" } else { "weekly" },
                        &once.map(|o| o.0),
                        &once.map(|o| o.1),
                        &weekly.as_ref().map(|w| w.0),
                        &weekly.as_ref().map(|w| w.1),
                        &weekly.as_ref().map(|w| w.2),
                        &weekly.as_ref().map(|w| w.3.clone()),
                        &weekly.as_ref().and_then(|w| w.4.clone()),
                        &b.reason,
                        &created_by,
                        &at,
                    ],
                )
            }
            CalendarEffect::DeleteBlackout { id } => tx.execute("UPDATE blackout SET deleted = 1 WHERE id = $1", &[&id]),
        }?;
        Ok(())
    }
}
