//! `indmon verify`: checks every stored file against its catalog record.

use indmon_core::ErrorKind;
use indmon_report::integrity;

use crate::config::Context;
use crate::error::{CliError, Result};
use crate::output::{Format, print};

/// Check the store's files: every vintage's catalog record must be readable and every
/// Parquet file must have the SHA-256 its record states. Prints one line per file;
/// exits 3 naming the damaged files when there are any, 0 otherwise. Vintages stored
/// before indmon recorded checksums are listed as "no checksum recorded".
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check only this dataset (default: all)
    dataset: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.open_store()?;
    let r = integrity::verify(&store, args.dataset.as_deref())?;
    print(&mut std::io::stdout().lock(), args.format, &r)?;
    let damaged: Vec<String> = r
        .damaged()
        .map(|f| format!("{} ({})", f.path, f.status))
        .collect();
    if damaged.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        ErrorKind::Input,
        anyhow::anyhow!(
            "{} damaged file{} in the store: {}",
            damaged.len(),
            if damaged.len() == 1 { "" } else { "s" },
            damaged.join("; ")
        ),
    ))
}
