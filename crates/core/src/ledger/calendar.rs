use super::*;

/// A row that hangs off a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnedRow<'a> {
    DateOverride(&'a str),
    /// Not deleted.
    Blackout(&'a str),
}

/// What the calendar family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum CalendarEffect<'a> {
    SetWeeklyHours { resource_id: &'a str, hours: &'a [WeeklyHours] },
    SetPolicy { resource_id: &'a str, policy: &'a Policy },
    InsertDateOverride { id: &'a str, resource_id: &'a str, date_override: &'a DateOverride, note: &'a str },
    DeleteDateOverride { id: &'a str },
    InsertBlackout { blackout: &'a Blackout, created_by: &'a str, at: i64 },
    DeleteBlackout { id: &'a str },
}

/// A resource's calendar: its rules, weekly hours, date overrides and blackouts.
pub trait CalendarLedger: RecordLedger {
    /// A resource's rules, overrides and blackouts. With `lock`, changes to its calendar wait
    /// for this transaction (PostgreSQL locks the row; SQLite's writer holds the file).
    fn rules(&mut self, resource_id: &str, lock: bool) -> Result<Option<ResourceRules>, Self::Error>;
    /// The resource a date override (or a live blackout) belongs to.
    fn owner_of(&mut self, row: OwnedRow<'_>) -> Result<Option<Id>, Self::Error>;
    fn write_calendar(&mut self, effect: CalendarEffect<'_>) -> Result<(), Self::Error>;
}
