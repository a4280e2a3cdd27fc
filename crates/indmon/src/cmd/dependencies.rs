//! `indmon dependencies`, `indmon mutual` and `indmon crm`: the strategic-dependency
//! screen (the Dutch three tiers on the EU 2021 criteria), where others depend on the
//! reporter, and the EU critical-raw-materials assessment. Loading and classifying the
//! trade of the store live in `indmon_report::dependencies`; this module reads BACI
//! files (`--trade`) and prints.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::anyhow;

use crate::error::{Context as _, Result};
use indmon_analytics::dependencies::{self as dep, Accumulator, Metric, ReExport};
use indmon_report::dependencies::{
    self as dr, Countries, Reporter, SYNTHETIC_NOTE, Setup, Tier, Trade, TradeRequest, classify,
    hs6, relation_of,
};
use indmon_sources::baci;
use serde_json::{Value, json};

use crate::cmd::UsageError;
use crate::cmd::markets::{cell_json, emit, million, pct, round, shorten};
use crate::config::Context;
use crate::output::{Format, print_rows};
use indmon_report::{Cell, Reference};
use indmon_store::{QueryOptions, Rows, Select, Store};

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

#[derive(Debug, clap::Args)]
struct Common {
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
    tier: Option<TierArg>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t)]
    format: Format,
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
enum TierArg {
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

/// Where others depend on the reporter: products of which it supplies a large share of
/// world exports under concentrated world supply, the countries that depend on it for
/// them, and the partners with dependence both ways.
///
/// Examples:
///   indmon mutual
///   indmon mutual --reporter EU27 --format csv
#[derive(Debug, clap::Args)]
pub struct MutualArgs {
    #[command(flatten)]
    common: Common,
}

/// The EU critical raw materials (2023 assessment): supply risk (SR) and economic
/// importance (EI) as published, the critical flag (SR ≥ 1 and EI ≥ 2.8), their
/// history since 2011, and the concentration (HHI) of global supply and of EU sourcing
/// per stage (extraction, processing).
///
/// Examples:
///   indmon crm
///   indmon crm --critical
///   indmon crm --material cobalt
#[derive(Debug, clap::Args)]
pub struct CrmArgs {
    /// Only the critical materials
    #[arg(long)]
    critical: bool,
    /// One material: history and supply shares
    #[arg(long)]
    material: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

// ---------------------------------------------------------------------------------
// Inputs

fn fetch(store: &Store, rt: &tokio::runtime::Runtime, q: Select) -> Result<Rows> {
    Ok(rt.block_on(store.fetch(&q, &QueryOptions::default()))?)
}

fn read_countries_csv(text: &str, countries: &mut Countries) -> Result<()> {
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for rec in r.records() {
        let rec = rec?;
        if let (Some(c), Some(name), Some(i3)) = (rec.get(0), rec.get(1), rec.get(3))
            && let Ok(c) = c.trim().parse::<u16>()
        {
            if let Some(i2) = rec.get(2).map(str::trim).filter(|x| x.len() == 2) {
                countries.insert_iso2(i2, i3);
            }
            countries.insert(c, i3, &indmon_sources::formats::repair_mojibake(name));
        }
    }
    Ok(())
}

fn trade_request(ctx: &Context, c: &Common) -> TradeRequest {
    TradeRequest {
        reporter: Some(
            c.reporter
                .clone()
                .unwrap_or_else(|| ctx.settings.target.geo.clone()),
        ),
        year: c.year,
        dataset: c.dataset.clone(),
    }
}

/// The reference data with the bundled taxonomy (validated when loaded).
fn reference() -> Result<&'static Reference> {
    Ok(Reference::bundled()?)
}

/// The correction the flag asks for (`None`: the settings decide).
fn reexport_arg(c: &Common) -> Option<ReExport> {
    c.reexport.map(|r| match r {
        ReExportArg::Net => ReExport::Net,
        ReExportArg::None => ReExport::None,
    })
}

/// Reads the flows into an accumulator, from a BACI file or folder or from the store.
/// With `window`, only the years the screen needs are read: the year asked for (or the
/// latest) and the persistence window before it.
fn load(ctx: &Context, c: &Common, window: Option<usize>) -> Result<Trade> {
    let req = trade_request(ctx, c);
    let Some(path) = &c.trade else {
        let store = ctx.store()?;
        let rt = ctx.runtime()?;
        return Ok(rt.block_on(dr::load(&store, &ctx.settings, &req, window))?);
    };
    let reporter_name = req.reporter.unwrap_or_default();

    let mut files = baci::discover(path)?;
    if let Some(w) = window {
        // the years from the file names (BACI: one file a year)
        let year_of = |p: &std::path::PathBuf| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(baci::BaciName::parse)
                .and_then(|n| n.year)
        };
        let years: Vec<i32> = files.trade.iter().filter_map(year_of).collect();
        if years.len() == files.trade.len() {
            let last = c
                .year
                .unwrap_or_else(|| years.iter().copied().max().unwrap_or(0));
            let first = last - w as i32 + 1;
            let keep: Vec<std::path::PathBuf> = files
                .trade
                .iter()
                .filter(|p| year_of(p).is_some_and(|y| (first..=last).contains(&y)))
                .cloned()
                .collect();
            if keep.is_empty() {
                return Err(UsageError(format!(
                    "no trade file for {last} in {} (years: {})",
                    path.display(),
                    years
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
            files.trade = keep;
        }
    }
    let mut countries = Countries::default();
    match &files.countries {
        Some(p) => {
            let text = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            read_countries_csv(&String::from_utf8_lossy(&text), &mut countries)?;
        }
        None => {
            let text = indmon_reference::bundle::file("baci-crm-2024/country_codes_V202601.csv")
                .ok_or_else(|| anyhow!("bundled BACI country codes missing"))?;
            read_countries_csv(&String::from_utf8_lossy(text), &mut countries)?;
        }
    }
    let reporter = Reporter::resolve(&reporter_name, &countries)?;
    // one state per core: the file is parsed in parallel parts, merged after
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    let mut states: Vec<Accumulator> = (0..threads)
        .map(|_| Accumulator::new(&reporter.codes, &reporter.bloc))
        .collect();
    let total: u64 = files
        .trade
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = crate::cmd::byte_bar(ctx, Some(total), "reading trade");
    let progress = |n: u64| bar.set_position(n);
    baci::scan(
        &files.trade,
        &mut states,
        &|acc: &mut Accumulator, t, i, j, k, v| acc.add(t, i, j, k, v),
        &progress,
    )?;
    let mut acc = states.swap_remove(0);
    for other in &states {
        acc.merge(other);
    }
    let products = acc.product_count();
    bar.finish_and_clear();
    let synthetic = files.name.is_synthetic();
    let mut notes = Vec::new();
    if synthetic {
        notes.push(SYNTHETIC_NOTE.into());
    }
    notes.push(format!(
        "Trade: {} ({}, {} file(s), {}), read directly.",
        path.display(),
        files.name.hs,
        files.trade.len(),
        if synthetic {
            "synthetic".to_string()
        } else {
            format!("CEPII BACI release {}", files.name.version)
        }
    ));
    let edition = dr::edition_of_hs(&files.name.hs)?;
    Ok(Trade {
        acc,
        reporter,
        countries,
        edition,
        synthetic,
        notes,
        products_in_data: products,
        source: None,
    })
}

fn writer(out: &Option<PathBuf>) -> Result<Box<dyn std::io::Write>> {
    Ok(match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    })
}

fn write_output(
    c: &Common,
    header: &[&str],
    rows: &[Vec<Cell>],
    notes: &[String],
    json: Value,
) -> Result<()> {
    if c.out.is_none() {
        return emit(c.format, header, rows, notes, json);
    }
    let mut w = writer(&c.out)?;
    match c.format {
        Format::Json => {
            let mut json = json;
            json["notes"] = json!(notes);
            serde_json::to_writer_pretty(&mut w, &json)?;
            writeln!(w)?;
        }
        Format::Csv => {
            print_rows(&mut w, c.format, header, rows, &[])?;
            for n in notes {
                eprintln!("{n}");
            }
        }
        Format::Table => print_rows(&mut w, c.format, header, rows, notes)?,
    }
    w.flush()?;
    Ok(())
}

const METRIC_COLUMNS: [&str; 13] = [
    "reporter",
    "hs6",
    "year",
    "imports",
    "imports_outside_bloc",
    "exports",
    "import_hhi",
    "outside_hhi",
    "outside_share",
    "import_export_ratio",
    "world_hhi",
    "top_origin",
    "top_origin_share",
];

/// The metric columns of a row (values in thousand USD, as BACI, for machine use).
fn metric_cells(reporter: &str, m: &Metric) -> Vec<Cell> {
    vec![
        reporter.into(),
        hs6(m.product).into(),
        Cell::Int(i64::from(m.year)),
        Cell::Num(m.imports),
        Cell::Num(m.imports_outside_bloc),
        Cell::Num(m.exports),
        Cell::Num(m.import_hhi),
        m.outside_hhi.map_or(Cell::Null, Cell::Num),
        Cell::Num(m.outside_share),
        m.import_export_ratio.map_or(Cell::Null, Cell::Num),
        if m.world_hhi.is_nan() {
            Cell::Null
        } else {
            Cell::Num(m.world_hhi)
        },
        Cell::Int(i64::from(m.top_origin)),
        Cell::Num(m.top_origin_share),
    ]
}
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let c = &args.common;
    if matches!(args.action, Some(Action::Metrics)) && (c.tier.is_some() || c.reexport.is_some()) {
        return Err(UsageError(
            "`dependencies metrics` gives every imported product before any criterion or correction: --tier and --reexport do not apply".into(),
        )
        .into());
    }
    let action = args.action.unwrap_or(Action::Screen);
    let window = match action {
        Action::Metrics => None,
        _ => Some(ctx.settings.dependencies.persistence_window),
    };
    let trade = load(ctx, c, window)?;
    let year = dr::year_of(&trade, c.year)?;
    if let Action::Metrics = action {
        // the metrics need no taxonomy, mapping or relations
        let rows: Vec<Vec<Cell>> = trade
            .acc
            .metrics()
            .iter()
            .filter(|m| c.year.is_none_or(|y| m.year == y))
            .map(|m| metric_cells(&trade.reporter.name, m))
            .collect();
        let mut notes = trade.notes.clone();
        notes.push(format!(
            "Method {}: values in thousand USD (as BACI); top_origin is a BACI country code; outside = outside {}.",
            dep::METHOD_VERSION,
            trade.reporter.bloc_name
        ));
        let json = json!({"metrics": rows.iter().map(|r| Value::Object(METRIC_COLUMNS.iter().zip(r).map(|(h, c)| (h.to_string(), cell_json(c))).collect())).collect::<Vec<_>>()});
        return write_output(c, &METRIC_COLUMNS, &rows, &notes, json);
    }
    let r = reference()?;
    let tax = &r.taxonomy.taxonomy;
    let setup = dr::setup(
        &ctx.settings.dependencies,
        reexport_arg(c),
        trade.edition,
        tax,
        r,
    )?;
    match action {
        Action::Explain { hs6: code } => explain(c, &trade, &setup, year, &code),
        _ => screen(c, &trade, &setup, year),
    }
}

fn screen(c: &Common, trade: &Trade, setup: &Setup, year: i32) -> Result<()> {
    let want = match c.tier.unwrap_or(TierArg::Dependency) {
        TierArg::All => Tier::None,
        TierArg::Dependency => Tier::Dependency,
        TierArg::Strategic => Tier::Strategic,
        TierArg::Risky => Tier::Risky,
    };
    let table = c.format == Format::Table;
    let s = dr::screen_of(trade, setup, year, want, table);
    let mut header: Vec<&str> = METRIC_COLUMNS.to_vec();
    header.extend([
        "retained_share",
        "ratio_used",
        "criteria_met",
        "persistence",
        "tier",
        "areas",
        "risk",
    ]);
    let table_header = [
        "hs6",
        "name",
        "imports_musd",
        "outside_pct",
        "outside_hhi",
        "ratio",
        "world_hhi",
        "top_origin",
        "top_pct",
        "tier",
        "areas",
    ];
    let out_rows: Vec<Vec<Cell>> = s
        .rows
        .iter()
        .map(|r| {
            if table {
                vec![
                    r.hs6.as_str().into(),
                    Cell::opt_text(r.name.as_deref().map(|n| shorten(n, 40))),
                    million(r.imports),
                    pct(Some(r.outside_share), 0),
                    round(r.outside_hhi, 2),
                    round(r.ratio_used, 2),
                    round(r.world_hhi, 2),
                    r.top_origin_iso3.as_str().into(),
                    pct(Some(r.top_origin_share), 0),
                    r.tier_label.as_str().into(),
                    shorten(&r.areas.join(", "), 50).into(),
                ]
            } else {
                vec![
                    r.reporter.as_str().into(),
                    r.hs6.as_str().into(),
                    Cell::Int(i64::from(r.year)),
                    Cell::Num(r.imports),
                    Cell::Num(r.imports_outside_bloc),
                    Cell::Num(r.exports),
                    Cell::Num(r.import_hhi),
                    r.outside_hhi.map_or(Cell::Null, Cell::Num),
                    Cell::Num(r.outside_share),
                    r.import_export_ratio.map_or(Cell::Null, Cell::Num),
                    r.world_hhi.map_or(Cell::Null, Cell::Num),
                    Cell::Int(i64::from(r.top_origin)),
                    Cell::Num(r.top_origin_share),
                    Cell::Num(r.retained_share),
                    r.ratio_used.map_or(Cell::Null, Cell::Num),
                    r.criteria_met.as_str().into(),
                    r.persistence.map_or(Cell::Null, |n| Cell::Int(n as i64)),
                    r.tier_label.as_str().into(),
                    r.areas.join("; ").into(),
                    Cell::opt_text(r.risk.clone()),
                ]
            }
        })
        .collect();
    let h: Vec<&str> = if table {
        table_header.to_vec()
    } else {
        header.clone()
    };
    let json = json!({
        "reporter": s.reporter, "year": s.year, "synthetic": s.synthetic,
        "products": out_rows.iter().map(|r| Value::Object(h.iter().zip(r).map(|(h, c)| (h.to_string(), cell_json(c))).collect())).collect::<Vec<_>>(),
    });
    write_output(c, &h, &out_rows, &s.notes, json)
}

fn explain(c: &Common, trade: &Trade, setup: &Setup, year: i32, code: &str) -> Result<()> {
    let k: u32 = code
        .trim()
        .parse()
        .ok()
        .filter(|&k: &u32| k < 1_000_000 && !code.trim().is_empty() && code.trim().len() <= 6)
        .ok_or_else(|| UsageError(format!("{code:?} is not an HS6 code")))?;
    let rows = classify(trade, setup);
    let r = rows
        .iter()
        .find(|r| r.m.product == k && r.m.year == year)
        .ok_or_else(|| {
            UsageError(format!(
                "{} has no imports of {} in {year} in this data",
                trade.reporter.name,
                hs6(k)
            ))
        })?;
    let m = &r.m;
    let name = setup
        .lists
        .hs_name(trade.edition, &hs6(k))
        .unwrap_or("(no name in the HS lists)");
    let bloc = trade.reporter.bloc_name.as_str();
    let th = &setup.th;
    let yes = |b: bool| if b { "met" } else { "not met" };
    let mut lines = Vec::new();
    lines.push(format!(
        "HS {} — {name}\n{} imports in {year}: {:.1} million USD, of which {:.0} % from outside {bloc}; exports {:.1} million USD.",
        hs6(k),
        trade.reporter.name,
        m.imports / 1000.0,
        m.outside_share * 100.0,
        m.exports / 1000.0
    ));
    lines.push("EU 2021 criteria:".into());
    lines.push(format!(
        "  1. concentration of imports from outside {bloc}: HHI {} > {} — {}",
        m.outside_hhi.map_or("–".to_string(), |h| format!("{h:.2}")),
        th.outside_hhi,
        yes(r.crit.concentration)
    ));
    lines.push(format!(
        "  2. share of imports from outside {bloc}: {:.0} % > {:.0} % — {}",
        m.outside_share * 100.0,
        th.outside_share * 100.0,
        yes(r.crit.outside)
    ));
    let ratio_text = match (m.import_export_ratio, setup.re) {
        (None, _) => "no exports".to_string(),
        (Some(x), ReExport::None) => format!("{x:.2}"),
        (Some(x), ReExport::Net) => format!(
            "{:.2} after the re-export correction (retained share {:.0} %; {x:.2} before)",
            dep::corrected_ratio(m, ReExport::Net).unwrap_or(f64::NAN),
            dep::retained_share(m, ReExport::Net) * 100.0
        ),
    };
    lines.push(format!(
        "  3. imports from outside {bloc} / exports: {ratio_text} > {} — {}",
        th.ratio,
        yes(r.crit.ratio)
    ));
    lines.push(match r.persist {
        Some(n) => format!(
            "Persistence: the three criteria are met in {n} of the {} years to {year} (need {}).",
            th.persist_window, th.persist_min
        ),
        None => format!(
            "Persistence: not checked (the data do not have the {} years to {year}).",
            th.persist_window
        ),
    });
    let origins = trade.acc.origins(year, k);
    let total: f64 = origins.iter().map(|x| x.1).sum();
    lines.push(format!(
        "Suppliers: {}.",
        origins
            .iter()
            .take(6)
            .map(|&(o, v)| format!(
                "{} {:.0} % ({})",
                trade.countries.label(o),
                v / total * 100.0,
                relation_of(setup, trade, o).label()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    lines.push(format!(
        "World supply: HHI {:.2} ({}) over {:.1} million USD of world exports; {} supplies {:.1} % of world exports{}.",
        m.world_hhi,
        if m.world_hhi > th.world_hhi { "concentrated" } else { "not concentrated" },
        m.world_exports / 1000.0,
        trade.reporter.name,
        m.reporter_world_share.unwrap_or(0.0) * 100.0,
        if trade.reporter.bloc.len() > 1 && trade.reporter.codes.len() > 1 { " (outside the bloc's own trade)" } else { "" }
    ));
    if r.areas.is_empty() {
        lines.push("Crucial for public interests: not listed in the criticality mapping or the priority markets.".into());
    } else {
        let mut why = Vec::new();
        if let Some(e) = setup
            .crit
            .entries
            .iter()
            .find(|e| e.code.get_ref() == &hs6(k))
        {
            let names: Vec<&str> = e
                .areas
                .iter()
                .map(|a| {
                    setup
                        .crit
                        .areas
                        .iter()
                        .find(|x| x.id.get_ref() == a)
                        .map_or(a.as_str(), |x| x.name_en.as_str())
                })
                .collect();
            why.push(format!(
                "{} (criticality mapping: {})",
                names.join(", "),
                e.rationale.trim_end_matches('.')
            ));
        }
        for mk in &setup.tax.markets {
            if let Some((s, h)) = mk
                .hs_in(trade.edition)
                .into_iter()
                .find(|(_, h)| h.code.get_ref() == &hs6(k) && h.confidence.get_ref() != "proxy")
            {
                why.push(format!(
                    "priority market {} — segment {}, {} ({})",
                    mk.name_en.to_lowercase(),
                    s.name_en,
                    h.confidence.get_ref(),
                    h.rationale.trim_end_matches('.')
                ));
            }
        }
        lines.push(format!("Crucial for public interests: {}.", why.join("; ")));
    }
    match &r.risk {
        Some(risk) if risk.high => lines.push(format!(
            "Disruption risk: high — {}.",
            risk.reasons.join("; ")
        )),
        Some(risk) => lines.push(format!(
            "Disruption risk: not high (high-risk suppliers {:.0} %, not like-minded {:.0} % of imports from outside {bloc}).",
            risk.high_risk_share * 100.0,
            risk.non_aligned_share * 100.0
        )),
        None => {}
    }
    lines.push(format!(
        "Verdict: {}.",
        match r.tier {
            Tier::None => {
                let missing: Vec<&str> = [
                    (!r.crit.concentration).then_some("concentration"),
                    (!r.crit.outside).then_some("share from outside"),
                    (!r.crit.ratio).then_some("imports/exports"),
                    (r.crit.all() && !r.dependency).then_some("persistence"),
                ]
                .into_iter()
                .flatten()
                .collect();
                format!("not a dependency (not met: {})", missing.join(", "))
            }
            t => t.label().to_string(),
        }
    ));
    let notes = dr::common_notes(trade, setup, year, c.format == Format::Table);
    match c.format {
        Format::Json => {
            let v = json!({
                "reporter": trade.reporter.name, "hs6": hs6(k), "year": year, "name": name, "synthetic": trade.synthetic,
                "tier": r.tier.label(), "dependency": r.dependency,
                "criteria": {"concentration": r.crit.concentration, "outside": r.crit.outside, "ratio": r.crit.ratio},
                "persistence": r.persist, "areas": r.areas,
                "risk": r.risk.as_ref().map(|k| json!({"high": k.high, "reasons": k.reasons, "high_risk_share": k.high_risk_share, "non_aligned_share": k.non_aligned_share})),
                "suppliers": origins.iter().map(|&(o, v)| json!({"country": trade.countries.iso3(o), "code": o, "value": v, "share": v / total, "relation": relation_of(setup, trade, o).label()})).collect::<Vec<_>>(),
                "explanation": lines,
                "notes": notes,
            });
            let mut w = writer(&c.out)?;
            serde_json::to_writer_pretty(&mut w, &v)?;
            writeln!(w)?;
            Ok(())
        }
        _ => {
            let mut w = writer(&c.out)?;
            for l in &lines {
                writeln!(w, "{l}")?;
            }
            writeln!(w)?;
            for n in &notes {
                writeln!(w, "{n}")?;
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// Mutual dependencies

pub fn run_mutual(ctx: &Context, args: MutualArgs) -> Result<()> {
    let c = &args.common;
    if c.tier.is_some() {
        return Err(UsageError(
            "`mutual` lists products and partners, not tiers: --tier does not apply".into(),
        )
        .into());
    }
    let trade = load(ctx, c, Some(ctx.settings.dependencies.persistence_window))?;
    let year = dr::year_of(&trade, c.year)?;
    let r = reference()?;
    let tax = &r.taxonomy.taxonomy;
    let setup = dr::setup(
        &ctx.settings.dependencies,
        reexport_arg(c),
        trade.edition,
        tax,
        r,
    )?;
    let s = &ctx.settings.dependencies;
    let rows = classify(&trade, &setup);
    // products where others depend on the reporter: a large share of world exports
    // under (at least moderately) concentrated world supply
    let world = world_shares(&trade, year);
    let partners = trade
        .acc
        .dependent_partners(year, s.partner_share, s.partner_min_value);
    let mut by_product: HashMap<u32, Vec<(u16, f64, f64)>> = HashMap::new();
    for &(k, p, from_r, all) in &partners {
        if !trade.reporter.codes.contains(&p) {
            by_product.entry(k).or_default().push((p, from_r, all));
        }
    }
    let mut strong: Vec<(u32, f64, f64, f64)> = world
        .iter()
        .filter(|(_, (share, hhi, _))| *share >= s.mutual_share && *hhi >= s.mutual_world_hhi)
        .map(|(&k, &(share, hhi, w))| (k, share, hhi, w))
        .collect();
    // the largest first: the reporter's exports of the product
    strong.sort_by(|a, b| (b.1 * b.3).total_cmp(&(a.1 * a.3)).then(a.0.cmp(&b.0)));
    // partners with dependence both ways: the reporter depends on them (they are the
    // largest supplier of a dependency) and they depend on the reporter
    let mut we_depend: BTreeMap<u16, Vec<u32>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.m.year == year && r.dependency) {
        // the largest supplier outside the bloc: the one the dependency is on
        if let Some(&(o, _)) = trade
            .acc
            .origins(year, r.m.product)
            .iter()
            .find(|(o, _)| !trade.reporter.bloc.contains(o))
        {
            we_depend.entry(o).or_default().push(r.m.product);
        }
    }
    let mut they_depend: BTreeMap<u16, Vec<u32>> = BTreeMap::new();
    for &(k, p, _, _) in &partners {
        if !trade.reporter.codes.contains(&p) {
            they_depend.entry(p).or_default().push(k);
        }
    }
    let header = [
        "kind",
        "hs6",
        "name",
        "partner",
        "world_share_pct",
        "world_hhi",
        "world_exports_musd",
        "dependent_partners",
        "we_depend_on_them",
        "they_depend_on_us",
    ];
    let mut out = Vec::new();
    for &(k, share, hhi, w) in &strong {
        let deps = by_product.get(&k).map_or(0, Vec::len);
        out.push(vec![
            "product".into(),
            hs6(k).into(),
            Cell::opt_text(
                setup
                    .lists
                    .hs_name(trade.edition, &hs6(k))
                    .map(|n| shorten(n, 50)),
            ),
            Cell::Null,
            pct(Some(share), 1),
            round(Some(hhi), 2),
            million(w),
            Cell::Int(deps as i64),
            Cell::Null,
            Cell::Null,
        ]);
    }
    let mut pairs: Vec<(u16, &Vec<u32>, &Vec<u32>)> = we_depend
        .iter()
        .filter_map(|(p, ours)| they_depend.get(p).map(|theirs| (*p, ours, theirs)))
        .collect();
    pairs.sort_by_key(|x| std::cmp::Reverse(x.1.len().min(x.2.len())));
    let list = |v: &Vec<u32>| {
        let mut s: Vec<String> = v.iter().take(8).map(|k| hs6(*k)).collect();
        if v.len() > 8 {
            s.push(format!("… {} in all", v.len()));
        }
        s.join(" ")
    };
    for (p, ours, theirs) in &pairs {
        out.push(vec![
            "two-way".into(),
            Cell::Null,
            Cell::Null,
            trade.countries.iso3(*p).into(),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            list(ours).into(),
            list(theirs).into(),
        ]);
    }
    let mut notes = vec![format!(
        "{} {year}: {} products where {} supplies ≥ {:.0} % of world exports and world supply has HHI ≥ {}; {} partners with dependence both ways.",
        trade.reporter.name,
        strong.len(),
        trade.reporter.name,
        s.mutual_share * 100.0,
        s.mutual_world_hhi,
        pairs.len()
    )];
    notes.push(format!(
        "A partner depends on {} for a product when {} supplies ≥ {:.0} % of its imports of it (at least {} thousand USD); {} depends on a partner when the partner is the largest supplier from outside {} of one of its dependencies ({} in {year}).",
        trade.reporter.name,
        trade.reporter.name,
        s.partner_share * 100.0,
        s.partner_min_value,
        trade.reporter.name,
        trade.reporter.bloc_name,
        rows.iter().filter(|r| r.m.year == year && r.dependency).count()
    ));
    notes.extend(dr::common_notes(
        &trade,
        &setup,
        year,
        c.format == Format::Table,
    ));
    let json = json!({
        "reporter": trade.reporter.name, "year": year, "synthetic": trade.synthetic,
        "rows": out.iter().map(|r| Value::Object(header.iter().zip(r).map(|(h, c)| (h.to_string(), cell_json(c))).collect())).collect::<Vec<_>>(),
    });
    write_output(c, &header, &out, &notes, json)
}

/// The reporter's share of world exports per product (outside its own trade), the
/// world HHI and world exports, for every product it exports in `year`.
fn world_shares(trade: &Trade, year: i32) -> HashMap<u32, (f64, f64, f64)> {
    // the metrics cover imported products; exported-only products need the same
    // figures, so they are computed from the destinations and importers here
    let mut out = HashMap::new();
    for m in trade.acc.metrics().iter().filter(|m| m.year == year) {
        if let Some(s) = m.reporter_world_share
            && m.exports > 0.0
        {
            out.insert(m.product, (s, m.world_hhi, m.world_exports));
        }
    }
    for (k, s, h, w) in trade.acc.export_shares(year) {
        out.entry(k).or_insert((s, h, w));
    }
    out
}

// ---------------------------------------------------------------------------------
// Critical raw materials

/// Whether scores make a material critical in the assessment of `year`: SR ≥ 1 and
/// EI ≥ 2.8 since the 2017 method; the 2011 and 2014 assessments used another EI scale
/// with the threshold at 5.
fn critical_in(year: i32, sr: f64, ei: f64) -> bool {
    sr >= 1.0 && ei >= if year < 2017 { 5.0 } else { 2.8 }
}

/// SR and EI by assessment year.
type Scores = BTreeMap<i32, (Option<f64>, Option<f64>)>;

/// The name a material has in the supply-share tables (lower case): the score table
/// and the share tables of the 2023 study spell some materials differently.
fn supply_name(score_name: &str) -> String {
    let l = score_name.to_lowercase();
    match l.as_str() {
        "baryte" => "barytes".into(),
        "boron" => "borate".into(),
        "phosphorus" => "phosphorous".into(),
        "kaolin clay" => "kaolin".into(),
        _ => l,
    }
}

/// A published share: "12.5%", "<0.1%" (taken as 0.05 %, the middle of its range).
fn share_value(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.starts_with('<') {
        let v: f64 = t
            .trim_start_matches('<')
            .trim_end_matches('%')
            .trim()
            .parse()
            .ok()?;
        return Some(v / 2.0 / 100.0);
    }
    t.trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .ok()
        .map(|v| v / 100.0)
}

pub fn run_crm(ctx: &Context, args: CrmArgs) -> Result<()> {
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let catalog = store.catalog()?;
    for d in ["eucrm_scores", "eucrm_global_supply", "eucrm_eu_sourcing"] {
        if catalog.latest(d).is_none() {
            return Err(indmon_store::Error::NotFound(format!(
                "{d} is not in the store: run `indmon init` (bundled) or `indmon ingest {d} FILE`"
            ))
            .into());
        }
    }
    let mut scores: BTreeMap<String, Scores> = BTreeMap::new();
    {
        let b = fetch(
            &store,
            &rt,
            Select::from("eucrm_scores").columns(["material", "year", "sr", "ei"]),
        )?;
        let (m, y, sr, ei) = (b.texts(0)?, b.i64s(1)?, b.f64s(2)?, b.f64s(3)?);
        for r in 0..b.len() {
            if let (Some(m), Some(y)) = (&m[r], y[r]) {
                scores
                    .entry(m.split_whitespace().collect::<Vec<_>>().join(" "))
                    .or_default()
                    .insert(y as i32, (sr[r], ei[r]));
            }
        }
    }
    // shares per (material, stage) for global supply and EU sourcing
    type Shares = BTreeMap<(String, String), Vec<(String, f64)>>;
    let read_shares = |table: &str| -> Result<Shares> {
        let mut out: Shares = BTreeMap::new();
        {
            let b = fetch(
                &store,
                &rt,
                Select::from(table).columns(["material", "stage", "country", "share"]),
            )?;
            let (m, st, c, sh) = (b.texts(0)?, b.texts(1)?, b.texts(2)?, b.texts(3)?);
            for r in 0..b.len() {
                if let (Some(m), Some(st), Some(c), Some(v)) =
                    (&m[r], &st[r], &c[r], sh[r].as_deref().and_then(share_value))
                {
                    out.entry((
                        m.split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .to_lowercase(),
                        st.clone(),
                    ))
                    .or_default()
                    .push((c.clone(), v));
                }
            }
        }
        for v in out.values_mut() {
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
        }
        Ok(out)
    };
    let global = read_shares("eucrm_global_supply")?;
    let eu = read_shares("eucrm_eu_sourcing")?;
    let hhi_of = |s: &Shares, m: &str, st: &str| -> Option<f64> {
        s.get(&(supply_name(m), st.to_string()))
            .map(|v| v.iter().map(|(_, x)| x * x).sum())
    };
    // the HS6 codes of the bundled BACI extract name their material
    let mut hs_of: HashMap<String, Vec<String>> = HashMap::new();
    if catalog.latest("baci_products").is_some() {
        {
            let b = fetch(
                &store,
                &rt,
                Select::from("baci_products").columns(["code", "description"]),
            )?;
            let (c, d) = (b.texts(0)?, b.texts(1)?);
            for r in 0..b.len() {
                if let (Some(c), Some(d)) = (&c[r], &d[r])
                    && let Some(m) = d.strip_prefix("critical raw material: ")
                {
                    for part in m.split('+') {
                        hs_of
                            .entry(part.trim().to_lowercase())
                            .or_default()
                            .push(c.clone());
                    }
                }
            }
        }
    }
    let hs_for = |material: &str| -> Vec<String> {
        let l = material.to_lowercase();
        let mut v: Vec<String> = hs_of
            .iter()
            .filter(|(k, _)| {
                l == **k
                    || l.split_whitespace().any(|w| w == k.as_str())
                    || (l.starts_with(k.as_str()) && k.len() > 4)
            })
            .flat_map(|(_, c)| c.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let mut used = BTreeSet::new();
    for d in ["eucrm_scores", "eucrm_global_supply", "eucrm_eu_sourcing"] {
        if let Some(m) = catalog.latest(d) {
            used.insert((d.to_string(), m.vintage.clone()));
        }
    }
    let mut notes = crate::cmd::source_notes(&catalog, &used, true);
    notes.push("Groups (HREEs, LREEs, PGMs) have scores but their supply shares are published per element: see `indmon crm --material` for an element's shares where the study gives them.".to_string());
    notes.push("Critical: SR ≥ 1 and EI ≥ 2.8 (the 2017 method, used by the 2017, 2020 and 2023 assessments; the 2011 and 2014 assessments: SR ≥ 1 and EI ≥ 5, on their own scale). HHI: Σ share² of the published supply shares per stage (E extraction, P processing); shares published as \"<0.1%\" count as 0.05 %, and shares below the publication threshold (1 % for EU sourcing) are missing, so the HHI is a lower bound close to the true value.".to_string());
    notes.push("SR and EI are not recomputed: the shipped tables lack the governance indicators (WGI), import reliance, end-of-life recycling input rates and substitution indices the EU formula needs.".to_string());

    if let Some(want) = &args.material {
        let want_l = want.trim().to_lowercase();
        let in_shares = global.keys().chain(eu.keys()).any(|(k, _)| *k == want_l);
        let m = scores
            .keys()
            .find(|m| m.eq_ignore_ascii_case(want.trim()))
            .cloned()
            .or_else(|| in_shares.then(|| want.trim().to_string()))
            .ok_or_else(|| {
                UsageError(format!(
                    "no material {want:?} in the 2023 study; `indmon crm` lists the assessed ones"
                ))
            })?;
        let mut w = std::io::stdout().lock();
        let empty = BTreeMap::new();
        let by_year = scores.get(&m).unwrap_or(&empty);
        if by_year.is_empty() {
            writeln!(
                w,
                "{m}: no scores of its own in the study (assessed in a group); supply shares:"
            )?;
        } else {
            writeln!(
                w,
                "{m}: supply risk (SR) and economic importance (EI) by assessment"
            )?;
        }
        let hist: Vec<Vec<Cell>> = by_year
            .iter()
            .map(|(y, (sr, ei))| {
                vec![
                    Cell::Int(i64::from(*y)),
                    sr.map_or(Cell::Null, Cell::Num),
                    ei.map_or(Cell::Null, Cell::Num),
                    match (sr, ei) {
                        (Some(s), Some(e)) => {
                            if critical_in(*y, *s, *e) { "yes" } else { "no" }.into()
                        }
                        _ => "not assessed".into(),
                    },
                ]
            })
            .collect();
        if !hist.is_empty() {
            print_rows(
                &mut w,
                args.format,
                &["year", "sr", "ei", "critical"],
                &hist,
                &[],
            )?;
        }
        for (what, s) in [("Global supply", &global), ("EU sourcing", &eu)] {
            for st in ["E", "P"] {
                if let Some(v) = s.get(&(supply_name(&m), st.to_string())) {
                    writeln!(
                        w,
                        "\n{what}, {}: HHI {:.2}; {}",
                        if st == "E" {
                            "extraction"
                        } else {
                            "processing"
                        },
                        v.iter().map(|(_, x)| x * x).sum::<f64>(),
                        v.iter()
                            .take(8)
                            .map(|(c, x)| format!("{c} {:.1} %", x * 100.0))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )?;
                }
            }
        }
        let codes = hs_for(&m);
        if !codes.is_empty() {
            writeln!(w, "\nHS6 in the bundled BACI extract: {}", codes.join(", "))?;
        }
        writeln!(w)?;
        for n in &notes {
            writeln!(w, "{n}")?;
        }
        return Ok(());
    }
    let header = [
        "material",
        "sr_2023",
        "ei_2023",
        "critical",
        "hhi_global_extraction",
        "hhi_global_processing",
        "hhi_eu_extraction",
        "hhi_eu_processing",
        "top_global_supplier",
        "critical_in",
        "hs6",
    ];
    let mut rows = Vec::new();
    for (m, by_year) in &scores {
        let Some(&(sr, ei)) = by_year.get(&2023) else {
            continue;
        };
        let (Some(sr), Some(ei)) = (sr, ei) else {
            continue;
        };
        let critical = critical_in(2023, sr, ei);
        if args.critical && !critical {
            continue;
        }
        let top = ["P", "E"].iter().find_map(|st| {
            global
                .get(&(supply_name(m), st.to_string()))
                .and_then(|v| v.first())
                .map(|(c, x)| {
                    format!(
                        "{c} {:.0} % ({})",
                        x * 100.0,
                        if *st == "E" {
                            "extraction"
                        } else {
                            "processing"
                        }
                    )
                })
        });
        let history: Vec<String> = by_year
            .iter()
            .filter(|(y, (s, e))| matches!((s, e), (Some(s), Some(e)) if critical_in(**y, *s, *e)))
            .map(|(y, _)| y.to_string())
            .collect();
        rows.push(vec![
            m.as_str().into(),
            Cell::Num(sr),
            Cell::Num(ei),
            if critical { "yes" } else { "no" }.into(),
            round(hhi_of(&global, m, "E"), 2),
            round(hhi_of(&global, m, "P"), 2),
            round(hhi_of(&eu, m, "E"), 2),
            round(hhi_of(&eu, m, "P"), 2),
            Cell::opt_text(top),
            history.join(" ").into(),
            hs_for(m).join(" ").into(),
        ]);
    }
    let n_crit = rows.iter().filter(|r| r[3] == Cell::from("yes")).count();
    notes.insert(
        0,
        format!(
            "EU critical raw materials, 2023 assessment: {} materials with scores, {n_crit} critical by SR ≥ 1 and EI ≥ 2.8.",
            rows.len()
        ),
    );
    let json = json!({
        "materials": rows.iter().map(|r| Value::Object(header.iter().zip(r).map(|(h, c)| (h.to_string(), cell_json(c))).collect())).collect::<Vec<_>>(),
    });
    emit(args.format, &header, &rows, &notes, json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use indmon_core::taxonomy::{Criticality, Relations};
    use indmon_reference::{CRITICALITY, RELATIONS};

    #[test]
    fn the_shipped_criticality_mapping_and_relations_are_valid() {
        let lists = crate::cmd::markets::code_lists().unwrap();
        let crit = Criticality::parse("criticality.toml", CRITICALITY).unwrap();
        let problems = crit.validate(CRITICALITY, &lists.codes);
        assert!(problems.is_empty(), "{problems:?}");
        let ids: Vec<&str> = crit.areas.iter().map(|a| a.id.get_ref().as_str()).collect();
        assert_eq!(
            ids,
            [
                "health", "energy", "defence", "digital", "food", "water", "crm"
            ]
        );
        // every code of the bundled BACI extract is a critical raw material in HS 2017
        let products =
            indmon_reference::bundle::file("baci-crm-2024/product_codes_HS17_V202601_crm.csv")
                .unwrap();
        for line in String::from_utf8_lossy(products).lines().skip(1) {
            let code = line.split(',').next().unwrap();
            let e = crit.entries.iter().find(|e| e.code.get_ref() == code);
            assert!(
                e.is_some_and(|e| e.areas.iter().any(|a| a == "crm")
                    && e.editions.iter().any(|x| x == "HS2017")),
                "{code}"
            );
        }
        let rel = Relations::parse("country-relations.toml", RELATIONS).unwrap();
        let classes = rel.classes().unwrap();
        assert_eq!(classes.values().filter(|c| *c == "eu").count(), 27);
        assert_eq!(classes["RUS"], "high_risk");
        assert!(!classes.contains_key("CHN"), "China is 'other' by default");
    }

    #[test]
    fn a_wrong_criticality_entry_is_named() {
        let lists = crate::cmd::markets::code_lists().unwrap();
        let bad = CRITICALITY.replacen("areas = [\"crm\"]", "areas = [\"crmm\"]", 1);
        let crit = Criticality::parse("c.toml", &bad).unwrap();
        let p = crit.validate(&bad, &lists.codes);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("\"crmm\" is not defined") && p[0].line > 0);
    }

    #[test]
    fn published_shares_are_read_as_fractions() {
        assert_eq!(share_value("12.5%"), Some(0.125));
        assert_eq!(share_value("<0.1%"), Some(0.0005));
        assert_eq!(share_value(" 3% "), Some(0.03));
        assert_eq!(share_value("n/a"), None);
        assert_eq!(supply_name("Baryte"), "barytes");
        assert_eq!(supply_name("Natural graphite"), "natural graphite");
    }
}
