use super::*;

impl MoneyLedger for PgLedger<'_, '_, '_> {
    fn allocation(&mut self, id: &str) -> Res<Option<(Id, Id)>> {
        let row = self.tx.query_opt(incubook_sqlite::store::ALLOCATION_SQL, &[&id])?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn write_money(&mut self, effect: MoneyEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            MoneyEffect::InsertAllocation { id, allocation: a, created_by, at } => tx.execute(
                incubook_sqlite::store::INSERT_ALLOCATION_SQL,
                &[
                    &id,
                    &a.startup_id,
                    &a.makerspace_id,
                    &a.programme,
                    &a.starts_on.to_string(),
                    &a.ends_on.to_string(),
                    &i64::from(a.hours * 60),
                    &created_by,
                    &at,
                ],
            ),
            MoneyEffect::InsertTopUp { id, allocation_id, startup_id, minutes, reason, created_by, at } => tx.execute(
                incubook_sqlite::store::INSERT_TOPUP_SQL,
                &[&id, &allocation_id, &startup_id, &i64::from(minutes), &reason, &created_by, &at],
            ),
        }?;
        Ok(())
    }
}
