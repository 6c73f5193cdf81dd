use super::*;

impl OfficeLedger for SqliteLedger<'_> {
    fn office_block(&mut self, id: &str, _lock: bool) -> Result<Option<crate::office::StoredBlock>> {
        super::super::office::load_block(self.tx, id)
    }

    fn seats(&mut self, block_id: &str) -> Result<Vec<crate::office::StoredSeat>> {
        super::super::office::load_seats(self.tx, block_id)
    }

    fn write_office(&mut self, effect: OfficeEffect<'_>) -> Result<()> {
        super::super::office::write_office_effect(self.tx, effect)
    }
}
