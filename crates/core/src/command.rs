//! The commands a person can give — what the desktop applies locally, queues in its outbox
//! and the server applies again — with the payloads they carry and each payload's checks.
//! Pure data: what a command changes in storage is the backends' business.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::allocation::NewAllocation;
use crate::calls::application::{ApplicationDraft, Intake};
use crate::calls::{NewCall, NewProgramme};
use crate::domain::{Blackout, BookingStatus, DateOverride, Id, Policy, Role, RoleGrant, Visibility, WeeklyHours};
use crate::error::{CoreError, Result};
use crate::events::NewEvent;
use crate::interval::Span;
use crate::office::NewBlocks;
use crate::place::{PlaceDefaults, SessionFormat, SessionPlace};
use crate::recurrence::Repeat;
use crate::register::InstrumentRegister;
use crate::startup::NewStartup;
use crate::usage::{Purpose, Rates, UsageRules};
use crate::validate::{check_text, clean_list, language_codes, tag_keys, validate_hours, validate_request};

/// One change a client made, as it travels in a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    Book {
        booking_id: Id,
        resource_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        topic: String,
        /// In person, online or by phone (a mentor session): the mentor's default place for
        /// the format becomes the booking's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<SessionFormat>,
    },
    /// A space admin gives a startup mentor hours for a programme or a quarter.
    AllocateHours {
        allocation_id: Id,
        allocation: NewAllocation,
    },
    /// A space admin adds hours to an allocation, for a reason the audit log keeps.
    TopUpHours {
        topup_id: Id,
        allocation_id: Id,
        hours: u32,
        reason: String,
    },
    /// A mentor publishes office hours or a group session, weekly for some weeks; each block
    /// holds their calendar.
    PublishOfficeHours {
        blocks: NewBlocks,
    },
    /// The sender (`person_id`) takes a seat of a block — the one asked for, or the first
    /// free — or with `wait`, joins the line when it is full.
    TakeSeat {
        block_id: Id,
        person_id: Id,
        #[serde(default)]
        seat: Option<u32>,
        #[serde(default)]
        wait: bool,
    },
    /// The sender gives up their seat (the first in line gets it) or their place in line.
    LeaveSeat {
        block_id: Id,
        person_id: Id,
    },
    CancelOfficeHours {
        block_id: Id,
    },
    /// The mentor (or their space's admin) gives one session a place of its own.
    SetSessionPlace {
        booking_id: Id,
        place: SessionPlace,
    },
    /// A mentor's default place for each format, replaced whole.
    SetPlaceDefaults {
        mentor_id: Id,
        defaults: PlaceDefaults,
    },
    /// A booking the desktop held before it joined the district, in a space admin's upload.
    UploadBooking {
        booking: UploadedBooking,
    },
    /// A change of a space admin's catalogue upload: applied like `change`, but its rows were
    /// on the desktop before it connected, so a refusal must not make the desktop drop them.
    Uploaded {
        change: Box<Command>,
    },
    Cancel {
        booking_id: Id,
        reason: Option<String>,
    },
    Approve {
        booking_id: Id,
    },
    Decline {
        booking_id: Id,
        reason: String,
    },
    Complete {
        booking_id: Id,
    },
    NoShow {
        booking_id: Id,
    },
    Reschedule {
        booking_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// A booking that repeats. Every occurrence is checked before anything stands: with
    /// `skip_conflicts` one the rules refuse is kept declined with its reason, otherwise the
    /// first refusal refuses the whole series. The occurrences are the rule's, in the
    /// resource's zone; the client lists them with the ids it chose.
    BookSeries {
        series_id: Id,
        resource_id: Id,
        occurrences: Vec<Occurrence>,
        topic: String,
        repeat: Repeat,
        skip_conflicts: bool,
    },
    /// Cancels one booking of a series and the ones after it, or all of the series not yet
    /// begun: every one or none.
    CancelSeries {
        booking_id: Id,
        scope: SeriesScope,
        reason: Option<String>,
    },
    /// Moves one booking of a series to `start..end`, and the others in scope to the same
    /// local time of their own day (shifted by as many days): every one or none.
    MoveSeries {
        booking_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: SeriesScope,
    },
    /// A mentor's or equipment's weekly open hours, replaced whole.
    SetWeeklyHours {
        resource_id: Id,
        hours: Vec<WeeklyHours>,
    },
    /// A mentor's or equipment's booking rules, replaced whole.
    SetPolicy {
        resource_id: Id,
        policy: Policy,
    },
    /// A day off, part of a day off, or extra hours on one date, under an id the client chose.
    AddDateOverride {
        override_id: Id,
        resource_id: Id,
        date_override: DateOverride,
        note: String,
    },
    RemoveDateOverride {
        override_id: Id,
    },
    /// New equipment in a lab, under an id the client chose.
    CreateEquipment {
        equipment_id: Id,
        equipment: NewEquipment,
    },
    /// A piece of equipment's fields, hours and rules, replaced whole.
    UpdateEquipment {
        equipment_id: Id,
        equipment: NewEquipment,
    },
    /// A maintenance blackout under an id the client chose; with `cancel_hits` the server
    /// cancels every active booking it falls on — including ones the client only saw as busy.
    AddBlackout {
        blackout: Blackout,
        cancel_hits: bool,
    },
    RemoveBlackout {
        blackout_id: Id,
    },
    GrantQualification {
        person_id: Id,
        resource_id: Id,
        expires_at: Option<DateTime<Utc>>,
    },
    RevokeQualification {
        person_id: Id,
        resource_id: Id,
    },
    /// A founder waits for a resource in a time window, under an id the client chose.
    JoinWaitlist {
        waitlist_id: Id,
        resource_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// The mentor's private note on a session, replaced whole.
    SetSessionNote {
        booking_id: Id,
        body: String,
    },
    /// A rating of a session that is over: the founder's of the session, or the mentor's of
    /// how the founder's startup is doing; after the pair's first session, whether the
    /// pairing fits.
    GiveFeedback {
        booking_id: Id,
        rating: u8,
        comment: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pairing_fits: Option<bool>,
    },
    /// A space admin adds a person (with roles in their makerspace), under an id the client chose.
    CreatePerson {
        person_id: Id,
        person: NewPerson,
    },
    CreateLab {
        lab_id: Id,
        lab: NewLab,
    },
    /// A space admin adds a person to the mentor pool, under an id the client chose.
    CreateMentor {
        mentor_id: Id,
        mentor: NewMentor,
    },
    /// A mentor's profile (title, bio, expertise, languages…), replaced whole.
    UpdateMentorProfile {
        mentor_id: Id,
        profile: MentorProfile,
    },
    /// A district operator registers a programme (专项).
    CreateProgramme {
        programme: NewProgramme,
    },
    /// A district operator publishes a call (指南/批次) of a programme, under an id the client
    /// chose.
    PublishCall {
        call_id: Id,
        call: NewCall,
    },
    /// A district operator corrects a call before it opens.
    CorrectCall {
        call_id: Id,
        call: NewCall,
    },
    /// A district operator cancels a call before any decision on it, with the reason.
    CancelCall {
        call_id: Id,
        reason: String,
    },
    /// A startup's lead drafts an application to a call (or saves the draft again, or
    /// corrects one returned to them), under an id the client chose.
    DraftApplication {
        application_id: Id,
        call_id: Id,
        startup_id: Id,
        draft: ApplicationDraft,
    },
    /// The lead submits it; it is submitted when the server receives it, by the server's
    /// clock. Every transition of an application is an event under an id the client chose.
    SubmitApplication {
        application_id: Id,
        event_id: Id,
    },
    /// A district operator's intake (形式审查): accept (the unified code is minted), return for
    /// correction, refuse, or uphold a refusal on re-check.
    DecideApplication {
        application_id: Id,
        event_id: Id,
        intake: Intake,
    },
    /// The lead asks for a re-check (复审) of a refusal, with the reason.
    RequestRecheck {
        application_id: Id,
        event_id: Id,
        reason: String,
    },
    /// The lead withdraws it, until a decision.
    WithdrawApplication {
        application_id: Id,
        event_id: Id,
        #[serde(default)]
        reason: String,
    },
    /// A space admin gives (`granted`) or takes a role in their makerspace.
    SetRole {
        person_id: Id,
        makerspace_id: Id,
        role: Role,
        granted: bool,
    },
    /// A person's PIN for the lab kiosks (with their phone number it checks them in), set by
    /// themselves or by a lab manager with them at the kiosk; `None` clears it. The client
    /// hashes it (argon2, PHC string): the PIN itself never leaves the machine it was typed on.
    SetKioskPin {
        person_id: Id,
        pin_hash: Option<String>,
    },
    /// The booker (or a lab manager for them) starts using a booked instrument: its usage
    /// session, the machine hours' record, begins.
    CheckIn {
        session_id: Id,
        booking_id: Id,
        purpose: Purpose,
        #[serde(default)]
        samples: u32,
        /// When it happened: a kiosk offline syncs its check-ins later.
        at: DateTime<Utc>,
    },
    /// Someone at a free instrument starts using it at once: a booking of the grid slot under
    /// way at `at` until `end` is made under the usual rules (no notice needed), and its
    /// session starts. Two kiosks offline for the same slot: the first to reach the server
    /// wins, the other is refused `slot_taken`.
    WalkUp {
        session_id: Id,
        booking_id: Id,
        resource_id: Id,
        /// Who uses the instrument: the sender, or someone a lab manager (at the lab's kiosk)
        /// starts it for.
        person_id: Id,
        /// The start of the grid slot under way when the person arrived.
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        purpose: Purpose,
        #[serde(default)]
        samples: u32,
        at: DateTime<Utc>,
    },
    /// A running usage session ends; it is charged at the instrument's rates.
    CheckOut {
        session_id: Id,
        at: DateTime<Utc>,
    },
    /// A lab manager sets an instrument's rates per user class.
    SetRates {
        resource_id: Id,
        rates: Rates,
    },
    /// A lab manager sets when an instrument's bookings open for check-in and are released.
    SetUsageRules {
        resource_id: Id,
        rules: UsageRules,
    },
    /// A lab manager records an instrument's asset register entry (原值, dates, funding…).
    SetRegister {
        resource_id: Id,
        register: InstrumentRegister,
    },
    /// A startup (团队 or 企业) as its own record, under an id the client chose, with its lead:
    /// made by a space admin, or by a person for their own startup (who then leads it).
    CreateStartup {
        startup_id: Id,
        startup: NewStartup,
        lead_id: Id,
    },
    /// A startup's fields, replaced whole, by its lead or a space admin where it is resident.
    UpdateStartup {
        startup_id: Id,
        startup: NewStartup,
    },
    /// Adds a member (`member`), makes one the lead (`lead`: the lead before stays a member),
    /// or removes one (`member: false`). A person belongs to one startup at a time.
    SetStartupMember {
        startup_id: Id,
        person_id: Id,
        member: bool,
        #[serde(default)]
        lead: bool,
    },
    /// A startup moves in to a makerspace (入驻) on a date, under an id the client chose.
    MoveIn {
        residency_id: Id,
        startup_id: Id,
        makerspace_id: Id,
        date: NaiveDate,
    },
    /// It moves out (迁出) on a date: its last day there is the day before.
    MoveOut {
        startup_id: Id,
        residency_id: Id,
        date: NaiveDate,
    },
    /// The startup's lead (or a space admin where it lives) agrees to a move-in another
    /// makerspace asked for, or declines it.
    AnswerMoveIn {
        startup_id: Id,
        residency_id: Id,
        accept: bool,
    },
    /// A space admin where the startup lives confirms its credit code (统一社会信用代码核验).
    ConfirmCreditCode {
        startup_id: Id,
    },
    /// A space admin publishes an event of their makerspace, under an id the client chose.
    PublishEvent {
        event_id: Id,
        event: NewEvent,
    },
    CancelEvent {
        event_id: Id,
    },
    /// The sender (`person_id`) registers for an event (`registered`), or withdraws.
    RegisterForEvent {
        event_id: Id,
        person_id: Id,
        registered: bool,
    },
    /// A space admin of the event's makerspace takes attendance on the day.
    MarkAttendance {
        event_id: Id,
        person_id: Id,
        attended: bool,
    },
    /// A lab manager corrects a closed session (times, purpose, samples) and may waive part
    /// of its fee; the reason is required, and the values before are kept in the audit log.
    CorrectSession {
        session_id: Id,
        started_at: DateTime<Utc>,
        ended_at: DateTime<Utc>,
        purpose: Purpose,
        samples: u32,
        #[serde(default)]
        waived_fen: i64,
        reason: String,
    },
}

/// One occurrence of a repeating booking, with the id its booking takes.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Occurrence {
    pub booking_id: Id,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Which bookings of a series a change reaches besides the one it names.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SeriesScope {
    /// It and the ones after it.
    Following,
    /// Every one not yet begun.
    All,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewBooking {
    /// How a mentor session is held; the mentor's default place for it comes with it.
    #[serde(default)]
    #[cfg_attr(feature = "ts-rs", ts(optional))]
    pub format: Option<SessionFormat>,
    pub resource_id: Id,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub topic: String,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLab {
    pub makerspace_code: String,
    pub name: String,
    pub description: String,
    pub manager_ids: Vec<Id>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEquipment {
    pub lab_id: Id,
    pub name: String,
    pub category: String,
    pub model: String,
    pub hourly_fee_cents: i64,
    pub subsidy_pct: u8,
    pub policy: Policy,
    pub weekly_hours: Vec<WeeklyHours>,
}

/// A piece of equipment's fields and rules, before anything is written.
pub fn validate_equipment(new: &NewEquipment) -> Result<()> {
    check_text("name", &new.name, 100, true)?;
    check_text("category", &new.category, 40, true)?;
    check_text("model", &new.model, 100, false)?;
    if new.hourly_fee_cents < 0 || new.hourly_fee_cents > 100_000_000 {
        return Err(CoreError::invalid("hourly_fee", "must be between 0 and 1,000,000 yuan"));
    }
    if new.subsidy_pct > 100 {
        return Err(CoreError::invalid("subsidy_pct", "must be between 0 and 100"));
    }
    new.policy.validate()?;
    new.weekly_hours.iter().try_for_each(WeeklyHours::validate)
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewPerson {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub startup_name: Option<String>,
    pub industry: Option<String>,
    pub stage: Option<String>,
    /// (makerspace code, role)
    pub roles: Vec<RoleGrant>,
}

/// A new person's fields, before anything is written.
pub fn check_person(new: &NewPerson) -> Result<()> {
    check_text("name", &new.name, 60, true)?;
    for (field, value) in [
        ("phone", &new.phone),
        ("email", &new.email),
        ("startup_name", &new.startup_name),
        ("industry", &new.industry),
        ("stage", &new.stage),
    ] {
        if let Some(v) = value {
            check_text(field, v, 100, false)?;
        }
    }
    if let Some(email) = new.email.as_deref().filter(|e| !e.is_empty() && !e.contains('@')) {
        return Err(CoreError::invalid("email", format!("'{email}' is not an e-mail address")));
    }
    Ok(())
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMentor {
    pub person_id: Id,
    pub makerspace_code: String,
    pub title: String,
    pub bio: String,
    pub tags: Vec<String>,
    pub industries: Vec<String>,
    pub languages: Vec<String>,
    pub formats: Vec<String>,
    pub visibility: Visibility,
    /// IANA zone of the weekly hours; the makerspace's when absent.
    pub timezone: Option<String>,
    pub policy: Policy,
    pub weekly_hours: Vec<WeeklyHours>,
    /// A full-time mentor of the makerspace (专职), else part-time (兼职).
    #[serde(default)]
    pub full_time: bool,
}

/// The parts of a mentor's profile that the mentor (or their space admin) edits.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentorProfile {
    pub title: String,
    pub bio: String,
    pub tags: Vec<String>,
    pub industries: Vec<String>,
    pub languages: Vec<String>,
    pub formats: Vec<String>,
    pub visibility: Visibility,
    /// IANA zone of the mentor's weekly hours and days off (an overseas mentor keeps theirs);
    /// unchanged when absent. Their hours stay the same wall-clock times in the new zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Full-time (专职) or part-time (兼职).
    #[serde(default)]
    pub full_time: bool,
}
/// A new mentor checked, with tags, languages and industries in their stored form.
pub fn validate_new_mentor(new: &NewMentor) -> Result<NewMentor> {
    check_text("title", &new.title, 100, false)?;
    check_text("bio", &new.bio, 2000, false)?;
    new.policy.validate()?;
    if new.policy.capacity != 1 {
        return Err(CoreError::invalid("capacity", "a mentor sees one founder at a time"));
    }
    validate_hours(&new.weekly_hours)?;
    normalize_new_mentor(new)
}

/// A profile checked, with its lists in their stored form (tag keys, language codes).
pub fn validate_profile(profile: &MentorProfile) -> Result<MentorProfile> {
    check_text("title", &profile.title, 100, false)?;
    check_text("bio", &profile.bio, 2000, false)?;
    let timezone = match profile.timezone.as_deref() {
        Some(zone) => Some(crate::domain::parse_tz("timezone", zone)?.name().to_string()),
        None => None,
    };
    Ok(MentorProfile {
        timezone,
        tags: tag_keys(&profile.tags)?,
        languages: language_codes(&profile.languages)?,
        industries: clean_list("industries", &profile.industries)?,
        formats: clean_list("formats", &profile.formats)?,
        ..profile.clone()
    })
}

/// The mentor with tags, languages and industries in their stored form.
pub fn normalize_new_mentor(new: &NewMentor) -> Result<NewMentor> {
    Ok(NewMentor {
        tags: tag_keys(&new.tags)?,
        languages: language_codes(&new.languages)?,
        industries: clean_list("industries", &new.industries)?,
        ..new.clone()
    })
}

/// A booking of the makerspace's resources, as the upload sends it: the booker and status it
/// has on the desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadedBooking {
    pub id: Id,
    pub resource_id: Id,
    pub booker_id: Id,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    pub topic: String,
}

impl UploadedBooking {
    /// Its fields, before anything is read: the span it holds.
    pub fn validate(&self, now: i64) -> Result<Span> {
        let span = validate_request(self.start, self.end, &self.topic, now)?;
        check_text("booking_id", &self.id, 64, true)?;
        if !matches!(self.status, BookingStatus::Requested | BookingStatus::Confirmed) {
            return Err(CoreError::invalid("status", "only requested or confirmed bookings are uploaded"));
        }
        Ok(span)
    }
}
