//! `indmon opportunities`: the products within a country's reach, or the product-space
//! neighbourhood of one product (`indmon_report::complexity`), printed.

use crate::error::Result;
use indmon_report::complexity::{
    self as report, NeighbourhoodRequest, OpportunitiesRequest, RankBy,
};

use crate::cmd::complexity::{InputArgs, MethodArgs};
use crate::config::Context;
use crate::output::year_progress;
use crate::output::{Format, print};

/// Products within a country's reach: the products it does not yet export with
/// comparative advantage, ranked by complexity outlook gain (COG), with density
/// (how close its current capabilities are) and PCI; or the product-space
/// neighbourhood of one product.
///
/// Reads BACI-format trade from the store (by default the real trade dataset with
/// the most rows; synthetic data only when asked for with --dataset) or a CSV panel, and labels the result with its source — and as
/// synthetic where it is.
///
/// Examples:
///
///   indmon opportunities --geo NL
///   indmon opportunities --geo NL --min-pci 1 --top 30
///   indmon opportunities --geo NL --near 850511
///   indmon opportunities --geo deu --panel data/py-ecomplexity/trade_data_sample.csv --year 1996
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The country: ISO 3166 alpha-2 or alpha-3 code, or the code used in the input
    #[arg(long, default_value = "NL")]
    geo: String,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    method: MethodArgs,
    /// Only products with PCI at least this
    #[arg(long, value_name = "X")]
    min_pci: Option<f64>,
    /// Rank by `cog` (outlook gain), `density` (closeness) or `pci` (complexity)
    #[arg(long, value_enum, default_value_t = RankArg::Cog)]
    by: RankArg,
    /// Number of products to show
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Instead: the product-space neighbourhood of this product (its nearest products
    /// by proximity, with the country's presence in each)
    #[arg(long, value_name = "PRODUCT")]
    near: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RankArg {
    Cog,
    Density,
    Pci,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    // A CSV panel needs the store only for country codes and product names: use
    // what is there, without loading the bundled snapshot for it.
    let store = match &args.input.panel {
        Some(_) => ctx.open_store().ok(),
        None => Some(ctx.store()?),
    };
    let rt = ctx.runtime()?;
    let panel = args.input.request(ctx.quiet)?;
    let method = args.method.options();
    let progress = year_progress(ctx.quiet);
    let mut out = std::io::stdout().lock();
    if let Some(product) = args.near {
        let req = NeighbourhoodRequest {
            geo: args.geo,
            panel,
            method,
            product,
            top: args.top,
        };
        let n = rt.block_on(report::neighbourhood(store.as_ref(), req, &progress))?;
        return print(&mut out, args.format, &n);
    }
    let req = OpportunitiesRequest {
        geo: args.geo,
        panel,
        method,
        min_pci: args.min_pci,
        by: match args.by {
            RankArg::Cog => RankBy::Cog,
            RankArg::Density => RankBy::Density,
            RankArg::Pci => RankBy::Pci,
        },
        top: args.top,
    };
    let o = rt.block_on(report::opportunities(store.as_ref(), req, &progress))?;
    print(&mut out, args.format, &o)
}
