//! Session places: the statements both servers and the desktop run, and the desktop's
//! commands for them.

use chrono::{DateTime, Utc};

use super::Store;
use crate::command::Command as Mutation;
use crate::error::{CoreError, Result};
use crate::ledger::MentorPlaces;
use crate::place::{PlaceDefaults, SessionFormat, SessionPlace};

/// A booking's format, place (JSON) and update time, by id.
pub const SET_PLACE_SQL: &str = "UPDATE booking SET place_format = $1, place = $2, updated_at = $3 WHERE id = $4";
/// A mentor's default places (JSON), by resource id.
pub const SET_PLACE_DEFAULTS_SQL: &str = "UPDATE mentor SET places = $1 WHERE resource_id = $2";
/// A mentor's formats (comma-separated) and default places (JSON).
pub const MENTOR_PLACES_SQL: &str = "SELECT formats, places FROM mentor WHERE resource_id = $1";

fn stored(e: serde_json::Error) -> CoreError {
    CoreError::Database(crate::error::StorageFailure::new(e))
}

/// A mentor's places as stored: formats comma-separated, defaults as JSON.
pub fn mentor_places(formats: &str, places: &str) -> Result<MentorPlaces> {
    let defaults: PlaceDefaults = serde_json::from_str(places).map_err(stored)?;
    let formats = formats.split(',').map(str::trim).filter(|f| !f.is_empty()).map(String::from).collect();
    Ok(MentorPlaces { formats, defaults })
}

/// A place as stored.
pub fn place_json(place: Option<&SessionPlace>) -> Result<Option<String>> {
    place.map(|p| serde_json::to_string(p).map_err(stored)).transpose()
}

pub fn defaults_json(defaults: &PlaceDefaults) -> Result<String> {
    serde_json::to_string(defaults).map_err(stored)
}

/// A stored place read back; a row another version wrote that this one cannot read shows
/// no place rather than failing the whole list.
pub fn parse_place(format: Option<&str>, place: Option<&str>) -> (Option<SessionFormat>, Option<SessionPlace>) {
    let format = format.and_then(|f| f.parse().ok());
    let place = place.and_then(|p| serde_json::from_str(p).ok());
    (format, place)
}

impl Store {
    /// The mentor (or their space admin) gives one session a place of its own.
    pub fn set_session_place(
        &mut self,
        actor_id: &str,
        booking_id: &str,
        place: &SessionPlace,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Mutation::SetSessionPlace { booking_id: booking_id.to_string(), place: place.clone() };
        self.apply(actor_id, &command, now)
    }

    /// A mentor's default place per format, replaced whole.
    pub fn set_place_defaults(
        &mut self,
        actor_id: &str,
        mentor_id: &str,
        defaults: &PlaceDefaults,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Mutation::SetPlaceDefaults { mentor_id: mentor_id.to_string(), defaults: defaults.clone() };
        self.apply(actor_id, &command, now)
    }

    /// The mentor's default places as this replica knows them (another's arrive redacted).
    pub fn place_defaults(&self, mentor_id: &str) -> Result<PlaceDefaults> {
        let places: Option<String> = rusqlite::OptionalExtension::optional(
            self.conn.prepare_cached("SELECT places FROM mentor WHERE resource_id = ?1")?.query_row([mentor_id], |r| r.get(0)),
        )?;
        let places = places.ok_or_else(|| CoreError::not_found("mentor", mentor_id))?;
        Ok(mentor_places("", &places)?.defaults)
    }
}
