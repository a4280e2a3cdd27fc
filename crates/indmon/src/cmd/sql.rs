//! `indmon sql`: read-only SQL over the store.

use std::path::PathBuf;

use indmon_store::{QueryOptions, RowsFormat};

use crate::cmd::date_arg;
use crate::config::Context;
use crate::error::{Context as _, Result};
use crate::output::Format;

/// Run one read-only SQL query (DataFusion SQL) over the store.
///
/// Tables: every dataset by its id (its latest vintage, or the one current on
/// --as-of), `<dataset>__vintages` (all vintages, with a `vintage` column),
/// `na_obs` and `na_obs__vintages` (all national-accounts datasets together, with a
/// `dataset` column), and `indmon_catalog` (one row per vintage: source, release,
/// checksum, licence ...). `SHOW TABLES` lists them. INSERT, CREATE, DROP, COPY and
/// other statements that would write are refused. Examples:
///
///   indmon sql "SELECT geo, time, value FROM estat_nama_10_a64 WHERE nace = 'C' AND geo = 'NL' ORDER BY time"
///   indmon sql "SELECT dataset, vintage, release, rows FROM indmon_catalog" --format csv
///   indmon sql "SELECT * FROM baci_hs17" --out trade.parquet
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The SQL query
    query: String,
    /// Output format (ignored with --out)
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write the result to a file instead of printing it: Parquet (FILE.parquet) or CSV
    /// (FILE.csv); never inside the data directory
    #[arg(long, value_name = "FILE.parquet|FILE.csv")]
    out: Option<PathBuf>,
    /// Bind each dataset to the vintage current on this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let opts = QueryOptions {
        as_of: args.as_of.as_deref().map(date_arg).transpose()?,
        ..Default::default()
    };
    let result = run_on(&rt, ctx, &store, &args, &opts);
    // a query stopped at its time limit may leave work that ends at its next pause:
    // nothing waits for it
    rt.shutdown_background();
    result
}

fn run_on(
    rt: &tokio::runtime::Runtime,
    ctx: &Context,
    store: &indmon_store::Store,
    args: &Args,
    opts: &QueryOptions,
) -> Result<()> {
    match &args.out {
        None => {
            let rows = rt.block_on(store.sql(&args.query, opts))?;
            let format = match args.format {
                Format::Table => RowsFormat::Table,
                Format::Csv => RowsFormat::Csv,
                Format::Json => RowsFormat::Json,
            };
            Ok(rows.write(format, &mut std::io::stdout().lock())?)
        }
        Some(path) => {
            let rows = rt
                .block_on(store.export(&args.query, opts, path))
                .with_context(|| format!("writing {}", path.display()))?;
            if !ctx.quiet {
                eprintln!("Wrote {rows} rows to {}", path.display());
            }
            Ok(())
        }
    }
}
