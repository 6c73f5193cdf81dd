//! The core's modules form layers: a module uses only modules of a lower layer, so no two
//! modules import each other and a rule cannot reach up into the code that calls it.
//! ARCHITECTURE.md lists the same order; a new module must be placed here to build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Lowest first. A module may use the modules of the layers before its own.
const LAYERS: &[&[&str]] = &[
    &["interval", "i18n", "feedback", "matching", "tables"],
    &["error"],
    &["domain"],
    &["clock", "kpi", "validate", "unified_code"],
    &["allocation", "events", "office", "place", "availability", "startup", "zones"],
    &["usage", "calls"],
    &["register"],
    &["recurrence"],
    &["command", "rules"],
    &["decide", "protocol"],
    &["ledger"],
    &["apply"],
    &["testing"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`apply/booking.rs` → `apply`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Every `crate::<module>` a source text names.
fn uses(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .filter(|(at, _)| !text[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .filter_map(|(at, _)| {
            let name: String = text[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            // `crate::some_macro!` names an exported macro, not a module.
            let is_macro = text[at + 7 + name.len()..].starts_with('!');
            (!is_macro).then_some(name)
        })
        .filter(|m| !m.is_empty() && m.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .collect()
}

fn source_modules() -> BTreeMap<String, Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut modules: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else { continue };
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        // Comments import nothing (a doc link may name any item).
        let text: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        modules.entry(module).or_default().extend(uses(&text));
    }
    modules
}

#[test]
fn every_module_of_the_core_has_a_layer() {
    let unplaced: Vec<String> = source_modules().into_keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(unplaced.is_empty(), "modules without a layer in tests/layers.rs and ARCHITECTURE.md: {unplaced:?}");
}

#[test]
fn no_module_of_the_core_uses_one_of_its_own_layer_or_above() {
    let mut upward = Vec::new();
    for (module, used) in source_modules() {
        let Some(mine) = layer_of(&module) else { continue };
        for other in used {
            if other == module {
                continue;
            }
            match layer_of(&other) {
                Some(theirs) if theirs < mine => {}
                _ => upward.push(format!("{module} uses crate::{other}")),
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "imports against the layers: {upward:#?}");
}

#[test]
fn the_check_sees_an_upward_import() {
    // The scan must catch what it is for, or the two tests above pass on anything.
    assert_eq!(uses("use crate::decide::Actor; x = crate::apply::apply(l)"), vec!["decide", "apply"]);
    assert!(layer_of("startup") < layer_of("decide"));
    assert!(source_modules().get("apply").is_some_and(|used| used.iter().any(|m| m == "ledger")));
}
