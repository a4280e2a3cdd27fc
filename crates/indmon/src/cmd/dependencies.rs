//! `indmon dependencies`: the strategic-dependency screen (the Dutch three tiers on the
//! EU 2021 criteria), the metrics behind it and one product explained. The results come
//! from `indmon_report::dependencies`; this module reads the flags, gets the trade (the
//! store, or BACI files given with `--trade`, with a progress bar) and prints. The
//! trade flags and the output are shared with `indmon mutual` (`cmd/mutual.rs`).

use std::io::Write;
use std::path::PathBuf;

use indmon_analytics::dependencies::ReExport;
use indmon_report::Tabular;
use indmon_report::dependencies::{
    self as dr, ExplainRequest, Explanation, MetricsRequest, ScreenRequest, Tier, Trade,
    TradeFiles, TradeRequest,
};
use indmon_store::Store;

use crate::cmd::UsageError;
use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print, print_table};

/// The strategic-dependency screen for a reporter (a country, or the EU27 as one bloc):
/// per HS6 product, the EU 2021 criteria (HHI of imports from outside the bloc > 0.4,
/// their share > 0.5, imports from outside the bloc / exports > 1), persistence (2 of
/// 3 years), and the Dutch three tiers: dependency → strategic (crucial for public
/// interests: `taxonomy/criticality.toml` and the six priority markets) → risky
/// strategic (high disruption risk given the relations with the suppliers,
/// `taxonomy/country-relations.toml` overridden by `[dependencies.relations]`).
///
/// Trade comes from the store (the bundled BACI extract by default) or from a BACI
/// file or folder (`--trade`), read in one streaming pass. Values in million USD.
///
/// Examples:
///   indmon dependencies
///   indmon dependencies --reporter EU27 --tier risky
///   indmon dependencies --reporter NL --trade BACI_HS17_V202601/ --format csv
///   indmon dependencies explain 280461
///   indmon dependencies metrics --format csv --out nl.csv
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    common: Common,
}

/// The flags `dependencies` and `mutual` share.
#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// Reporter: a country (ISO alpha-2 or alpha-3) or EU27 [default: `[target] geo`]
    #[arg(long, global = true)]
    reporter: Option<String>,
    /// Year [default: the latest in the data]
    #[arg(long, global = true)]
    year: Option<i32>,
    /// A BACI trade file or a folder with one release, instead of the store
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "dataset")]
    trade: Option<PathBuf>,
    /// Trade dataset in the store [default: real before synthetic, most rows]
    #[arg(long, global = true)]
    dataset: Option<String>,
    /// Re-export correction: none, or net (imports less exports: the transit-hub
    /// proxy) [default: `[dependencies] reexport`, none]
    #[arg(long, global = true, value_enum)]
    reexport: Option<ReExportArg>,
    /// Which products: all imported, or from a tier up [default: dependency]
    #[arg(long, global = true, value_enum)]
    pub(crate) tier: Option<TierArg>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t)]
    pub(crate) format: Format,
    /// Write the output to this file instead of standard output
    #[arg(long, global = true, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReExportArg {
    None,
    Net,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum TierArg {
    All,
    Dependency,
    Strategic,
    Risky,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// The screen: products from the chosen tier up, with criteria and reasons (default)
    Screen,
    /// The metrics of every product the reporter imports (the EU 2021 inputs)
    Metrics,
    /// One product end to end: criteria with their numbers, suppliers, areas, risk
    Explain {
        /// HS6 code (leading zeros may be left out)
        hs6: String,
    },
}

impl Common {
    /// Reporter, year and dataset as the report takes them.
    pub(crate) fn trade_request(&self) -> TradeRequest {
        TradeRequest {
            reporter: self.reporter.clone(),
            year: self.year,
            dataset: self.dataset.clone(),
        }
    }

    /// The correction the flag asks for (`None`: the settings decide).
    pub(crate) fn reexport(&self) -> Option<ReExport> {
        self.reexport.map(|r| match r {
            ReExportArg::Net => ReExport::Net,
            ReExportArg::None => ReExport::None,
        })
    }

    /// The notes describe million USD (the reading view) rather than thousand USD.
    pub(crate) fn million(&self) -> bool {
        self.format == Format::Table
    }

    /// The store, when the trade comes from it (loaded on first use), or when a data
    /// directory exists next to trade read from files (to keep `--out` out of it).
    pub(crate) fn store(&self, ctx: &Context) -> Result<Option<Store>> {
        let store = if self.trade.is_none() {
            Some(ctx.store()?)
        } else if ctx.data_dir.join("INDMON_STORE").exists() {
            ctx.open_store().ok()
        } else {
            None
        };
        if let Some(p) = &self.out {
            crate::output::refuse_in_store(ctx, store.as_ref(), p)?;
        }
        Ok(store)
    }

    /// The trade: from the store, or streamed from the BACI files of `--trade` with a
    /// progress bar. With `window`, only the years a screen needs are read.
    pub(crate) fn trade(
        &self,
        ctx: &Context,
        store: Option<&Store>,
        window: Option<usize>,
    ) -> Result<Trade> {
        let req = self.trade_request();
        let Some(path) = &self.trade else {
            let store = store.expect("the store is open when the trade comes from it");
            let rt = ctx.runtime()?;
            return Ok(rt.block_on(dr::load(store, &ctx.settings, &req, window))?);
        };
        let files = TradeFiles::find(path, &req, &ctx.settings.target.geo, window)?;
        let bar = crate::progress::byte_bar(ctx.quiet, Some(files.total_bytes()), "reading trade");
        let trade = files.read(&|n| bar.set_position(n));
        bar.finish_and_clear();
        Ok(trade?)
    }

    /// Writes the output: to standard output, or to `--out` whole (a temporary file
    /// next to it, renamed once complete, so a failure never leaves half a file).
    pub(crate) fn emit(&self, render: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        match &self.out {
            None => render(&mut std::io::stdout().lock()),
            Some(path) => crate::output::write_whole(path, render),
        }
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let c = &args.common;
    let action = args.action.unwrap_or(Action::Screen);
    if matches!(action, Action::Metrics) && (c.tier.is_some() || c.reexport.is_some()) {
        return Err(UsageError(
            "`dependencies metrics` gives every imported product before any criterion or correction: --tier and --reexport do not apply".into(),
        )
        .into());
    }
    let store = c.store(ctx)?;
    let window = match action {
        Action::Metrics => None,
        _ => Some(ctx.settings.dependencies.persistence_window),
    };
    let trade = c.trade(ctx, store.as_ref(), window)?;
    let r = indmon_report::Reference::bundled()?;
    let tax = &r.taxonomy.taxonomy;
    match action {
        Action::Metrics => {
            let req = MetricsRequest {
                trade: c.trade_request(),
            };
            let m = dr::metrics_in(&trade, &req)?;
            c.emit(|w| print(w, c.format, &m))
        }
        Action::Explain { hs6 } => {
            let req = ExplainRequest {
                trade: c.trade_request(),
                hs6,
                reexport: c.reexport(),
                million: c.million(),
            };
            let e = dr::explain_in(&trade, &ctx.settings, tax, r, &req)?;
            c.emit(|w| print_explanation(w, c.format, &e))
        }
        Action::Screen => {
            let req = ScreenRequest {
                trade: c.trade_request(),
                reexport: c.reexport(),
                tier: match c.tier.unwrap_or(TierArg::Dependency) {
                    TierArg::All => Tier::None,
                    TierArg::Dependency => Tier::Dependency,
                    TierArg::Strategic => Tier::Strategic,
                    TierArg::Risky => Tier::Risky,
                },
                million: c.million(),
            };
            let s = dr::screen_in(&trade, &ctx.settings, tax, r, &req)?;
            c.emit(|w| match c.format {
                // the reading view: million USD and percent, names shortened
                Format::Table => print_table(w, &s.view(), &s.notes()),
                f => print(w, f, &s),
            })
        }
    }
}

/// The explanation in sentences with the notes (table), its steps (CSV) or the whole
/// result (JSON).
fn print_explanation(w: &mut dyn Write, format: Format, e: &Explanation) -> Result<()> {
    if format != Format::Table {
        return print(w, format, e);
    }
    for l in &e.explanation {
        writeln!(w, "{}", crate::output::terminal_safe(l))?;
    }
    writeln!(w)?;
    for n in e.notes() {
        writeln!(w, "{}", crate::output::terminal_safe(&n))?;
    }
    Ok(())
}
