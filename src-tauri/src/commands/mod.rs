//! Tauri commands: each takes the app state, calls the core as the acting profile, and
//! maps the error. No SQL and no file path comes from the webview.

pub mod admin;
pub mod bookings;
pub mod calls;
pub mod events;
pub mod instruments;
pub mod kiosk;
pub mod labs;
pub mod mentors;
pub mod office;
pub mod series;
pub mod session;
pub mod startups;
pub mod sync;
pub mod year;
