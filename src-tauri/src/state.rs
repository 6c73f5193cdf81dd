//! What the app keeps between commands: the database, and who is acting in which language.
//! Database work runs on the blocking pool, never on the main thread.

use incubook::error::ErrorCode;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use incubook::clock::Clock;
use incubook::i18n::Lang;
use incubook::store::Store;
use incubook::{CoreError, Result};

use crate::error::{IpcError, IpcResult};

const PROFILE_KEY: &str = "desktop.profile";
const LANGUAGE_KEY: &str = "desktop.language";
/// The lab a kiosk serves.
pub const KIOSK_LAB_KEY: &str = "desktop.kiosk_lab";

/// Whether the app runs as a lab's kiosk: started with `--kiosk`, or with `INCUBOOK_KIOSK=1`
/// (how a lab PC's autostart entry or a test turns it on without changing the command line).
pub fn kiosk_requested() -> bool {
    std::env::args().any(|a| a == "--kiosk") || std::env::var("INCUBOOK_KIOSK").is_ok_and(|v| v == "1")
}

/// Who is acting (local mode has a profile switcher) and in which language.
#[derive(Debug, Clone)]
pub struct Session {
    pub profile_id: Option<String>,
    pub lang: Lang,
    /// The app's clock (`INCUBOOK_NOW` pins it), read by every command.
    pub clock: Clock,
}

impl Session {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today in the district's zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// The acting person, or an error the UI answers by showing the profile switcher.
    pub fn actor(&self) -> IpcResult<String> {
        self.profile_id.clone().ok_or_else(|| {
            let message = if self.lang == Lang::Zh { "请先选择当前身份" } else { "choose who is acting first" };
            IpcError::new(ErrorCode::NoProfile, message)
        })
    }
}

pub struct AppState {
    pub db_path: PathBuf,
    pub clock: Clock,
    store: Arc<Mutex<Store>>,
    session: Mutex<Session>,
    /// Wakes the background sync after a command, so a change leaves soon after it is made.
    pub sync_nudge: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// Opens the database at `INCUBOOK_DATA_DIR` or the platform's data directory, and the
    /// remembered profile and language.
    pub fn open_default() -> Result<AppState> {
        let path = match std::env::var_os("INCUBOOK_DATA_DIR") {
            Some(dir) => PathBuf::from(dir).join("incubook.db"),
            None => Store::default_path(),
        };
        AppState::open(path)
    }

    pub fn open(db_path: PathBuf) -> Result<AppState> {
        AppState::open_with_clock(db_path, Clock::from_env()?)
    }

    /// The app on its database with a given clock (tests pin one).
    pub fn open_with_clock(db_path: PathBuf, clock: Clock) -> Result<AppState> {
        let store = Store::open(&db_path)?;
        let lang = match store.setting(LANGUAGE_KEY)?.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        };
        let profile_id = store.setting(PROFILE_KEY)?.filter(|id| store.person(id, None).is_ok());
        Ok(AppState {
            db_path,
            clock,
            store: Arc::new(Mutex::new(store)),
            session: Mutex::new(Session { profile_id, lang, clock }),
            sync_nudge: Arc::new(tokio::sync::Notify::new()),
        })
    }

    pub fn session(&self) -> Session {
        self.session.lock().map(|s| s.clone()).unwrap_or(Session { profile_id: None, lang: Lang::Zh, clock: self.clock })
    }

    pub fn set_profile(&self, profile_id: Option<String>) {
        if let Ok(mut s) = self.session.lock() {
            s.profile_id = profile_id;
        }
    }

    pub fn set_lang(&self, lang: Lang) {
        if let Ok(mut s) = self.session.lock() {
            s.lang = lang;
        }
    }

    /// The shared database, for work that must not hold it throughout (a sync releases it
    /// while it waits for the network).
    pub fn store(&self) -> Arc<Mutex<Store>> {
        self.store.clone()
    }

    /// Runs `f` with the store on the blocking pool and maps its error for the UI.
    pub async fn run<T, F>(&self, f: F) -> IpcResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store, &Session) -> std::result::Result<T, Failure> + Send + 'static,
    {
        let store = self.store.clone();
        let session = self.session();
        let lang = session.lang;
        let joined = tauri::async_runtime::spawn_blocking(move || {
            let mut guard =
                store.lock().map_err(|_| Failure::Ipc(IpcError::new(ErrorCode::Busy, "the database is unavailable")))?;
            f(&mut guard, &session)
        })
        .await;
        match joined {
            Ok(Ok(value)) => {
                self.sync_nudge.notify_one();
                Ok(value)
            }
            Ok(Err(Failure::Core(e))) => Err(IpcError::from_core(&e, lang)),
            Ok(Err(Failure::Ipc(e))) => Err(e),
            Err(e) => Err(IpcError::new(ErrorCode::Internal, e.to_string())),
        }
    }
}

pub fn remember(store: &mut Store, profile_id: Option<&str>, lang: Option<Lang>) -> Result<()> {
    if let Some(id) = profile_id {
        store.set_setting(PROFILE_KEY, id)?;
    }
    if let Some(lang) = lang {
        store.set_setting(LANGUAGE_KEY, if lang == Lang::En { "en" } else { "zh-CN" })?;
    }
    Ok(())
}

/// A failure inside a command: from the core, or already shaped for IPC.
#[derive(Debug)]
pub enum Failure {
    Core(CoreError),
    Ipc(IpcError),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

impl From<IpcError> for Failure {
    fn from(e: IpcError) -> Self {
        Failure::Ipc(e)
    }
}
