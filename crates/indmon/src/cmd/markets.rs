//! `indmon markets`: the six priority markets — the taxonomy that defines them in
//! statistical codes, their trade indicators for a country against its peers and over
//! time, and the taxonomy's validation. Every figure is a result of
//! `indmon_report::markets`; this module reads the flags and prints.

mod show;

use std::io::Write;
use std::path::PathBuf;

use crate::error::Result;
use indmon_reference::TaxonomyFile;
use indmon_report::markets::{self as rm, BoardRequest, MarketRequest, Validation};
use indmon_report::{Reference, Table, Tabular};

use crate::config::Context;
use crate::output::{Format, print, print_table};

/// The six priority markets of the Dutch industrial policy (semiconductors,
/// biotechnology, digital services and AI, machine building, innovative chemistry,
/// defence-related growth markets): their definition in HS, NACE and CPA codes (a
/// versioned taxonomy), and their status for a country against its peers and over time
/// on the trade data in the store.
///
/// Trade figures are in million US dollars (BACI values are thousand USD). A trend is
/// called rising or falling only where the slope of ln(world-export share) on the year
/// is significant (t test, `[markets] alpha`, default 5 %); otherwise it is grey.
///
/// Examples:
///   indmon markets
///   indmon markets show semiconductors
///   indmon markets show semiconductors --part indicators --format csv
///   indmon markets validate
///   indmon markets validate --taxonomy my-markets.toml
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct Common {
    /// Taxonomy file [default: the bundled taxonomy/priority-markets.toml]
    #[arg(long, global = true, value_name = "FILE")]
    taxonomy: Option<PathBuf>,
    /// Trade dataset in the store, BACI format [default: the one holding most of the
    /// taxonomy's codes; real before synthetic]
    #[arg(long, global = true)]
    dataset: Option<String>,
    /// Country [default: `[target] geo` of the settings, NL]
    #[arg(long, global = true)]
    geo: Option<String>,
    /// Peers, ISO 3166 alpha-2 or alpha-3 codes or EU27 [default: `[markets] peers`:
    /// EU27, BE, DK, DE, SE]
    #[arg(long, global = true, value_delimiter = ',')]
    peers: Vec<String>,
    /// Year of the status [default: the latest year in the data]
    #[arg(long, global = true)]
    year: Option<i32>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// The six markets with code counts, coverage and status (the default)
    List,
    /// One market: segments and codes, indicators for the country and its peers,
    /// trend and rank
    Show {
        /// The market: its id (semiconductors, biotechnology, digital_ai,
        /// machine_building, innovative_chemistry, defence_growth) or its name
        market: String,
        /// Which part to print as CSV (a table prints all; JSON has all)
        #[arg(long, value_enum, default_value_t = show::Part::Codes)]
        part: show::Part,
    },
    /// Check the taxonomy: every code exists in the shipped classification lists (HS
    /// 1992/2012/2017/2022, NACE Rev. 2 and 2.1, CPA 2.1); report overlaps between markets
    Validate,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let c = &args.common;
    let reference = Reference::bundled()?;
    let user: TaxonomyFile;
    let file = match &c.taxonomy {
        Some(p) => {
            let bytes =
                indmon_sources::input::read_regular(p, indmon_sources::input::MAX_SETTINGS_FILE)?;
            user = rm::taxonomy_file(reference, &p.display().to_string(), &bytes)?;
            &user
        }
        None => &reference.taxonomy,
    };
    let action = args.action.unwrap_or(Action::List);
    if let Action::Validate = action {
        return validate(file, c.format);
    }
    let tax = file.valid()?;
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let trade = BoardRequest {
        dataset: c.dataset.clone(),
        geo: c.geo.clone(),
        peers: crate::cmd::list(&c.peers),
        year: c.year,
    };
    let mut out = std::io::stdout().lock();
    match action {
        Action::Show { market, part } => {
            let req = MarketRequest { market, trade };
            let detail = rt.block_on(rm::market_detail(
                &store,
                &ctx.settings,
                tax,
                &file.label,
                reference,
                &req,
            ))?;
            show::render(&mut out, &detail, part.into(), c.format)
        }
        _ => {
            let board = rt.block_on(rm::board(
                &store,
                &ctx.settings,
                tax,
                &file.label,
                reference,
                &trade,
            ))?;
            match c.format {
                Format::Table => print_table(
                    &mut out,
                    &columns(board.table(), BOARD_TABLE),
                    &board.notes(),
                ),
                f => print(&mut out, f, &board),
            }
        }
    }
}

/// The board's columns a terminal shows (CSV and JSON have all).
const BOARD_TABLE: &[&str] = &[
    "market",
    "coverage",
    "segments",
    "hs6",
    "nace",
    "cpa",
    "hs6_in_edition",
    "hs6_in_data",
    "year",
    "exports_musd",
    "world_share_%",
    "rca",
    "rank",
    "ranked",
    "trend_text",
    "status",
    "risky_strategic_dependencies",
];

/// The columns of `t` named in `names`, in that order (a terminal shows fewer columns).
pub(crate) fn columns(t: Table, names: &[&str]) -> Table {
    let at: Vec<usize> = names
        .iter()
        .filter_map(|n| t.columns.iter().position(|c| c.name == *n))
        .collect();
    Table {
        columns: at.iter().map(|&i| t.columns[i].clone()).collect(),
        rows: t
            .rows
            .iter()
            .map(|r| at.iter().map(|&i| r[i].clone()).collect())
            .collect(),
    }
}

/// `markets validate`: the counts per market; overlaps and the verdict on standard
/// error; an invalid taxonomy exits with its findings (exit 3).
fn validate(file: &TaxonomyFile, format: Format) -> Result<()> {
    let v: Validation = rm::validation(file);
    let mut out = std::io::stdout().lock();
    print(&mut out, format, &v)?;
    out.flush()?;
    if format != Format::Json {
        if !v.overlaps.is_empty() {
            eprintln!("Codes in more than one market (allowed; check they are deliberate):");
            for o in &v.overlaps {
                eprintln!("  {} {}: {}", o.kind, o.code, o.markets.join(", "));
            }
        }
        if v.valid {
            eprintln!(
                "The taxonomy is valid: every code exists in the lists of its classification."
            );
        }
    }
    file.valid()?;
    Ok(())
}
