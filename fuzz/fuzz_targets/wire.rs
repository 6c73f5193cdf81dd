//! What arrives over the wire: any bytes as a push request (and each of its mutations) and as
//! a pull page. Parsing either succeeds or refuses with a code; it never panics, and what
//! parses writes back as it was read.
#![no_main]

use incubook::sync::{Mutation, PullResponse, PushRequest, PushedMutation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(push) = serde_json::from_slice::<PushRequest>(bytes) {
        for pushed in &push.mutations {
            match pushed.parse() {
                Ok(mutation) => {
                    let again = PushedMutation::new(pushed.id, &mutation).map(|p| p.parse());
                    assert!(matches!(again, Ok(Ok(ref m)) if *m == mutation), "{mutation:?} does not read back");
                    let _ = mutation.rows();
                    let _ = mutation.entity_id();
                }
                Err(e) => assert_eq!(e.code(), "invalid.mutation"),
            }
        }
    }
    if let Ok(page) = serde_json::from_slice::<PullResponse>(bytes) {
        let text = serde_json::to_vec(&page).unwrap_or_default();
        let back = serde_json::from_slice::<PullResponse>(&text).ok();
        assert_eq!(back.as_ref().map(|p| p.changes.len()), Some(page.changes.len()));
    }
    let _ = serde_json::from_slice::<Mutation>(bytes);
});
