//! Passwords (argon2id PHC strings) and bearer tokens (random, stored only as SHA-256).

use rand::RngExt;
use sha2::{Digest, Sha256};

use crate::error::{Result, ServerError};

/// Tokens live a week; signing in again gives a new one.
pub const TOKEN_LIFETIME_SECONDS: i64 = 7 * 86_400;

pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(ServerError::Invalid("a password needs at least 8 characters".into()));
    }
    incubook_sqlite::secret::hash_secret(password).ok_or_else(|| ServerError::Internal("hashing a password failed".into()))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    incubook_sqlite::secret::verify_secret(password, phc)
}

/// A new bearer token: 32 random bytes as hex.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
