//! `indmon series`: a selection of national-accounts figures with their source.

use indmon_report::series::{self, SeriesRequest};

use crate::cmd::{date_arg, list};
use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print};

/// Print a selection of value-added figures with source, release and flags.
///
/// WHAT is `va` (gross value added at current prices, in million euro or national
/// currency), `va-share` (an activity's share of total value added, %), or a
/// national-accounts dataset id. Examples:
///
///   indmon series va --geo NL --nace C --year 2023
///   indmon series va --geo NL,DE --nace C,TOTAL --from 2015 --to 2023
///   indmon series va --geo NL --nace TOTAL --year 2023 --source un_sna_2_4
///   indmon series va --geo NL --nace C --as-of 2024-06-30
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// `va`, `va-share`, or a dataset id
    what: String,
    /// Geography codes (NL, EU27_2020, DE, BE, DK, SE ...), comma-separated or repeated
    #[arg(long)]
    geo: Vec<String>,
    /// NACE codes: C = manufacturing, B = mining, TOTAL = all activities ...
    #[arg(long)]
    nace: Vec<String>,
    /// One year
    #[arg(long, conflicts_with_all = ["from", "to"])]
    year: Option<i32>,
    /// First year
    #[arg(long)]
    from: Option<i32>,
    /// Last year
    #[arg(long)]
    to: Option<i32>,
    /// Unit code (CP_MEUR, CP_MNAC, PC_TOT); default: all units of WHAT
    #[arg(long)]
    unit: Option<String>,
    /// Dataset to read: `auto` (the first of Eurostat, CBS, UNdata, OECD that has the
    /// selection), `all`, or a dataset id
    #[arg(long, default_value = "auto")]
    source: String,
    /// Use the releases that were current on this date (YYYY-MM-DD) instead of the latest
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let catalog = store.catalog()?;
    let req = SeriesRequest {
        what: args.what,
        geo: list(&args.geo),
        nace: list(&args.nace),
        year: args.year,
        from: args.from,
        to: args.to,
        unit: args.unit,
        source: args.source,
        as_of: args.as_of.as_deref().map(date_arg).transpose()?,
    };
    let r = rt.block_on(series::series(&store, &catalog, &req))?;
    print(&mut std::io::stdout().lock(), args.format, &r)
}
