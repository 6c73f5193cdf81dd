//! What a pulling person may see of each changed row, shared by both server backends: other
//! people's bookings only as busy, contact details only of yourself, private rows only to
//! whom they concern. The backend answers two questions about rows through [`RowLookup`].

use std::cell::RefCell;
use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::decide::Actor;
use crate::domain::{BookingStatus, Role};
use crate::error::{CoreError, Result};
use crate::place::{self, PlaceViewer};
use crate::protocol::BUSY_PERSON_ID;
use crate::protocol::Change;

/// A mentor's default places as others receive them: none.
const NO_PLACES: &str = r#"{"places":[]}"#;

/// Who owns a resource's calendar.
#[derive(Debug, Clone)]
pub struct ResourceOwnership {
    pub is_mentor: bool,
    pub makerspace_id: String,
    /// The mentor's person, for a mentor.
    pub mentor_person: Option<String>,
}

/// The two facts redaction needs from the database.
pub trait RowLookup {
    type Error;
    fn ownership(&self, resource_id: &str) -> Result<Option<ResourceOwnership>, Self::Error>;
    /// The booker and the resource of a booking.
    fn booking_parties(&self, booking_id: &str) -> Result<Option<(String, String)>, Self::Error>;
    /// The startup the person is a member of.
    fn startup_of(&self, person_id: &str) -> Result<Option<String>, Self::Error>;
    /// The startup an application is of.
    fn application_startup(&self, application_id: &str) -> Result<Option<String>, Self::Error>;
}

impl RowLookup for &Connection {
    type Error = CoreError;

    fn ownership(&self, resource_id: &str) -> Result<Option<ResourceOwnership>> {
        Ok(self
            .prepare_cached(
                "SELECT r.kind, r.makerspace_id, m.person_id FROM resource r LEFT JOIN mentor m ON m.resource_id = r.id WHERE r.id = ?1",
            )?
            .query_row([resource_id], |r| {
                Ok(ResourceOwnership {
                    is_mentor: r.get::<_, String>(0)? == "mentor",
                    makerspace_id: r.get(1)?,
                    mentor_person: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn booking_parties(&self, booking_id: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .prepare_cached("SELECT booker_id, resource_id FROM booking WHERE id = ?1")?
            .query_row([booking_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn startup_of(&self, person_id: &str) -> Result<Option<String>> {
        Ok(self.prepare_cached(crate::store::STARTUP_OF_SQL)?.query_row([person_id], |r| r.get(0)).optional()?)
    }

    fn application_startup(&self, application_id: &str) -> Result<Option<String>> {
        Ok(self.prepare_cached(APPLICATION_STARTUP_SQL)?.query_row([application_id], |r| r.get(0)).optional()?)
    }
}

/// (application) → its startup.
pub const APPLICATION_STARTUP_SQL: &str = "SELECT startup_id FROM application WHERE id = $1";

/// Who is pulling, and what of other people's rows they may see.
pub struct Viewer<L: RowLookup> {
    actor: Actor,
    lookup: L,
    /// Resources whose bookings this person sees in full (as mentor or lab manager).
    owned: RefCell<HashMap<String, bool>>,
    /// The viewer's own startup, once looked up.
    own_startup: RefCell<Option<Option<String>>>,
}

fn text<'a>(row: &'a serde_json::Map<String, serde_json::Value>, column: &str) -> &'a str {
    row.get(column).and_then(|v| v.as_str()).unwrap_or_default()
}

impl<L: RowLookup> Viewer<L> {
    pub fn new(actor: Actor, lookup: L) -> Viewer<L> {
        Viewer { actor, lookup, owned: RefCell::new(HashMap::new()), own_startup: RefCell::new(None) }
    }

    fn owns(&self, resource_id: &str) -> Result<bool, L::Error> {
        if let Some(known) = self.owned.borrow().get(resource_id) {
            return Ok(*known);
        }
        let owns = match self.lookup.ownership(resource_id)? {
            Some(o) if o.is_mentor => o.mentor_person.as_deref() == Some(self.actor.id.as_str()),
            Some(o) => self.actor.has(Role::LabManager, &o.makerspace_id) || self.actor.has(Role::SpaceAdmin, &o.makerspace_id),
            None => false,
        };
        self.owned.borrow_mut().insert(resource_id.to_string(), owns);
        Ok(owns)
    }

    /// Whether the viewer is a member of the startup.
    fn in_startup(&self, startup_id: &str) -> Result<bool, L::Error> {
        if self.own_startup.borrow().is_none() {
            let own = self.lookup.startup_of(&self.actor.id)?;
            *self.own_startup.borrow_mut() = Some(own);
        }
        Ok(self.own_startup.borrow().as_ref().is_some_and(|own| own.as_deref() == Some(startup_id)))
    }

    fn serves_founders(&self) -> bool {
        [Role::Mentor, Role::LabManager, Role::SpaceAdmin].into_iter().any(|r| self.actor.has_anywhere(r))
    }

    /// Whether the viewer hosts the resource's sessions: owns its calendar, or is an admin
    /// of its makerspace.
    fn hosts(&self, resource_id: &str) -> Result<bool, L::Error> {
        Ok(self.owns(resource_id)?
            || self.lookup.ownership(resource_id)?.is_some_and(|o| self.actor.has(Role::SpaceAdmin, &o.makerspace_id)))
    }

    fn booking_host(&self, booking_id: &str) -> Result<bool, L::Error> {
        match self.lookup.booking_parties(booking_id)? {
            Some((_, resource)) => self.hosts(&resource),
            None => Ok(false),
        }
    }

    fn booking_party(&self, booking_id: &str) -> Result<bool, L::Error> {
        match self.lookup.booking_parties(booking_id)? {
            Some((booker, resource)) => Ok(booker == self.actor.id || self.owns(&resource)?),
            None => Ok(false),
        }
    }

    /// The change as this viewer may receive it, or nothing.
    pub fn redact(&self, change: Change) -> Result<Option<Change>, L::Error> {
        let me = self.actor.id.as_str();
        let (table, version, mut row) = match change {
            Change::Put { table, version, row } => (table, version, row),
            Change::Delete { table, version, key } => {
                // A refused change's row, made only on its pusher's replica.
                if let Some(only_for) = key.get(crate::protocol::TOMBSTONE_FOR) {
                    let visible = only_for.as_str() == Some(me);
                    return Ok(visible.then_some(Change::Delete { table, version, key }));
                }
                let private = matches!(table.as_str(), "notification" | "waitlist" | "qualification");
                let visible = !private
                    || text(&key, "person_id") == me
                    || table == "qualification" && self.owns(text(&key, "resource_id"))?;
                return Ok(visible.then_some(Change::Delete { table, version, key }));
            }
        };
        let keep = match table.as_str() {
            "person" => {
                if text(&row, "id") != me {
                    row.insert("email".into(), serde_json::Value::Null);
                    // A lab's kiosk (signed in as its manager) knows people by phone number and
                    // kiosk PIN, and their bookings by check-in code, offline: the district's,
                    // since anyone may use a shared lab.
                    let runs_a_lab = self.actor.has_anywhere(Role::LabManager) || self.actor.has_anywhere(Role::SpaceAdmin);
                    if !runs_a_lab {
                        for column in ["phone", "kiosk_pin", "check_in_key"] {
                            row.insert(column.into(), serde_json::Value::Null);
                        }
                    }
                    // A startup's details are for the people who serve founders (mentors, lab
                    // managers, space admins), not for other founders.
                    if !self.serves_founders() {
                        for column in ["startup_name", "industry", "stage"] {
                            row.insert(column.into(), serde_json::Value::Null);
                        }
                    }
                }
                true
            }
            // A startup's name, kind, stage and industry are the district's; its credit code,
            // size and description are for its members and the space admins who serve it.
            "startup" => {
                if !self.actor.has_anywhere(Role::SpaceAdmin) && !self.in_startup(text(&row, "id"))? {
                    row.insert("credit_code".into(), serde_json::Value::Null);
                    row.insert("description".into(), "".into());
                    row.insert("headcount".into(), 0.into());
                }
                true
            }
            // A startup's mentor hours: its members, and the space admins who give them.
            "hour_allocation" | "hour_topup" => {
                self.actor.has_anywhere(Role::SpaceAdmin) || self.in_startup(text(&row, "startup_id"))?
            }
            // An application — what it asks, whom it would avoid, how it fares — is its team's
            // and the district operators', nobody else's; its history with it.
            "application" => self.actor.district_operator || self.in_startup(text(&row, "startup_id"))?,
            "application_event" => {
                self.actor.district_operator
                    || match self.lookup.application_startup(text(&row, "application_id"))? {
                        Some(startup) => self.in_startup(&startup)?,
                        None => false,
                    }
            }
            // Who registered for an event: themselves, and the space admins who take attendance.
            "event_registration" => text(&row, "person_id") == me || self.actor.has_anywhere(Role::SpaceAdmin),
            // Who is in a startup: its members, and the people who serve founders.
            "startup_member" => {
                text(&row, "person_id") == me || self.serves_founders() || self.in_startup(text(&row, "startup_id"))?
            }
            // Who holds which role is the business of that makerspace's own people.
            "person_role" => text(&row, "person_id") == me || self.actor.member_of(text(&row, "makerspace_id")),
            // A mentor kept to their makerspace is not sent outside it; a replica outside that
            // had them while they were the district's is told to drop them.
            "mentor" => {
                let resource = text(&row, "resource_id").to_string();
                let visibility = crate::domain::Visibility::from_stored(text(&row, "visibility"));
                let home = self.lookup.ownership(&resource)?.map(|o| o.makerspace_id);
                let visible = match home {
                    Some(makerspace_id) => crate::decide::mentor_visible_to(&self.actor, &makerspace_id, visibility),
                    None => visibility == crate::domain::Visibility::District,
                };
                if !visible {
                    let key = serde_json::Map::from_iter([("resource_id".to_string(), serde_json::Value::from(resource))]);
                    return Ok(Some(Change::Delete { table, version, key }));
                }
                // Meeting links and passcodes reach founders with their confirmed sessions.
                if !self.hosts(&resource)? {
                    row.insert("places".into(), NO_PLACES.into());
                }
                true
            }
            // A day off says why only to whom it belongs.
            "date_override" => {
                if !self.owns(text(&row, "resource_id"))? {
                    row.insert("note".into(), "".into());
                }
                true
            }
            // Who used an instrument, for how long and at what fee: theirs, and the lab's.
            "qualification" | "usage_session" => text(&row, "person_id") == me || self.owns(text(&row, "resource_id"))?,
            "booking" => {
                let refused = !row.get("rejection").is_none_or(serde_json::Value::is_null);
                let viewer = if text(&row, "booker_id") == me {
                    PlaceViewer::Booker
                } else if self.hosts(text(&row, "resource_id"))? {
                    PlaceViewer::Host
                } else {
                    PlaceViewer::Other
                };
                let status = BookingStatus::parse(text(&row, "status")).unwrap_or(BookingStatus::Requested);
                if !place::details_visible(viewer, status) {
                    row.insert("place".into(), serde_json::Value::Null);
                }
                if viewer == PlaceViewer::Booker {
                    true
                } else if refused {
                    // A request the server refused is its sender's to learn, nobody else's.
                    false
                } else if self.owns(text(&row, "resource_id"))? {
                    true
                } else {
                    row.insert("booker_id".into(), BUSY_PERSON_ID.into());
                    // A teammate's session counts against the team's mentor hours; which team
                    // booked is nobody else's to know.
                    if !self.in_startup(text(&row, "startup_id"))? {
                        row.insert("startup_id".into(), serde_json::Value::Null);
                    }
                    row.insert("topic".into(), "".into());
                    row.insert("reason".into(), serde_json::Value::Null);
                    // Whether someone else turned up is not the district's to know.
                    if text(&row, "status") == "no_show" {
                        row.insert("status".into(), "completed".into());
                    }
                    true
                }
            }
            // Who sits where: the founder, the mentor and the space's admins (the seats taken
            // are on the block, for everyone).
            "office_seat" => text(&row, "person_id") == me || self.booking_host(text(&row, "block_id"))?,
            // A session note is the mentor's own, even from the founder they met.
            "session_note" => text(&row, "author_id") == me,
            // Both sides' ratings: for the two sides, and the admins of the mentor's space.
            "feedback" | "mentor_feedback" => {
                self.booking_party(text(&row, "booking_id"))? || self.booking_host(text(&row, "booking_id"))?
            }
            "waitlist" | "notification" => text(&row, "person_id") == me,
            _ => true,
        };
        Ok(keep.then_some(Change::Put { table, version, row }))
    }
}
