//! The two migration chains (`migrations/sqlite`, `migrations/postgres`) give every synced
//! table the same columns: a row one backend sends, the other (and every desktop) can keep.

mod common;

use std::collections::BTreeSet;

use common::ok;
use incubook::sync::SYNCED_TABLES;

/// The server's own tables, which both chains keep too. (`sync_tombstone` differs by design:
/// on PostgreSQL the rows of one transaction share a version, and `seq` orders them.)
const SERVER_TABLES: [&str; 4] = ["sync_client", "sync_failure", "sync_mark", "sync_horizon"];

#[test]
fn both_backends_give_every_synced_table_the_same_columns() {
    let dir = ok(tempfile::tempdir());
    let sqlite = ok(incubook::store::Store::open(&dir.path().join("district.db")));
    let temp = common::fresh_postgres_database();
    // Opening the database runs its migrations.
    let _pg = ok(incubook_server::db::open(&temp.url));
    let mut pg = ok(postgres::Client::connect(&temp.url, postgres::NoTls));

    let names = SYNCED_TABLES.iter().map(|t| t.name).chain(SERVER_TABLES);
    let mut differences = Vec::new();
    for table in names {
        let on_sqlite: BTreeSet<String> = {
            let mut stmt = ok(sqlite.conn().prepare("SELECT name FROM pragma_table_info(?1)"));
            ok(stmt.query_map([table], |r| r.get(0))).map(ok).collect()
        };
        let on_postgres: BTreeSet<String> = ok(pg.query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
            &[&table],
        ))
        .iter()
        .map(|r| r.get(0))
        .collect();
        assert!(!on_sqlite.is_empty() && !on_postgres.is_empty(), "{table} is missing from a backend");
        if on_sqlite != on_postgres {
            let only_sqlite: Vec<_> = on_sqlite.difference(&on_postgres).collect();
            let only_postgres: Vec<_> = on_postgres.difference(&on_sqlite).collect();
            differences.push(format!("{table}: only on SQLite {only_sqlite:?}, only on PostgreSQL {only_postgres:?}"));
        }
    }
    assert!(differences.is_empty(), "the chains differ:\n{}", differences.join("\n"));
}
