use super::*;

/// What the office family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum OfficeEffect<'a> {
    InsertBlock {
        id: &'a str,
        resource_id: &'a str,
        kind: crate::office::BlockKind,
        title: &'a str,
        span: Span,
        seat_minutes: u32,
        capacity: u32,
        at: i64,
    },
    CancelBlock {
        id: &'a str,
    },
    /// The seats held of a block, by number (and so how many).
    SetBlockHeld {
        id: &'a str,
        held: &'a [u32],
    },
    /// A founder's seat, place in line, or neither (`Left`).
    PutSeat {
        block_id: &'a str,
        person_id: &'a str,
        seat: Option<u32>,
        state: crate::office::SeatState,
        at: i64,
    },
}

/// Office hours: blocks and their seats.
pub trait OfficeLedger: RecordLedger {
    /// An office-hours block; `lock` holds it for the transaction where rows lock, so that
    /// two founders taking its last seat run one after another.
    fn office_block(&mut self, id: &str, lock: bool) -> Result<Option<crate::office::StoredBlock>, Self::Error>;
    /// Everyone who took a seat of a block or waits for one (and who left), in the order
    /// they came.
    fn seats(&mut self, block_id: &str) -> Result<Vec<crate::office::StoredSeat>, Self::Error>;
    fn write_office(&mut self, effect: OfficeEffect<'_>) -> Result<(), Self::Error>;
}
