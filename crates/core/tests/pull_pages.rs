//! A pull page stops growing past `MAX_PULL_PAGE_BYTES`, at a version boundary, and the
//! pages that follow bring the rest: a desktop's response limit is never reached, however
//! large the rows waiting for it.

use incubook_core::protocol::{Change, MAX_PULL_PAGE_BYTES, fill_page};

fn put(version: i64, bytes: usize) -> Change {
    let mut row = serde_json::Map::new();
    row.insert("id".into(), format!("row-{version}").into());
    row.insert("body".into(), "x".repeat(bytes).into());
    Change::Put { table: "notice".into(), version, row }
}

#[test]
fn a_page_ends_past_its_byte_budget_between_versions_and_the_next_pages_bring_the_rest() {
    // 40 rows of 1 MiB, two sharing each version (2, 4, … 40).
    let rows: Vec<Change> = (1..=40).map(|i| put((i + 1) / 2 * 2, 1024 * 1024)).collect();
    let (mut cursor, mut seen, mut pages) = (0, 0, 0);
    loop {
        let candidates: Vec<Change> = rows.iter().filter(|c| c.version() > cursor).cloned().collect();
        let (page, reached, more) = fill_page::<()>(candidates, (cursor, false), |c| Ok(Some(c))).unwrap_or_default();
        let bytes: usize = page.iter().map(|c| serde_json::to_string(c).map(|s| s.len()).unwrap_or(0)).sum();
        assert!(bytes <= MAX_PULL_PAGE_BYTES + 3 * 1024 * 1024, "a page of {bytes} bytes");
        // A version is never split between pages.
        assert!(rows.iter().filter(|c| c.version() == reached).all(|c| page.contains(c)));
        seen += page.len();
        pages += 1;
        cursor = reached;
        if !more {
            break;
        }
    }
    assert_eq!(seen, rows.len());
    assert!(pages >= 5, "{pages} pages for 40 MiB");
}

#[test]
fn a_version_larger_than_a_page_still_goes_whole() {
    let rows: Vec<Change> = (0..12).map(|_| put(7, 1024 * 1024)).chain([put(8, 10)]).collect();
    let (page, reached, more) = fill_page::<()>(rows, (0, false), |c| Ok(Some(c))).unwrap_or_default();
    assert_eq!((page.len(), reached, more), (12, 7, true));
}
