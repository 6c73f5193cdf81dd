use super::*;

/// What a mentor resource adds to its rules: whose calendar it is, and who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorFacts {
    pub person_id: Id,
    pub visibility: Visibility,
}

/// The formats a mentor offers and their default place for each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MentorPlaces {
    pub formats: Vec<String>,
    pub defaults: crate::place::PlaceDefaults,
}

/// A mentor's booking with the mentor's zone and the booker's: `None` for a booker who holds
/// no role (the district's zone then).
pub type MentorSession = (StoredBooking, String, Option<String>);

/// What the mentor family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum MentorEffect<'a> {
    /// A mentor whose lists are in their stored form (`command::validate_new_mentor`).
    InsertMentor {
        id: &'a str,
        makerspace_id: &'a str,
        name: &'a str,
        timezone: &'a str,
        mentor: &'a NewMentor,
    },
    UpdateMentorProfile {
        id: &'a str,
        profile: &'a MentorProfile,
    },
    SetSessionNote {
        booking_id: &'a str,
        author_id: &'a str,
        body: &'a str,
        at: i64,
    },
    InsertFeedback {
        booking_id: &'a str,
        author_id: &'a str,
        side: crate::feedback::Side,
        rating: u8,
        comment: &'a str,
        pairing_fits: Option<bool>,
        /// The founder's startup when the feedback was given.
        startup_id: Option<&'a str>,
        at: i64,
    },
    /// A booking's format and place (none: the format alone).
    SetPlace {
        booking_id: &'a str,
        format: crate::place::SessionFormat,
        place: Option<&'a crate::place::SessionPlace>,
        at: i64,
    },
    SetPlaceDefaults {
        mentor_id: &'a str,
        defaults: &'a crate::place::PlaceDefaults,
    },
}

/// Mentors: their profile, formats and places, session notes and feedback.
pub trait MentorLedger: RecordLedger {
    fn mentor(&mut self, resource_id: &str) -> Result<Option<MentorFacts>, Self::Error>;
    /// The mentor's formats and default places; none for another resource.
    fn mentor_places(&mut self, resource_id: &str) -> Result<Option<MentorPlaces>, Self::Error>;
    /// How many sessions (confirmed or completed, not deleted) the founder had with the
    /// resource that started before `start`.
    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Result<u32, Self::Error>;
    /// Bookings of mentors holding their time that start within `window`, with the mentor's
    /// zone and the booker's (their makerspace's), by start.
    fn mentor_sessions(&mut self, window: Span) -> Result<Vec<MentorSession>, Self::Error>;
    fn write_mentor(&mut self, effect: MentorEffect<'_>) -> Result<(), Self::Error>;
}
