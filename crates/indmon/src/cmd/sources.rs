//! `indmon sources`: what is in the store, where it comes from, under which licence.

use indmon_report::Cell;
use indmon_report::series;

use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print, print_rows};

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
    let out = &mut std::io::stdout().lock();
    if let Some(ds) = &args.dataset {
        return print(out, args.format, &series::dataset_record(&catalog, ds)?);
    }
    let r = series::sources(&catalog);
    if args.format != Format::Table {
        return print(out, args.format, &r);
    }
    // for reading: one line per dataset, its latest vintage
    let rows: Vec<Vec<Cell>> = r
        .datasets
        .iter()
        .filter_map(|d| {
            let m = d.vintages.last()?;
            let publisher = if m.source.synthetic {
                format!("SYNTHETIC ({})", m.source.publisher)
            } else {
                m.source.publisher.clone()
            };
            Some(vec![
                Cell::from(&d.dataset),
                Cell::from(publisher),
                Cell::from(
                    m.source
                        .release
                        .clone()
                        .unwrap_or_else(|| "not stated".into()),
                ),
                Cell::from(d.vintages.len()),
                Cell::Int(m.rows as i64),
                Cell::from(&m.source.licence),
            ])
        })
        .collect();
    print_rows(
        out,
        Format::Table,
        &[
            "dataset",
            "publisher",
            "release",
            "vintages",
            "rows",
            "licence",
        ],
        &rows,
        &r.notes,
    )
}
