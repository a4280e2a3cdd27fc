//! One module per subcommand.

pub mod complexity;
pub mod crm;
pub mod dependencies;
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
pub mod vintages;

use indicatif::{ProgressBar, ProgressStyle};

pub use crate::error::UsageError;

/// A byte progress bar on stderr (hidden when quiet or not on a terminal).
pub fn byte_bar(ctx: &crate::config::Context, total: Option<u64>, label: &str) -> ProgressBar {
    if ctx.quiet {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::new_spinner(),
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:24} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(label.to_string());
    bar
}

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
