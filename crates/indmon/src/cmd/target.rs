//! `indmon target`: the industry share of value added against the target (default:
//! NL, at least 15 % in 2030) — series, gap, required growth, decomposition, peers,
//! outlook and revisions, each figure with its source and release.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use indmon_analytics::target::Target;
use indmon_core::settings::TargetSettings;
use indmon_report::target::{self as report, Definition, Obs, OverviewRequest};
use indmon_store::{Catalog, QueryOptions, Store};
use serde_json::json;

use crate::cmd::{UsageError, date_arg, list, source_notes, sql_str};
use crate::config::Context;
use crate::output::{Cell, Format, num_column, print_rows, text_column};

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
        /// First year
        #[arg(long)]
        from: i32,
        /// Last year
        #[arg(long)]
        to: i32,
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
    let as_of = args.as_of.as_deref().map(date_arg).transpose()?;
    let opts = QueryOptions {
        as_of,
        ..Default::default()
    };
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let catalog = store.catalog()?;
    let geos = list(&args.geo);
    let focus = geos.first().cloned().unwrap_or_else(|| t.geo.clone());
    let mut panel = vec![focus.clone()];
    panel.extend(t.peers.iter().filter(|p| **p != focus).cloned());
    let target = Target {
        share: t.value / 100.0,
        year: t.year,
    };
    let mut out = std::io::stdout().lock();
    let mut notes = Vec::new();
    if let Some(d) = as_of {
        notes.push(format!(
            "As published on {d} (the releases current on that date)."
        ));
    }
    notes.push(format!(
        "Method: {}; {}.",
        indmon_analytics::METHOD_VERSION,
        def.describe()
    ));
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
    match args.sub {
        Some(Sub::Decompose { from, to }) => {
            if to <= from {
                return Err(UsageError(format!("--to {to} must be after --from {from}")).into());
            }
            let data = rt.block_on(report::load(
                &store,
                &opts,
                std::slice::from_ref(&focus),
                &def,
                &args.source,
            ))?;
            let series = report::require(&data, &focus, &def)?;
            let rows = report::decomposition(series, from, to).map_err(|e| match e {
                indmon_report::Error::NoData(m) => {
                    anyhow::Error::from(UsageError(format!("{focus}, {}: {m}", def.describe())))
                }
                e => e.into(),
            })?;
            let total = rows.last().expect("the whole span is the last row").clone();
            // the split into volumes and prices, where the store has previous-year prices
            let (vp, vp_note, vp_used) =
                volume_price_split(&store, &rt, &opts, &focus, &def, series, from, to)?;
            notes.push(vp_note);
            notes.insert(
                0,
                format!(
                    "{focus}: the share moved {:+.2} pp from {from} to {to}: industry value added {:+.1} %, the rest {:+.1} %; industry's growth contributed {:+.2} pp, the rest's growth {:+.2} pp (two-factor Shapley split; the contributions add up to the change exactly).",
                    total.delta_pp,
                    100.0 * total.industry_growth,
                    100.0 * total.rest_growth,
                    total.industry_pp,
                    total.rest_pp
                ),
            );
            let mut used =
                report::used_of(series.iter().filter(|o| o.year >= from && o.year <= to));
            used.extend(vp_used);
            notes.extend(source_notes(&catalog, &used, false));
            let cells: Vec<Vec<Cell>> = rows
                .iter()
                .map(|d| {
                    let split = vp.get(&(d.from, d.to));
                    vec![
                        Cell::Text(format!("{}-{}", d.from, d.to)),
                        Cell::Num(round(100.0 * d.share_from, 4)),
                        Cell::Num(round(100.0 * d.share_to, 4)),
                        Cell::Num(round(d.delta_pp, 4)),
                        Cell::Num(round(100.0 * d.industry_growth, 2)),
                        Cell::Num(round(100.0 * d.rest_growth, 2)),
                        Cell::Num(round(d.industry_pp, 4)),
                        Cell::Num(round(d.rest_pp, 4)),
                        split.map_or(Cell::Null, |v| Cell::Num(round(v.volume_pp, 4))),
                        split.map_or(Cell::Null, |v| Cell::Num(round(v.price_pp, 4))),
                    ]
                })
                .collect();
            print_rows(
                &mut out,
                args.format,
                &[
                    "years",
                    "share_from_%",
                    "share_to_%",
                    "change_pp",
                    "industry_growth_%",
                    "rest_growth_%",
                    "industry_contrib_pp",
                    "rest_contrib_pp",
                    "volume_contrib_pp",
                    "price_contrib_pp",
                ],
                &cells,
                &notes,
            )
        }
        Some(Sub::Peers { year }) => {
            let geos = report::panel_and_members(&panel);
            let data = rt.block_on(report::load(&store, &opts, &geos, &def, &args.source))?;
            let year = match year {
                Some(y) => y,
                None => report::require(&data, &focus, &def)?
                    .last()
                    .map(|o| o.year)
                    .unwrap_or(0),
            };
            let (rows, used) = report::peer_rows(&data, &panel, &focus, &t.eu, year);
            if rows.is_empty() {
                return Err(UsageError(format!("no shares for {year} in the peer panel")).into());
            }
            notes.insert(0, format!("Industry share of value added, {year}; gaps in percentage points; EU quartile among the 27 member states (4 = highest)."));
            let missing: Vec<&String> = panel
                .iter()
                .filter(|g| !rows.iter().any(|r| &r.geo == *g))
                .collect();
            if !missing.is_empty() {
                notes.push(format!(
                    "No {year} figure for: {}.",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            notes.extend(source_notes(&catalog, &used, false));
            let cells: Vec<Vec<Cell>> = rows
                .iter()
                .map(|r| {
                    let pretty = args.format == Format::Table;
                    vec![
                        Cell::from(r.geo.as_str()),
                        Cell::Num(if pretty {
                            round(100.0 * r.share, 2)
                        } else {
                            100.0 * r.share
                        }),
                        Cell::Int(r.rank as i64),
                        r.gap_to_focus_pp.map_or(Cell::Null, |g| {
                            Cell::Num(round(g, if pretty { 2 } else { 6 }))
                        }),
                        r.gap_to_eu_pp.map_or(Cell::Null, |g| {
                            Cell::Num(round(g, if pretty { 2 } else { 6 }))
                        }),
                        r.eu_quartile.map_or(Cell::Null, |q| Cell::Int(q as i64)),
                    ]
                })
                .collect();
            print_rows(
                &mut out,
                args.format,
                &[
                    "geo",
                    "share_%",
                    "rank",
                    &format!("gap_to_{focus}_pp"),
                    &format!("gap_to_{}_pp", t.eu),
                    "eu_quartile",
                ],
                &cells,
                &notes,
            )
        }
        Some(Sub::Share { from, to }) => {
            let geos = if geos.is_empty() { panel.clone() } else { geos };
            let data = rt.block_on(report::load(&store, &opts, &geos, &def, &args.source))?;
            let mut cells = Vec::new();
            let mut used = BTreeSet::new();
            for g in &geos {
                for o in data.get(g).into_iter().flatten() {
                    if from.is_some_and(|f| o.year < f) || to.is_some_and(|t| o.year > t) {
                        continue;
                    }
                    used.insert((o.dataset.clone(), o.vintage.clone()));
                    cells.push(vec![
                        Cell::from(g.as_str()),
                        Cell::Int(o.year as i64),
                        Cell::Num(100.0 * o.share()),
                        Cell::Num(o.industry),
                        Cell::Num(o.total),
                        Cell::opt(o.flag()),
                        Cell::from(o.dataset.as_str()),
                        Cell::from(o.vintage.as_str()),
                    ]);
                }
            }
            notes.extend(source_notes(&catalog, &used, false));
            print_rows(
                &mut out,
                args.format,
                &[
                    "geo",
                    "year",
                    "share_%",
                    "industry",
                    "denominator",
                    "flag",
                    "dataset",
                    "vintage",
                ],
                &cells,
                &notes,
            )
        }
        Some(Sub::Revisions { year }) => {
            // every release is compared, from every national-accounts dataset
            if as_of.is_some() || args.source != "auto" {
                return Err(UsageError(
                    "revisions compares every release of every source; --as-of and --source do not apply"
                        .into(),
                )
                .into());
            }
            revisions(&store, &rt, &catalog, &focus, year, &def, args.format)
        }
        None => overview(
            &store,
            &rt,
            &opts,
            &catalog,
            &OverviewRequest {
                focus: focus.clone(),
                panel: panel.clone(),
                settings: t.clone(),
                target,
                def: def.clone(),
                source: args.source.clone(),
                rest_growth: args.rest_growth.map(|g| g / 100.0),
                industry_growth: args.industry_growth.map(|g| g / 100.0),
            },
            args.format,
            notes,
        ),
    }
}

/// The volume/price split of the share change over every year pair of `from..=to` and
/// the whole span, from value added at the previous year's prices (Eurostat unit
/// `PYP_MEUR`) next to the current-price series; with the note saying what was done or
/// what is missing, and the vintages used.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn volume_price_split(
    store: &Store,
    rt: &tokio::runtime::Runtime,
    opts: &QueryOptions,
    focus: &str,
    def: &Definition,
    series: &[Obs],
    from: i32,
    to: i32,
) -> Result<(
    BTreeMap<(i32, i32), indmon_analytics::target::VolumePrice>,
    String,
    std::collections::BTreeSet<(String, String)>,
)> {
    use indmon_analytics::target::{PypYear, volume_price};
    let mut out = BTreeMap::new();
    let mut used = std::collections::BTreeSet::new();
    if def.denominator != "gva" {
        return Ok((
            out,
            "Volumes and prices: not split for a GDP denominator (taxes less subsidies on products have no industry breakdown at previous year's prices).".into(),
            used,
        ));
    }
    let industry = if def.industry == "C" { "C" } else { "B-E" };
    let sql = format!(
        "SELECT time, nace, value, dataset, vintage FROM na_obs WHERE geo = {} AND unit = 'PYP_MEUR' AND na_item = 'B1G' AND nace IN ({}, 'TOTAL') AND value IS NOT NULL AND time BETWEEN {} AND {}",
        sql_str(focus),
        sql_str(industry),
        from + 1,
        to
    );
    // year -> nace -> (value, dataset, vintage); Eurostat first when several sources have it
    let mut pyp: BTreeMap<i32, BTreeMap<String, (f64, String, String)>> = BTreeMap::new();
    for b in &rt.block_on(store.query(&sql, opts))? {
        let (t, n, v, d, vt) = (
            num_column(b, 0)?,
            text_column(b, 1)?,
            num_column(b, 2)?,
            text_column(b, 3)?,
            text_column(b, 4)?,
        );
        for r in 0..b.num_rows() {
            if let (Some(t), Some(n), Some(v), Some(d), Some(vt)) =
                (t[r], &n[r], v[r], &d[r], &vt[r])
            {
                let e = pyp.entry(t as i32).or_default();
                let better = e
                    .get(n)
                    .is_none_or(|(_, od, _)| od != "estat_nama_10_a64" && d == "estat_nama_10_a64");
                if better {
                    e.insert(n.clone(), (v, d.clone(), vt.clone()));
                }
            }
        }
    }
    let years: Vec<PypYear> = (from..=to)
        .filter_map(|y| {
            let o = series.iter().find(|o| o.year == y)?;
            let (ip, rp) = if y == from {
                (1.0, 1.0)
            } else {
                let row = pyp.get(&y)?;
                let (i, _, _) = row.get(industry)?;
                let (t, _, _) = row.get("TOTAL")?;
                (*i, t - i)
            };
            Some(PypYear {
                year: y,
                industry: o.industry,
                rest: o.total - o.industry,
                industry_pyp: ip,
                rest_pyp: rp,
            })
        })
        .collect();
    let complete = years.len() as i32 == to - from + 1;
    if !complete {
        let missing: Vec<String> = (from + 1..=to)
            .filter(|y| {
                pyp.get(y)
                    .is_none_or(|r| !r.contains_key(industry) || !r.contains_key("TOTAL"))
            })
            .map(|y| y.to_string())
            .collect();
        return Ok((
            out,
            format!(
                "Volumes and prices: not split — the store has no value added at previous year's prices (PYP_MEUR) of {focus} {industry} and TOTAL for {}; add them with `indmon ingest estat_nama_10_a64 --filter geo={focus} --filter unit=PYP_MEUR` (and the current prices of the same release).",
                missing.join(", ")
            ),
            used,
        ));
    }
    for row in pyp.values() {
        for (_, d, vt) in row.values() {
            used.insert((d.clone(), vt.clone()));
        }
    }
    for w in years.windows(2) {
        if let Some(v) = volume_price(w) {
            out.insert((w[0].year, w[1].year), v);
        }
    }
    let total = volume_price(&years);
    let note = match &total {
        Some(v) => {
            out.insert((from, to), v.clone());
            format!(
                "Volumes and prices: relative real growth contributed {:+.2} pp and relative price change {:+.2} pp (industry volume {:+.1} %, prices {:+.1} %; the rest volume {:+.1} %, prices {:+.1} %; volumes chain-linked from previous-year prices, prices = nominal / volume, two-factor Shapley split of the odds).",
                v.volume_pp,
                v.price_pp,
                100.0 * v.industry_volume,
                100.0 * v.industry_price,
                100.0 * v.rest_volume,
                100.0 * v.rest_price
            )
        }
        None => "Volumes and prices: not split (a value is not positive).".into(),
    };
    Ok((out, note, used))
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn overview(
    store: &Store,
    rt: &tokio::runtime::Runtime,
    opts: &QueryOptions,
    catalog: &Catalog,
    req: &OverviewRequest,
    format: Format,
    mut notes: Vec<String>,
) -> Result<()> {
    let ov = rt.block_on(report::overview(store, opts, catalog, req))?;
    let (focus, t, target, def, assume) =
        (req.focus.as_str(), &req.settings, req.target, &req.def, req);
    let last = &ov.latest;
    let path = &ov.path;
    let series = &ov.series;
    let rest_growth = ov.rest_growth_assumption.used;
    let (industry_needed, rest_allowed) = (ov.required_industry_growth, ov.allowed_rest_growth);
    let outlook = ov.outlook.ok();
    let peer = &ov.peers;
    let source_line = last.source.clone();
    let sources: Vec<String> = ov
        .sources
        .iter()
        .map(|s| format!("Source: {}. Licence: {}", s.line, s.licence))
        .collect();
    match format {
        Format::Json => {
            let mut doc = serde_json::to_value(&ov)?;
            doc["source_lines"] = json!(sources);
            doc["notes"] = json!(notes);
            println!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(())
        }
        Format::Csv => {
            let n = |x: Option<f64>| x.map_or(Cell::Null, |v| Cell::Num(100.0 * v));
            let rows: Vec<Vec<Cell>> = ov
                .chart_rows(last.year)
                .iter()
                .map(|r| {
                    vec![
                        Cell::Int(r.year as i64),
                        n(r.observed),
                        n(r.linear),
                        n(r.constant_growth),
                        n(r.median),
                        n(r.band80.map(|b| b.0)),
                        n(r.band80.map(|b| b.1)),
                        n(r.band95.map(|b| b.0)),
                        n(r.band95.map(|b| b.1)),
                    ]
                })
                .collect();
            print_rows(
                &mut std::io::stdout().lock(),
                Format::Csv,
                &[
                    "year",
                    "observed_%",
                    "linear_path_%",
                    "constant_growth_path_%",
                    "outlook_median_%",
                    "outlook_lo80_%",
                    "outlook_hi80_%",
                    "outlook_lo95_%",
                    "outlook_hi95_%",
                ],
                &rows,
                &[],
            )?;
            // CSV carries numbers only; where they come from goes to stderr
            eprintln!("{}: {}", focus, def.describe());
            for n in notes.iter().chain(&sources) {
                eprintln!("{n}");
            }
            Ok(())
        }
        Format::Table => {
            let mut o = std::io::stdout().lock();
            use std::io::Write;
            writeln!(
                o,
                "Industry share of value added — {focus}: {}",
                def.describe()
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
            notes.extend(sources);
            for n in notes {
                writeln!(o, "{n}")?;
            }
            Ok(())
        }
    }
}

fn revisions(
    store: &Store,
    rt: &tokio::runtime::Runtime,
    catalog: &Catalog,
    geo: &str,
    year: Option<i32>,
    def: &Definition,
    format: Format,
) -> Result<()> {
    let (target_year, revs, sources) =
        rt.block_on(report::revisions(store, catalog, geo, year, def))?;
    let rows: Vec<Vec<Cell>> = revs
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.dataset.as_str()),
                Cell::opt(r.release.clone()),
                Cell::from(r.vintage.as_str()),
                Cell::opt(r.series.clone()),
                Cell::Int(r.year as i64),
                Cell::Num(round(
                    100.0 * r.share,
                    if format == Format::Table { 2 } else { 8 },
                )),
                Cell::from(r.how.as_str()),
            ]
        })
        .collect();
    let mut notes = vec![format!(
        "{geo}: manufacturing share of total value added in {} as each release and source gave it (oldest release first).",
        target_year.map(|y| y.to_string()).unwrap_or_default()
    )];
    notes.extend(sources.iter().map(|s| format!("Source: {}", s.line)));
    print_rows(
        &mut std::io::stdout().lock(),
        format,
        &[
            "dataset", "release", "vintage", "series", "year", "share_%", "how",
        ],
        &rows,
        &notes,
    )
}
