//! `incubook`: the command line of the Incubook core, for admins, scripts and kiosks.
//! It opens the same database as the desktop app unless `--data-dir` says otherwise.

mod call_commands;
mod code_commands;
mod commands;
mod event_commands;
mod hours_commands;
mod instrument_commands;
mod office_commands;
mod output;
mod place_commands;
mod series_commands;
mod startup_commands;
mod sync_commands;
mod usage_commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use incubook::command::SeriesScope;
use incubook::i18n::Lang;
use incubook::recurrence::{Day, Frequency};

#[derive(Parser, Debug)]
#[command(name = "incubook", version, about = "众创预约 Incubook — shared mentors and lab equipment of a district")]
struct Cli {
    /// Directory of the database (default: the platform's data directory, shared with the desktop app)
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Machine-readable output; failures print {"code", "message"} on stderr
    #[arg(long, global = true)]
    json: bool,
    /// Language of messages: zh-CN (default) or en; otherwise taken from $LANG
    #[arg(long, global = true, value_name = "LOCALE")]
    locale: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load a sample district into an empty database
    Demo {
        /// Size of the sample: year (a small district with a year of instrument use), small
        /// (the same without that year) or district (the benchmark load)
        #[arg(long, default_value = "year")]
        scale: String,
        /// Seed of the sample, for the same district every time
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Do nothing (and succeed) when the database already has data
        #[arg(long)]
        if_empty: bool,
    },
    /// Makerspaces of the district
    Makerspaces,
    /// People and their roles
    People {
        /// Only people with this role: founder, mentor, lab_manager or space_admin
        #[arg(long)]
        role: Option<String>,
        /// Only this makerspace, by its code (like PD-0001)
        #[arg(long)]
        makerspace: Option<String>,
        /// Who is looking, by person id: a space admin sees the phone and email of their
        /// makerspace's people
        #[arg(long = "as", value_name = "PERSON_ID")]
        viewer: Option<String>,
    },
    /// Find mentors, soonest free first
    Mentors(MentorArgs),
    /// Labs (public technology platforms)
    Labs {
        /// Only this makerspace, by its code (like PD-0001)
        #[arg(long)]
        makerspace: Option<String>,
    },
    /// Equipment of the labs
    Equipment {
        /// Only this lab, by its id
        #[arg(long)]
        lab: Option<String>,
        /// Only this category of equipment (like 3D打印)
        #[arg(long)]
        category: Option<String>,
        /// Only this makerspace, by its code (like PD-0001)
        #[arg(long)]
        makerspace: Option<String>,
    },
    /// Free slots of a mentor or equipment between two dates (both included)
    Slots {
        /// The mentor or equipment, by its resource id
        resource_id: String,
        /// First date, like 2026-12-01
        #[arg(long)]
        from: String,
        /// Last date, like 2026-12-07
        #[arg(long)]
        to: String,
        /// Length in minutes
        #[arg(long)]
        minutes: Option<u32>,
    },
    /// Book a slot
    Book {
        /// The mentor or equipment, by its resource id
        resource_id: String,
        /// Start: a local time in the resource's zone (2026-12-03 09:00) or RFC 3339 (2026-12-03T01:00:00Z)
        #[arg(long)]
        start: String,
        /// Length in minutes
        #[arg(long, allow_negative_numbers = true)]
        minutes: i64,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
        /// What the session is about
        #[arg(long, default_value = "")]
        topic: String,
        /// A mentor session: in_person, online or phone (the mentor's default place for it
        /// comes with it)
        #[arg(long)]
        format: Option<incubook::place::SessionFormat>,
        #[command(flatten)]
        repeat: RepeatArgs,
    },
    /// Give one mentor session a place of its own (the mentor or their space admin)
    Place {
        /// The booking, by its id
        booking_id: String,
        #[command(flatten)]
        place: place_commands::PlaceArgs,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// A mentor's default place for a format (with place flags), or their defaults
    Places {
        /// The mentor, by their resource id
        mentor_id: String,
        #[command(flatten)]
        place: place_commands::PlaceArgs,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Approve a request
    Approve(Decision),
    /// Decline a request (with --reason)
    Decline(Decision),
    /// Cancel a booking
    Cancel(Decision),
    /// Mark a session completed
    Complete(Decision),
    /// Mark a no-show
    NoShow(Decision),
    /// Move a booking to a new time
    Reschedule {
        /// The booking, by its id
        booking_id: String,
        /// Start: a local time in the resource's zone (2026-12-03 09:00) or RFC 3339 (2026-12-03T01:00:00Z)
        #[arg(long)]
        start: String,
        /// Length in minutes
        #[arg(long, allow_negative_numbers = true)]
        minutes: i64,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
        /// Of a repeating booking, move this one and the following, or all not yet begun
        #[arg(long, value_name = "following|all")]
        series: Option<SeriesScope>,
    },
    /// A person's bookings (and, for a mentor, the sessions booked with them)
    Bookings {
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Requests waiting for a mentor's or lab manager's decision
    Requests {
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Rate a finished session (1–5) within a week: a founder the session, a mentor how the
    /// founder's startup is doing
    Feedback {
        /// The booking, by its id
        booking_id: String,
        /// 1 (poor) to 5 (excellent)
        #[arg(long)]
        rating: u8,
        /// A few words for the other side
        #[arg(long, default_value = "")]
        comment: String,
        /// After a pair's first session: whether the pairing fits (fits or does-not-fit)
        #[arg(long)]
        pairing: Option<Pairing>,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Wait for a taken slot; a cancellation there notifies you
    Waitlist {
        /// The mentor or equipment, by its resource id
        resource_id: String,
        /// Start: a local time in the resource's zone (2026-12-03 09:00) or RFC 3339 (2026-12-03T01:00:00Z)
        #[arg(long)]
        start: String,
        /// Length in minutes
        #[arg(long, allow_negative_numbers = true)]
        minutes: i64,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// A person's notifications
    Notifications {
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Add a maintenance blackout (reports the bookings it hits)
    Blackout {
        /// The mentor or equipment, by its resource id
        resource_id: String,
        /// Start: a local time in the resource's zone (2026-12-03 09:00) or RFC 3339 (2026-12-03T01:00:00Z)
        #[arg(long)]
        start: String,
        /// End: a local time in the resource's zone (2026-12-03 18:00) or RFC 3339
        #[arg(long)]
        end: String,
        /// Why (needed to decline, or for an owner to cancel)
        #[arg(long, default_value = "")]
        reason: String,
        /// Only show the bookings it would hit
        #[arg(long, conflicts_with = "cancel_bookings")]
        preview: bool,
        /// Cancel the bookings it hits, telling their bookers the reason
        #[arg(long)]
        cancel_bookings: bool,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Let a person use a piece of equipment
    Qualify {
        /// The mentor or equipment, by its resource id
        resource_id: String,
        /// Who may use it, by person id
        #[arg(long)]
        person: String,
        /// Until when (RFC 3339 or a local time); never expires when left out
        #[arg(long)]
        expires: Option<String>,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Export a person's bookings as an iCalendar file
    ExportIcs {
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
        /// Write to this file instead of standard output
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Import mentors, equipment or startups from a CSV file
    Import {
        /// mentors, equipment or startups
        kind: String,
        /// The CSV file
        file: PathBuf,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Reports over local dates (both included), a makerspace's yearly figures (kpi), a call's
    /// intake (intake --call), or an organisation's applications (applicant --credit-code)
    Report {
        /// mentors, equipment, kpi (needs --year and --makerspace), intake (needs --call) or
        /// applicant (needs --credit-code)
        kind: String,
        /// First date, like 2026-12-01
        #[arg(long, required_unless_present_any = ["year", "call", "credit_code"])]
        from: Option<String>,
        /// Last date, like 2026-12-07
        #[arg(long, required_unless_present_any = ["year", "call", "credit_code"])]
        to: Option<String>,
        /// intake: the call, by id
        #[arg(long)]
        call: Option<String>,
        /// applicant: the organisation's 统一社会信用代码
        #[arg(long)]
        credit_code: Option<String>,
        /// intake, applicant: who is asking (a district operator), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: Option<String>,
        /// The year of the yearly figures, like 2026
        #[arg(long)]
        year: Option<i32>,
        /// The makerspace of the yearly figures, by its code (like PD-0001)
        #[arg(long, conflicts_with = "district")]
        makerspace: Option<String>,
        /// kpi: every makerspace side by side, from the district server (a district operator's
        /// connection)
        #[arg(long)]
        district: bool,
        /// Also write the yearly figures (or the intake figures) to this XLSX file
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// CSV for Excel instead of a table
        #[arg(long)]
        csv: bool,
        /// mentors: by mentor (default) or expertise; equipment: by equipment (default) or lab
        #[arg(long)]
        by: Option<String>,
    },
    /// Connect this database to a district server; the password is asked for (not echoed),
    /// or comes from INCUBOOK_PASSWORD or the first line of a piped stdin
    Connect {
        /// The server's address, like https://district.example:8443
        url: String,
        /// Your username on the district server
        #[arg(long)]
        user: String,
        /// Allow plain http:// to another machine (passwords cross the network in clear):
        /// only for a test network
        #[arg(long)]
        insecure_http: bool,
    },
    /// Send waiting changes to the district server and fetch the district's
    Sync,
    /// Where this database syncs, when it last did, and what waits
    SyncStatus,
    /// The audit log, newest first
    Audit {
        /// How many entries
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// The best mentors for a startup's need, with each score's breakdown and a slot to book
    Match(startup_commands::MatchArgs),
    /// Events (路演, 沙龙, 培训, 训练营): publish, list, register, attend
    #[command(subcommand)]
    Events(event_commands::EventCommand),
    /// A startup's mentor hours (导师时长额度): list, allocate, top-up
    #[command(subcommand)]
    Hours(hours_commands::HoursCommand),
    /// Office hours and group sessions (答疑时间 / 小组辅导): publish, list, take, leave, seats, cancel
    #[command(subcommand, name = "office-hours")]
    OfficeHours(office_commands::OfficeCommand),
    /// Startups (团队 / 企业): add, list, members, residency
    #[command(subcommand)]
    Startups(startup_commands::StartupCommand),
    /// Unified codes of applications (统一编码): check
    #[command(subcommand)]
    Code(code_commands::CodeCommand),
    /// District programmes and their calls (专项 / 申报批次): register, publish, list, show, cancel
    #[command(subcommand)]
    Calls(call_commands::CallCommand),
    /// One-stop applications (一站式申报): draft, submit, withdraw, recheck, status
    #[command(subcommand)]
    Apply(call_commands::ApplyCommand),
    /// Intake of applications by the district (形式审查): accept, return, refuse, uphold
    #[command(subcommand)]
    Intake(call_commands::IntakeCommand),
    #[command(flatten)]
    Usage(usage_commands::UsageCommand),
    #[command(flatten)]
    Instrument(instrument_commands::InstrumentCommand),
}

/// The answer to the pairing question.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Pairing {
    Fits,
    DoesNotFit,
}

#[derive(Args, Debug)]
struct MentorArgs {
    /// Expertise, like 融资 or fundraising
    #[arg(long)]
    tag: Option<String>,
    /// Industry the mentor knows, like 智能硬件
    #[arg(long)]
    industry: Option<String>,
    /// A language the mentor speaks, like zh or en
    #[arg(long)]
    lang: Option<String>,
    /// Words in the name, title or bio
    #[arg(long)]
    text: Option<String>,
    /// Only this makerspace, by its code (like PD-0001)
    #[arg(long)]
    makerspace: Option<String>,
    /// Only mentors with a free slot within this many days
    #[arg(long)]
    free_within: Option<u32>,
    /// Length of the wanted session (default 60)
    #[arg(long)]
    minutes: Option<u32>,
    /// Who is searching (own-makerspace mentors show to members only)
    #[arg(long = "as", value_name = "PERSON_ID")]
    actor: Option<String>,
}

#[derive(Args, Debug)]
struct Decision {
    /// The booking, by its id
    booking_id: String,
    /// Who is acting, by person id
    #[arg(long = "as", value_name = "PERSON_ID")]
    actor: String,
    /// Why (needed to decline, or for an owner to cancel)
    #[arg(long)]
    reason: Option<String>,
    /// Of a repeating booking, cancel this one and the following, or all not yet begun
    #[arg(long, value_name = "following|all")]
    series: Option<SeriesScope>,
}

/// How a booking repeats (`book --repeat weekly --days mon,wed --count 10`).
#[derive(clap::Args, Debug)]
struct RepeatArgs {
    /// Repeat the booking: daily or weekly
    #[arg(long, value_name = "daily|weekly")]
    repeat: Option<Frequency>,
    /// Weekly on these days besides the first one's, in the resource's zone (an overseas
    /// mentor's own): mon,tue,wed,thu,fri,sat,sun
    #[arg(long, value_delimiter = ',', requires = "repeat")]
    days: Vec<Day>,
    /// How many times in all, the first included (at most 52)
    #[arg(long, requires = "repeat", conflicts_with = "until")]
    count: Option<u32>,
    /// The last date in the resource's zone, like 2027-01-31 (included)
    #[arg(long, requires = "repeat")]
    until: Option<String>,
    /// Book the times the rules allow and skip the others (otherwise one conflict refuses all)
    #[arg(long, requires = "repeat")]
    skip_conflicts: bool,
    /// Show what each time would become, and book nothing
    #[arg(long, requires = "repeat")]
    dry_run: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && std::env::args().any(|a| a == "--json") => {
            let body = serde_json::json!({"code": "invalid.usage", "message": e.render().to_string().trim()});
            eprintln!("{body}");
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    let lang = cli
        .locale
        .as_deref()
        .map(Lang::from_locale)
        .unwrap_or_else(|| std::env::var("LANG").map(|l| Lang::from_locale(&l)).unwrap_or_default());
    let out = output::Output { json: cli.json, lang };
    match commands::run(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// `incubook <command> --help` explains every flag and argument it lists.
    #[test]
    fn every_argument_has_a_help_line() {
        let cli = super::Cli::command();
        let mut missing = Vec::new();
        for command in cli.get_subcommands() {
            for arg in command.get_arguments() {
                if arg.get_help().is_none() && !["help", "version"].contains(&arg.get_id().as_str()) {
                    missing.push(format!("{} {}", command.get_name(), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "no help line: {missing:?}");
    }
}
