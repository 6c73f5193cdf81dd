//! Errors of the core. Every error has a stable `code` so that the CLI, the desktop UI and
//! the server can show it without parsing text; refusals of a booking also carry a
//! message in both languages of the UI.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Why a booking (or a change to one) was refused by the rules of its resource.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    InPast,
    TooSoon { min_notice_min: u32 },
    TooFarAhead { horizon_days: u32 },
    TooShort { min_duration_min: u32 },
    TooLong { max_duration_min: u32 },
    DurationNotOffered { offered: Vec<u32> },
    OffGrid { granularity_min: u32 },
    OutsideHours,
    Blackout { reason: String },
    SlotTaken,
    DailyCapReached { cap: u32 },
    WeeklyCapReached { cap: u32 },
    NotQualified { equipment: String },
    QualificationExpired { equipment: String },
    NotVisible,
    NotAFounder,
    PastCancellationCutoff { cutoff_min: u32 },
    WrongStatus { status: String },
    SessionNotOver,
    SessionNotStarted,
    ResourceInactive,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::InPast => "in_past",
            Refusal::TooSoon { .. } => "too_soon",
            Refusal::TooFarAhead { .. } => "too_far_ahead",
            Refusal::TooShort { .. } => "too_short",
            Refusal::TooLong { .. } => "too_long",
            Refusal::DurationNotOffered { .. } => "duration_not_offered",
            Refusal::OffGrid { .. } => "off_grid",
            Refusal::OutsideHours => "outside_hours",
            Refusal::Blackout { .. } => "blackout",
            Refusal::SlotTaken => "slot_taken",
            Refusal::DailyCapReached { .. } => "daily_cap_reached",
            Refusal::WeeklyCapReached { .. } => "weekly_cap_reached",
            Refusal::NotQualified { .. } => "not_qualified",
            Refusal::QualificationExpired { .. } => "qualification_expired",
            Refusal::NotVisible => "not_visible",
            Refusal::NotAFounder => "not_a_founder",
            Refusal::PastCancellationCutoff { .. } => "past_cancellation_cutoff",
            Refusal::WrongStatus { .. } => "wrong_status",
            Refusal::SessionNotOver => "session_not_over",
            Refusal::SessionNotStarted => "session_not_started",
            Refusal::ResourceInactive => "resource_inactive",
        }
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
            Refusal::SessionNotStarted => pick(zh, "预约尚未开始", "the booking has not started yet"),
            Refusal::ResourceInactive => pick(zh, "该资源已停用", "this resource is no longer offered"),
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

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{}", .0.message(Lang::En))]
    Refused(Refusal),
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("{} bad row(s) in the CSV file; nothing was imported; first: line {}, {}: {}", .0.len(), .0.first().map(|e| e.line).unwrap_or(0), .0.first().map(|e| e.field.as_str()).unwrap_or(""), .0.first().map(|e| e.message.as_str()).unwrap_or(""))]
    Csv(Vec<RowError>),
    /// The district server answered with an error of its own.
    #[error("district server: {message}")]
    Remote { code: String, message: String },
    /// The district server could not be reached; changes wait in the outbox.
    #[error("district server unreachable: {0}")]
    Offline(String),
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
}

impl CoreError {
    /// Errors that say nothing about what was asked (a busy or broken disk): a sync push
    /// stops and the client retries later. Everything else fails the same way every time.
    pub fn is_transient(&self) -> bool {
        match self {
            CoreError::Database(rusqlite::Error::SqliteFailure(e, _)) => {
                !matches!(e.code, rusqlite::ErrorCode::ConstraintViolation | rusqlite::ErrorCode::TypeMismatch)
            }
            CoreError::Database(_) | CoreError::Io(_) | CoreError::Migration(_) => true,
            _ => false,
        }
    }

    pub fn code(&self) -> String {
        match self {
            CoreError::Refused(r) => format!("refused.{}", r.code()),
            CoreError::Invalid { field, .. } => format!("invalid.{field}"),
            CoreError::NotFound { entity, .. } => format!("not_found.{entity}"),
            CoreError::Forbidden(_) => "forbidden".into(),
            CoreError::Conflict(_) => "conflict".into(),
            CoreError::Csv(_) => "invalid.csv".into(),
            CoreError::Remote { code, .. } => code.clone(),
            CoreError::Offline(_) => "sync.offline".into(),
            CoreError::Database(_) => "database".into(),
            CoreError::Migration(_) => "database.migration".into(),
            CoreError::Io(_) => "io".into(),
        }
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
