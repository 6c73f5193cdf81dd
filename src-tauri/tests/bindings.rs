//! The TypeScript types of the commands are generated from the Rust types (ts-rs) and
//! committed in `ui/src/bindings`. This test fails when they are stale;
//! `UPDATE_BINDINGS=1 cargo test -p incubook-desktop --test bindings` rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use incubook::csv_import::ImportKind;
use incubook::domain::{BlackoutWhen, Role};
use incubook::i18n::Lang;
use incubook::report::{EquipmentReport, MentorReport};
use incubook::sample::SampleSummary;
use incubook::store::{
    BlackoutMode, BlackoutOutcome, BookingView, CalendarEntry, MentorCard, MentorSearch, NewBooking, NewEquipment, Notification,
    QualificationGrant, WaitlistEntry,
};
use incubook_desktop::admin::{ImportOutcome, ImportProgress, ReportTable};
use incubook_desktop::error::IpcError;
use incubook_desktop::labs::{EquipmentDetail, LabCalendar};
use incubook_desktop::mentors::DatedOverride;
use incubook_desktop::session::AppInfo;
use ts_rs::{Config, TS};

fn export_into(dir: &Path) -> Result<(), ts_rs::ExportError> {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    AppInfo::export_all(&cfg)?;
    SampleSummary::export_all(&cfg)?;
    Notification::export_all(&cfg)?;
    MentorCard::export_all(&cfg)?;
    MentorSearch::export_all(&cfg)?;
    incubook::domain::Mentor::export_all(&cfg)?;
    incubook::domain::Makerspace::export_all(&cfg)?;
    CalendarEntry::export_all(&cfg)?;
    DatedOverride::export_all(&cfg)?;
    BookingView::export_all(&cfg)?;
    NewBooking::export_all(&cfg)?;
    WaitlistEntry::export_all(&cfg)?;
    EquipmentDetail::export_all(&cfg)?;
    NewEquipment::export_all(&cfg)?;
    BlackoutWhen::export_all(&cfg)?;
    BlackoutMode::export_all(&cfg)?;
    BlackoutOutcome::export_all(&cfg)?;
    QualificationGrant::export_all(&cfg)?;
    LabCalendar::export_all(&cfg)?;
    Role::export_all(&cfg)?;
    Lang::export_all(&cfg)?;
    MentorReport::export_all(&cfg)?;
    EquipmentReport::export_all(&cfg)?;
    ReportTable::export_all(&cfg)?;
    ImportKind::export_all(&cfg)?;
    ImportOutcome::export_all(&cfg)?;
    ImportProgress::export_all(&cfg)?;
    IpcError::export_all(&cfg)?;
    incubook::domain::Booking::export_all(&cfg)?;
    incubook::domain::DateOverride::export_all(&cfg)?;
    incubook::sync::client::SyncStatus::export_all(&cfg)?;
    incubook::sync::client::SyncReport::export_all(&cfg)?;
    incubook::sync::client::SyncProgress::export_all(&cfg)?;
    incubook_desktop::sync_commands::Connected::export_all(&cfg)?;
    incubook::store::Notice::export_all(&cfg)?;
    Ok(())
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files);
    files
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "ts") {
            let name = path.strip_prefix(root).map(|p| p.display().to_string()).unwrap_or_default();
            files.insert(name, std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

#[test]
fn typescript_bindings_are_current() {
    let committed: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_into(&committed).unwrap_or_else(|e| panic!("export: {e}"));
        return;
    }
    let fresh = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    export_into(fresh.path()).unwrap_or_else(|e| panic!("export: {e}"));
    let (want, have) = (read_dir(fresh.path()), read_dir(&committed));
    let stale: Vec<&String> =
        want.keys().filter(|k| want.get(*k) != have.get(*k)).chain(have.keys().filter(|k| !want.contains_key(*k))).collect();
    assert!(
        stale.is_empty(),
        "stale TypeScript bindings {stale:?}: run UPDATE_BINDINGS=1 cargo test -p incubook-desktop --test bindings"
    );
}
