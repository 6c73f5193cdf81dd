//! One clock: nothing but `incubook_core::clock` reads the system's date and time, in
//! production code, tests or benchmarks. A rule that read the wall clock directly could not
//! be pinned by `INCUBOOK_NOW`, and a test that did would pass or fail by the hour CI runs
//! at (seven such tests were repaired before this check existed). The district's zone is
//! named once too, as `clock::DISTRICT_ZONE`.

use std::path::{Path, PathBuf};

const CLOCK_MODULE: &str = "crates/core/src/clock.rs";

/// Reads of the wall clock; `Instant::now()` (monotonic, for timeouts and rates) is allowed.
const WALL_CLOCK_READS: [&str; 4] = ["Utc::now()", "Local::now()", "SystemTime::now()", "chrono::Local"];

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !["target", "node_modules", ".git", "fuzz"].contains(&name.as_str()) {
                rust_files(&path, into);
            }
        } else if name.ends_with(".rs") {
            into.push(path);
        }
    }
}

fn workspace_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "crates", "server", "src-tauri", "tests", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "the scan found only {} files under {}", files.len(), root.display());
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            (relative, text)
        })
        .collect()
}

#[test]
fn only_the_clock_module_reads_the_wall_clock() {
    let this_file = "tests/one_clock.rs";
    let mut found = Vec::new();
    for (path, text) in workspace_files() {
        if path == CLOCK_MODULE || path == this_file {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for read in WALL_CLOCK_READS {
                if line.contains(read) {
                    found.push(format!("{path}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "read the time through incubook_core::clock::Clock instead:\n{}", found.join("\n"));
}

#[test]
fn the_district_zone_is_named_once_in_production_code() {
    let mut found = Vec::new();
    for (path, text) in workspace_files() {
        let production = !path.contains("/tests/") && !path.starts_with("tests/") && !path.contains("/benches/");
        if path == CLOCK_MODULE || !production || path.contains("/sample/") {
            continue;
        }
        // A module's own unit tests may name the zone they test in.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            if line.contains("Asia::Shanghai") {
                found.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "use incubook_core::clock::DISTRICT_ZONE:\n{}", found.join("\n"));
}
