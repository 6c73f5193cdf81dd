//! Machine hours at the command line: check in and out at an instrument, list its usage
//! sessions, set its rates and check-in rules, and release no-shows on a desktop of its own.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use incubook::indicators::{GroupBy, indicators_csv, indicators_xlsx};
use incubook::store::{Store, UsageSession};
use incubook::usage::{ChargeBasis, Purpose, Rates, UsageRules};
use incubook::{CoreError, Result};

use crate::output::{DISTRICT_TZ, Output};

#[derive(Subcommand, Debug)]
pub enum UsageCommand {
    /// Check in to an instrument's booking: its usage session starts now. At the lab's kiosk,
    /// by the six-digit code on the booking (--code) or by phone number and PIN (--phone,
    /// --pin), with --lab
    CheckIn {
        /// The booking, by its id
        booking_id: Option<String>,
        /// The six-digit code printed on the booking (at the kiosk)
        #[arg(long, conflicts_with_all = ["booking_id", "phone"], requires = "lab")]
        code: Option<String>,
        /// The phone number of the person checking in (at the kiosk, with --pin)
        #[arg(long, conflicts_with = "booking_id", requires_all = ["pin", "lab"])]
        phone: Option<String>,
        /// Their kiosk PIN
        #[arg(long, requires = "phone")]
        pin: Option<String>,
        /// The lab whose kiosk this is, by id
        #[arg(long)]
        lab: Option<String>,
        /// What for: research, testing, teaching, certification, commercial_inspection or bulk_inspection
        #[arg(long, default_value = "testing")]
        purpose: String,
        /// How many samples
        #[arg(long, default_value_t = 0)]
        samples: u32,
        /// Who is acting (the booker, or a lab manager for them), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Check out: the session ends now and is charged
    CheckOut {
        /// The usage session, by its id
        session_id: String,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// An instrument's usage sessions that started between two dates (both included)
    Usage {
        /// The equipment, by its resource id
        resource_id: String,
        /// First date, like 2026-12-01
        #[arg(long)]
        from: String,
        /// Last date, like 2026-12-07
        #[arg(long)]
        to: String,
    },
    /// Correct a closed usage session (a lab manager, with a reason); the values before stay in the audit log
    CorrectUsage {
        /// The usage session, by its id
        session_id: String,
        /// When it really began: RFC 3339 or a local time (2026-12-03 09:00)
        #[arg(long)]
        start: String,
        /// When it really ended
        #[arg(long)]
        end: String,
        /// What for: research, testing, teaching, certification, commercial_inspection or bulk_inspection
        #[arg(long, default_value = "testing")]
        purpose: String,
        /// How many samples
        #[arg(long, default_value_t = 0)]
        samples: u32,
        /// Yuan of the fee waived
        #[arg(long, default_value = "0")]
        waive: String,
        /// Why (required)
        #[arg(long)]
        reason: String,
        /// Who is acting (a lab manager), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Show an instrument's rates, or set them (yuan per hour)
    Rates(RatesArgs),
    /// Release the bookings nobody checked in to in time and close sessions nobody checked
    /// out of (a desktop connected to a district server leaves this to the server)
    ReleaseNoShows,
    /// The sharing figures of a period (有效工作机时, 对外服务机时, 共享率, income, users…)
    Indicators {
        /// First date, like 2026-01-01
        #[arg(long)]
        from: String,
        /// Last date, like 2026-12-31
        #[arg(long)]
        to: String,
        /// One row per instrument, lab or makerspace
        #[arg(long, default_value = "instrument")]
        by: String,
        /// CSV for Excel instead of a table
        #[arg(long)]
        csv: bool,
        /// Also write the figures to this XLSX file
        #[arg(long, value_name = "FILE")]
        xlsx: Option<std::path::PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct RatesArgs {
    /// The equipment, by its resource id
    resource_id: String,
    /// Yuan per hour for members of the instrument's makerspace
    #[arg(long)]
    internal: Option<String>,
    /// Yuan per hour for members of other makerspaces
    #[arg(long)]
    external: Option<String>,
    /// Yuan per hour for companies
    #[arg(long)]
    enterprise: Option<String>,
    /// Charge the hours used (actual) or the hours booked (booked)
    #[arg(long)]
    basis: Option<String>,
    /// The least a session is charged, in yuan
    #[arg(long)]
    minimum: Option<String>,
    /// Charged time is rounded up to this many minutes
    #[arg(long)]
    rounding: Option<u32>,
    /// Check-in opens this many minutes before the start
    #[arg(long)]
    check_in_opens: Option<u32>,
    /// A booking nobody checked in to is released this many minutes after its start (0: never)
    #[arg(long)]
    no_show_after: Option<u32>,
    /// A session nobody checked out of is closed (and flagged) this many minutes after its booking ends
    #[arg(long)]
    close_grace: Option<u32>,
    /// After this many no-shows in 90 days a person books only with the lab's approval (0: never)
    #[arg(long)]
    approval_after_no_shows: Option<u32>,
    /// Who is acting (a lab manager), by person id; needed to set
    #[arg(long = "as", value_name = "PERSON_ID")]
    actor: Option<String>,
}

/// Yuan as typed ("120", "99.5", "0.01") in fen, exactly: no floating point on the way.
pub fn fen_of(field: &'static str, text: &str) -> Result<i64> {
    let bad = || CoreError::invalid(field, format!("{text:?} is not an amount in yuan, like 120 or 99.50"));
    let (whole, cents) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if whole.is_empty()
        || cents.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !cents.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = if cents.is_empty() { 0 } else { format!("{cents:0<2}").parse().map_err(|_| bad())? };
    whole.checked_mul(100).and_then(|f| f.checked_add(cents)).ok_or_else(bad)
}

pub fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

pub fn purpose_of(text: &str) -> Result<Purpose> {
    text.parse().map_err(|_| {
        CoreError::invalid("purpose", "one of research, testing, teaching, certification, commercial_inspection, bulk_inspection")
    })
}

pub fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&DISTRICT_TZ).format("%Y-%m-%d %H:%M").to_string()
}

pub fn session_line(out: &Output, s: &UsageSession) -> String {
    let end = s.ended_at.map_or_else(|| out.t("进行中", "running").to_string(), local);
    let class: &str = s.user_class.into();
    format!("{}  {} → {}  {class}  {}  {}", s.id, local(s.started_at), end, yuan(s.fee_fen), s.booking_id)
}

pub fn run(store: &mut Store, command: &UsageCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    match command {
        UsageCommand::CheckIn { booking_id, code, phone, pin, lab, purpose, samples, actor } => {
            let purpose = purpose_of(purpose)?;
            let lab = || lab.as_deref().ok_or_else(|| CoreError::invalid("lab", "the kiosk's lab: --lab LAB_ID"));
            let session = match (booking_id, code, phone.as_deref().zip(pin.as_deref())) {
                (Some(id), None, None) => store.check_in(actor, id, purpose, *samples, now)?,
                (None, Some(code), None) => store.check_in_by_code(actor, lab()?, code, purpose, now)?,
                (None, None, Some(by_pin)) => store.check_in_by_pin(actor, lab()?, by_pin, purpose, now)?,
                _ => {
                    return Err(CoreError::invalid(
                        "booking_id",
                        "name the booking, or give its --code, or --phone and --pin, with --lab",
                    ));
                }
            };
            out.show(&session, || format!("{} {}", out.t("已签到：", "checked in:"), session_line(out, &session)))
        }
        UsageCommand::CheckOut { session_id, actor } => {
            let session = store.check_out(actor, session_id, now)?;
            out.show(&session, || format!("{} {}", out.t("已签退：", "checked out:"), session_line(out, &session)))
        }
        UsageCommand::Usage { resource_id, from, to } => {
            let range =
                incubook::report::range_of(incubook::domain::parse_date("from", from)?, incubook::domain::parse_date("to", to)?)?;
            let (from, to) = (incubook::domain::to_utc(range.start), incubook::domain::to_utc(range.end));
            let sessions = store.usage_sessions(resource_id, from, to)?;
            out.show(&sessions, || sessions.iter().map(|s| session_line(out, s)).collect::<Vec<_>>().join("\n"))
        }
        UsageCommand::CorrectUsage { session_id, start, end, purpose, samples, waive, reason, actor } => {
            let instant = |field, text: &str| -> Result<DateTime<Utc>> {
                Ok(incubook::domain::to_utc(incubook::domain::parse_local_instant(field, text, DISTRICT_TZ)?))
            };
            let correction = incubook::command::Command::CorrectSession {
                session_id: session_id.clone(),
                started_at: instant("start", start)?,
                ended_at: instant("end", end)?,
                purpose: purpose_of(purpose)?,
                samples: *samples,
                waived_fen: fen_of("waive", waive)?,
                reason: reason.clone(),
            };
            let session = store.correct_session(actor, &correction, now)?;
            out.show(&session, || format!("{} {}", out.t("已更正：", "corrected:"), session_line(out, &session)))
        }
        UsageCommand::Rates(args) => rates(store, args, out, now),
        UsageCommand::Indicators { from, to, by, csv, xlsx } => {
            let (from, to, by) =
                (incubook::domain::parse_date("from", from)?, incubook::domain::parse_date("to", to)?, GroupBy::parse(by)?);
            // The JSON lists the sessions behind each figure; a table or a file does not.
            let report = if out.json {
                store.indicators_with_sessions(from, to, by, now)?
            } else {
                store.indicators(from, to, by, now)?
            };
            if let Some(path) = xlsx {
                std::fs::write(path, indicators_xlsx(&report, out.lang)?)?;
            }
            let text = indicators_csv(&report, out.lang)?;
            if *csv { crate::commands::print_csv(&text) } else { out.show(&report, || crate::commands::csv_as_table(&text)) }
        }
        UsageCommand::ReleaseNoShows => {
            if store.sync_status()?.is_some() {
                return Err(CoreError::invalid("release", "this database syncs with a district server, which releases no-shows"));
            }
            let swept = store.sweep_usage(now)?;
            let value = serde_json::json!({"released": swept.released, "closed": swept.closed});
            out.show(&value, || {
                format!(
                    "{} {} · {} {}",
                    out.t("释放未签到预约：", "no-shows released:"),
                    swept.released.len(),
                    out.t("自动签退：", "sessions closed:"),
                    swept.closed.len()
                )
            })
        }
    }
}

#[derive(serde::Serialize)]
struct Terms {
    rates: Rates,
    usage_rules: UsageRules,
}

fn rates(store: &mut Store, a: &RatesArgs, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let mut rates = store.rates(&a.resource_id)?;
    let mut rules = store.usage_rules(&a.resource_id)?;
    let before = (rates.clone(), rules.clone());
    if let Some(v) = &a.internal {
        rates.internal_fen_per_hour = fen_of("internal", v)?;
    }
    if let Some(v) = &a.external {
        rates.external_fen_per_hour = fen_of("external", v)?;
    }
    if let Some(v) = &a.enterprise {
        rates.enterprise_fen_per_hour = fen_of("enterprise", v)?;
    }
    if let Some(v) = &a.minimum {
        rates.minimum_fen = fen_of("minimum", v)?;
    }
    if let Some(v) = &a.basis {
        rates.basis = match v.as_str() {
            "actual" => ChargeBasis::Actual,
            "booked" => ChargeBasis::Booked,
            _ => return Err(CoreError::invalid("basis", "actual or booked")),
        };
    }
    if let Some(v) = a.rounding {
        rates.rounding_min = v;
    }
    if let Some(v) = a.check_in_opens {
        rules.check_in_opens_min = v;
    }
    if let Some(v) = a.no_show_after {
        rules.no_show_after_min = v;
    }
    if let Some(v) = a.close_grace {
        rules.close_grace_min = v;
    }
    if let Some(v) = a.approval_after_no_shows {
        rules.approval_after_no_shows = v;
    }
    if (rates.clone(), rules.clone()) != before {
        let actor = a.actor.as_deref().ok_or_else(|| CoreError::invalid("as", "say who sets the rates with --as"))?;
        if rates != before.0 {
            store.set_rates(actor, &a.resource_id, &rates, now)?;
        }
        if rules != before.1 {
            store.set_usage_rules(actor, &a.resource_id, &rules, now)?;
        }
    }
    let terms = Terms { rates, usage_rules: rules };
    out.show(&terms, || {
        let r = &terms.rates;
        format!(
            "{} {}/h · {} {}/h · {} {}/h · {} {} · {} {} min\n{} {} min · {} {} min",
            out.t("本空间", "internal"),
            yuan(r.internal_fen_per_hour),
            out.t("区内其他空间", "external"),
            yuan(r.external_fen_per_hour),
            out.t("企业", "enterprise"),
            yuan(r.enterprise_fen_per_hour),
            out.t("最低收费", "minimum"),
            yuan(r.minimum_fen),
            out.t("计费取整", "rounding"),
            r.rounding_min,
            out.t("提前签到", "check-in opens"),
            terms.usage_rules.check_in_opens_min,
            out.t("未签到释放", "no-show after"),
            terms.usage_rules.no_show_after_min,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::fen_of;

    #[test]
    fn yuan_become_fen_exactly() {
        assert_eq!(fen_of("x", "120").ok(), Some(12_000));
        assert_eq!(fen_of("x", "99.5").ok(), Some(9_950));
        assert_eq!(fen_of("x", "0.01").ok(), Some(1));
        for bad in ["", "-1", "1.234", "1e3", "¥5", "1.2.3"] {
            assert!(fen_of("x", bad).is_err(), "{bad}");
        }
    }
}
