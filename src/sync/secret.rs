//! Where a desktop keeps its bearer token: in the OS keyring (Secret Service on Linux, the
//! Keychain on macOS, the Credential Manager on Windows), one entry per database file. The
//! database holds the token itself only where no keyring answers (a server without a desktop
//! session, a container), and then in a file only its owner can read.

/// The keyring entry of the database at `db_path`; none for a database in memory.
fn entry(db_path: &str) -> Option<keyring::Entry> {
    if db_path.is_empty() || std::env::var_os("INCUBOOK_NO_KEYRING").is_some() {
        return None;
    }
    keyring::Entry::new("incubook", db_path).ok()
}

/// Keeps `token` in the keyring; false when there is none to keep it in.
pub fn save(db_path: &str, token: &str) -> bool {
    let Some(entry) = entry(db_path) else { return false };
    // Where no Secret Service runs, this fails at once (no session bus), not after a wait.
    entry.set_password(token).is_ok()
}

/// The token kept for the database at `db_path`, if the keyring still has it. A keyring
/// that fails the call (its daemon died and the session bus is starting another) is asked
/// once more before the user is told to sign in again; a missing entry is not.
pub fn load(db_path: &str) -> Option<String> {
    let entry = entry(db_path)?;
    match entry.get_password() {
        Ok(token) => Some(token),
        Err(keyring::Error::NoEntry) => None,
        Err(_) => entry.get_password().ok(),
    }
}

/// Forgets the token; a keyring that has none is not an error.
pub fn forget(db_path: &str) {
    if let Some(entry) = entry(db_path) {
        let _ = entry.delete_credential();
    }
}
