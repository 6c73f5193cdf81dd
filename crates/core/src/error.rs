//! Errors of the core. Every error has a stable `code` so that the CLI, the desktop UI and
//! the server can show it without parsing text; refusals of a booking also carry a
//! message in both languages of the UI.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Why a booking (or a change to one) was refused by the rules of its resource.
/// `RefusalCode` is the same list without the details, as programs compare it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, strum::EnumDiscriminants)]
#[serde(tag = "code", rename_all = "snake_case")]
#[strum_discriminants(
    name(RefusalCode),
    derive(Serialize, Deserialize, Hash, strum::IntoStaticStr, strum::EnumString),
    serde(rename_all = "snake_case"),
    strum(serialize_all = "snake_case")
)]
#[cfg_attr(feature = "ts-rs", strum_discriminants(derive(ts_rs::TS)))]
pub enum Refusal {
    InPast,
    TooSoon {
        min_notice_min: u32,
    },
    TooFarAhead {
        horizon_days: u32,
    },
    TooShort {
        min_duration_min: u32,
    },
    TooLong {
        max_duration_min: u32,
    },
    DurationNotOffered {
        offered: Vec<u32>,
    },
    OffGrid {
        granularity_min: u32,
    },
    OutsideHours,
    Blackout {
        reason: String,
    },
    SlotTaken,
    DailyCapReached {
        cap: u32,
    },
    WeeklyCapReached {
        cap: u32,
    },
    /// The booker holds as many upcoming bookings of this resource as one person may.
    PersonalLimitReached {
        max: u32,
    },
    NotQualified {
        equipment: String,
    },
    QualificationExpired {
        equipment: String,
    },
    NotVisible,
    NotAFounder,
    PastCancellationCutoff {
        cutoff_min: u32,
    },
    WrongStatus {
        status: String,
    },
    SessionNotOver,
    /// Every seat of the office hours or group session is taken.
    SeatsFull {
        capacity: u32,
    },
    /// Feedback is given within this many days of the session's end.
    FeedbackClosed {
        days: u32,
    },
    SessionNotStarted,
    ResourceInactive,
    /// Check-in opens this many minutes before the booking starts.
    CheckInNotOpen {
        opens_min: u32,
    },
    /// The booking is over, or was released as a no-show.
    CheckInClosed,
    /// A check-in made in time reached the server after the booking was released as a
    /// no-show, and someone else had booked the time since.
    TakenAfterRelease,
    AlreadyCheckedIn,
    AlreadyCheckedOut,
    /// A walk-up books only the grid slot under way.
    NotUnderWay,
    /// Everyone the instrument can take at once is still on it (an early check-in).
    InstrumentInUse,
    /// The instrument needs the lab's approval for this person (after repeated no-shows, or
    /// always): there is no walking up to it.
    WalkUpNeedsApproval,
    /// Too many wrong PINs for this phone number at this kiosk lately.
    TooManyPinAttempts {
        retry_after_min: u32,
    },
    /// Too many wrong check-in codes at this lab's kiosk lately: codes are not to be guessed.
    TooManyCodeAttempts {
        retry_after_min: u32,
    },
    /// Every place of the event is taken.
    EventFull {
        capacity: u32,
    },
    /// The event has begun, or was cancelled: no more registering or withdrawing.
    RegistrationClosed,
    /// The call closed before the server received the application (已过申报截止时间).
    CallClosed,
    /// A correction's or a re-check's deadline has passed.
    DeadlinePassed,
    /// An application is returned for correction only once.
    ReturnedOnce,
    /// Not possible in the application's present state.
    ApplicationState {
        state: String,
        action: String,
    },
    /// The applicant meets not every eligibility rule of the call; each one unmet, named.
    Ineligible {
        zh: String,
        en: String,
    },
    /// The organisation has made as many applications to the call as it may.
    OrganisationLimit {
        max: u32,
    },
    /// The call was cancelled, or is not open yet.
    CallNotOpen,
    /// The applicant leads as many of the programme's ongoing projects as a new one allows.
    OngoingLimit {
        max: u32,
    },
}

impl Refusal {
    /// The refusal's code as the wire carries it after `refused.` (`slot_taken`).
    pub fn code(&self) -> &'static str {
        RefusalCode::from(self).into()
    }

    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Refusal::InPast => pick(zh, "该时间已经过去", "that time is in the past"),
            Refusal::TooSoon { min_notice_min } => {
                if zh {
                    format!("需至少提前 {} 预约", crate::i18n::minutes_text(*min_notice_min, lang))
                } else {
                    format!("must be booked at least {} ahead", crate::i18n::minutes_text(*min_notice_min, lang))
                }
            }
            Refusal::TooFarAhead { horizon_days } => {
                if zh {
                    format!("最多只能提前 {horizon_days} 天预约")
                } else {
                    format!("can be booked at most {horizon_days} days ahead")
                }
            }
            Refusal::TooShort { min_duration_min } => {
                if zh {
                    format!("时长不能少于 {min_duration_min} 分钟")
                } else {
                    format!("must last at least {min_duration_min} minutes")
                }
            }
            Refusal::TooLong { max_duration_min } => {
                if zh {
                    format!("时长不能超过 {max_duration_min} 分钟")
                } else {
                    format!("must last at most {max_duration_min} minutes")
                }
            }
            Refusal::DurationNotOffered { offered } => {
                let list = offered.iter().map(u32::to_string).collect::<Vec<_>>().join("/");
                if zh {
                    format!("该导师只提供 {list} 分钟的辅导")
                } else {
                    format!("this mentor offers sessions of {list} minutes only")
                }
            }
            Refusal::OffGrid { granularity_min } => {
                if zh {
                    format!("开始时间须按 {granularity_min} 分钟对齐")
                } else {
                    format!("start time must fall on a {granularity_min}-minute step")
                }
            }
            Refusal::OutsideHours => pick(zh, "不在开放时间内", "outside the published hours"),
            Refusal::Blackout { reason } => {
                if zh {
                    format!("该时段停用维护：{reason}")
                } else {
                    format!("blacked out for maintenance: {reason}")
                }
            }
            Refusal::SlotTaken => pick(zh, "该时段已被预约", "that slot is already taken"),
            Refusal::DailyCapReached { cap } => {
                if zh {
                    format!("当天预约已满（每天最多 {cap} 次）")
                } else {
                    format!("daily limit reached ({cap} per day)")
                }
            }
            Refusal::PersonalLimitReached { max } => {
                if zh {
                    format!("您在此已有 {max} 个未结束的预约，每人最多 {max} 个")
                } else {
                    format!("you already hold {max} upcoming bookings here, the most one person may")
                }
            }
            Refusal::WeeklyCapReached { cap } => {
                if zh {
                    format!("本周预约已满（每周最多 {cap} 次）")
                } else {
                    format!("weekly limit reached ({cap} per week)")
                }
            }
            Refusal::NotQualified { equipment } => {
                if zh {
                    format!("使用「{equipment}」需要先取得操作资格")
                } else {
                    format!("a qualification is needed to use {equipment}")
                }
            }
            Refusal::QualificationExpired { equipment } => {
                if zh {
                    format!("「{equipment}」的操作资格已过期")
                } else {
                    format!("your qualification for {equipment} has expired")
                }
            }
            Refusal::NotVisible => pick(zh, "该导师只对本空间成员开放", "this mentor sees members of their own makerspace only"),
            Refusal::NotAFounder => pick(zh, "只有创业者可以预约", "only founders can book"),
            Refusal::PastCancellationCutoff { cutoff_min } => {
                if zh {
                    format!("已过取消截止时间（开始前 {}）", crate::i18n::minutes_text(*cutoff_min, lang))
                } else {
                    format!("past the cancellation cutoff ({} before the start)", crate::i18n::minutes_text(*cutoff_min, lang))
                }
            }
            Refusal::WrongStatus { status } => {
                if zh {
                    format!("预约当前状态为「{}」，无法进行此操作", crate::i18n::status_label(status, lang))
                } else {
                    format!("not possible while the booking is {}", crate::i18n::status_label(status, lang))
                }
            }
            Refusal::SessionNotOver => pick(zh, "辅导结束后才能评价", "feedback opens after the session"),
            Refusal::SeatsFull { capacity } => {
                if zh {
                    format!("{capacity} 个席位已满，可以排队候补")
                } else {
                    format!("all {capacity} seats are taken; you can wait in line")
                }
            }
            Refusal::FeedbackClosed { days } => {
                if zh {
                    format!("辅导结束 {days} 天后不能再评价")
                } else {
                    format!("feedback closes {days} days after the session")
                }
            }
            Refusal::SessionNotStarted => pick(zh, "预约尚未开始", "the booking has not started yet"),
            Refusal::ResourceInactive => pick(zh, "该资源已停用", "this resource is no longer offered"),
            Refusal::CheckInNotOpen { opens_min } => {
                if zh {
                    format!("开始前 {opens_min} 分钟起才能签到")
                } else {
                    format!("check-in opens {opens_min} minutes before the start")
                }
            }
            Refusal::CheckInClosed => pick(
                zh,
                "该预约已结束或已被释放，无法签到",
                "this booking is over or was released; it can no longer be checked in",
            ),
            Refusal::TakenAfterRelease => pick(
                zh,
                "签到送达服务器时，该预约已因未到场被释放，且该时段已被他人预约",
                "the check-in reached the server after the booking was released as a no-show, and someone else had booked the time since",
            ),
            Refusal::AlreadyCheckedIn => pick(zh, "该预约已签到", "this booking is already checked in"),
            Refusal::AlreadyCheckedOut => pick(zh, "该次使用已签退", "this session is already checked out"),
            Refusal::InstrumentInUse => pick(
                zh,
                "仪器仍在被上一位使用者使用，请在其预约结束后签到",
                "the instrument is still in use; check in once the booking before yours is over",
            ),
            Refusal::NotUnderWay => pick(zh, "现场使用只能预约当前时段", "a walk-up books only the slot under way now"),
            Refusal::TooManyPinAttempts { retry_after_min } => {
                if zh {
                    format!("PIN 错误次数过多，请 {retry_after_min} 分钟后再试，或用预约上的签到码")
                } else {
                    format!("too many wrong PINs: try again in {retry_after_min} minutes, or use the code on the booking")
                }
            }
            Refusal::TooManyCodeAttempts { retry_after_min } => {
                if zh {
                    format!("本签到机签到码错误次数过多，请 {retry_after_min} 分钟后再试，或用手机号和 PIN 签到")
                } else {
                    format!(
                        "too many wrong codes at this kiosk: try again in {retry_after_min} minutes, or check in with your phone number and PIN"
                    )
                }
            }
            Refusal::WalkUpNeedsApproval => pick(
                zh,
                "该仪器需经实验室审批才能预约，不能现场直接使用",
                "this instrument needs the lab's approval for you: book it ahead instead of walking up",
            ),
            Refusal::EventFull { capacity } => {
                if zh {
                    format!("活动名额已满（共 {capacity} 个）")
                } else {
                    format!("every one of the event's {capacity} places is taken")
                }
            }
            Refusal::RegistrationClosed => {
                pick(zh, "活动已开始或已取消，不能再报名或取消报名", "the event has begun or was cancelled")
            }
            Refusal::CallClosed => pick(
                zh,
                "已过申报截止时间，申报书已保留为草稿",
                "the call has closed: the server received the application after its deadline; it is kept as a draft",
            ),
            Refusal::DeadlinePassed => {
                pick(zh, "补正或复审申请的期限已过", "the deadline for the correction or the re-check has passed")
            }
            Refusal::ReturnedOnce => pick(zh, "申报书只能退回补正一次", "an application is returned for correction only once"),
            Refusal::ApplicationState { state, action } => {
                if zh {
                    format!("申报书当前状态为「{state}」，不能执行「{action}」")
                } else {
                    format!("an application that is {state} cannot be given '{action}'")
                }
            }
            Refusal::Ineligible { zh: zh_text, en } => {
                if zh {
                    format!("不符合申报条件：{zh_text}")
                } else {
                    format!("not eligible: {en}")
                }
            }
            Refusal::OrganisationLimit { max } => {
                if zh {
                    format!("每家单位对本批次最多申报 {max} 项")
                } else {
                    format!("an organisation may make at most {max} applications to this call")
                }
            }
            Refusal::CallNotOpen => pick(zh, "该批次尚未开始受理或已撤销", "the call is not open yet, or was cancelled"),
            Refusal::OngoingLimit { max } => {
                if zh {
                    format!("申报人已主持本专项 {max} 个在研项目，不得再申报")
                } else {
                    format!("the applicant already leads {max} ongoing projects of this programme: no new one")
                }
            }
        }
    }
}

fn pick(zh: bool, zh_text: &str, en_text: &str) -> String {
    if zh { zh_text } else { en_text }.to_string()
}

/// A booking refused by the server, as the replica shows it: the reason in both languages.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

impl Rejection {
    pub fn of(error: &CoreError) -> Rejection {
        Rejection { code: error.code(), message_zh: error.message(Lang::Zh), message_en: error.message(Lang::En) }
    }

    pub fn message(&self, lang: Lang) -> &str {
        if lang == Lang::Zh { &self.message_zh } else { &self.message_en }
    }
}

/// One bad row of an imported CSV file.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// Why something could not be done. A backend's own failure (the disk, the database) comes in
/// through `From` as `Database`, kept whole so that the backend can look at it again (is it
/// worth a retry?); an I/O error as `Io`. Like `anyhow::Error`, `CoreError` is not itself a
/// `std::error::Error`: that is what lets any error convert into it with `?`.
#[derive(Debug)]
pub enum CoreError {
    Refused(Refusal),
    Invalid {
        field: &'static str,
        reason: String,
    },
    NotFound {
        entity: &'static str,
        id: String,
    },
    Forbidden(String),
    Conflict(String),
    Csv(Vec<RowError>),
    /// The district server answered with an error of its own.
    Remote {
        code: String,
        message: String,
    },
    /// The district server could not be reached; changes wait in the outbox.
    Offline(String),
    Database(StorageFailure),
    Migration(StorageFailure),
    Io(std::io::Error),
}

/// A storage backend's error, as it came.
#[derive(Debug)]
pub struct StorageFailure(Box<dyn std::error::Error + Send + Sync + 'static>);

impl StorageFailure {
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> StorageFailure {
        StorageFailure(Box::new(error))
    }

    /// The backend's error, if it is a `T` (a `rusqlite::Error`, say).
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref::<T>()
    }
}

impl std::fmt::Display for StorageFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for CoreError {
    fn from(error: E) -> CoreError {
        let boxed: Box<dyn std::error::Error + Send + Sync + 'static> = Box::new(error);
        match boxed.downcast::<std::io::Error>() {
            Ok(io) => CoreError::Io(*io),
            Err(other) => CoreError::Database(StorageFailure(other)),
        }
    }
}

impl std::fmt::Display for CoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoreError::Refused(r) => write!(f, "{}", r.message(Lang::En)),
            CoreError::Invalid { field, reason } => write!(f, "invalid {field}: {reason}"),
            CoreError::NotFound { entity, id } => write!(f, "{entity} {id} not found"),
            CoreError::Forbidden(why) => write!(f, "not allowed: {why}"),
            CoreError::Conflict(what) => write!(f, "already exists: {what}"),
            CoreError::Csv(rows) => {
                let first = rows.first();
                write!(
                    f,
                    "{} bad row(s) in the CSV file; nothing was imported; first: line {}, {}: {}",
                    rows.len(),
                    first.map(|e| e.line).unwrap_or(0),
                    first.map(|e| e.field.as_str()).unwrap_or(""),
                    first.map(|e| e.message.as_str()).unwrap_or("")
                )
            }
            CoreError::Remote { message, .. } => write!(f, "district server: {message}"),
            CoreError::Offline(why) => write!(f, "district server unreachable: {why}"),
            CoreError::Database(e) => write!(f, "database: {e}"),
            CoreError::Migration(e) => write!(f, "database migration: {e}"),
            CoreError::Io(e) => write!(f, "file: {e}"),
        }
    }
}

impl CoreError {
    /// A refusal by the booking rules of the resource (a taken slot, a blackout, a cap …),
    /// as opposed to one about who may book there at all, or a malformed request: a refused
    /// occurrence of a series may be skipped, and a refused new booking is kept declined.
    pub fn is_rule_refusal(&self) -> bool {
        matches!(self, CoreError::Refused(r) if !matches!(r, Refusal::NotVisible | Refusal::NotAFounder))
    }

    /// The error's code, as the UI compares it.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            CoreError::Refused(r) => ErrorCode::Refused { reason: RefusalCode::from(r) },
            CoreError::Invalid { field, .. } => ErrorCode::invalid(field),
            CoreError::NotFound { entity, .. } => ErrorCode::not_found(entity),
            CoreError::Forbidden(_) => ErrorCode::Forbidden,
            CoreError::Conflict(_) => ErrorCode::Conflict,
            CoreError::Csv(_) => ErrorCode::invalid("csv"),
            CoreError::Remote { code, .. } => ErrorCode::parse(code),
            CoreError::Offline(_) => ErrorCode::Offline,
            CoreError::Database(_) => ErrorCode::Database,
            CoreError::Migration(_) => ErrorCode::Migration,
            CoreError::Io(_) => ErrorCode::Io,
        }
    }

    /// The code as the wire carries it (`refused.slot_taken`).
    pub fn code(&self) -> String {
        self.error_code().to_string()
    }

    /// The message for a person reading the given language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            CoreError::Refused(r) => r.message(lang),
            other => other.to_string(),
        }
    }

    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        CoreError::Invalid { field, reason: reason.into() }
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        CoreError::NotFound { entity, id: id.into() }
    }
}

impl From<Refusal> for CoreError {
    fn from(r: Refusal) -> Self {
        CoreError::Refused(r)
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// What went wrong, as a program reads it: the desktop's UI compares these (typed, generated
/// into TypeScript), the HTTP API and the sync protocol carry them as the dotted text of
/// `Display` (`refused.slot_taken`, `invalid.start`, `not_found.booking`, `forbidden`), which
/// `parse` reads back. Every code any part of Incubook gives is one of these.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorCode {
    /// A booking rule said no.
    Refused {
        reason: RefusalCode,
    },
    /// A field of the request is wrong (`field` names it; empty when the request as a whole is).
    Invalid {
        field: String,
    },
    NotFound {
        entity: String,
    },
    Forbidden,
    Conflict,
    /// The district server wants a (new) sign-in.
    Unauthorized,
    /// The district server asks the caller to wait (`Retry-After`).
    TooManyRequests,
    /// The district server could not be reached; changes wait in the outbox.
    Offline,
    BadRequest,
    TooLarge,
    Unsupported,
    Database,
    Migration,
    Io,
    Internal,
    /// The desktop's database is in use by another request.
    Busy,
    /// The desktop has no profile chosen yet.
    NoProfile,
    /// A code this version does not know (a newer server's), as it came.
    Other {
        code: String,
    },
}

impl ErrorCode {
    pub fn invalid(field: &str) -> ErrorCode {
        ErrorCode::Invalid { field: field.to_string() }
    }

    pub fn not_found(entity: &str) -> ErrorCode {
        ErrorCode::NotFound { entity: entity.to_string() }
    }

    /// The code from its dotted text; a text this version does not know is kept as `Other`.
    pub fn parse(text: &str) -> ErrorCode {
        let (head, tail) = text.split_once('.').map_or((text, None), |(h, t)| (h, Some(t)));
        match (head, tail) {
            ("refused", Some(reason)) => match reason.parse::<RefusalCode>() {
                Ok(reason) => ErrorCode::Refused { reason },
                Err(_) => ErrorCode::Other { code: text.to_string() },
            },
            ("invalid", field) => ErrorCode::invalid(field.unwrap_or_default()),
            ("not_found", entity) => ErrorCode::not_found(entity.unwrap_or_default()),
            ("sync", Some("offline")) => ErrorCode::Offline,
            ("database", Some("migration")) => ErrorCode::Migration,
            (_, None) => match head {
                "forbidden" => ErrorCode::Forbidden,
                "conflict" => ErrorCode::Conflict,
                "unauthorized" => ErrorCode::Unauthorized,
                "too_many_requests" => ErrorCode::TooManyRequests,
                "bad_request" => ErrorCode::BadRequest,
                "too_large" => ErrorCode::TooLarge,
                "unsupported" => ErrorCode::Unsupported,
                "database" => ErrorCode::Database,
                "io" => ErrorCode::Io,
                "internal" => ErrorCode::Internal,
                "busy" => ErrorCode::Busy,
                "no_profile" => ErrorCode::NoProfile,
                _ => ErrorCode::Other { code: text.to_string() },
            },
            _ => ErrorCode::Other { code: text.to_string() },
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dotted = |f: &mut std::fmt::Formatter<'_>, head: &str, tail: &str| {
            if tail.is_empty() { write!(f, "{head}") } else { write!(f, "{head}.{tail}") }
        };
        match self {
            ErrorCode::Refused { reason } => write!(f, "refused.{}", <&'static str>::from(reason)),
            ErrorCode::Invalid { field } => dotted(f, "invalid", field),
            ErrorCode::NotFound { entity } => dotted(f, "not_found", entity),
            ErrorCode::Forbidden => write!(f, "forbidden"),
            ErrorCode::Conflict => write!(f, "conflict"),
            ErrorCode::Unauthorized => write!(f, "unauthorized"),
            ErrorCode::TooManyRequests => write!(f, "too_many_requests"),
            ErrorCode::Offline => write!(f, "sync.offline"),
            ErrorCode::BadRequest => write!(f, "bad_request"),
            ErrorCode::TooLarge => write!(f, "too_large"),
            ErrorCode::Unsupported => write!(f, "unsupported"),
            ErrorCode::Database => write!(f, "database"),
            ErrorCode::Migration => write!(f, "database.migration"),
            ErrorCode::Io => write!(f, "io"),
            ErrorCode::Internal => write!(f, "internal"),
            ErrorCode::Busy => write!(f, "busy"),
            ErrorCode::NoProfile => write!(f, "no_profile"),
            ErrorCode::Other { code } => write!(f, "{code}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code reads back as itself from the text the wire carries, so a client and a
    /// server of the same version agree on every code.
    #[test]
    fn every_code_reads_back_from_its_text() {
        let refusals = [
            Refusal::InPast,
            Refusal::SlotTaken,
            Refusal::PersonalLimitReached { max: 2 },
            Refusal::DailyCapReached { cap: 1 },
            Refusal::NotAFounder,
        ];
        let mut codes: Vec<ErrorCode> = refusals.iter().map(|r| CoreError::Refused(r.clone()).error_code()).collect();
        codes.extend([
            ErrorCode::invalid("start"),
            ErrorCode::invalid(""),
            ErrorCode::not_found("booking"),
            ErrorCode::Forbidden,
            ErrorCode::Conflict,
            ErrorCode::Unauthorized,
            ErrorCode::TooManyRequests,
            ErrorCode::Offline,
            ErrorCode::BadRequest,
            ErrorCode::TooLarge,
            ErrorCode::Unsupported,
            ErrorCode::Database,
            ErrorCode::Migration,
            ErrorCode::Io,
            ErrorCode::Internal,
            ErrorCode::Busy,
            ErrorCode::NoProfile,
            ErrorCode::Other { code: "refused.a_rule_of_tomorrow".into() },
        ]);
        for code in codes {
            assert_eq!(ErrorCode::parse(&code.to_string()), code, "{code}");
        }
        assert_eq!(CoreError::Refused(Refusal::SlotTaken).code(), "refused.slot_taken");
        assert_eq!(ErrorCode::parse("invalid.server_url"), ErrorCode::invalid("server_url"));
    }
}
