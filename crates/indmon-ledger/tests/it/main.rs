//! The ledger's tests. Every test in `ledger` runs twice: on SQLite (a file in a
//! temporary directory) and on PostgreSQL (a fresh database on the server named by
//! `INDMON_TEST_POSTGRES`, default the one `.ci/postgres.sh` starts; dropped afterwards).
//! There is no skipping: without a reachable PostgreSQL server the PostgreSQL half fails
//! and says how to start one.

mod ledger;

use std::sync::atomic::{AtomicUsize, Ordering};

use indmon_ledger::Ledger;

/// The default of `INDMON_TEST_POSTGRES`: what `.ci/postgres.sh` sets up.
const DEFAULT_PG: &str =
    "host=127.0.0.1 port=5432 user=indmon_test password=indmon_test dbname=postgres";

/// One empty ledger database for one test; `open` makes a new connection to it (two
/// opens are two editors).
pub struct TestDb {
    target: String,
    pg_name: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A SQLite file in a new temporary directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("ledger.sqlite").display().to_string();
        TestDb {
            target,
            pg_name: None,
            _dir: Some(dir),
        }
    }

    /// A new database on the test server.
    pub fn postgres() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let admin = std::env::var("INDMON_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_PG.into());
        let name = format!(
            "indmon_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap_or_else(|e| {
            panic!(
                "no PostgreSQL server for the ledger tests at {admin:?}: {e}\n\
                 start one with `bash .ci/postgres.sh` (Debian postgresql) or set INDMON_TEST_POSTGRES"
            )
        });
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let target = if admin.contains("dbname=") {
            admin
                .split_whitespace()
                .map(|p| {
                    if p.starts_with("dbname=") {
                        format!("dbname={name}")
                    } else {
                        p.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            format!("{admin} dbname={name}")
        };
        TestDb {
            target,
            pg_name: Some((admin, name)),
            _dir: None,
        }
    }

    /// A new connection: opened, migrated and seeded if new.
    pub fn open(&self) -> Ledger {
        Ledger::open(&self.target).expect("open ledger")
    }

    /// The connection target.
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg_name
            && let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
