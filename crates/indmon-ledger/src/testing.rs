//! A scratch PostgreSQL database for the tests of the ledger and of the programs that
//! use it: made fresh on the server named by `INDMON_TEST_POSTGRES` (default: the one
//! `.ci/postgres.sh` sets up), dropped when the value is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The server `.ci/postgres.sh` sets up, as a connection string for a role that may
/// create databases.
pub const DEFAULT_SERVER: &str =
    "host=127.0.0.1 port=5432 user=indmon_test password=indmon_test dbname=postgres";

/// A database made for one test.
pub struct ScratchPostgres {
    admin: String,
    name: String,
    target: String,
}

impl ScratchPostgres {
    /// Makes an empty database; the error says how to start a server.
    pub fn new() -> Result<Self, String> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let admin = std::env::var("INDMON_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.into());
        let name = format!(
            "indmon_scratch_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).map_err(|e| {
            format!(
                "no PostgreSQL server at {:?}: {e}; start one with `bash .ci/postgres.sh` (Debian postgresql) or set INDMON_TEST_POSTGRES",
                crate::redact(&admin)
            )
        })?;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("creating the database {name}: {e}"))?;
        let mut parts: Vec<String> = admin
            .split_whitespace()
            .filter(|p| !p.starts_with("dbname="))
            .map(str::to_owned)
            .collect();
        parts.push(format!("dbname={name}"));
        Ok(Self {
            target: parts.join(" "),
            admin,
            name,
        })
    }

    /// Its connection string (key=value form).
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
