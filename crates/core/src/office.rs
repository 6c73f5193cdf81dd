//! Office hours and group sessions: a mentor publishes a block of their time — office hours
//! split into seats of 20–30 minutes, one founder each, or a group session of 2–50 seats all
//! at once — weekly for a number of weeks. The block holds the mentor's calendar like a
//! booking of their own; founders take seats, at most one per block each, and wait in line
//! when it is full: a seat given up goes to the first in line.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::validate::check_text;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum BlockKind {
    /// 答疑时间: seats one after another, one founder each.
    OfficeHours,
    /// 小组辅导: every seat for the whole block.
    Group,
}

impl BlockKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The shortest and longest seat of office hours, in minutes.
pub const SEAT_MINUTES: std::ops::RangeInclusive<u32> = 20..=30;
/// The fewest and most seats of a group session.
pub const GROUP_SEATS: std::ops::RangeInclusive<u32> = 2..=50;
/// The most weeks one publication repeats a block.
pub const MAX_WEEKS: usize = 26;

/// What a mentor publishes: the block's kind, title and length, the seat length (office
/// hours) or the number of seats (group), and when each week's block starts.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBlocks {
    pub resource_id: Id,
    pub kind: BlockKind,
    pub title: String,
    pub minutes: u32,
    /// Office hours: each seat's length.
    #[serde(default)]
    pub seat_minutes: Option<u32>,
    /// Group: how many seats.
    #[serde(default)]
    pub seats: Option<u32>,
    /// Each block's id (the client's) and start.
    pub blocks: Vec<BlockAt>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockAt {
    pub block_id: Id,
    pub start: DateTime<Utc>,
}

/// A block's shape once checked: its seats' length and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub seat_minutes: u32,
    pub capacity: u32,
}

impl NewBlocks {
    /// The fields checked, and the blocks' shape.
    pub fn validate(&self, now: i64) -> Result<Shape> {
        check_text("title", &self.title, 100, false)?;
        if self.blocks.is_empty() || self.blocks.len() > MAX_WEEKS {
            return Err(CoreError::invalid("blocks", format!("publish 1 to {MAX_WEEKS} blocks at a time")));
        }
        if !(20..=480).contains(&self.minutes) {
            return Err(CoreError::invalid("minutes", "a block lasts 20 minutes to 8 hours"));
        }
        let shape = match self.kind {
            BlockKind::OfficeHours => {
                let seat = self.seat_minutes.unwrap_or(30);
                if !SEAT_MINUTES.contains(&seat) {
                    return Err(CoreError::invalid(
                        "seat_minutes",
                        "office hours have seats of 20 to 30 minutes (每席 20–30 分钟)",
                    ));
                }
                if !self.minutes.is_multiple_of(seat) {
                    return Err(CoreError::invalid("minutes", format!("the block must divide into seats of {seat} minutes")));
                }
                Shape { seat_minutes: seat, capacity: self.minutes / seat }
            }
            BlockKind::Group => {
                let seats = self.seats.unwrap_or(0);
                if !GROUP_SEATS.contains(&seats) {
                    return Err(CoreError::invalid("seats", "a group session has 2 to 50 seats (小组辅导 2–50 人)"));
                }
                Shape { seat_minutes: self.minutes, capacity: seats }
            }
        };
        let mut starts: Vec<i64> = Vec::with_capacity(self.blocks.len());
        for b in &self.blocks {
            check_text("block_id", &b.block_id, 64, true)?;
            crate::domain::check_instant("start", b.start.timestamp(), now)?;
            if b.start.timestamp() <= now {
                return Err(CoreError::invalid("start", "a block starts in the future"));
            }
            starts.push(b.start.timestamp());
        }
        starts.sort_unstable();
        if starts.windows(2).any(|w| w[1] < w[0] + i64::from(self.minutes) * 60) {
            return Err(CoreError::invalid("blocks", "the blocks overlap"));
        }
        Ok(shape)
    }
}

/// A block as the decisions about it see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlock {
    pub id: Id,
    pub resource_id: Id,
    pub kind: BlockKind,
    pub span: Span,
    pub seat_minutes: u32,
    pub capacity: u32,
    pub cancelled: bool,
    /// The seats held, by number: public, so that every replica shows which are free.
    pub held: Vec<u32>,
}

impl StoredBlock {
    /// Seat `n`'s time: its own slot in office hours, the whole block in a group.
    pub fn seat_span(&self, n: u32) -> Span {
        match self.kind {
            BlockKind::OfficeHours => {
                let start = self.span.start + i64::from(n) * i64::from(self.seat_minutes) * 60;
                Span::new(start, start + i64::from(self.seat_minutes) * 60)
            }
            BlockKind::Group => self.span,
        }
    }
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SeatState {
    Held,
    Waiting,
    Left,
}

impl SeatState {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One founder's place at a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSeat {
    pub person_id: Id,
    /// Which seat (office hours); none in a group or while waiting.
    pub seat: Option<u32>,
    pub state: SeatState,
    /// When they took it or joined the line.
    pub at: i64,
}

/// The seat a founder gets: the one asked for if free, else the first free; none when the
/// one asked for is taken or the block is full. Seats are numbered in both kinds; in a group
/// they all last the whole block.
pub fn free_seat(block: &StoredBlock, asked: Option<u32>) -> Result<Option<u32>> {
    let taken = |n: u32| block.held.contains(&n);
    match asked {
        Some(n) if n >= block.capacity => {
            Err(CoreError::invalid("seat", format!("this block has seats 0 to {}", block.capacity.saturating_sub(1))))
        }
        Some(n) => Ok((!taken(n)).then_some(n)),
        None => Ok((0..block.capacity).find(|n| !taken(*n))),
    }
}

/// The seats held, as stored ("0,2,3").
pub fn held_text(held: &[u32]) -> String {
    held.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// The seats held, from their stored text; anything unreadable is left out.
pub fn parse_held(text: &str) -> Vec<u32> {
    text.split(',').filter_map(|n| n.trim().parse().ok()).collect()
}

/// The first in line: the earliest to join who still waits.
pub fn first_waiting(seats: &[StoredSeat]) -> Option<&StoredSeat> {
    seats.iter().filter(|s| s.state == SeatState::Waiting).min_by(|a, b| (a.at, &a.person_id).cmp(&(b.at, &b.person_id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: BlockKind, capacity: u32) -> StoredBlock {
        StoredBlock {
            id: "b".into(),
            resource_id: "m".into(),
            kind,
            span: Span::new(0, 7_200),
            seat_minutes: 30,
            capacity,
            cancelled: false,
            held: Vec::new(),
        }
    }

    #[test]
    fn office_hours_give_the_seat_asked_for_or_the_first_free() {
        let b = StoredBlock { held: parse_held("0,2"), ..block(BlockKind::OfficeHours, 4) };
        assert_eq!(free_seat(&b, None).ok().flatten(), Some(1));
        assert_eq!(free_seat(&b, Some(3)).ok().flatten(), Some(3));
        assert_eq!(free_seat(&b, Some(2)).ok().flatten(), None);
        assert!(free_seat(&b, Some(4)).is_err());
        assert_eq!(b.seat_span(3), Span::new(5_400, 7_200));
        assert_eq!(held_text(&b.held), "0,2");
    }

    #[test]
    fn a_full_group_has_no_seat_and_the_line_is_first_come() {
        let b = StoredBlock { held: vec![0, 1], ..block(BlockKind::Group, 2) };
        assert_eq!(free_seat(&b, None).ok().flatten(), None);
        assert_eq!(b.seat_span(1), b.span);
        let line = [
            StoredSeat { person_id: "late".into(), seat: None, state: SeatState::Waiting, at: 20 },
            StoredSeat { person_id: "early".into(), seat: None, state: SeatState::Waiting, at: 10 },
        ];
        assert_eq!(first_waiting(&line).map(|s| s.person_id.as_str()), Some("early"));
    }

    #[test]
    fn shapes_are_checked() {
        let at = |h: i64| BlockAt {
            block_id: format!("b{h}"),
            start: DateTime::<Utc>::from_timestamp(1_700_086_400 + h * 3600, 0).unwrap_or_default(),
        };
        let new = NewBlocks {
            resource_id: "m".into(),
            kind: BlockKind::OfficeHours,
            title: "答疑".into(),
            minutes: 120,
            seat_minutes: Some(30),
            seats: None,
            blocks: vec![at(0), at(168)],
        };
        assert_eq!(new.validate(1_700_000_000).ok(), Some(Shape { seat_minutes: 30, capacity: 4 }));
        assert!(NewBlocks { seat_minutes: Some(45), ..new.clone() }.validate(1_700_000_000).is_err());
        assert!(NewBlocks { blocks: vec![at(0), at(1)], ..new.clone() }.validate(1_700_000_000).is_err(), "overlap");
        let group = NewBlocks { kind: BlockKind::Group, seats: Some(51), ..new };
        assert!(group.validate(1_700_000_000).is_err());
    }
}
