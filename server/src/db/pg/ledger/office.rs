use super::*;

impl OfficeLedger for PgLedger<'_, '_, '_> {
    fn office_block(&mut self, id: &str, lock: bool) -> Res<Option<incubook_core::office::StoredBlock>> {
        use incubook_sqlite::store::BLOCK_SQL;
        // Locked, the takers of one block's last seat run one after another.
        let row = if lock {
            self.tx.query_opt(&format!("{BLOCK_SQL} FOR UPDATE"), &[&id])?
        } else {
            self.tx.query_opt(BLOCK_SQL, &[&id])?
        };
        let Some(r) = row else { return Ok(None) };
        let read = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7), r.get(8));
        Ok(Some(incubook_sqlite::store::stored_block(read)?))
    }

    fn seats(&mut self, block_id: &str) -> Res<Vec<incubook_core::office::StoredSeat>> {
        let rows = self.tx.query(incubook_sqlite::store::SEATS_SQL, &[&block_id])?;
        let seats = rows.iter().map(|r| incubook_sqlite::store::stored_seat(r.get(0), r.get(1), r.get(2), r.get(3)));
        Ok(seats.collect::<incubook_core::Result<_>>()?)
    }

    fn write_office(&mut self, effect: OfficeEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            OfficeEffect::InsertBlock { id, resource_id, kind, title, span, seat_minutes, capacity, at } => tx.execute(
                incubook_sqlite::store::INSERT_BLOCK_SQL,
                &[
                    &id,
                    &resource_id,
                    &kind.as_str(),
                    &title,
                    &span.start,
                    &span.end,
                    &i64::from(seat_minutes),
                    &i64::from(capacity),
                    &at,
                ],
            ),
            OfficeEffect::CancelBlock { id } => tx.execute(incubook_sqlite::store::CANCEL_BLOCK_SQL, &[&id]),
            OfficeEffect::SetBlockHeld { id, held } => tx.execute(
                incubook_sqlite::store::SET_BLOCK_HELD_SQL,
                &[&incubook_core::office::held_text(held), &(held.len() as i64), &id],
            ),
            OfficeEffect::PutSeat { block_id, person_id, seat, state, at } => tx.execute(
                incubook_sqlite::store::PUT_SEAT_SQL,
                &[&block_id, &person_id, &seat.map(i64::from), &state.as_str(), &at],
            ),
        }?;
        Ok(())
    }
}
