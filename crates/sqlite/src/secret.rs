//! Secrets kept as argon2id PHC strings: the district server's passwords and the kiosks' PINs.
//! One way to hash and to check, for both.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The PHC string of `secret`, with a fresh salt; `None` if hashing failed.
pub fn hash_secret(secret: &str) -> Option<String> {
    Argon2::default().hash_password(secret.as_bytes()).map(|h| h.to_string()).ok()
}

/// Whether `secret` is the one `phc` was made from; false for a malformed `phc`, and for one
/// with other parameters than the app's (`validate::check_secret_hash`), checked before any
/// hashing: a stored hash cannot choose what verifying it costs.
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    incubook_core::validate::check_secret_hash("hash", phc).is_ok()
        && PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// A hash nothing matches, with the app's parameters.
static NOTHING: std::sync::LazyLock<Option<String>> = std::sync::LazyLock::new(|| hash_secret("\u{0}no secret"));

/// Takes as long as checking `secret` against a real hash, and fails: for an unknown name or
/// a person without a PIN, so that the answer's time does not tell them apart from a wrong one.
pub fn verify_nothing(secret: &str) -> bool {
    if let Some(nothing) = NOTHING.as_deref() {
        let _ = verify_secret(secret, nothing);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_hashes_have_the_apps_parameters_and_no_other_cost_is_verified() {
        let hash = hash_secret("4821").unwrap_or_default();
        assert!(incubook_core::validate::check_secret_hash("pin_hash", &hash).is_ok(), "{hash}");
        assert!(verify_secret("4821", &hash));
        assert!(!verify_secret("4822", &hash));
        // The review's N5: a hash that names its own cost is refused unverified.
        let costly = hash.replace("t=2,", "t=4294967295,");
        assert!(incubook_core::validate::check_secret_hash("pin_hash", &costly).is_err());
        // Refused before hashing (were it hashed, this test would not end).
        assert!(!verify_secret("4821", &costly));
    }
}
