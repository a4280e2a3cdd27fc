//! `indmon sources`: what is in the store, where it comes from, under which licence.

use anyhow::Result;
use indmon_sources::registry;

use crate::cmd::init::release_text;
use crate::config::Context;
use crate::output::{Cell, Format, print_rows};

/// List the datasets in the store with their latest release, number of vintages,
/// rows and licence; with a DATASET, show everything the catalog records about it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show the full record of one dataset's latest vintage
    dataset: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let catalog = store.catalog()?;
    let mut out = std::io::stdout().lock();
    if let Some(ds) = &args.dataset {
        let Some(m) = catalog.latest(ds) else {
            return Err(indmon_store::Error::NotFound(format!(
                "no dataset '{ds}' in the store; `indmon sources` lists them"
            ))
            .into());
        };
        let rows: Vec<Vec<Cell>> = [
            ("dataset", m.dataset.to_string()),
            ("title", m.title.clone()),
            ("publisher", m.publisher.clone()),
            ("latest vintage", m.vintage.clone()),
            ("release", release_text(m)),
            (
                "release as published",
                m.release_label.clone().unwrap_or_default(),
            ),
            (
                "release established from",
                m.release_basis.clone().unwrap_or_default(),
            ),
            ("retrieved", m.retrieved_at.to_rfc3339()),
            ("input", m.input.clone()),
            ("sha256", m.sha256.clone()),
            ("rows", m.rows.to_string()),
            ("schema", format!("{} v{}", m.schema, m.schema_version)),
            ("parser", m.parser.clone()),
            ("scope", m.scope.clone().unwrap_or_default()),
            (
                "synthetic",
                if m.synthetic {
                    "YES: generated data, not statistics".into()
                } else {
                    "no".into()
                },
            ),
            ("licence", m.licence.clone()),
            ("citation", m.citation.clone()),
            ("vintages", catalog.vintages(ds).len().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| vec![Cell::from(k), Cell::from(v)])
        .collect();
        return print_rows(&mut out, args.format, &["field", "value"], &rows, &[]);
    }
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for ds in catalog.datasets() {
        let all = catalog.vintages(ds);
        let m = all.last().expect("datasets have vintages");
        let mut publisher = m.publisher.clone();
        if m.synthetic {
            publisher = format!("SYNTHETIC ({publisher})");
        }
        rows.push(vec![
            Cell::from(ds),
            Cell::from(publisher),
            Cell::from(
                m.release
                    .map_or_else(|| "not stated".to_string(), |d| d.to_string()),
            ),
            Cell::Int(all.len() as i64),
            Cell::Int(m.rows as i64),
            Cell::from(m.licence.clone()),
        ]);
    }
    let missing: Vec<&str> = registry()
        .all()
        .iter()
        .filter(|s| s.live.is_some() && catalog.latest(&s.id).is_none())
        .map(|s| s.id.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "Live sources not yet ingested: {} (indmon ingest SOURCE downloads them).",
            missing.join(", ")
        ));
    }
    if rows
        .iter()
        .any(|r| matches!(&r[1], Cell::Text(p) if p.starts_with("SYNTHETIC")))
    {
        notes.push("SYNTHETIC datasets are generated test data, not statistics.".into());
    }
    notes.push("Release 'not stated': the file gives no release date; `indmon sources DATASET` shows where it came from and when it was read.".into());
    print_rows(
        &mut out,
        args.format,
        &[
            "dataset",
            "publisher",
            "release",
            "vintages",
            "rows",
            "licence",
        ],
        &rows,
        &notes,
    )
}
