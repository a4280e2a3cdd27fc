//! `indmon sql`: read-only SQL over the store.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use indmon_store::QueryOptions;

use crate::cmd::{UsageError, date_arg};
use crate::config::Context;
use crate::output::{Format, print_batches};

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
    /// Write the result to a Parquet file instead of printing it
    #[arg(long, value_name = "FILE.parquet")]
    out: Option<PathBuf>,
    /// Bind each dataset to the vintage current on this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let as_of = args.as_of.as_deref().map(date_arg).transpose()?;
    let opts = QueryOptions {
        as_of,
        ..Default::default()
    };
    match &args.out {
        None => {
            let batches = rt.block_on(store.query(&args.query, &opts))?;
            print_batches(&mut std::io::stdout().lock(), args.format, &batches)
        }
        Some(path) => {
            if path.extension().and_then(|e| e.to_str()) != Some("parquet") {
                return Err(UsageError(format!(
                    "--out {}: the file name must end in .parquet",
                    path.display()
                ))
                .into());
            }
            let rows = rt
                .block_on(write_parquet(&store, &args.query, &opts, path))
                .with_context(|| format!("writing {}", path.display()))?;
            if !ctx.quiet {
                eprintln!("Wrote {rows} rows to {}", path.display());
            }
            Ok(())
        }
    }
}

/// Streams the result into `path` (via a temporary file next to it, then a rename,
/// so a failed query never leaves a partial file).
async fn write_parquet(
    store: &indmon_store::Store,
    sql: &str,
    opts: &QueryOptions,
    path: &std::path::Path,
) -> Result<u64> {
    use futures_util::StreamExt;
    use indmon_store::parquet::arrow::ArrowWriter;
    let (df, _) = store.sql(sql, opts).await?;
    let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
    let mut stream = df
        .execute_stream()
        .await
        .map_err(indmon_store::Error::from)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let tmp = dir.join(format!(
        ".{}.partial",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let result: Result<u64> = async {
        let mut w = ArrowWriter::try_new(file, schema, None)?;
        let mut rows = 0u64;
        while let Some(batch) = stream.next().await {
            let batch = batch.map_err(indmon_store::Error::from)?;
            rows += batch.num_rows() as u64;
            w.write(&batch)?;
        }
        w.into_inner()?.sync_all()?;
        Ok(rows)
    }
    .await;
    match result {
        Ok(rows) => {
            std::fs::rename(&tmp, path)?;
            Ok(rows)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
