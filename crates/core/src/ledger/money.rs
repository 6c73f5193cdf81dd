use super::*;

/// What the money family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum MoneyEffect<'a> {
    InsertAllocation {
        id: &'a str,
        allocation: &'a crate::allocation::NewAllocation,
        created_by: &'a str,
        at: i64,
    },
    InsertTopUp {
        id: &'a str,
        allocation_id: &'a str,
        startup_id: &'a str,
        minutes: u32,
        reason: &'a str,
        created_by: &'a str,
        at: i64,
    },
}

/// Hour allocations and their top-ups.
pub trait MoneyLedger: RecordLedger {
    /// An hour allocation's makerspace and startup.
    fn allocation(&mut self, id: &str) -> Result<Option<(Id, Id)>, Self::Error>;
    fn write_money(&mut self, effect: MoneyEffect<'_>) -> Result<(), Self::Error>;
}
