//! Secrets kept as argon2id PHC strings: the district server's passwords and the kiosks' PINs.
//! One way to hash and to check, for both.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The PHC string of `secret`, with a fresh salt; `None` if hashing failed.
pub fn hash_secret(secret: &str) -> Option<String> {
    Argon2::default().hash_password(secret.as_bytes()).map(|h| h.to_string()).ok()
}

/// Whether `secret` is the one `phc` was made from; false for a malformed `phc`.
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}
