//! `indmon markets`: the six priority markets — the taxonomy that defines them in
//! statistical codes, their trade indicators for a country against its peers and over
//! time, and the taxonomy's validation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use indmon_analytics::markets::{self as m, Direction, Indicator, TradeCube, Trend};
use indmon_core::VintageMeta;
use indmon_core::taxonomy::{CodeLists, Market, Report, Taxonomy};
use indmon_sources::{Error as SourceError, InputError};
use indmon_store::{QueryOptions, Store};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

use crate::cmd::{UsageError, sql_str};
use crate::config::Context;
use crate::output::{Cell, Format, num_column, print_rows, text_column};

/// The taxonomy shipped with indmon.
const BUNDLED: &str = include_str!("../../../../taxonomy/priority-markets.toml");
const BUNDLED_NAME: &str = "taxonomy/priority-markets.toml (bundled)";

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
            let data = load_trade(ctx, &store, &rt, &tax, c)?;
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
                        ctx, &store, &rt, &tax, &label, &lists, &data, market, part, c.format,
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
        None => (BUNDLED_NAME.to_string(), BUNDLED.to_string()),
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
pub(crate) struct Lists {
    pub(crate) codes: CodeLists,
    /// Product names per edition, by HS6 code.
    hs_names: HashMap<&'static str, HashMap<String, String>>,
    nace_names: HashMap<(String, String), String>,
    cpa_names: HashMap<String, String>,
}

fn bundled_csv(path: &str) -> Result<csv::Reader<&'static [u8]>> {
    let bytes = crate::bundle::file(path).ok_or_else(|| anyhow!("bundled file {path} missing"))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Ok(csv::ReaderBuilder::new().flexible(true).from_reader(bytes))
}

fn column(r: &mut csv::Reader<&'static [u8]>, path: &str, name: &str) -> Result<usize> {
    r.headers()?
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| anyhow!("bundled file {path} has no column {name}"))
}

pub(crate) fn code_lists() -> Result<Lists> {
    let mut codes = CodeLists::default();
    let mut hs_names: HashMap<&'static str, HashMap<String, String>> = HashMap::new();
    for (edition, path) in [
        ("HS1992", "atlas-common-data/hs92.csv"),
        ("HS2012", "atlas-common-data/hs12.csv"),
        ("HS2022", "atlas-common-data/hs22.csv"),
    ] {
        let mut r = bundled_csv(path)?;
        let (c, l, n) = (
            column(&mut r, path, "code")?,
            column(&mut r, path, "product_level")?,
            column(&mut r, path, "name_en")?,
        );
        let set = codes.hs.entry(edition.to_string()).or_default();
        let names = hs_names.entry(edition).or_default();
        for rec in r.records() {
            let rec = rec?;
            if rec.get(l) == Some("6") {
                let code = rec.get(c).unwrap_or_default().to_string();
                names.insert(code.clone(), rec.get(n).unwrap_or_default().to_string());
                set.insert(code);
            }
        }
    }
    // CN 2021 is built on HS 2017, CN 2022 on HS 2022: their first six digits.
    for (edition, path, col) in [
        (
            "HS2017",
            "eurostat-classifications/CN2021_CPA21.csv",
            "CN 2021",
        ),
        (
            "HS2022",
            "eurostat-classifications/CN2022_CPA21.csv",
            "CN 2022",
        ),
    ] {
        let mut r = bundled_csv(path)?;
        let c = column(&mut r, path, col)?;
        let set = codes.hs.entry(edition.to_string()).or_default();
        for rec in r.records() {
            let rec = rec?;
            if let Some(code) = rec.get(c).filter(|s| s.len() >= 6) {
                set.insert(code[..6].to_string());
            }
        }
    }
    let mut nace_names = HashMap::new();
    for (rev, path, col) in [
        ("2", "eurostat-classifications/nace2_en.csv", "nace2"),
        ("2.1", "eurostat-classifications/nace21_en.csv", "nace21"),
    ] {
        let mut r = bundled_csv(path)?;
        let (c, n) = (column(&mut r, path, col)?, column(&mut r, path, "NAME")?);
        for rec in r.records() {
            let rec = rec?;
            let code = rec.get(c).unwrap_or_default().to_string();
            nace_names.insert(
                (rev.to_string(), code.clone()),
                rec.get(n).unwrap_or_default().to_string(),
            );
            if rev == "2" {
                codes.nace2.insert(code);
            } else {
                codes.nace21.insert(code);
            }
        }
    }
    let mut cpa_names = HashMap::new();
    let path = "eurostat-classifications/CPA21.csv";
    let mut r = bundled_csv(path)?;
    let (c, n) = (
        column(&mut r, path, "CPA 2.1")?,
        column(&mut r, path, "Name")?,
    );
    for rec in r.records() {
        let rec = rec?;
        let code = rec.get(c).unwrap_or_default().to_string();
        cpa_names.insert(code.clone(), rec.get(n).unwrap_or_default().to_string());
        codes.cpa21.insert(code);
    }
    Ok(Lists {
        codes,
        hs_names,
        nace_names,
        cpa_names,
    })
}

impl Lists {
    /// The name of an HS6 code, from the list of `edition` or the nearest one that has it.
    pub(crate) fn hs_name(&self, edition: &str, code: &str) -> Option<&str> {
        let order: &[&str] = match edition {
            "HS1992" => &["HS1992", "HS2012", "HS2022"],
            "HS2012" => &["HS2012", "HS2022", "HS1992"],
            _ => &["HS2022", "HS2012", "HS1992"],
        };
        order
            .iter()
            .find_map(|e| self.hs_names.get(e).and_then(|n| n.get(code)))
            .map(String::as_str)
    }
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

/// A reporting unit: a country or the EU27, and its BACI country codes.
struct Unit {
    name: String,
    members: Vec<i64>,
    /// The Eurostat geo code, for value added.
    eurostat: Option<String>,
}

struct TradeData {
    meta: VintageMeta,
    edition: &'static str,
    /// Distinct products in the whole dataset.
    products_in_data: usize,
    cube: TradeCube,
    /// Units: 0 is the country, then the peers, then markets' extra peers.
    units: Vec<Unit>,
    /// How many units are the default peers (after the country).
    peers: usize,
    /// PCI by `[y · products + p]` and the vintage it comes from.
    pci: Option<(Vec<Option<f64>>, VintageMeta)>,
    /// The year of the status.
    year: i32,
    /// The country's dependency tier per HS6 code in that year (the dependency screen on
    /// the same trade), or why there is none.
    tiers: std::result::Result<HashMap<u32, &'static str>, String>,
}

pub(crate) fn edition_of(dataset: &str) -> Result<&'static str, String> {
    let d = dataset.to_ascii_lowercase();
    for (tag, ed) in [
        ("hs92", "HS1992"),
        ("hs12", "HS2012"),
        ("hs17", "HS2017"),
        ("hs22", "HS2022"),
    ] {
        if d.contains(tag) {
            return Ok(ed);
        }
    }
    for tag in ["hs96", "hs02", "hs07"] {
        if d.contains(tag) {
            return Err(format!(
                "dataset {dataset} is in {}; the taxonomy lists codes for HS 1992, 2012, 2017 and 2022 — load a BACI release in one of those",
                tag.to_uppercase()
            ));
        }
    }
    Err(format!(
        "cannot tell the HS edition of dataset {dataset} from its name (it should contain hs92, hs12, hs17 or hs22, as BACI's files do)"
    ))
}

fn codes_of(tax: &Taxonomy, edition: &str) -> Vec<String> {
    let set: BTreeSet<String> = tax
        .markets
        .iter()
        .flat_map(|m| m.hs_in(edition))
        .map(|(_, h)| h.code.get_ref().clone())
        .collect();
    set.into_iter().collect()
}

pub(crate) fn in_list<T: std::fmt::Display>(
    values: impl IntoIterator<Item = T>,
    quote: bool,
) -> String {
    values
        .into_iter()
        .map(|v| {
            if quote {
                sql_str(&v.to_string())
            } else {
                v.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn query(
    store: &Store,
    rt: &Runtime,
    sql: &str,
) -> Result<Vec<indmon_store::RecordBatch>> {
    Ok(rt.block_on(store.query(sql, &QueryOptions::default()))?)
}

fn load_trade(
    ctx: &Context,
    store: &Store,
    rt: &Runtime,
    tax: &Taxonomy,
    c: &Common,
) -> Result<TradeData> {
    let catalog = store.catalog()?;
    let trade: Vec<&VintageMeta> = catalog
        .datasets()
        .filter_map(|d| catalog.latest(d))
        .filter(|m| m.schema == "baci_trade")
        .collect();
    let meta = match &c.dataset {
        Some(d) => {
            let m = catalog.latest(d).ok_or_else(|| {
                indmon_store::Error::NotFound(format!(
                    "dataset {d} is not in the store (trade datasets: {})",
                    trade
                        .iter()
                        .map(|m| m.dataset.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if m.schema != "baci_trade" {
                return Err(UsageError(format!("dataset {d} is not BACI-format trade")).into());
            }
            m.clone()
        }
        None => {
            // the dataset that holds most of the taxonomy's codes; real before synthetic
            let mut best: Option<((usize, bool, u64), &VintageMeta)> = None;
            for m in &trade {
                let Ok(ed) = edition_of(m.dataset.as_str()) else {
                    continue;
                };
                let codes = codes_of(tax, ed);
                let sql = format!(
                    "SELECT COUNT(DISTINCT k) FROM {} WHERE k IN ({})",
                    m.dataset.as_str(),
                    in_list(&codes, true)
                );
                let n = query(store, rt, &sql)?
                    .first()
                    .and_then(|b| num_column(b, 0).ok())
                    .and_then(|v| v.first().copied().flatten())
                    .unwrap_or(0.0) as usize;
                let key = (n, !m.synthetic, m.rows);
                if best.as_ref().is_none_or(|(k, _)| key > *k) {
                    best = Some((key, m));
                }
            }
            best.map(|(_, m)| m.clone()).ok_or_else(|| {
                UsageError("no BACI-format trade in HS 1992/2012/2017/2022 in the store: run `indmon init` (bundled BACI extract), or `indmon synth baci --out DIR` and `indmon ingest baci DIR`".into())
            })?
        }
    };
    let ds = meta.dataset.as_str().to_string();
    let edition = edition_of(&ds).map_err(UsageError)?;
    let codes = codes_of(tax, edition);

    // units: the country, the peers, then every market's extra peers
    let countries = country_codes(store, rt)?;
    let geo = c
        .geo
        .clone()
        .unwrap_or_else(|| ctx.settings.target.geo.clone());
    let peers: Vec<String> = if c.peers.is_empty() {
        ctx.settings.markets.peers.clone()
    } else {
        crate::cmd::list(&c.peers)
    };
    let mut names: Vec<String> = vec![geo.clone()];
    for p in &peers {
        if !names.iter().any(|n| same_country(&countries, n, p)) {
            names.push(p.clone());
        }
    }
    let n_peers = names.len() - 1;
    for mk in &tax.markets {
        for p in &mk.extra_peers {
            if !names.iter().any(|n| same_country(&countries, n, p)) {
                names.push(p.clone());
            }
        }
    }
    let mut units = Vec::new();
    for n in &names {
        units.push(resolve_unit(&countries, n)?);
    }

    // totals per exporter and year
    let mut years: BTreeSet<i32> = BTreeSet::new();
    let mut totals: HashMap<(i32, i64), f64> = HashMap::new();
    for b in query(
        store,
        rt,
        &format!("SELECT t, i, SUM(v) FROM {ds} GROUP BY t, i"),
    )? {
        let (t, i, v) = (num_column(&b, 0)?, num_column(&b, 1)?, num_column(&b, 2)?);
        for r in 0..b.num_rows() {
            if let (Some(t), Some(i)) = (t[r], i[r]) {
                years.insert(t as i32);
                *totals.entry((t as i32, i as i64)).or_default() += v[r].unwrap_or(0.0);
            }
        }
    }
    let year = match c.year {
        Some(y) if years.contains(&y) => y,
        Some(y) => {
            return Err(UsageError(format!(
                "dataset {ds} has no trade for {y} (years: {})",
                years
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into());
        }
        None => *years
            .last()
            .ok_or_else(|| UsageError(format!("dataset {ds} has no rows")))?,
    };
    let years: Vec<i32> = years.into_iter().filter(|&y| y <= year).collect();
    let y_at: HashMap<i32, usize> = years.iter().enumerate().map(|(i, &y)| (y, i)).collect();
    let mut cube = TradeCube::zeros(
        years.clone(),
        units.iter().map(|u| u.name.clone()).collect(),
        codes.clone(),
    );
    let (nu, np) = (units.len(), codes.len());
    let p_at: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut member_of: HashMap<i64, Vec<usize>> = HashMap::new();
    for (u, unit) in units.iter().enumerate() {
        for &mcode in &unit.members {
            member_of.entry(mcode).or_default().push(u);
        }
    }
    for (&(t, i), &v) in &totals {
        let Some(&y) = y_at.get(&t) else { continue };
        cube.world_total[y] += v;
        for &u in member_of.get(&i).map(Vec::as_slice).unwrap_or_default() {
            cube.unit_total[y * nu + u] += v;
        }
    }
    let products_in_data = query(store, rt, &format!("SELECT COUNT(DISTINCT k) FROM {ds}"))?
        .first()
        .and_then(|b| num_column(b, 0).ok())
        .and_then(|v| v.first().copied().flatten())
        .unwrap_or(0.0) as usize;
    if !codes.is_empty() {
        let klist = in_list(&codes, true);
        for b in query(
            store,
            rt,
            &format!("SELECT t, k, SUM(v) FROM {ds} WHERE k IN ({klist}) GROUP BY t, k"),
        )? {
            let (t, k, v) = (num_column(&b, 0)?, text_column(&b, 1)?, num_column(&b, 2)?);
            for r in 0..b.num_rows() {
                if let (Some(t), Some(k)) = (t[r], &k[r])
                    && let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str()))
                {
                    cube.world_product[y * np + p] += v[r].unwrap_or(0.0);
                }
            }
        }
        let members: BTreeSet<i64> = member_of.keys().copied().collect();
        let mlist = in_list(&members, false);
        for (col, imports) in [("i", false), ("j", true)] {
            for b in query(
                store,
                rt,
                &format!(
                    "SELECT t, {col}, k, SUM(v) FROM {ds} WHERE k IN ({klist}) AND {col} IN ({mlist}) GROUP BY t, {col}, k"
                ),
            )? {
                let (t, who, k, v) = (
                    num_column(&b, 0)?,
                    num_column(&b, 1)?,
                    text_column(&b, 2)?,
                    num_column(&b, 3)?,
                );
                for r in 0..b.num_rows() {
                    let (Some(t), Some(who), Some(k)) = (t[r], who[r], &k[r]) else {
                        continue;
                    };
                    let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str())) else {
                        continue;
                    };
                    for &u in member_of
                        .get(&(who as i64))
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        let at = cube.at(y, u, p);
                        if imports {
                            cube.imports[at] += v[r].unwrap_or(0.0);
                        } else {
                            cube.exports[at] += v[r].unwrap_or(0.0);
                        }
                    }
                }
            }
        }
    }
    // PCI from the complexity results of the same dataset, where they exist
    let cx = format!("complexity_{ds}");
    let pci = match catalog.latest(&cx) {
        Some(cm) if !codes.is_empty() => {
            let mut v = vec![None; years.len() * np];
            let mut any = false;
            for b in query(
                store,
                rt,
                &format!(
                    "SELECT year, product, MAX(pci) FROM {cx} WHERE product IN ({}) GROUP BY year, product",
                    in_list(&codes, true)
                ),
            )? {
                let (t, k, x) = (num_column(&b, 0)?, text_column(&b, 1)?, num_column(&b, 2)?);
                for r in 0..b.num_rows() {
                    if let (Some(t), Some(k), Some(x)) = (t[r], &k[r], x[r])
                        && let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str()))
                    {
                        v[y * np + p] = Some(x);
                        any = true;
                    }
                }
            }
            any.then(|| (v, cm.clone()))
        }
        _ => None,
    };
    let geo_name = units[0].name.clone();
    let tiers =
        crate::cmd::dependencies::tiers_for(ctx, &ds, &geo_name, year, c.taxonomy.as_deref())
            .map_err(|e| format!("{e:#}"));
    Ok(TradeData {
        tiers,
        meta,
        edition,
        products_in_data,
        cube,
        units,
        peers: n_peers,
        pci,
        year,
    })
}

/// BACI country codes by ISO alpha-2 and alpha-3 code.
struct Countries {
    by_iso: HashMap<String, Vec<i64>>,
    iso2_of: HashMap<String, String>,
}

fn country_codes(store: &Store, rt: &Runtime) -> Result<Countries> {
    let mut by_iso: HashMap<String, Vec<i64>> = HashMap::new();
    let mut iso2_of = HashMap::new();
    if store.catalog()?.latest("baci_countries").is_none() {
        return Err(UsageError(
            "the store has no BACI country list (baci_countries): run `indmon init` or ingest BACI's country_codes file".into(),
        )
        .into());
    }
    for b in query(
        store,
        rt,
        "SELECT country_code, country_iso2, country_iso3 FROM baci_countries",
    )? {
        let (code, i2, i3) = (num_column(&b, 0)?, text_column(&b, 1)?, text_column(&b, 2)?);
        for r in 0..b.num_rows() {
            let Some(code) = code[r] else { continue };
            for iso in [&i2[r], &i3[r]].into_iter().flatten() {
                let iso = iso.trim().to_ascii_uppercase();
                if !iso.is_empty() {
                    by_iso.entry(iso).or_default().push(code as i64);
                }
            }
            if let (Some(a), Some(b)) = (&i2[r], &i3[r])
                && !a.trim().is_empty()
            {
                iso2_of.insert(b.trim().to_ascii_uppercase(), a.trim().to_ascii_uppercase());
            }
        }
    }
    Ok(Countries { by_iso, iso2_of })
}

/// Eurostat's codes that differ from ISO 3166 alpha-2.
pub(crate) fn iso_of_eurostat(code: &str) -> String {
    match code.to_ascii_uppercase().as_str() {
        "EL" => "GR".into(),
        "UK" => "GB".into(),
        c => c.into(),
    }
}

fn eurostat_of_iso2(code: &str) -> String {
    match code {
        "GR" => "EL".into(),
        "GB" => "UK".into(),
        c => c.into(),
    }
}

fn same_country(c: &Countries, a: &str, b: &str) -> bool {
    let (a, b) = (iso_of_eurostat(a), iso_of_eurostat(b));
    a == b || matches!((c.by_iso.get(&a), c.by_iso.get(&b)), (Some(x), Some(y)) if x == y)
}

fn resolve_unit(c: &Countries, name: &str) -> Result<Unit> {
    let up = name.trim().to_ascii_uppercase();
    if matches!(up.as_str(), "EU27" | "EU27_2020" | "EU") {
        let mut members = Vec::new();
        for g in indmon_analytics::peers::EU27 {
            members.extend(
                c.by_iso
                    .get(&iso_of_eurostat(g))
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        return Ok(Unit {
            name: "EU27".into(),
            members,
            eurostat: Some("EU27_2020".into()),
        });
    }
    let iso = iso_of_eurostat(&up);
    let members = c.by_iso.get(&iso).cloned().ok_or_else(|| {
        UsageError(format!(
            "{name}: not a country code in BACI's country list (use ISO 3166 alpha-2 or alpha-3, e.g. NL or NLD, or EU27)"
        ))
    })?;
    let iso2 = if iso.len() == 2 {
        Some(iso.clone())
    } else {
        c.iso2_of.get(&iso).cloned()
    };
    Ok(Unit {
        name: up,
        members,
        eurostat: iso2.map(|i| eurostat_of_iso2(&i)),
    })
}

// ---------------------------------------------------------------------------------
// Indicators per market

/// The indicators and status of one market for the country and its peers.
struct MarketView {
    /// Indices of the market's codes in the cube.
    products: Vec<usize>,
    /// The market's codes that exist in the data's edition.
    listed: usize,
    /// Units shown: the country, the peers, the market's extra peers.
    units: Vec<usize>,
    indicators: Vec<Indicator>,
}

impl MarketView {
    fn get(&self, year: i32, unit: usize) -> Option<&Indicator> {
        self.indicators
            .iter()
            .find(|i| i.year == year && i.unit == unit)
    }

    fn trend(&self, data: &TradeData, unit: usize, alpha: f64) -> Trend {
        let shares: Vec<Option<f64>> = data
            .cube
            .years
            .iter()
            .map(|&y| self.get(y, unit).and_then(|i| i.world_share))
            .collect();
        m::trend(&data.cube.years, &shares, alpha)
    }

    fn rank(&self, data: &TradeData, unit: usize) -> Option<(usize, usize)> {
        let values: Vec<Option<f64>> = self
            .units
            .iter()
            .filter(|&&u| !is_benchmark(data, u))
            // no exports: not ranked (a tie at zero says nothing)
            .map(|&u| {
                self.get(data.year, u)
                    .and_then(|i| i.world_share)
                    .filter(|&s| s > 0.0)
            })
            .collect();
        let pos = self
            .units
            .iter()
            .filter(|&&u| !is_benchmark(data, u))
            .position(|&u| u == unit)?;
        m::rank(&values, pos)
    }
}

/// Whether unit `u` is a benchmark rather than a competitor: a group of countries (the
/// EU27) other than the country itself. Benchmarks are shown, not ranked.
fn is_benchmark(data: &TradeData, u: usize) -> bool {
    u != 0 && data.units[u].members.len() > 1
}

fn view(data: &TradeData, market: &Market) -> MarketView {
    let codes = market.hs_in(data.edition);
    let products: Vec<usize> = codes
        .iter()
        .filter_map(|(_, h)| {
            data.cube
                .products
                .iter()
                .position(|p| p == h.code.get_ref())
        })
        .collect();
    let mut units: Vec<usize> = (0..=data.peers).collect();
    for p in &market.extra_peers {
        if let Some(u) = data
            .units
            .iter()
            .position(|u| u.name.eq_ignore_ascii_case(p))
            && !units.contains(&u)
        {
            units.push(u);
        }
    }
    let pci = data.pci.as_ref().map(|(v, _)| v.as_slice());
    let indicators = m::indicators(&data.cube, &products, pci)
        .into_iter()
        .filter(|i| units.contains(&i.unit))
        .collect();
    MarketView {
        listed: codes.len(),
        products,
        units,
        indicators,
    }
}

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

/// Whether the unit exported nothing of the market in any year.
fn never_exported(v: &MarketView, data: &TradeData, unit: usize) -> bool {
    data.cube
        .years
        .iter()
        .all(|&y| v.get(y, unit).is_none_or(|i| i.exports <= 0.0))
}

fn trend_text(t: &Trend) -> String {
    match (t.direction, t.fit) {
        (Direction::TooFewYears, Some(f)) => format!("too few years ({})", f.n),
        (Direction::TooFewYears, None) => "too few years".into(),
        (d, Some(f)) => format!(
            "{} ({:+.1} %/yr, p = {:.2})",
            d.label(),
            t.annual_change.unwrap_or(f64::NAN) * 100.0,
            f.p
        ),
        (d, None) => d.label().into(),
    }
}

fn data_notes(data: &TradeData, tax: &Taxonomy, label: &str, alpha: f64) -> Vec<String> {
    let mut notes = Vec::new();
    if data.meta.synthetic {
        notes.push("SYNTHETIC data (generated, not statistics): the figures show how the board works, not the markets.".to_string());
    }
    notes.push(format!(
        "Trade: dataset {}: {}.",
        data.meta.dataset.as_str(),
        data.meta.source_line()
    ));
    if data.products_in_data < 1000 {
        notes.push(format!(
            "The trade data hold only {} products: a market's codes outside them count as no trade, and totals (RCA, world) are over these products, not all trade.",
            data.products_in_data
        ));
    }
    if let Some((_, cm)) = &data.pci {
        notes.push(format!("PCI: {}.", cm.source_line()));
    }
    notes.push(format!(
        "Taxonomy: {label}, version {} ({}); codes of {} used for this data.",
        tax.version, tax.date, data.edition
    ));
    notes.push(format!(
        "Method {}: exports and imports in million USD; world share = exports / world exports of the market's products; RCA = (market share of the country's exports) / (market share of world exports); EU27 = sum of the member states (trade between them included); trend = least-squares slope of ln(world share) on the year, significant at {} % (t test), else grey.",
        m::METHOD_VERSION,
        alpha * 100.0
    ));
    notes
}

fn list(
    ctx: &Context,
    tax: &Taxonomy,
    label: &str,
    data: &TradeData,
    format: Format,
) -> Result<()> {
    let alpha = ctx.settings.markets.alpha;
    let geo = &data.units[0].name;
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
    for mk in &tax.markets {
        let v = view(data, mk);
        let counts = mk.counts();
        let risky = data.tiers.as_ref().ok().map(|t| {
            v.products
                .iter()
                .filter_map(|&p| data.cube.products[p].parse::<u32>().ok())
                .filter(|k| t.get(k) == Some(&"risky strategic dependency"))
                .count()
        });
        let now = v.get(data.year, 0);
        let t = v.trend(data, 0, alpha);
        let rank = v.rank(data, 0);
        let present = v
            .products
            .iter()
            .filter(|&&p| {
                data.cube
                    .world_product
                    .iter()
                    .skip(p)
                    .step_by(data.cube.products.len())
                    .any(|&x| x > 0.0)
            })
            .count();
        let status = if present == 0 {
            "no data".to_string()
        } else {
            t.direction.colour().to_string()
        };
        rows.push(vec![
            mk.id.get_ref().as_str().into(),
            mk.coverage.get_ref().as_str().into(),
            Cell::Int(counts.segments as i64),
            Cell::Int(counts.hs as i64),
            Cell::Int(counts.nace as i64),
            Cell::Int(counts.cpa as i64),
            format!("{present}/{}", v.listed).into(),
            Cell::Int(i64::from(data.year)),
            now.filter(|_| present > 0)
                .map_or(Cell::Null, |i| million(i.exports)),
            pct(now.and_then(|i| i.world_share), 2),
            round(now.and_then(|i| i.rca), 2),
            Cell::opt(rank.map(|(r, n)| format!("{r} of {n}"))),
            if present > 0 && never_exported(&v, data, 0) {
                "no exports".to_string()
            } else {
                trend_text(&t)
            }
            .into(),
            status.clone().into(),
            risky.map_or(Cell::Null, |n| Cell::Int(n as i64)),
        ]);
        json_rows.push(json!({
            "market": mk.id.get_ref(),
            "name_en": mk.name_en,
            "name_nl": mk.name_nl,
            "coverage": mk.coverage.get_ref(),
            "coverage_note": mk.coverage_note,
            "segments": counts.segments,
            "segments_without_clean_code": counts.without_codes,
            "hs6": counts.hs, "nace": counts.nace, "cpa": counts.cpa,
            "hs6_in_edition": v.listed, "hs6_in_data": present,
            "geo": geo, "year": data.year,
            "exports_musd": now.map(|i| i.exports / 1000.0),
            "imports_musd": now.map(|i| i.imports / 1000.0),
            "world_share": now.and_then(|i| i.world_share),
            "rca": now.and_then(|i| i.rca),
            "rank": rank.map(|r| r.0), "ranked": rank.map(|r| r.1),
            "trend": t.direction.label(),
            "annual_change": t.annual_change,
            "p_value": t.fit.map(|f| f.p).filter(|p| !p.is_nan()),
            "status": status,
            "risky_strategic_dependencies": risky,
        }));
    }
    let mut notes = data_notes(data, tax, label, alpha);
    let ranked: Vec<&str> = (1..=data.peers)
        .filter(|&u| !is_benchmark(data, u))
        .map(|u| data.units[u].name.as_str())
        .collect();
    let benchmarks: Vec<&str> = (1..=data.peers)
        .filter(|&u| is_benchmark(data, u))
        .map(|u| data.units[u].name.as_str())
        .collect();
    let extra: Vec<String> = tax
        .markets
        .iter()
        .filter(|mk| !mk.extra_peers.is_empty())
        .map(|mk| format!("{} also {}", mk.id.get_ref(), mk.extra_peers.join(", ")))
        .collect();
    notes.insert(
        0,
        format!(
            "{geo} in the six priority markets, {}: rank by world-export share among {geo}, {}{}{}.",
            data.year,
            ranked.join(", "),
            if extra.is_empty() { String::new() } else { format!(" ({})", extra.join("; ")) },
            if benchmarks.is_empty() {
                String::new()
            } else {
                format!("; {} is a benchmark, not ranked", benchmarks.join(", "))
            }
        ),
    );
    let without: Vec<String> = tax
        .markets
        .iter()
        .flat_map(|mk| {
            mk.segments.iter().filter_map(move |s| {
                s.no_codes
                    .as_ref()
                    .map(|_| format!("{} / {}", mk.id.get_ref(), s.id.get_ref()))
            })
        })
        .collect();
    if !without.is_empty() {
        notes.push(format!(
            "Segments without a clean code (see `indmon markets show MARKET`): {}.",
            without.join(", ")
        ));
    }
    notes.push(dependency_note(data));
    emit(
        format,
        &header,
        &rows,
        &notes,
        json!({"markets": json_rows}),
    )
}

/// Where the dependency counts come from.
fn dependency_note(data: &TradeData) -> String {
    match &data.tiers {
        Ok(_) => format!(
            "Dependencies: the dependency screen (`indmon dependencies --reporter {} --dataset {} --year {}`) on the same trade: risky strategic dependencies among the market's codes.",
            data.units[0].name,
            data.meta.dataset.as_str(),
            data.year
        ),
        Err(e) => format!("Dependencies: not counted ({e})."),
    }
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
    let v = view(data, mk);
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
                Cell::opt(lists.hs_name(data.edition, code).map(|n| {
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
                Cell::opt(
                    data.tiers
                        .as_ref()
                        .ok()
                        .and_then(|t| code.parse::<u32>().ok().and_then(|k| t.get(&k)))
                        .copied(),
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
                Cell::opt(
                    lists
                        .nace_names
                        .get(&(n.revision.clone(), n.code.get_ref().clone()))
                        .cloned(),
                ),
                n.rationale.as_str().into(),
            ]);
        }
        for c in &s.cpa {
            act_rows.push(vec![
                s.id.get_ref().as_str().into(),
                "CPA 2.1".into(),
                c.code.get_ref().as_str().into(),
                c.confidence.get_ref().as_str().into(),
                Cell::opt(lists.cpa_names.get(c.code.get_ref()).cloned()),
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
        let t = v.trend(data, u, alpha);
        let now = v.get(data.year, u);
        let rank = if is_benchmark(data, u) {
            None
        } else {
            v.rank(data, u)
        };
        let p = t.fit.map(|f| f.p).filter(|p| !p.is_nan());
        st_rows.push(vec![
            data.units[u].name.as_str().into(),
            Cell::Int(i64::from(data.year)),
            pct(now.and_then(|i| i.world_share), 2),
            Cell::opt(rank.map(|(r, n)| format!("{r} of {n}"))),
            if never_exported(&v, data, u) {
                "no exports"
            } else {
                t.direction.label()
            }
            .into(),
            pct(t.annual_change, 1),
            round(p, 3),
            t.direction.colour().into(),
        ]);
        st_json.push(json!({
            "country": data.units[u].name, "year": data.year,
            "world_share": now.and_then(|i| i.world_share),
            "rank": rank.map(|r| r.0), "ranked": rank.map(|r| r.1),
            "trend": t.direction.label(), "annual_change": t.annual_change, "p_value": p,
            "years_in_test": t.fit.map(|f| f.n),
            "status": t.direction.colour(),
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
    notes.extend(data_notes(data, tax, label, alpha));
    notes.push(dependency_note(data));
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
    match c {
        Cell::Text(s) => Value::String(s.clone()),
        Cell::Num(v) => serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number),
        Cell::Int(v) => Value::Number((*v).into()),
        Cell::Null => Value::Null,
    }
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
    let sql = format!(
        "SELECT geo, nace, time, value, vintage FROM na_obs WHERE dataset = 'estat_nama_10_a64' AND unit = 'CP_MEUR' AND geo IN ({}) AND nace IN ({})",
        in_list(&geos, true),
        in_list(&nace, true)
    );
    let mut by: BTreeMap<(String, i32), HashMap<String, (f64, String)>> = BTreeMap::new();
    for b in query(store, rt, &sql)? {
        let (g, n, t, v, vt) = (
            text_column(&b, 0)?,
            text_column(&b, 1)?,
            num_column(&b, 2)?,
            num_column(&b, 3)?,
            text_column(&b, 4)?,
        );
        for r in 0..b.num_rows() {
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
