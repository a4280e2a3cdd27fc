//! One module per subcommand.

pub mod complexity;
pub mod crm;
pub mod dependencies;
pub mod evaluate;
pub mod ingest;
pub mod init;
pub mod ledger;
pub mod markets;
pub mod mutual;
pub mod opportunities;
pub mod series;
pub mod serve;
pub mod sources;
pub mod sql;
pub mod synth;
pub mod target;
pub mod verify;
pub mod vintages;

pub use crate::error::UsageError;

/// Parses a date flag.
pub fn date_arg(s: &str) -> crate::error::Result<chrono::NaiveDate> {
    indmon_core::catalog::parse_date(s).map_err(|e| UsageError(e.to_string()).into())
}

/// Splits repeated or comma-separated flag values.
pub fn list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
