//! The ledger's tests. Every test in `ledger` runs twice: on SQLite (a file in a
//! temporary directory) and on PostgreSQL (a fresh database on the server named by
//! `INDMON_TEST_POSTGRES`, default the one `.ci/postgres.sh` starts; dropped afterwards).
//! There is no skipping: without a reachable PostgreSQL server the PostgreSQL half fails
//! and says how to start one.

mod fuzz;
mod ledger;

use indmon_ledger::Ledger;
use indmon_ledger::testing::ScratchPostgres;

/// One empty ledger database for one test; `open` makes a new connection to it (two
/// opens are two editors).
pub struct TestDb {
    target: String,
    _pg: Option<ScratchPostgres>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A SQLite file in a new temporary directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("ledger.sqlite").display().to_string();
        TestDb {
            target,
            _pg: None,
            _dir: Some(dir),
        }
    }

    /// A new database on the test server.
    pub fn postgres() -> Self {
        let pg = ScratchPostgres::new().unwrap_or_else(|e| panic!("{e}"));
        TestDb {
            target: pg.target().to_owned(),
            _pg: Some(pg),
            _dir: None,
        }
    }

    /// A new connection: opened, migrated and seeded if new.
    pub fn open(&self) -> Ledger {
        Ledger::open(&self.target).expect("open ledger")
    }
}
