use super::*;

impl OfficeLedger for MemoryLedger {
    fn office_block(&mut self, id: &str, _lock: bool) -> Result<Option<crate::office::StoredBlock>, Infallible> {
        Ok(self.blocks.get(id).cloned())
    }

    fn seats(&mut self, block_id: &str) -> Result<Vec<crate::office::StoredSeat>, Infallible> {
        let mut seats: Vec<_> = self.seats.iter().filter(|((b, _), _)| b == block_id).map(|(_, s)| s.clone()).collect();
        seats.sort_by(|a, b| (a.at, &a.person_id).cmp(&(b.at, &b.person_id)));
        Ok(seats)
    }

    fn write_office(&mut self, effect: OfficeEffect<'_>) -> Result<(), Infallible> {
        match effect {
            OfficeEffect::InsertBlock { id, resource_id, kind, span, seat_minutes, capacity, .. } => {
                let block = crate::office::StoredBlock {
                    id: id.into(),
                    resource_id: resource_id.into(),
                    kind,
                    span,
                    seat_minutes,
                    capacity,
                    cancelled: false,
                    held: Vec::new(),
                };
                self.blocks.insert(id.into(), block);
            }
            OfficeEffect::CancelBlock { id } => {
                if let Some(b) = self.blocks.get_mut(id) {
                    b.cancelled = true;
                }
            }
            OfficeEffect::SetBlockHeld { id, held } => {
                if let Some(b) = self.blocks.get_mut(id) {
                    b.held = held.to_vec();
                }
            }
            OfficeEffect::PutSeat { block_id, person_id, seat, state, at } => {
                let kept = crate::office::StoredSeat { person_id: person_id.into(), seat, state, at };
                self.seats.insert((block_id.into(), person_id.into()), kept);
            }
        }
        Ok(())
    }
}
