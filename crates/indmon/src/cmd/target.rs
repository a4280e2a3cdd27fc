//! `indmon target`: the industry share of value added against the target (default:
//! NL, at least 15 % in 2030) — series, gap, required growth, decomposition, peers,
//! outlook and revisions, each figure with its source and release.

use std::io::Write;

use crate::error::Result;
use indmon_core::settings::TargetSettings;
use indmon_report::Tabular;
use indmon_report::target::{
    self as report, DecompositionRequest, Definition, Overview, OverviewRequest, PeersRequest,
    Scope, ShareRequest,
};

use crate::cmd::{UsageError, date_arg, list};
use crate::config::Context;
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

fn pct(x: f64) -> String {
    format!("{:.2} %", 100.0 * x)
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
                Format::Table => print_overview(out, &ov, &req, t),
                f => print(out, f, &ov),
            }
        }
    }
}

/// The overview as text for reading.
fn print_overview(
    o: &mut dyn Write,
    ov: &Overview,
    assume: &OverviewRequest,
    t: &TargetSettings,
) -> Result<()> {
    let (focus, target) = (ov.geo.as_str(), ov.target);
    let last = &ov.latest;
    let path = &ov.path;
    let series = &ov.series;
    let rest_growth = ov.rest_growth_assumption.used;
    let (industry_needed, rest_allowed) = (ov.required_industry_growth, ov.allowed_rest_growth);
    let outlook = ov.outlook.ok();
    let peer = &ov.peers;
    let source_line = last.source.clone();
    writeln!(
        o,
        "Industry share of value added — {focus}: {}",
        ov.definition
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "Latest       {} {}{}   ({source_line})",
        last.year,
        pct(last.share),
        last.flag
            .as_ref()
            .map(|f| format!(" [{f}]"))
            .unwrap_or_default()
    )?;
    writeln!(
        o,
        "Target       {} in {} — gap {:.2} pp",
        pct(target.share),
        target.year,
        path.gap_pp
    )?;
    writeln!(
        o,
        "Required     industry value added growing {:.2} % a year faster than the rest ({}→{}: (1+g_industry)/(1+g_rest) = {:.4})",
        100.0 * path.relative_growth,
        last.year,
        target.year,
        1.0 + path.relative_growth
    )?;
    match (assume.rest_growth, rest_growth, industry_needed) {
        (Some(g), _, Some(need)) => writeln!(
            o,
            "             if the rest grows {:.2} % a year (stated), industry needs {:.2} % a year",
            100.0 * g,
            100.0 * need
        )?,
        (None, Some(g), Some(need)) => writeln!(
            o,
            "             if the rest grows as over {}–{} ({:.2} % a year), industry needs {:.2} % a year",
            last.year - t.rest_growth_years as i32,
            last.year,
            100.0 * g,
            100.0 * need
        )?,
        _ => writeln!(
            o,
            "             (no {}-year history of the rest to base a growth assumption on; state one with --rest-growth)",
            t.rest_growth_years
        )?,
    }
    if let (Some(gi), Some(allowed)) = (assume.industry_growth, rest_allowed) {
        writeln!(
            o,
            "             if industry grows {:.2} % a year, the rest may grow at most {:.2} % a year",
            100.0 * gi,
            100.0 * allowed
        )?;
    }
    writeln!(o)?;
    writeln!(
        o,
        "year  observed  straight line  constant growth  outlook median  80 % band        95 % band"
    )?;
    for (k, (year, lin)) in path.linear.iter().enumerate() {
        let band = outlook.and_then(|ol| ol.bands.iter().find(|b| b.year == *year));
        let observed = series
            .iter()
            .find(|s| s.year == *year)
            .map(|s| pct(s.share))
            .unwrap_or_default();
        let b = |x: Option<String>| x.unwrap_or_default();
        writeln!(
            o,
            "{year}  {observed:>8}  {:>13}  {:>15}  {:>14}  {:>15}  {:>15}",
            pct(*lin),
            pct(path.constant_growth[k].1),
            b(band.map(|x| pct(x.median))),
            b(band.map(|x| format!("{:.1}–{:.1} %", 100.0 * x.lo80, 100.0 * x.hi80))),
            b(band.map(|x| format!("{:.1}–{:.1} %", 100.0 * x.lo95, 100.0 * x.hi95))),
        )?;
    }
    writeln!(o)?;
    match &ov.outlook {
        report::OutlookResult::Ok(ol) => {
            let p = match (ol.probability, &ol.no_probability_because) {
                (Some(p), _) => format!(
                    "probability of at least {} in {}: {:.0} %",
                    pct(target.share),
                    target.year,
                    100.0 * p
                ),
                (None, Some(why)) => format!("no probability given: {why}"),
                (None, None) => String::new(),
            };
            writeln!(o, "Outlook      {p}")?;
            writeln!(
                o,
                "             model: {}, fitted on {} yearly changes {}–{}",
                ol.model, ol.changes, ol.fitted_from, ol.base_year
            )?;
            let bt = &ol.backtest;
            writeln!(
                o,
                "             backtest on history: {} forecasts up to {} years ahead; the plain model's 80 % band covered {:.0} % of outcomes, its 95 % band {:.0} %{}; mean error {:.2} pp",
                bt.forecasts,
                target.year - ol.base_year,
                100.0 * bt.coverage80,
                100.0 * bt.coverage95,
                bt.coverage80_at_horizon
                    .map(|c| format!(
                        " (at {} years: {:.0} % of {})",
                        target.year - ol.base_year,
                        100.0 * c,
                        bt.at_horizon
                    ))
                    .unwrap_or_default(),
                bt.mean_abs_error_pp
            )?;
            if ol.calibrated {
                writeln!(
                    o,
                    "             bands widened ×{:.2} to match the backtest errors; checked out of sample the widened 80 % band covered {} and the 95 % band {} of {} forecasts",
                    ol.calibration,
                    bt.calibrated_coverage80
                        .map(|c| format!("{:.0} %", 100.0 * c))
                        .unwrap_or_else(|| "—".into()),
                    bt.calibrated_coverage95
                        .map(|c| format!("{:.0} %", 100.0 * c))
                        .unwrap_or_else(|| "—".into()),
                    bt.calibrated_forecasts
                )?;
            } else {
                writeln!(
                    o,
                    "             bands not calibrated: too few backtest forecasts"
                )?;
            }
        }
        report::OutlookResult::Unavailable { error } => {
            writeln!(o, "Outlook      not available: {error}")?
        }
    }
    writeln!(o)?;
    writeln!(
        o,
        "Peers {}     share   rank  gap to {focus}  gap to {}  EU quartile",
        last.year, t.eu
    )?;
    for r in peer {
        writeln!(
            o,
            "  {:<10} {:>6.2} %  {:>4}  {:>9}  {:>9}  {:>11}",
            r.geo,
            100.0 * r.share,
            r.rank,
            r.gap_to_focus_pp
                .map(|g| format!("{g:+.2} pp"))
                .unwrap_or_default(),
            r.gap_to_eu_pp
                .map(|g| format!("{g:+.2} pp"))
                .unwrap_or_default(),
            r.eu_quartile.map(|q| q.to_string()).unwrap_or_default()
        )?;
    }
    writeln!(o)?;
    for n in ov.notes().iter().skip(1) {
        writeln!(o, "{n}")?;
    }
    Ok(())
}
