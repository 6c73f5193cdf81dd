use super::*;

impl MoneyLedger for SqliteLedger<'_> {
    fn allocation(&mut self, id: &str) -> Result<Option<(Id, Id)>> {
        super::super::allocations::load_allocation(self.tx, id)
    }

    fn write_money(&mut self, effect: MoneyEffect<'_>) -> Result<()> {
        super::super::allocations::write_allocation_effect(self.tx, effect)
    }
}
