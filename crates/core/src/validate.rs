//! Leaf checks of what a person typed — lengths, control characters, times within the window
//! any change may name, known tags and languages — shared by every command's validation, so
//! that each field is refused for the same reason wherever it arrives.

use chrono::{DateTime, Utc};

use crate::domain::{self, BlackoutWhen, DateOverride, WeeklyHours};
use crate::error::{CoreError, Result};
use crate::i18n;
use crate::interval::Span;

/// A date override's fields, before anything is read.
pub fn validate_date_override(id: &str, o: &DateOverride, note: &str, now: i64) -> Result<()> {
    domain::validate_day_minutes(o.start_min, o.end_min)?;
    domain::check_date("date", o.date, now)?;
    check_text("note", note, 200, false)?;
    check_text("override_id", id, 64, true)
}

/// A qualification's expiry: ahead of now, and within the window any change may name.
pub fn validate_expiry(expires_at: Option<DateTime<Utc>>, now: i64) -> Result<()> {
    let Some(at) = expires_at.map(|e| e.timestamp()) else { return Ok(()) };
    if at <= now {
        return Err(CoreError::invalid("expires_at", "the expiry is already past"));
    }
    domain::check_instant("expires_at", at, now)
}

/// A blackout's times and reason, before anything is written.
pub fn validate_blackout(when: &BlackoutWhen, reason: &str, now: i64) -> Result<()> {
    check_text("reason", reason, 200, false)?;
    match *when {
        BlackoutWhen::Once { start, end } => {
            domain::check_instant("start", start, now)?;
            domain::check_instant("end", end, now)?;
            if end <= start {
                return Err(CoreError::invalid("end", "the blackout ends before it starts"));
            }
            if end - start > 366 * 86_400 {
                return Err(CoreError::invalid("end", "a one-off blackout lasts at most a year"));
            }
            Ok(())
        }
        BlackoutWhen::Weekly { weekday, start_min, end_min, from, until } => {
            WeeklyHours { weekday, start_min, end_min }.validate()?;
            domain::check_date("from", from, now)?;
            if let Some(until) = until {
                domain::check_date("until", until, now)?;
                if until < from {
                    return Err(CoreError::invalid("until", "the last date is before the first"));
                }
            }
            Ok(())
        }
    }
}

/// A new booking's times and topic, before any rule is looked at: the span is bounded here,
/// before anything walks the calendar for it, so no request costs more than a week's rules.
pub fn validate_request(start: DateTime<Utc>, end: DateTime<Utc>, topic: &str, now: i64) -> Result<Span> {
    check_text("topic", topic, 500, false)?;
    let (start, end) = (start.timestamp(), end.timestamp());
    domain::check_instant("start", start, now)?;
    domain::check_instant("end", end, now)?;
    if end <= start {
        return Err(CoreError::invalid("end", "the booking ends before it starts"));
    }
    if end - start > i64::from(domain::MAX_DURATION_MIN) * 60 {
        return Err(CoreError::invalid("end", "a booking lasts at most 7 days"));
    }
    Ok(Span::new(start, end))
}

pub fn check_text(field: &'static str, text: &str, max_chars: usize, required: bool) -> Result<()> {
    if required && text.trim().is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(CoreError::invalid(field, format!("must be at most {max_chars} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(CoreError::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

pub fn validate_hours(hours: &[WeeklyHours]) -> Result<()> {
    hours.iter().try_for_each(WeeklyHours::validate)
}

pub fn clean_list(field: &'static str, values: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        check_text(field, v, 40, true)?;
        let v = v.trim().to_string();
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Expertise tags may be given by key or by label in either language; unknown ones are an error.
pub fn tag_keys(tags: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for t in tags {
        let key = i18n::expertise_key(t).ok_or_else(|| CoreError::invalid("tags", format!("unknown expertise '{t}'")))?;
        if !out.iter().any(|k: &String| k == key) {
            out.push(key.to_string());
        }
    }
    Ok(out)
}

pub fn language_codes(languages: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for l in languages {
        let code = i18n::language_code(l).ok_or_else(|| CoreError::invalid("languages", format!("unknown language '{l}'")))?;
        if !out.iter().any(|c: &String| c == code) {
            out.push(code.to_string());
        }
    }
    Ok(out)
}

/// A kiosk PIN as its owner types it: 4 to 6 digits (only its hash leaves the machine).
pub fn check_kiosk_pin(pin: &str) -> Result<&str> {
    let pin = pin.trim();
    if (4..=6).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(pin)
    } else {
        Err(CoreError::invalid("pin", "a kiosk PIN is 4 to 6 digits (签到 PIN 为 4–6 位数字)"))
    }
}

pub fn check_code(code: &str) -> Result<()> {
    let ok = !code.is_empty() && code.len() <= 20 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok { Ok(()) } else { Err(CoreError::invalid("code", "use letters, digits and '-', like PD-0012")) }
}

/// The argon2 parameters of every secret the app hashes (server passwords, kiosk PINs):
/// argon2id, version 19, 19 MiB, two passes, one lane — the argon2 crate's defaults.
pub const SECRET_HASH_PARAMS: &str = "m=19456,t=2,p=1";

/// A PHC string as the app makes it: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, salt
/// and hash in unpadded base64. Any other cost is refused before anything verifies against
/// it: a hash with `t = 2³²−1` would hold whoever checks it for years (review N5).
pub fn check_secret_hash(field: &'static str, phc: &str) -> Result<()> {
    let parts: Vec<&str> = phc.split('$').collect();
    let b64 = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    };
    let ok = matches!(parts.as_slice(), ["", "argon2id", "v=19", params, salt, hash]
        if *params == SECRET_HASH_PARAMS && b64(salt, 11..=64) && b64(hash, 22..=86));
    if ok { Ok(()) } else { Err(CoreError::invalid(field, "is not a secret hashed as the app hashes them")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kiosk_pin_is_four_to_six_digits() {
        assert_eq!(check_kiosk_pin(" 1234 ").ok(), Some("1234"));
        assert_eq!(check_kiosk_pin("123456").ok(), Some("123456"));
        for wrong in ["123", "1234567", "12a4", "１２３４", ""] {
            assert!(check_kiosk_pin(wrong).is_err(), "{wrong:?}");
        }
    }
}
