//! The core's store-level ledger contract over the SQLite ledger, in a fresh database with its
//! migrations: an effect written is the fact read back, family by family.

use chrono::{TimeZone, Utc};
use incubook_core::testing::contract::Seed;
use incubook_sqlite::store::{NewMakerspace, SqliteLedger, Store};

/// A store in memory with one makerspace, the check run inside one of its write transactions.
fn sqlite(check: impl FnOnce(&mut SqliteLedger<'_>, &Seed)) {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().unwrap_or_default();
    let mut store = Store::open_in_memory().unwrap_or_else(|e| panic!("open: {e}"));
    let new =
        NewMakerspace { code: "PD".into(), name: "浦东".into(), address: String::new(), timezone: "Asia/Shanghai".into() };
    let made = store.create_makerspace(None, &new, now).unwrap_or_else(|e| panic!("makerspace: {e}"));
    let seed = Seed { makerspace_id: made.id, makerspace_code: made.code, timezone: made.timezone };
    store
        .transaction(|tx| {
            let mut ledger = SqliteLedger::new(tx);
            check(&mut ledger, &seed);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("commit: {e}"));
}

incubook_core::ledger_contract!(sqlite);
