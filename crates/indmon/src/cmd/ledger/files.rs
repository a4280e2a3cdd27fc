//! `indmon ledger import` and `export`: the ledger's records from and to CSV, JSON and
//! Excel files (the formats are the ledger's own, `indmon_ledger::io`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use indmon_ledger::Ledger;
use indmon_ledger::io::{self as lio, Format as FileFormat};
use indmon_ledger::schema::{ENTITIES, Entity};
use indmon_report::Cell;

use super::args::ExportFormat;
use crate::cmd::UsageError;
use crate::error::{Context as _, Result};
use crate::output::{Format, print_rows};

/// Imports a file, all or nothing (with `dry_run`, checks and changes nothing), and
/// prints what was added, changed and left unchanged per kind.
pub fn import(
    out: &mut dyn std::io::Write,
    ledger: &mut Ledger,
    file: &Path,
    e: Option<&'static Entity>,
    actor: &str,
    dry_run: bool,
) -> Result<()> {
    // a pipe or a device is refused, and so is a file over the cap of files read whole
    let bytes = indmon_sources::input::read_regular(file, indmon_sources::input::MAX_WHOLE_FILE)?;
    let batch = lio::parse(file, &bytes, e)?;
    let places = batch.places.clone();
    let report = ledger.apply(&batch.items, actor, &|i| places[i].clone(), dry_run)?;
    let rows: Vec<Vec<Cell>> = report
        .per_entity
        .iter()
        .map(|(k, (i, u, s))| {
            vec![
                (*k).into(),
                Cell::Int(*i as i64),
                Cell::Int(*u as i64),
                Cell::Int(*s as i64),
            ]
        })
        .collect();
    let (i, u, s) = report.totals();
    let note = if dry_run {
        format!("dry run: {i} would be added, {u} changed, {s} unchanged; nothing was written")
    } else {
        format!(
            "imported {}: {i} added, {u} changed, {s} unchanged",
            file.display()
        )
    };
    print_rows(
        out,
        Format::Table,
        &["entity", "added", "changed", "unchanged"],
        &rows,
        &[note],
    )?;
    Ok(())
}

/// Writes the ledger as JSON or Excel (everything) or CSV (one kind, or every kind into
/// a directory); files are written beside their destination and renamed into place.
pub fn export(
    ctx: &crate::config::Context,
    ledger: &mut Ledger,
    format: ExportFormat,
    path: Option<PathBuf>,
    e: Option<&'static Entity>,
) -> Result<()> {
    let snap = ledger.snapshot()?;
    let write = |p: &std::path::Path, bytes: &[u8]| -> Result<()> {
        // never inside the store; next to the destination, then renamed: never a
        // half-written file
        crate::output::refuse_in_store(ctx, None, p)?;
        crate::output::write_whole(p, |w| Ok(w.write_all(bytes)?))
    };
    match format {
        ExportFormat::Json => {
            let bytes = serde_json::to_vec_pretty(&lio::to_json(&snap, ledger.target()))?;
            match path {
                Some(p) => write(&p, &bytes)?,
                None => {
                    let mut o = std::io::stdout().lock();
                    o.write_all(&bytes)?;
                    writeln!(o)?;
                }
            }
        }
        ExportFormat::Xlsx => {
            let p =
                path.ok_or_else(|| UsageError("an Excel export needs --out FILE.xlsx".into()))?;
            if FileFormat::of(&p) != Some(FileFormat::Xlsx) {
                return Err(UsageError(format!(
                    "{}: an Excel file's name ends in .xlsx",
                    p.display()
                ))
                .into());
            }
            write(&p, &lio::to_xlsx(&snap, ledger.target())?)?;
            eprintln!("wrote {}", p.display());
        }
        ExportFormat::Csv => match (e, path) {
            (Some(e), None) => {
                std::io::stdout()
                    .lock()
                    .write_all(&lio::to_csv(e, snap.of(e.name))?)?;
            }
            (Some(e), Some(p)) => {
                write(&p, &lio::to_csv(e, snap.of(e.name))?)?;
            }
            (None, Some(dir)) => {
                crate::output::refuse_in_store(ctx, None, &dir)?;
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                for e in ENTITIES {
                    write(
                        &dir.join(format!("{}.csv", e.plural)),
                        &lio::to_csv(e, snap.of(e.name))?,
                    )?;
                }
                eprintln!("wrote {} CSV files into {}", ENTITIES.len(), dir.display());
            }
            (None, None) => {
                return Err(UsageError(
                    "a CSV export is one kind of record (--entity programme) or every kind into a directory (--out DIR)".into(),
                )
                .into());
            }
        },
    }
    Ok(())
}
