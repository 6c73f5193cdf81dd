use super::*;

impl MoneyLedger for MemoryLedger {
    fn allocation(&mut self, id: &str) -> Result<Option<(Id, Id)>, Infallible> {
        Ok(self.allocations.get(id).map(|(m, s, _)| (m.clone(), s.clone())))
    }

    fn write_money(&mut self, effect: MoneyEffect<'_>) -> Result<(), Infallible> {
        match effect {
            MoneyEffect::InsertAllocation { id, allocation: a, .. } => {
                self.allocations.insert(id.into(), (a.makerspace_id.clone(), a.startup_id.clone(), a.hours * 60));
            }
            MoneyEffect::InsertTopUp { id, allocation_id, minutes, reason, .. } => {
                if let Some(a) = self.allocations.get_mut(allocation_id) {
                    a.2 += minutes;
                }
                self.top_ups.insert(id.into(), (allocation_id.into(), minutes, reason.into()));
            }
        }
        Ok(())
    }
}
