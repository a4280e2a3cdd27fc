//! `indmon vintages`: the releases of a dataset, or one figure across releases.

use indmon_report::series::{self, FigureRequest};

use crate::cmd::{UsageError, list};
use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print};

/// Show the vintages (releases) of a dataset; with a selection (--geo, --nace,
/// --year), show how those figures differ between releases and sources.
///
/// DATASET is a dataset id (`indmon sources` lists them) or `va`, gross value added
/// at current prices from every national-accounts source. Example:
/// `indmon vintages va --geo NL --nace TOTAL --year 2023`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset id, or `va` for value added from all sources
    dataset: String,
    /// Geography codes (NL, EU27_2020, DE ...), comma-separated or repeated
    #[arg(long)]
    geo: Vec<String>,
    /// NACE codes (C = manufacturing, TOTAL = all activities ...)
    #[arg(long)]
    nace: Vec<String>,
    /// Year
    #[arg(long)]
    year: Option<i32>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let catalog = store.catalog()?;
    let out = &mut std::io::stdout().lock();
    let selecting = !args.geo.is_empty() || !args.nace.is_empty() || args.year.is_some();
    if !selecting {
        if args.dataset == "va" {
            return Err(UsageError(
                "`indmon vintages va` needs a selection, e.g. --geo NL --nace TOTAL --year 2023"
                    .into(),
            )
            .into());
        }
        return print(
            out,
            args.format,
            &series::vintage_list(&catalog, &args.dataset)?,
        );
    }
    let req = FigureRequest {
        what: args.dataset,
        geo: list(&args.geo),
        nace: list(&args.nace),
        year: args.year,
    };
    let rt = ctx.runtime()?;
    print(
        out,
        args.format,
        &rt.block_on(series::figure_vintages(&store, &catalog, &req))?,
    )
}
