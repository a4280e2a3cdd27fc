//! `indmon target`: the industry share of value added against the target (default:
//! NL, at least 15 % in 2030) — series, gap, required growth, decomposition, peers,
//! outlook and revisions, each figure with its source and release.

mod text;

use indmon_core::settings::TargetSettings;
use indmon_report::target::{
    self as report, DecompositionRequest, Definition, OverviewRequest, PeersRequest, Scope,
    ShareRequest,
};

use crate::cmd::{UsageError, date_arg, list};
use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print};

/// The industry share of value added against the target: latest share, gap,
/// required growth, outlook and peers, with sources.
///
/// The target (default: NL, at least 15 % manufacturing in total gross value added
/// in 2030) and the peer panel are set in indmon.toml under [target]. Subcommands:
///
///   indmon target                                    the overview
///   indmon target decompose --geo NL --from 2021 --to 2022
///   indmon target peers --year 2023
///   indmon target share --geo NL,DE --from 2015      the share series with flags
///   indmon target revisions --geo NL --year 2023     one share across releases
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    sub: Option<Sub>,
    /// Country (Eurostat geo code) [default: the target's, from indmon.toml; NL]
    #[arg(long, global = true)]
    geo: Vec<String>,
    /// Industry: C (manufacturing) or B-E (industry except construction) [default: from indmon.toml; C]
    #[arg(long, global = true)]
    industry: Option<String>,
    /// Denominator: gva (total gross value added) or gdp [default: from indmon.toml; gva]
    #[arg(long, global = true)]
    denominator: Option<String>,
    /// Dataset to read: auto (Eurostat first, then CBS, UNdata) or a dataset id
    #[arg(long, global = true, default_value = "auto")]
    source: String,
    /// Use the releases current on this date (YYYY-MM-DD) instead of the latest
    #[arg(long, global = true, value_name = "DATE")]
    as_of: Option<String>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t)]
    format: Format,
    /// Assume the rest of the economy grows by this many percent a year (instead of its
    /// average over the last years) when computing the industry growth needed
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    rest_growth: Option<f64>,
    /// Also show how fast the rest may grow at most if industry grows by this many
    /// percent a year
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    industry_growth: Option<f64>,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Split the change of the share between two years into the contributions of
    /// industry's growth and the rest's growth (exact Shapley split), year by year
    Decompose {
        /// First year [default: ten years before the last]
        #[arg(long)]
        from: Option<i32>,
        /// Last year [default: the last observed]
        #[arg(long)]
        to: Option<i32>,
    },
    /// Rank the peer panel by share, with gaps and EU quartiles
    Peers {
        /// Year [default: the target country's latest]
        #[arg(long)]
        year: Option<i32>,
    },
    /// The share series with flags and sources
    Share {
        /// First year
        #[arg(long)]
        from: Option<i32>,
        /// Last year
        #[arg(long)]
        to: Option<i32>,
    },
    /// One year's share as each release and source gave it
    Revisions {
        /// Year [default: the latest year in any release]
        #[arg(long)]
        year: Option<i32>,
    },
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let t = &ctx.settings.target;
    let def = Definition {
        industry: args.industry.clone().unwrap_or_else(|| t.industry.clone()),
        denominator: args
            .denominator
            .clone()
            .unwrap_or_else(|| t.denominator.clone()),
    };
    TargetSettings {
        industry: def.industry.clone(),
        denominator: def.denominator.clone(),
        ..t.clone()
    }
    .check()
    .map_err(|e| UsageError(e.to_string()))?;
    let scope = Scope {
        def,
        source: args.source.clone(),
        as_of: args.as_of.as_deref().map(date_arg).transpose()?,
    };
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let catalog = store.catalog()?;
    let geos = list(&args.geo);
    let focus = geos.first().cloned().unwrap_or_else(|| t.geo.clone());
    // One country for the overview, decompose and revisions; share and peers take several.
    let single_geo = matches!(
        args.sub,
        None | Some(Sub::Decompose { .. }) | Some(Sub::Revisions { .. })
    );
    if single_geo && geos.len() > 1 {
        return Err(UsageError(format!(
            "--geo takes one country here (got {}); `indmon target share` and `peers` take several",
            geos.join(", ")
        ))
        .into());
    }
    let out = &mut std::io::stdout().lock();
    match args.sub {
        Some(Sub::Decompose { from, to }) => {
            if let (Some(f), Some(t)) = (from, to)
                && t <= f
            {
                return Err(UsageError(format!("--to {t} must be after --from {f}")).into());
            }
            let req = DecompositionRequest {
                geo: focus,
                from,
                to,
                scope,
            };
            let r = rt.block_on(report::decomposition(&store, &catalog, &req))?;
            print(out, args.format, &r)
        }
        Some(Sub::Peers { year }) => {
            let mut req = PeersRequest::from_settings(t, Some(&focus), year);
            req.scope = scope;
            let r = rt.block_on(report::peers(&store, &catalog, &req))?;
            print(out, args.format, &r)
        }
        Some(Sub::Share { from, to }) => {
            let req = ShareRequest {
                geos: if geos.is_empty() {
                    report::panel_of(t, &focus)
                } else {
                    geos
                },
                from,
                to,
                scope,
            };
            let r = rt.block_on(report::share(&store, &catalog, &req))?;
            print(out, args.format, &r)
        }
        Some(Sub::Revisions { year }) => {
            // every release is compared, from every national-accounts dataset
            if scope.as_of.is_some() || args.source != "auto" {
                return Err(UsageError(
                    "revisions compares every release of every source; --as-of and --source do not apply"
                        .into(),
                )
                .into());
            }
            let r = rt.block_on(report::revisions(
                &store, &catalog, &focus, year, &scope.def,
            ))?;
            print(out, args.format, &r)
        }
        None => {
            let mut req = OverviewRequest::from_settings(t, Some(&focus));
            req.scope = scope;
            req.rest_growth = args.rest_growth.map(|g| g / 100.0);
            req.industry_growth = args.industry_growth.map(|g| g / 100.0);
            let ov = rt.block_on(report::overview(&store, &catalog, &req))?;
            match args.format {
                Format::Table => text::overview(out, &ov, &req, t),
                f => print(out, f, &ov),
            }
        }
    }
}
