//! The operator's tool: run the server, and administer makerspaces and users.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use incubook_core::clock::Clock;
use incubook_server::auth;
use incubook_server::db::{self, ServerRole};
use incubook_server::error::{Result, ServerError};

#[derive(Parser)]
#[command(
    name = "incubook-server",
    version,
    about = "众创预约 district server",
    after_help = "INCUBOOK_NOW=2026-12-06T15:50:00Z (RFC 3339) pins the server's clock, for tests and demos."
)]
struct Cli {
    /// sqlite:PATH (embedded) or postgres://USER@HOST/DB (production; the password from
    /// PGPASSWORD or from the file INCUBOOK_DB_PASSWORD_FILE names, so that it is not in argv)
    #[arg(long, global = true, default_value = "sqlite:incubook-district.db")]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The server's certificate chain (PEM); with --tls-key, the API is served over HTTPS
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The certificate's private key (PEM)
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
    },
    /// Makerspaces, users and their roles
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Subcommand)]
enum Admin {
    AddMakerspace {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// Adds a user; the password is read from standard input
    AddUser {
        #[arg(long)]
        makerspace: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
        /// founder,mentor,lab_manager,space_admin,district_operator
        #[arg(long)]
        roles: String,
        /// Signs in as this person of an uploaded or imported catalogue instead of a new one
        #[arg(long)]
        person: Option<String>,
    },
    /// Replaces a user's roles in one makerspace
    SetRoles {
        #[arg(long)]
        makerspace: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        roles: String,
    },
    /// Sets a new password, read from standard input
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Signs a user out everywhere
    RevokeTokens {
        #[arg(long)]
        username: String,
    },
    /// Copies the catalogue of a desktop database (makerspaces, people, mentors, labs,
    /// equipment, bookings) into the district's, keeping rows it has already
    ImportCatalogue {
        /// The desktop database file (incubook.db)
        #[arg(long)]
        from: std::path::PathBuf,
        /// The code of a makerspace whose rows to take (repeat for several); rows of any other
        /// makerspace in the file are left out
        #[arg(long = "makerspace", value_name = "CODE", required = true)]
        makerspaces: Vec<String>,
    },
}

fn read_password(from_stdin: bool) -> Result<String> {
    if !from_stdin {
        return Err(ServerError::Invalid("pass --password-stdin and write the password to standard input".into()));
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

fn check_code(code: &str) -> Result<()> {
    let ok = !code.is_empty() && code.len() <= 20 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok { Ok(()) } else { Err(ServerError::Invalid("use letters, digits and '-', like PD-0012".into())) }
}

/// Database work runs outside the async runtime: the PostgreSQL client blocks.
fn run(cli: Cli) -> Result<()> {
    let database = db::open(&cli.db)?;
    // `INCUBOOK_NOW` pins the server's clock for tests and demos, as it does the CLI's.
    let clock = Clock::from_env()?;
    let now = clock.now().timestamp();
    match cli.command {
        Command::Serve { listen, tls_cert, tls_key } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(incubook_server::listen::tls_acceptor(&cert, &key)?),
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| ServerError::Internal(format!("cannot start the runtime: {e}")))?;
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .map_err(|e| ServerError::Internal(format!("cannot listen on {listen}: {e}")))?;
                tracing::info!(address = %listen, scheme, "serving");
                let shutdown = async {
                    let _ = tokio::signal::ctrl_c().await;
                    tracing::info!("shutting down");
                };
                incubook_server::serve(listener, (database, clock), tls, shutdown)
                    .await
                    .map_err(|e| ServerError::Internal(e.to_string()))
            })
        }
        Command::Admin(Admin::AddMakerspace { code, name }) => {
            check_code(&code)?;
            database.add_makerspace(&code, name.trim())?;
            println!("makerspace {code} added");
            Ok(())
        }
        Command::Admin(Admin::AddUser { makerspace, username, password_stdin, roles, person }) => {
            let roles = ServerRole::parse_list(&roles)?;
            let hash = auth::hash_password(&read_password(password_stdin)?)?;
            let id = database.add_account(&makerspace, username.trim(), &hash, &roles, person.as_deref(), now)?;
            println!("user {username} added ({id})");
            Ok(())
        }
        Command::Admin(Admin::SetRoles { makerspace, username, roles }) => {
            database.set_roles(&username, &makerspace, &ServerRole::parse_list(&roles)?)?;
            println!("roles of {username} in {makerspace} set");
            Ok(())
        }
        Command::Admin(Admin::ResetPassword { username, password_stdin }) => {
            database.set_password_hash(&username, &auth::hash_password(&read_password(password_stdin)?)?)?;
            println!("password of {username} reset");
            Ok(())
        }
        Command::Admin(Admin::RevokeTokens { username }) => {
            let n = database.revoke_tokens(&username, now)?;
            println!("{n} token(s) of {username} revoked");
            Ok(())
        }
        Command::Admin(Admin::ImportCatalogue { from, makerspaces }) => {
            if !from.is_file() {
                return Err(ServerError::NotFound(format!("{} is not a file", from.display())));
            }
            let source = incubook_sqlite::store::Store::open_with(&from, Box::new(incubook_sqlite::store::NoJournal))?;
            let added = database.import_catalogue(&source, &makerspaces, &mut |table, rows| eprintln!("{table}: {rows} rows"))?;
            println!("{added} rows added");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", serde_json::json!({"code": e.code(), "message": e.to_string()}));
            ExitCode::FAILURE
        }
    }
}
