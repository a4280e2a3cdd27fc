//! `indmon markets`: the six priority markets — the taxonomy that defines them in
//! statistical codes, their trade indicators for a country against its peers and over
//! time, and the taxonomy's validation. The board and the trade behind it come from
//! `indmon_report::markets`; this module prints them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::error::{Context as _, Result};
use indmon_core::taxonomy::{Market, Report, Taxonomy};
use indmon_report::markets::{self as rm, BoardRequest, MarketView, TradeData};
use indmon_report::{Cell, Reference};
use indmon_sources::{Error as SourceError, InputError};
use indmon_store::{Cond, QueryOptions, Select, Store};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

pub(crate) use indmon_reference::Lists;

use crate::cmd::UsageError;
use crate::config::Context;
use crate::output::{Format, print_rows};

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
        #[arg(long, value_enum, default_value_t = Part::Codes)]
        part: Part,
    },
    /// Check the taxonomy: every code exists in the shipped classification lists (HS
    /// 1992/2012/2017/2022, NACE Rev. 2 and 2.1, CPA 2.1); report overlaps between markets
    Validate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Part {
    /// HS6 codes with the country's exports, world share and RCA
    Codes,
    /// NACE and CPA codes
    Activities,
    /// Indicators per country and year
    Indicators,
    /// Rank and trend per country
    Status,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let c = &args.common;
    let (tax, label, text) = load_taxonomy(c.taxonomy.as_deref())?;
    let lists = code_lists()?;
    let report = tax.validate(&text, &lists.codes);
    match args.action.unwrap_or(Action::List) {
        Action::Validate => validate(&tax, &label, &report, c.format),
        action => {
            if !report.errors.is_empty() {
                return Err(invalid(&label, &report).into());
            }
            let store = ctx.store()?;
            let rt = ctx.runtime()?;
            let req = BoardRequest {
                dataset: c.dataset.clone(),
                geo: c.geo.clone(),
                peers: crate::cmd::list(&c.peers),
                year: c.year,
            };
            let data = rt.block_on(rm::load_trade(
                &store,
                &ctx.settings,
                &tax,
                Reference::bundled()?,
                &req,
            ))?;
            match action {
                Action::Show { market, part } => {
                    let market = tax.market(&market).ok_or_else(|| {
                        UsageError(format!(
                            "no market {market:?} in the taxonomy; the markets are {}",
                            tax.markets
                                .iter()
                                .map(|m| m.id.get_ref().as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?;
                    show(
                        ctx, &store, &rt, &tax, &label, lists, &data, market, part, c.format,
                    )
                }
                _ => list(ctx, &tax, &label, &data, c.format),
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The taxonomy and the code lists

pub(crate) fn load_taxonomy(path: Option<&Path>) -> Result<(Taxonomy, String, String)> {
    let (label, text) = match path {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
                input(
                    p.display().to_string(),
                    format!(
                        "not UTF-8 (invalid byte at offset {}); save the taxonomy as UTF-8",
                        e.utf8_error().valid_up_to()
                    ),
                )
            })?;
            (p.display().to_string(), text)
        }
        None => (
            indmon_reference::TAXONOMY_NAME.to_string(),
            indmon_reference::TAXONOMY.to_string(),
        ),
    };
    if text.trim().is_empty() {
        return Err(input(label, "the file is empty".into()).into());
    }
    let tax = Taxonomy::parse(&label, &text).map_err(|e| {
        SourceError::Input(Box::new(InputError::file(
            label.clone(),
            e.trim_start_matches(&format!("{label}: ")).to_string(),
        )))
    })?;
    Ok((tax, label, text))
}

pub(crate) fn input(file: String, message: String) -> SourceError {
    SourceError::Input(Box::new(InputError::file(file, message)))
}

fn invalid(label: &str, report: &Report) -> SourceError {
    let mut msg = format!("the taxonomy has {} error(s):", report.errors.len());
    for f in report.errors.iter().take(20) {
        msg.push_str(&format!("\n  {f}"));
    }
    if report.errors.len() > 20 {
        msg.push_str(&format!("\n  … and {} more", report.errors.len() - 20));
    }
    input(label.to_string(), msg)
}

/// The classification lists of the bundled snapshot, with names.
pub(crate) fn code_lists() -> Result<&'static Lists> {
    Ok(&Reference::bundled()?.lists)
}

fn validate(tax: &Taxonomy, label: &str, report: &Report, format: Format) -> Result<()> {
    let counts: Vec<_> = tax.markets.iter().map(|m| (m, m.counts())).collect();
    let rows: Vec<Vec<Cell>> = counts
        .iter()
        .map(|(m, c)| {
            vec![
                m.id.get_ref().as_str().into(),
                m.coverage.get_ref().as_str().into(),
                Cell::Int(c.segments as i64),
                Cell::Int(c.without_codes as i64),
                Cell::Int(c.hs as i64),
                Cell::Int(c.nace as i64),
                Cell::Int(c.cpa as i64),
            ]
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let v = json!({
            "taxonomy": label,
            "version": tax.version,
            "valid": report.errors.is_empty(),
            "errors": report.errors.iter().map(|f| json!({"line": f.line, "entry": f.entry, "message": f.message})).collect::<Vec<_>>(),
            "overlaps": report.overlaps.iter().map(|o| json!({"kind": o.kind, "code": o.code, "markets": o.markets})).collect::<Vec<_>>(),
            "markets": counts.iter().map(|(m, c)| json!({"market": m.id.get_ref(), "segments": c.segments, "segments_without_clean_code": c.without_codes, "hs": c.hs, "nace": c.nace, "cpa": c.cpa})).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        use std::io::Write as _;
        writeln!(out)?;
    } else {
        let notes = vec![
            format!("Taxonomy: {label}, version {} of {}.", tax.version, tax.date),
            "Checked against: HS 1992, 2012, 2022 (Growth Lab lists), HS 2017 (first six digits of CN 2021), NACE Rev. 2 and Rev. 2.1, CPA 2.1 (Eurostat).".to_string(),
        ];
        print_rows(
            &mut out,
            format,
            &[
                "market",
                "coverage",
                "segments",
                "no_clean_code",
                "hs6",
                "nace",
                "cpa",
            ],
            &rows,
            &notes,
        )?;
    }
    if !report.overlaps.is_empty() && format != Format::Json {
        eprintln!("Codes in more than one market (allowed; check they are deliberate):");
        for o in &report.overlaps {
            eprintln!("  {} {}: {}", o.kind, o.code, o.markets.join(", "));
        }
    }
    if report.errors.is_empty() {
        if format != Format::Json {
            eprintln!(
                "The taxonomy is valid: every code exists in the lists of its classification."
            );
        }
        Ok(())
    } else {
        Err(invalid(label, report).into())
    }
}

// ---------------------------------------------------------------------------------
// The trade data

// ---------------------------------------------------------------------------------
// Printing

pub(crate) fn million(v: f64) -> Cell {
    // `+ 0.0` turns the −0 of an empty sum into 0
    Cell::Num((v / 1000.0 * 10.0).round() / 10.0 + 0.0)
}

pub(crate) fn pct(v: Option<f64>, digits: i32) -> Cell {
    let f = 10f64.powi(digits);
    v.map_or(Cell::Null, |v| Cell::Num((v * 100.0 * f).round() / f))
}

pub(crate) fn round(v: Option<f64>, digits: i32) -> Cell {
    let f = 10f64.powi(digits);
    v.map_or(Cell::Null, |v| Cell::Num((v * f).round() / f))
}

/// A value already in million USD, rounded as [`million`] rounds thousands.
fn million_musd(v: f64) -> Cell {
    // `+ 0.0` turns the −0 of an empty sum into 0
    Cell::Num((v * 10.0).round() / 10.0 + 0.0)
}

fn list(
    ctx: &Context,
    tax: &Taxonomy,
    label: &str,
    data: &TradeData,
    format: Format,
) -> Result<()> {
    let board = rm::board_of(data, tax, label, ctx.settings.markets.alpha);
    let header = [
        "market",
        "coverage",
        "segments",
        "hs6",
        "nace",
        "cpa",
        "hs6_in_data",
        "year",
        "exports_musd",
        "world_share_pct",
        "rca",
        "rank",
        "trend",
        "status",
        "risky_deps",
    ];
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for s in &board.markets {
        rows.push(vec![
            s.market.as_str().into(),
            s.coverage.as_str().into(),
            Cell::Int(s.segments as i64),
            Cell::Int(s.hs6 as i64),
            Cell::Int(s.nace as i64),
            Cell::Int(s.cpa as i64),
            format!("{}/{}", s.hs6_in_data, s.hs6_in_edition).into(),
            Cell::Int(i64::from(board.year)),
            s.exports_musd
                .filter(|_| s.hs6_in_data > 0)
                .map_or(Cell::Null, million_musd),
            pct(s.world_share, 2),
            round(s.rca, 2),
            Cell::opt_text(s.rank.zip(s.ranked).map(|(r, n)| format!("{r} of {n}"))),
            s.trend_text.as_str().into(),
            s.status.as_str().into(),
            s.risky_strategic_dependencies
                .map_or(Cell::Null, |n| Cell::Int(n as i64)),
        ]);
        json_rows.push(json!({
            "market": s.market,
            "name_en": s.name_en,
            "name_nl": s.name_nl,
            "coverage": s.coverage,
            "coverage_note": s.coverage_note,
            "segments": s.segments,
            "segments_without_clean_code": s.segments_without_clean_code,
            "hs6": s.hs6, "nace": s.nace, "cpa": s.cpa,
            "hs6_in_edition": s.hs6_in_edition, "hs6_in_data": s.hs6_in_data,
            "geo": board.geo, "year": board.year,
            "exports_musd": s.exports_musd,
            "imports_musd": s.imports_musd,
            "world_share": s.world_share,
            "rca": s.rca,
            "rank": s.rank, "ranked": s.ranked,
            "trend": s.trend,
            "annual_change": s.annual_change,
            "p_value": s.p_value,
            "status": s.status,
            "risky_strategic_dependencies": s.risky_strategic_dependencies,
        }));
    }
    emit(
        format,
        &header,
        &rows,
        &board.notes,
        json!({"markets": json_rows}),
    )
}

pub(crate) fn emit(
    format: Format,
    header: &[&str],
    rows: &[Vec<Cell>],
    notes: &[String],
    json: Value,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let mut json = json;
            json["notes"] = json!(notes);
            serde_json::to_writer_pretty(&mut out, &json)?;
            use std::io::Write as _;
            writeln!(out)?;
        }
        Format::Csv => {
            print_rows(&mut out, format, header, rows, &[])?;
            for n in notes {
                eprintln!("{n}");
            }
        }
        Format::Table => print_rows(&mut out, format, header, rows, notes)?,
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn show(
    ctx: &Context,
    store: &Store,
    rt: &Runtime,
    tax: &Taxonomy,
    label: &str,
    lists: &Lists,
    data: &TradeData,
    mk: &Market,
    part: Part,
    format: Format,
) -> Result<()> {
    let alpha = ctx.settings.markets.alpha;
    let v = MarketView::new(data, mk);
    let geo = data.units[0].name.clone();
    let np = data.cube.products.len();
    let y = data.cube.years.len() - 1;

    // codes: every HS6 code of the market, with the country's figures where in the data
    let codes_header = [
        "segment",
        "hs6",
        "editions",
        "confidence",
        "name",
        "world_exports_musd",
        "exports_musd",
        "world_share_pct",
        "rca",
        "dependency",
    ];
    let mut code_rows = Vec::new();
    for s in &mk.segments {
        for h in &s.hs {
            let code = h.code.get_ref();
            let p = h
                .editions
                .iter()
                .any(|e| e == data.edition)
                .then(|| data.cube.products.iter().position(|x| x == code))
                .flatten();
            // no trade in the data at all: empty, not zero
            let world = p
                .map(|p| data.cube.world_product[y * np + p])
                .filter(|&w| w > 0.0);
            let exports = world.and(p.map(|p| data.cube.exports[data.cube.at(y, 0, p)]));
            let share = match (exports, world) {
                (Some(e), Some(w)) if w > 0.0 => Some(e / w),
                _ => None,
            };
            let rca = p.and_then(|p| data.cube.product_rca(y, 0, p));
            code_rows.push(vec![
                s.id.get_ref().as_str().into(),
                code.as_str().into(),
                h.editions.join(" ").into(),
                h.confidence.get_ref().as_str().into(),
                Cell::opt_text(lists.hs_name(data.edition, code).map(|n| {
                    if format == Format::Table {
                        shorten(n, 60)
                    } else {
                        n.to_string()
                    }
                })),
                world.map_or(Cell::Null, million),
                exports.map_or(Cell::Null, million),
                pct(share, 2),
                round(rca, 2),
                Cell::opt_text(
                    data.tiers
                        .as_ref()
                        .ok()
                        .and_then(|t| code.parse::<u32>().ok().and_then(|k| t.get(&k)))
                        .map(|t| t.label()),
                ),
            ]);
        }
    }
    // activities: NACE and CPA codes
    let act_header = ["segment", "kind", "code", "confidence", "name", "rationale"];
    let mut act_rows = Vec::new();
    for s in &mk.segments {
        for n in &s.nace {
            act_rows.push(vec![
                s.id.get_ref().as_str().into(),
                format!("NACE Rev. {}", n.revision).into(),
                n.code.get_ref().as_str().into(),
                n.confidence.get_ref().as_str().into(),
                Cell::opt_text(lists.nace_name(&n.revision, n.code.get_ref())),
                n.rationale.as_str().into(),
            ]);
        }
        for c in &s.cpa {
            act_rows.push(vec![
                s.id.get_ref().as_str().into(),
                "CPA 2.1".into(),
                c.code.get_ref().as_str().into(),
                c.confidence.get_ref().as_str().into(),
                Cell::opt_text(lists.cpa_name(c.code.get_ref())),
                c.rationale.as_str().into(),
            ]);
        }
    }
    // indicators per unit and year
    let ind_header = [
        "country",
        "year",
        "exports_musd",
        "imports_musd",
        "balance_musd",
        "world_share_pct",
        "rca",
        "export_growth_pct",
        "products_rca_ge_1",
        "products",
        "avg_pci",
    ];
    let mut ind_rows = Vec::new();
    for &u in &v.units {
        for &yr in &data.cube.years {
            if let Some(i) = v.get(yr, u) {
                ind_rows.push(vec![
                    data.units[u].name.as_str().into(),
                    Cell::Int(i64::from(yr)),
                    million(i.exports),
                    million(i.imports),
                    million(i.balance),
                    pct(i.world_share, 2),
                    round(i.rca, 3),
                    pct(i.growth, 1),
                    Cell::Int(i.products_rca1 as i64),
                    Cell::Int(i.products as i64),
                    round(i.avg_pci, 3),
                ]);
            }
        }
    }
    // status per unit
    let st_header = [
        "country",
        "year",
        "world_share_pct",
        "rank",
        "trend",
        "annual_change_pct",
        "p_value",
        "status",
    ];
    let mut st_rows = Vec::new();
    let mut st_json = Vec::new();
    for &u in &v.units {
        let st = rm::unit_status(data, &v, u, alpha);
        st_rows.push(vec![
            st.country.as_str().into(),
            Cell::Int(i64::from(st.year)),
            pct(st.world_share, 2),
            Cell::opt_text(st.rank.zip(st.ranked).map(|(r, n)| format!("{r} of {n}"))),
            if st.never_exported {
                "no exports"
            } else {
                st.trend.as_str()
            }
            .into(),
            pct(st.annual_change, 1),
            round(st.p_value, 3),
            st.status.as_str().into(),
        ]);
        st_json.push(json!({
            "country": st.country, "year": st.year,
            "world_share": st.world_share,
            "rank": st.rank, "ranked": st.ranked,
            "trend": st.trend, "annual_change": st.annual_change, "p_value": st.p_value,
            "years_in_test": st.years_in_test,
            "status": st.status,
        }));
    }
    // value added of the A*64 industries that contain the market
    let va = value_added(store, rt, mk, data)?;

    let mut notes = vec![
        format!(
            "{} ({}); on the policy page: \"{}\".",
            mk.name_en, mk.name_nl, mk.policy_text
        ),
        format!("Coverage ({}): {}", mk.coverage.get_ref(), mk.coverage_note),
    ];
    for s in &mk.segments {
        if let Some(t) = &s.no_codes {
            notes.push(format!(
                "Segment {} ({}): no clean code — {t}",
                s.id.get_ref(),
                s.name_en
            ));
        }
    }
    let present = v
        .products
        .iter()
        .filter(|&&p| data.cube.world_product[y * np + p] > 0.0)
        .count();
    notes.push(format!(
        "{} of the market's {} HS6 codes exist in {}; with trade in {} in this data: {present}.",
        v.listed,
        mk.counts().hs,
        data.edition,
        data.year
    ));
    notes.extend(rm::data_notes(data, tax, label, alpha));
    notes.push(rm::dependency_note(data));
    let va_note = match &va {
        Some((rows, sources)) if !rows.is_empty() => Some(format!(
            "Value added of {} (industries broader than the market), current prices: {}. {}.",
            mk.a64.join(" + "),
            rows.iter()
                .map(|(g, y, v, s)| format!(
                    "{g} {y} {v:.0} million EUR ({:.1} % of total)",
                    s * 100.0
                ))
                .collect::<Vec<_>>()
                .join("; "),
            sources.join(". ")
        )),
        _ if !mk.a64.is_empty() => Some(format!(
            "Value added and employment: the store has no national accounts for {} (the bundled release stops at NACE sections); ingest a Eurostat nama_10_a64 release with these industries to add value added. These industries are broader than the market.",
            mk.a64.join(", ")
        )),
        _ => None,
    };
    notes.extend(va_note);

    match format {
        Format::Json => {
            let j = |header: &[&str], rows: &[Vec<Cell>]| -> Value {
                Value::Array(
                    rows.iter()
                        .map(|r| {
                            Value::Object(
                                header
                                    .iter()
                                    .zip(r)
                                    .map(|(h, c)| (h.to_string(), cell_json(c)))
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            };
            let out = json!({
                "market": mk.id.get_ref(),
                "name_en": mk.name_en, "name_nl": mk.name_nl,
                "policy_text": mk.policy_text,
                "coverage": mk.coverage.get_ref(), "coverage_note": mk.coverage_note,
                "segments": mk.segments.iter().map(|s| json!({"id": s.id.get_ref(), "name_en": s.name_en, "name_nl": s.name_nl, "no_codes": s.no_codes})).collect::<Vec<_>>(),
                "geo": geo, "year": data.year, "edition": data.edition,
                "codes": j(&codes_header, &code_rows),
                "activities": j(&act_header, &act_rows),
                "indicators": j(&ind_header, &ind_rows),
                "status": st_json,
                "value_added": va.as_ref().map(|(rows, _)| rows.iter().map(|(g, y, v, s)| json!({"geo": g, "year": y, "value_meur": v, "share_of_total": s})).collect::<Vec<_>>()),
            });
            emit(format, &[], &[], &notes, out)
        }
        Format::Csv => {
            let (h, r): (&[&str], &Vec<Vec<Cell>>) = match part {
                Part::Codes => (&codes_header, &code_rows),
                Part::Activities => (&act_header, &act_rows),
                Part::Indicators => (&ind_header, &ind_rows),
                Part::Status => (&st_header, &st_rows),
            };
            emit(format, h, r, &notes, Value::Null)
        }
        Format::Table => {
            let mut out = std::io::stdout().lock();
            use std::io::Write as _;
            writeln!(
                out,
                "{} — {} ({}), {}\n",
                mk.name_en, geo, data.year, mk.name_nl
            )?;
            writeln!(out, "HS6 codes ({} trade in {}):", geo, data.year)?;
            print_rows(&mut out, format, &codes_header, &code_rows, &[])?;
            writeln!(out, "\nActivities (NACE) and products (CPA):")?;
            let short: Vec<Vec<Cell>> = act_rows
                .iter()
                .map(|r| {
                    let mut r = r[..5].to_vec();
                    if let Cell::Text(n) = &r[4] {
                        r[4] = Cell::Text(shorten(n, 90));
                    }
                    r
                })
                .collect();
            print_rows(&mut out, format, &act_header[..5], &short, &[])?;
            writeln!(out, "\nIndicators:")?;
            print_rows(&mut out, format, &ind_header, &ind_rows, &[])?;
            writeln!(out, "\nStatus:")?;
            print_rows(&mut out, format, &st_header, &st_rows, &[])?;
            writeln!(out)?;
            for n in &notes {
                writeln!(out, "{n}")?;
            }
            Ok(())
        }
    }
}

/// The first `n` characters of `s`, with an ellipsis when cut.
pub(crate) fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>().trim_end())
    }
}

pub(crate) fn cell_json(c: &Cell) -> Value {
    c.json()
}

type VaRows = Vec<(String, i32, f64, f64)>;

/// Value added rows and the source lines of the vintages they come from.
type ValueAdded = (VaRows, Vec<String>);

/// Value added of the market's A*64 industries for the country and its peers in the
/// latest year the store has them all, with the share of total value added; each
/// figure from the newest release that has it.
fn value_added(
    store: &Store,
    rt: &Runtime,
    mk: &Market,
    data: &TradeData,
) -> Result<Option<ValueAdded>> {
    let catalog = store.catalog()?;
    if catalog.latest("estat_nama_10_a64").is_none() || mk.a64.is_empty() {
        return Ok(None);
    }
    let geos: Vec<String> = data.units[..=data.peers]
        .iter()
        .filter_map(|u| u.eurostat.clone())
        .collect();
    let mut nace: Vec<String> = mk.a64.clone();
    nace.push("TOTAL".into());
    let q = Select::from("na_obs")
        .columns(["geo", "nace", "time", "value", "vintage"])
        .filter(Cond::eq("dataset", "estat_nama_10_a64"))
        .filter(Cond::eq("unit", "CP_MEUR"))
        .filter(Cond::is_in("geo", &geos))
        .filter(Cond::is_in("nace", &nace));
    let mut by: BTreeMap<(String, i32), HashMap<String, (f64, String)>> = BTreeMap::new();
    {
        let b = rt.block_on(store.fetch(&q, &QueryOptions::default()))?;
        let (g, n, t, v, vt) = (
            b.texts(0)?,
            b.texts(1)?,
            b.i64s(2)?,
            b.f64s(3)?,
            b.texts(4)?,
        );
        for r in 0..b.len() {
            if let (Some(g), Some(n), Some(t), Some(v), Some(vt)) =
                (&g[r], &n[r], t[r], v[r], &vt[r])
            {
                by.entry((g.clone(), t as i32))
                    .or_default()
                    .insert(n.clone(), (v, vt.clone()));
            }
        }
    }
    let mut rows = Vec::new();
    let mut used = BTreeSet::new();
    for g in &geos {
        let latest = by
            .iter()
            .filter(|((geo, _), v)| {
                geo == g && v.contains_key("TOTAL") && mk.a64.iter().all(|a| v.contains_key(a))
            })
            .map(|((_, y), v)| (*y, v))
            .next_back();
        if let Some((y, v)) = latest {
            let sum: f64 = mk.a64.iter().map(|a| v[a].0).sum();
            rows.push((g.clone(), y, sum, sum / v["TOTAL"].0));
            for a in mk.a64.iter().map(String::as_str).chain(["TOTAL"]) {
                used.insert(("estat_nama_10_a64".to_string(), v[a].1.clone()));
            }
        }
    }
    Ok(Some((
        rows,
        crate::cmd::source_notes(&catalog, &used, false),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use indmon_core::taxonomy::EDITIONS;
    use indmon_report::markets::edition_of;

    #[test]
    fn the_bundled_taxonomy_is_valid() {
        let (tax, label, text) = load_taxonomy(None).unwrap();
        let lists = code_lists().unwrap();
        let r = tax.validate(&text, &lists.codes);
        assert!(r.errors.is_empty(), "{label}: {:?}", r.errors);
        let ids: Vec<&str> = tax
            .markets
            .iter()
            .map(|m| m.id.get_ref().as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "semiconductors",
                "biotechnology",
                "digital_ai",
                "machine_building",
                "innovative_chemistry",
                "defence_growth"
            ]
        );
        for e in EDITIONS {
            assert!(lists.codes.hs[e].len() > 5000, "{e}");
        }
        assert_eq!(lists.codes.hs["HS2017"].len(), 5387);
    }

    #[test]
    fn editions_come_from_dataset_names() {
        assert_eq!(edition_of("baci_hs17"), Ok("HS2017"));
        assert_eq!(edition_of("synth_baci_hs12"), Ok("HS2012"));
        assert!(edition_of("baci_hs07").unwrap_err().contains("HS07"));
        assert!(edition_of("trade").is_err());
    }
}
