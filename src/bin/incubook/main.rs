//! `incubook`: the command line of the Incubook core, for admins, scripts and kiosks.
//! It opens the same database as the desktop app unless `--data-dir` says otherwise.

mod commands;
mod output;
mod sync_commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use incubook::i18n::Lang;

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
        #[arg(long, default_value = "small")]
        scale: String,
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
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        makerspace: Option<String>,
    },
    /// Find mentors, soonest free first
    Mentors(MentorArgs),
    /// Labs (public technology platforms)
    Labs {
        #[arg(long)]
        makerspace: Option<String>,
    },
    /// Equipment of the labs
    Equipment {
        #[arg(long)]
        lab: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        makerspace: Option<String>,
    },
    /// Free slots of a mentor or equipment between two dates (both included)
    Slots {
        resource_id: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        minutes: Option<u32>,
    },
    /// Book a slot
    Book {
        resource_id: String,
        #[arg(long)]
        start: String,
        #[arg(long, allow_negative_numbers = true)]
        minutes: i64,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
        #[arg(long, default_value = "")]
        topic: String,
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
        booking_id: String,
        #[arg(long)]
        start: String,
        #[arg(long, allow_negative_numbers = true)]
        minutes: i64,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// A person's bookings (and, for a mentor, the sessions booked with them)
    Bookings {
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Requests waiting for a mentor's or lab manager's decision
    Requests {
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Rate a finished session (1–5)
    Feedback {
        booking_id: String,
        #[arg(long)]
        rating: u8,
        #[arg(long, default_value = "")]
        comment: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Wait for a taken slot; a cancellation there notifies you
    Waitlist {
        resource_id: String,
        #[arg(long)]
        start: String,
        #[arg(long, allow_negative_numbers = true)]
        minutes: i64,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// A person's notifications
    Notifications {
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Add a maintenance blackout (reports the bookings it hits)
    Blackout {
        resource_id: String,
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
        #[arg(long, default_value = "")]
        reason: String,
        /// Only show the bookings it would hit
        #[arg(long, conflicts_with = "cancel_bookings")]
        preview: bool,
        /// Cancel the bookings it hits, telling their bookers the reason
        #[arg(long)]
        cancel_bookings: bool,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Let a person use a piece of equipment
    Qualify {
        resource_id: String,
        #[arg(long)]
        person: String,
        #[arg(long)]
        expires: Option<String>,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Export a person's bookings as an iCalendar file
    ExportIcs {
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Import mentors or equipment from a CSV file
    Import {
        /// mentors or equipment
        kind: String,
        file: PathBuf,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Reports over local dates (both included)
    Report {
        /// mentors or equipment
        kind: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
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
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Args, Debug)]
struct MentorArgs {
    #[arg(long)]
    tag: Option<String>,
    #[arg(long)]
    industry: Option<String>,
    #[arg(long)]
    lang: Option<String>,
    #[arg(long)]
    text: Option<String>,
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
    booking_id: String,
    #[arg(long = "as", value_name = "PERSON_ID")]
    actor: String,
    #[arg(long)]
    reason: Option<String>,
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
