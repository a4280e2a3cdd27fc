//! `indmon complexity` and `indmon opportunities`: economic complexity of an export
//! panel (a CSV file or trade data in the store), and the products within a country's
//! reach.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use crate::error::{Context as _, Result};
use chrono::Utc;
use indmon_analytics::complexity::{
    self, Complexity, Convention, Matrix, Options, Presence, Proximity,
};
use indmon_core::{DatasetId, VintageMeta};
use indmon_report::Cell;
use indmon_report::countries::Countries;
use indmon_sources::InputError;
use indmon_sources::input::{
    CsvHeader, Encoding, check_complete, csv_error, csv_reader, decode, line_of, sha256_hex,
    strip_bom,
};
use indmon_store::{Agg, Columns, Cond, QueryOptions, Select, Store};
use tokio::runtime::Runtime;

use crate::cmd::UsageError;
use crate::config::Context;
use crate::output::{Format, print_rows};

/// The options every complexity computation takes.
#[derive(Debug, Clone, clap::Args)]
pub struct MethodArgs {
    /// Conventions to reproduce: `stata` (the Atlas of Economic Complexity) or `python`
    /// (the `ecomplexity` 0.5.3 package); see ARCHITECTURE.md for the differences
    #[arg(long, value_enum, default_value_t = ConventionArg::Stata)]
    convention: ConventionArg,
    /// Presence test: `rca` (Balassa), `rpop` (exports per head; needs --population),
    /// or `manual` (the values are M itself)
    #[arg(long, value_enum, default_value_t = PresenceArg::Rca)]
    presence: PresenceArg,
    /// Threshold of RCA (or RPOP) for M = 1
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    rca_threshold: f64,
    /// Product proximity
    #[arg(long, value_enum, default_value_t = ProximityArg::Symmetric)]
    proximity: ProximityArg,
    /// Density over the K nearest products only (weighted by proximity)
    #[arg(long, value_name = "K")]
    knn: Option<usize>,
    /// Subtract the Atlas book's (1 − distance) · PCI term from COG
    #[arg(long)]
    atlas_cog: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ConventionArg {
    Stata,
    Python,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PresenceArg {
    Rca,
    Rpop,
    Manual,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ProximityArg {
    Symmetric,
    Asymmetric,
    Continuous,
}

impl MethodArgs {
    fn options(&self) -> Options {
        Options {
            convention: match self.convention {
                ConventionArg::Stata => Convention::Stata,
                ConventionArg::Python => Convention::Python,
            },
            presence: match self.presence {
                PresenceArg::Rca => Presence::Rca,
                PresenceArg::Rpop => Presence::Rpop,
                PresenceArg::Manual => Presence::Manual,
            },
            threshold: self.rca_threshold,
            proximity: match self.proximity {
                ProximityArg::Symmetric => Proximity::Symmetric,
                ProximityArg::Asymmetric => Proximity::Asymmetric,
                ProximityArg::Continuous => Proximity::Continuous,
            },
            knn: self.knn,
            atlas_cog: self.atlas_cog,
            dense_proximity: false,
        }
    }
}

/// A one-line description of the method, shown with every result.
fn method_line(o: &Options) -> String {
    let conv = match o.convention {
        Convention::Stata => "stata",
        Convention::Python => "python",
    };
    let cmp = if o.convention == Convention::Stata {
        ">"
    } else {
        "≥"
    };
    let presence = match o.presence {
        Presence::Rca => format!("M = RCA {cmp} {}", o.threshold),
        Presence::Rpop => format!("M = RPOP {cmp} {}", o.threshold),
        Presence::Manual => "M given".to_string(),
    };
    let prox = match o.proximity {
        Proximity::Symmetric => "symmetric",
        Proximity::Asymmetric => "asymmetric",
        Proximity::Continuous => "continuous",
    };
    let knn = o
        .knn
        .map_or(String::new(), |k| format!(", density over {k} nearest"));
    let atlas = if o.atlas_cog { ", Atlas COG" } else { "" };
    format!(
        "Method: {} ({conv} convention; {presence}; {prox} proximity{knn}{atlas})",
        complexity::METHOD_VERSION
    )
}

/// Where the export panel comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// A CSV file with year, location, product and value columns (one row per
    /// location, product and year)
    #[arg(long, value_name = "PATH", conflicts_with = "dataset")]
    panel: Option<PathBuf>,
    /// A dataset in the store: BACI-format trade (exports summed over partners) or any
    /// table with year, location, product and value columns
    #[arg(long, value_name = "D")]
    dataset: Option<String>,
    /// Only this year [default: every year of the input]
    #[arg(long)]
    year: Option<i32>,
    /// Aggregate 6-digit HS products to their 4-digit heading
    #[arg(long)]
    hs4: bool,
    /// Column of the year [default: year, t, time]
    #[arg(long, value_name = "NAME")]
    year_col: Option<String>,
    /// Column of the location [default: location, origin, exporter, country, loc, i]
    #[arg(long, value_name = "NAME")]
    location_col: Option<String>,
    /// Column of the product [default: product, hs92, hs12, hs6, hs4, k, prod]
    #[arg(long, value_name = "NAME")]
    product_col: Option<String>,
    /// Column of the value [default: value, export_val, exports, v, val]
    #[arg(long, value_name = "NAME")]
    value_col: Option<String>,
    /// Population CSV (year, location, population) for `--presence rpop`
    #[arg(long, value_name = "PATH")]
    population: Option<PathBuf>,
    /// Encoding of the CSV files: utf-8 or cp1252 (a UTF-8 byte-order mark is removed)
    #[arg(long, default_value = "utf-8", value_parser = ["utf-8", "cp1252"])]
    encoding: String,
}

impl InputArgs {
    fn encoding(&self) -> Encoding {
        Encoding::parse(&self.encoding).unwrap_or_default()
    }
}

/// Compute economic complexity: RCA, M, diversity, ubiquity, ECI, PCI, proximity,
/// density, COI and COG, per year, in the Stata or Python conventions of the Growth
/// Lab's packages. The result is stored as a dataset (`complexity_<input>`) with its
/// convention and method version, unless --no-save.
///
/// Examples:
///
///   indmon complexity --panel data/py-ecomplexity/trade_data_sample.csv --format csv
///   indmon complexity --dataset baci_hs17 --year 2024
///   indmon complexity --panel exports.csv --convention python --proximity continuous
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    method: MethodArgs,
    /// Output: `table` (locations ranked by ECI), `csv` or `json` (one row per year,
    /// location and product)
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write the output to this file instead of the terminal
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Dataset id to store the result under [default: complexity_<input>]
    #[arg(long, value_name = "D")]
    save_as: Option<String>,
    /// Do not store the result
    #[arg(long, conflicts_with = "save_as")]
    no_save: bool,
}

/// One year of the panel.
struct YearPanel {
    locations: Vec<String>,
    products: Vec<String>,
    values: Vec<f64>,
    population: Option<Vec<f64>>,
}

/// One year's measures.
type YearResult = (i32, Complexity);

/// The export panel and where it came from.
struct Panel {
    /// Name used for the stored result.
    name: String,
    /// How the catalog records the input.
    input: String,
    years: BTreeMap<i32, YearPanel>,
    /// The vintage it was read from (store input).
    vintage: Option<VintageMeta>,
    /// Checksum of the input.
    sha256: String,
    /// The code list in the store that names its products (`hs92`, `hs12`, `hs22`,
    /// `baci_products`), when the input says which classification it uses.
    nomenclature: Option<String>,
}

/// The product code list matching a classification named in a column or dataset id.
fn nomenclature_of(name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    ["hs92", "hs12", "hs22"]
        .into_iter()
        .find(|hs| name.contains(hs))
        .map(str::to_string)
}

const YEAR_COLS: &[&str] = &["year", "t", "time"];
const LOC_COLS: &[&str] = &["location", "origin", "exporter", "country", "loc", "i"];
const PROD_COLS: &[&str] = &[
    "product", "hs92", "hs12", "hs17", "hs22", "hs6", "hs4", "k", "prod",
];
const VALUE_COLS: &[&str] = &["value", "export_val", "exports", "v", "val"];

/// Finds a column: the one named by the flag, else the first of the defaults.
fn pick(
    header: &[String],
    flag: Option<&str>,
    defaults: &[&str],
    what: &str,
    file: &str,
) -> Result<usize> {
    let found = match flag {
        Some(name) => header.iter().position(|h| h == name),
        None => defaults
            .iter()
            .find_map(|d| header.iter().position(|h| h.eq_ignore_ascii_case(d))),
    };
    found.ok_or_else(|| {
        let wanted = flag.map_or_else(|| defaults.join(", "), |f| f.to_string());
        indmon_sources::Error::from(
            InputError::file(
                file,
                format!("no {what} column; the columns are: {}", header.join(", ")),
            )
            .expected(format!(
                "a column named {wanted} (or name it with --{what}-col)"
            )),
        )
        .into()
    })
}

fn read_csv_text(path: &Path, encoding: Encoding) -> Result<(String, String)> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("reading {file}"))?;
    let sha = sha256_hex(&bytes);
    let body = strip_bom(&file, &bytes).map_err(indmon_sources::Error::from)?;
    check_complete(&file, body).map_err(indmon_sources::Error::from)?;
    let text = match std::str::from_utf8(body) {
        Ok(t) => t.to_string(),
        Err(e) => {
            // The shared decoder names the byte and suggests --encoding cp1252.
            let at = e.valid_up_to();
            let line_start = body[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line_end = body[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(body.len(), |i| at + i);
            decode(body, encoding)
                .map(|t| t.into_owned())
                .map_err(|_| {
                    let msg = decode(&body[line_start..line_end], Encoding::Utf8)
                        .err()
                        .unwrap_or_else(|| "invalid UTF-8".into());
                    indmon_sources::Error::from(
                        InputError::file(&file, msg).at_line(line_of(body, at)),
                    )
                })?
        }
    };
    Ok((text, sha))
}

/// A fast hash for codes read from local files (the multiply-rotate hash of Firefox
/// and rustc; no protection against crafted collisions is needed here).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Long-format rows with interned location and product codes.
#[derive(Default)]
struct Rows {
    codes: Vec<String>,
    index: FastMap<String, u32>,
    data: Vec<(i32, u32, u32, f64)>,
}

impl Rows {
    fn intern(&mut self, code: &str) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = self.codes.len() as u32;
        self.codes.push(code.to_string());
        self.index.insert(code.to_string(), i);
        i
    }
}

/// Reads a long CSV into `(year, location, product, value)` rows, checking every field.
fn read_panel_csv(path: &Path, a: &InputArgs) -> Result<(Rows, String, String)> {
    let file = path.display().to_string();
    let (text, sha) = read_csv_text(path, a.encoding())?;
    let mut r = csv_reader(text.as_bytes());
    let header = CsvHeader::read(&file, &mut r, Encoding::Utf8)
        .map_err(indmon_sources::Error::from)?
        .names;
    let y = pick(&header, a.year_col.as_deref(), YEAR_COLS, "year", &file)?;
    let l = pick(
        &header,
        a.location_col.as_deref(),
        LOC_COLS,
        "location",
        &file,
    )?;
    let p = pick(
        &header,
        a.product_col.as_deref(),
        PROD_COLS,
        "product",
        &file,
    )?;
    let v = pick(&header, a.value_col.as_deref(), VALUE_COLS, "value", &file)?;
    let mut rows = Rows::default();
    // (year, location, product, line) of every row, sorted at the end to find duplicates
    let mut keys: Vec<(i32, u32, u32, u64)> = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let more = r
            .read_record(&mut rec)
            .map_err(|e| indmon_sources::Error::from(csv_error(&file, e)))?;
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |p| p.line());
        let bad = |field: &str, msg: String, exp: &str| -> crate::error::CliError {
            indmon_sources::Error::from(
                InputError::file(&file, msg)
                    .at_line(line)
                    .in_field(field)
                    .expected(exp),
            )
            .into()
        };
        let year: i32 = rec[y].trim().parse().map_err(|_| {
            bad(
                &header[y],
                format!("year {:?} is not a year", &rec[y]),
                "a year such as 2024",
            )
        })?;
        if a.year.is_some_and(|want| want != year) {
            continue;
        }
        let loc = rec[l].trim();
        let prod = rec[p].trim();
        if loc.is_empty() {
            return Err(bad(&header[l], "empty location".into(), "a location code"));
        }
        if prod.is_empty() {
            return Err(bad(&header[p], "empty product".into(), "a product code"));
        }
        let raw = rec[v].trim();
        let value: f64 = if raw.is_empty() || raw.eq_ignore_ascii_case("na") {
            0.0
        } else {
            raw.parse().map_err(|_| {
                bad(
                    &header[v],
                    format!("value {raw:?} is not a number"),
                    "a number such as 1234.5 (empty or NA for none)",
                )
            })?
        };
        if !value.is_finite() || value < 0.0 {
            return Err(bad(
                &header[v],
                format!("value {raw} is negative or not finite"),
                "exports ≥ 0",
            ));
        }
        let li = rows.intern(loc);
        let pi = if a.hs4 {
            rows.intern(&hs4(prod))
        } else {
            rows.intern(prod)
        };
        if !a.hs4 {
            keys.push((year, li, pi, line));
        }
        rows.data.push((year, li, pi, value));
    }
    keys.sort_unstable();
    if let Some(w) = keys
        .windows(2)
        .find(|w| (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2))
    {
        let (year, li, pi, first) = w[0];
        return Err(indmon_sources::Error::from(
            InputError::file(
                &file,
                format!(
                    "{year} {} {} appears twice (first on line {first})",
                    rows.codes[li as usize], rows.codes[pi as usize]
                ),
            )
            .at_line(w[1].3)
            .in_field(&header[p])
            .expected("one row per year, location and product"),
        )
        .into());
    }
    if rows.data.is_empty() {
        return Err(indmon_sources::Error::from(
            InputError::file(
                &file,
                match a.year {
                    Some(y) => format!("no rows for {y}"),
                    None => "no data rows".to_string(),
                },
            )
            .expected("rows of year, location, product and value"),
        )
        .into());
    }
    Ok((rows, sha, header[p].clone()))
}

/// The HS4 heading of an HS6 code (leading zero restored for 5-digit codes).
fn hs4(code: &str) -> String {
    let code = if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code.to_string()
    };
    code.chars().take(4).collect()
}

fn read_population(path: &Path, encoding: Encoding) -> Result<HashMap<(i32, String), f64>> {
    let file = path.display().to_string();
    let (text, _) = read_csv_text(path, encoding)?;
    let mut r = csv_reader(text.as_bytes());
    let header = CsvHeader::read(&file, &mut r, Encoding::Utf8)
        .map_err(indmon_sources::Error::from)?
        .names;
    let y = pick(&header, None, YEAR_COLS, "year", &file)?;
    let l = pick(&header, None, LOC_COLS, "location", &file)?;
    let p = pick(&header, None, &["population", "pop"], "population", &file)?;
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| indmon_sources::Error::from(csv_error(&file, e)))?;
        let line = rec.position().map_or(0, |p| p.line());
        let bad = |f: usize| -> crate::error::CliError {
            indmon_sources::Error::from(
                InputError::file(&file, format!("{:?} is not valid", &rec[f]))
                    .at_line(line)
                    .in_field(&header[f]),
            )
            .into()
        };
        let year: i32 = rec[y].trim().parse().map_err(|_| bad(y))?;
        let pop: f64 = rec[p].trim().parse().map_err(|_| bad(p))?;
        out.insert((year, rec[l].trim().to_string()), pop);
    }
    Ok(out)
}

/// Builds the per-year matrices (locations and products sorted; absent cells 0).
fn assemble(
    rows: Rows,
    population: Option<&HashMap<(i32, String), f64>>,
) -> BTreeMap<i32, YearPanel> {
    let mut by_year: BTreeMap<i32, Vec<(u32, u32, f64)>> = BTreeMap::new();
    for (y, l, p, v) in rows.data {
        by_year.entry(y).or_default().push((l, p, v));
    }
    let codes = &rows.codes;
    // The codes used in a year, sorted, and the position of each code id among them.
    let order = |ids: &mut dyn Iterator<Item = u32>| -> (Vec<String>, Vec<u32>) {
        let mut used = vec![false; codes.len()];
        for id in ids {
            used[id as usize] = true;
        }
        let mut ids: Vec<u32> = (0..codes.len() as u32)
            .filter(|&i| used[i as usize])
            .collect();
        ids.sort_unstable_by(|a, b| codes[*a as usize].cmp(&codes[*b as usize]));
        let mut pos = vec![u32::MAX; codes.len()];
        for (i, &id) in ids.iter().enumerate() {
            pos[id as usize] = i as u32;
        }
        (
            ids.iter().map(|&id| codes[id as usize].clone()).collect(),
            pos,
        )
    };
    by_year
        .into_iter()
        .map(|(y, data)| {
            let (locations, lpos) = order(&mut data.iter().map(|r| r.0));
            let (products, ppos) = order(&mut data.iter().map(|r| r.1));
            let np = products.len();
            let mut values = vec![0.0; locations.len() * np];
            for (l, p, v) in data {
                values[lpos[l as usize] as usize * np + ppos[p as usize] as usize] += v;
            }
            let population = population.map(|pop| {
                locations
                    .iter()
                    .map(|l| pop.get(&(y, l.clone())).copied().unwrap_or(f64::NAN))
                    .collect()
            });
            (
                y,
                YearPanel {
                    locations,
                    products,
                    values,
                    population,
                },
            )
        })
        .collect()
}

/// Reads the panel from a file or the store.
fn load_panel(store: Option<(&Store, &Runtime)>, a: &InputArgs) -> Result<Panel> {
    let population = a
        .population
        .as_deref()
        .map(|p| read_population(p, a.encoding()))
        .transpose()?;
    if let Some(path) = &a.panel {
        let (rows, sha, product_col) = read_panel_csv(path, a)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        return Ok(Panel {
            name: sanitize(&stem),
            input: path.display().to_string(),
            years: assemble(rows, population.as_ref()),
            vintage: None,
            sha256: sha,
            nomenclature: nomenclature_of(&product_col),
        });
    }
    let (store, rt) = store.ok_or_else(|| anyhow!("no store"))?;
    let catalog = store.catalog()?;
    let dataset = match &a.dataset {
        Some(d) => d.clone(),
        None => default_trade_dataset(&catalog).ok_or_else(|| {
            UsageError(
                "no trade data in the store: run `indmon init` (bundled BACI extract) or `indmon ingest baci DIR`, or give --panel FILE".into(),
            )
        })?,
    };
    let meta = catalog
        .latest(&dataset)
        .cloned()
        .ok_or_else(|| indmon_store::Error::NotFound(format!("dataset {dataset} is not in the store (see `indmon sql \"select dataset from indmon_catalog\"`)")))?;
    // BACI's own product list (same release) names 6-digit codes; otherwise the HS
    // revision the dataset id or product column names.
    let mut nomenclature =
        if meta.schema == "baci_trade" && !a.hs4 && catalog.latest("baci_products").is_some() {
            Some("baci_products".to_string())
        } else {
            nomenclature_of(&dataset)
        };
    let opts = QueryOptions::default();
    // (year, location, product, value) summed over partners
    let (q, iso3) = if meta.schema == "baci_trade" {
        let mut q = Select::from(&dataset)
            .group_by(["t", "i", "k"])
            .agg(Agg::Sum("v".into()));
        if let Some(y) = a.year {
            q = q.filter(Cond::eq("t", y));
        }
        let countries = if catalog.latest("baci_countries").is_some() {
            rt.block_on(Countries::read(store, "baci_countries"))?
        } else {
            Countries::default()
        };
        (q, Some(countries))
    } else {
        let header: Vec<String> = rt
            .block_on(store.columns(&dataset, &opts))?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let label = format!("dataset {dataset}");
        let y = &header[pick(&header, a.year_col.as_deref(), YEAR_COLS, "year", &label)?];
        let l = &header[pick(
            &header,
            a.location_col.as_deref(),
            LOC_COLS,
            "location",
            &label,
        )?];
        let p = &header[pick(
            &header,
            a.product_col.as_deref(),
            PROD_COLS,
            "product",
            &label,
        )?];
        let v = &header[pick(&header, a.value_col.as_deref(), VALUE_COLS, "value", &label)?];
        nomenclature = nomenclature.or_else(|| nomenclature_of(p));
        let mut q = Select::from(&dataset)
            .group_by([y.as_str(), l.as_str(), p.as_str()])
            .agg(Agg::Sum(v.clone()));
        if let Some(yy) = a.year {
            q = q.filter(Cond::eq(y, yy));
        }
        (q, None)
    };
    let got = rt.block_on(store.fetch(&q, &opts))?;
    let (ys, ls, ps, vs) = (got.i64s(0)?, got.texts(1)?, got.texts(2)?, got.f64s(3)?);
    let mut rows = Rows::default();
    let mut hs4_sums: HashMap<(i32, u32, u32), f64> = HashMap::new();
    for i in 0..got.len() {
        let (Some(y), Some(l), Some(p)) = (ys[i], &ls[i], &ps[i]) else {
            continue;
        };
        let l = match (&iso3, l.parse::<u16>()) {
            (Some(c), Ok(code)) => c.iso3(code),
            _ => l.clone(),
        };
        let p = if a.hs4 { hs4(p) } else { p.clone() };
        let (l, p) = (rows.intern(&l), rows.intern(&p));
        if a.hs4 {
            *hs4_sums.entry((y as i32, l, p)).or_default() += vs[i].unwrap_or(0.0);
        } else {
            rows.data.push((y as i32, l, p, vs[i].unwrap_or(0.0)));
        }
    }
    let mut summed: Vec<_> = hs4_sums.into_iter().collect();
    summed.sort_by_key(|(k, _)| *k);
    rows.data
        .extend(summed.into_iter().map(|((y, l, p), v)| (y, l, p, v)));
    if rows.data.is_empty() {
        return Err(UsageError(format!(
            "dataset {dataset} has no rows{}",
            a.year.map_or(String::new(), |y| format!(" for {y}"))
        ))
        .into());
    }
    Ok(Panel {
        name: dataset.clone(),
        input: format!("dataset:{dataset}@{}", meta.vintage),
        years: assemble(rows, population.as_ref()),
        sha256: meta.sha256.clone(),
        vintage: Some(meta),
        nomenclature,
    })
}

/// The BACI-format dataset to use by default: real data before synthetic, then the
/// one with the most rows.
pub fn default_trade_dataset(catalog: &indmon_store::Catalog) -> Option<String> {
    indmon_report::dependencies::default_trade_dataset(catalog)
}

fn sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    let out = out.trim_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out
    } else {
        format!("p_{out}")
    }
}

/// Runs every year. A year whose ECI is not defined keeps RCA, M, diversity and
/// ubiquity; the reasons are returned (and printed as warnings).
fn compute_all(
    ctx: &Context,
    panel: &Panel,
    opts: &Options,
) -> Result<(Vec<YearResult>, Vec<String>)> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (y, yp) in &panel.years {
        let m = Matrix {
            locations: yp.locations.len(),
            products: yp.products.len(),
            values: &yp.values,
            population: yp.population.as_deref(),
        };
        if opts.presence == Presence::Rpop && m.population.is_none() {
            return Err(UsageError("--presence rpop needs --population FILE".into()).into());
        }
        if let Some(pop) = m.population
            && opts.presence == Presence::Rpop
            && let Some(c) = pop.iter().position(|v| v.is_nan())
        {
            return Err(UsageError(format!(
                "no population for {} in {y}; add it to the population file or leave the location out",
                yp.locations[c]
            ))
            .into());
        }
        let started = std::time::Instant::now();
        let c = complexity::compute(&m, opts).map_err(|e| {
            indmon_sources::Error::from(
                InputError::file(&panel.input, format!("{y}: {e}")).expected(
                    "exports ≥ 0 (and a population for every location with --presence rpop)",
                ),
            )
        })?;
        match &c.undefined {
            None => {
                if !ctx.quiet {
                    eprintln!(
                        "{y}: {} locations × {} products, eigenvalue {:.6}, {:.3} s",
                        m.locations,
                        m.products,
                        c.eigenvalue,
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            Some(why) => {
                eprintln!(
                    "warning: {y}: {why}; ECI, PCI, density, COI and COG are left empty for {y}"
                );
                errors.push(format!("{y}: {why}"));
            }
        }
        out.push((*y, c));
    }
    Ok((out, errors))
}

fn num(v: f64) -> Cell {
    if v.is_nan() { Cell::Null } else { Cell::Num(v) }
}

const COLUMNS: &[&str] = &[
    "year",
    "location",
    "product",
    "value",
    "rca",
    "mcp",
    "diversity",
    "ubiquity",
    "eci",
    "pci",
    "density",
    "coi",
    "cog",
];

fn labels(panel: &Panel, opts: &Options) -> Vec<String> {
    let mut notes = Vec::new();
    match &panel.vintage {
        Some(m) => {
            if m.synthetic {
                notes.push("SYNTHETIC data (generated, not statistics).".to_string());
            }
            notes.push(format!("Source: {}", m.source_line()));
            if let Some(s) = &m.scope {
                notes.push(format!("Scope: {s}"));
            }
        }
        None => notes.push(format!(
            "Input: {} (sha256 {})",
            panel.input,
            &panel.sha256[..12]
        )),
    }
    notes.push(method_line(opts));
    if let Some(p) = panel.years.values().map(|y| y.products.len()).max()
        && p < 200
    {
        notes.push(format!(
            "Only {p} products: ECI, PCI and COG rank locations and products within this product set, not across the whole economy."
        ));
    }
    notes
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    if args.input.panel.is_none() && args.input.dataset.is_none() {
        return Err(UsageError("give the input: --panel FILE.csv or --dataset D".into()).into());
    }
    let opts = args.method.options();
    let store = if args.input.dataset.is_some() || !args.no_save {
        Some(ctx.store()?)
    } else {
        None
    };
    let rt = ctx.runtime()?;
    let panel = load_panel(store.as_ref().map(|s| (s, &rt)), &args.input)?;
    let (results, undefined) = compute_all(ctx, &panel, &opts)?;
    let mut notes = labels(&panel, &opts);
    notes.extend(undefined.iter().map(|u| format!("Not defined: {u}")));

    let mut sink: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match args.format {
        Format::Table => {
            let mut rows = Vec::new();
            for (y, c) in &results {
                let yp = &panel.years[y];
                let mut order: Vec<usize> = (0..c.locations).collect();
                order.sort_by(|&a, &b| {
                    c.eci[b]
                        .partial_cmp(&c.eci[a])
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(c.eci[a].is_nan().cmp(&c.eci[b].is_nan()))
                });
                for (rank, &l) in order.iter().enumerate() {
                    rows.push(vec![
                        Cell::Int(i64::from(*y)),
                        Cell::Int(rank as i64 + 1),
                        yp.locations[l].clone().into(),
                        Cell::Int(i64::from(c.diversity[l])),
                        num(round4(c.eci[l])),
                        num(round4(c.coi[l])),
                    ]);
                }
            }
            print_rows(
                &mut sink,
                Format::Table,
                &["year", "rank", "location", "diversity", "eci", "coi"],
                &rows,
                &notes,
            )?;
        }
        Format::Csv => {
            // Streamed: a large panel has millions of rows.
            let with_rpop = opts.presence == Presence::Rpop;
            let mut header = COLUMNS.join(",");
            if with_rpop {
                header.push_str(",rpop");
            }
            writeln!(sink, "{header}")?;
            // Rows are assembled as bytes: the formatting machinery would take longer
            // than the computation on a large panel.
            let mut line: Vec<u8> = Vec::with_capacity(256);
            let mut fbuf = ryu::Buffer::new();
            let mut num = |line: &mut Vec<u8>, v: f64| {
                if !v.is_nan() {
                    line.extend_from_slice(fbuf.format(v).as_bytes());
                }
                line.push(b',');
            };
            let int = |line: &mut Vec<u8>, v: i64| {
                line.extend_from_slice(v.to_string().as_bytes());
                line.push(b',');
            };
            for (y, c) in &results {
                let yp = &panel.years[y];
                let np = c.products;
                let products: Vec<String> = yp
                    .products
                    .iter()
                    .map(|p| csv_field(p).into_owned())
                    .collect();
                let ubiquity: Vec<String> = c.ubiquity.iter().map(u32::to_string).collect();
                for l in 0..c.locations {
                    let loc = csv_field(&yp.locations[l]).into_owned();
                    for p in 0..np {
                        let i = l * np + p;
                        line.clear();
                        int(&mut line, i64::from(*y));
                        line.extend_from_slice(loc.as_bytes());
                        line.push(b',');
                        line.extend_from_slice(products[p].as_bytes());
                        line.push(b',');
                        num(&mut line, yp.values[i]);
                        num(&mut line, c.rca[i]);
                        line.extend_from_slice(if c.mcp[i] == 1 { b"1," } else { b"0," });
                        int(&mut line, i64::from(c.diversity[l]));
                        line.extend_from_slice(ubiquity[p].as_bytes());
                        line.push(b',');
                        num(&mut line, c.eci[l]);
                        num(&mut line, c.pci[p]);
                        num(&mut line, c.density[i]);
                        num(&mut line, c.coi[l]);
                        num(&mut line, c.cog[i]);
                        if with_rpop {
                            num(&mut line, c.rpop.as_ref().expect("rpop")[i]);
                        }
                        line.pop(); // the last comma
                        line.push(b'\n');
                        sink.write_all(&line)?;
                    }
                }
            }
            // CSV carries numbers only; where they come from goes to stderr, also when quiet
            for n in &notes {
                eprintln!("{n}");
            }
        }
        Format::Json => {
            let with_rpop = opts.presence == Presence::Rpop;
            let mut header = COLUMNS.to_vec();
            if with_rpop {
                header.push("rpop");
            }
            let mut rows = Vec::new();
            for (y, c) in &results {
                let yp = &panel.years[y];
                let np = c.products;
                for l in 0..c.locations {
                    for p in 0..np {
                        let i = l * np + p;
                        let mut row = vec![
                            Cell::Int(i64::from(*y)),
                            yp.locations[l].clone().into(),
                            yp.products[p].clone().into(),
                            num(yp.values[i]),
                            num(c.rca[i]),
                            Cell::Int(i64::from(c.mcp[i])),
                            Cell::Int(i64::from(c.diversity[l])),
                            Cell::Int(i64::from(c.ubiquity[p])),
                            num(c.eci[l]),
                            num(c.pci[p]),
                            num(c.density[i]),
                            num(c.coi[l]),
                            num(c.cog[i]),
                        ];
                        if with_rpop {
                            row.push(num(c.rpop.as_ref().expect("rpop")[i]));
                        }
                        rows.push(row);
                    }
                }
            }
            print_rows(&mut sink, Format::Json, &header, &rows, &notes)?;
        }
    }
    sink.flush()?;
    drop(sink);

    if !args.no_save {
        let store = store.expect("opened for saving");
        let id = args
            .save_as
            .clone()
            .unwrap_or_else(|| format!("complexity_{}", panel.name));
        let id = DatasetId::new(&id).map_err(|e| UsageError(format!("--save-as: {e}")))?;
        let meta = save(&store, &id, &panel, &results, &opts)?;
        if !ctx.quiet {
            eprintln!(
                "Stored as dataset {} (vintage {}); query it with: indmon sql \"select * from {}\"",
                meta.dataset, meta.vintage, meta.dataset
            );
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

fn round4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

fn save(
    store: &Store,
    id: &DatasetId,
    panel: &Panel,
    results: &[(i32, Complexity)],
    opts: &Options,
) -> Result<VintageMeta> {
    let mut writer = store.writer(id)?;
    let conv = match opts.convention {
        Convention::Stata => "stata",
        Convention::Python => "python",
    };
    let method = method_line(opts);
    let method = method.trim_start_matches("Method: ").to_string();
    let mut rows = 0u64;
    for (y, c) in results {
        let yp = &panel.years[y];
        let (nc, np) = (c.locations, c.products);
        let n = nc * np;
        let opt = |v: f64| (!v.is_nan()).then_some(v);
        let cols = Columns::new()
            .int("year", std::iter::repeat_n(*y, n))
            .text("location", (0..n).map(|i| yp.locations[i / np].as_str()))
            .text("product", (0..n).map(|i| yp.products[i % np].as_str()))
            .float("value", yp.values.iter().copied())
            .float_opt("rca", c.rca.iter().map(|&v| opt(v)))
            .float_opt(
                "rpop",
                (0..n).map(|i| c.rpop.as_ref().and_then(|r| opt(r[i]))),
            )
            .int("mcp", c.mcp.iter().map(|&m| i32::from(m)))
            .int("diversity", (0..n).map(|i| c.diversity[i / np] as i32))
            .int("ubiquity", (0..n).map(|i| c.ubiquity[i % np] as i32))
            .float_opt("eci", (0..n).map(|i| opt(c.eci[i / np])))
            .float_opt("pci", (0..n).map(|i| opt(c.pci[i % np])))
            .float_opt("density", c.density.iter().map(|&v| opt(v)))
            .float_opt("coi", (0..n).map(|i| opt(c.coi[i / np])))
            .float_opt("cog", c.cog.iter().map(|&v| opt(v)))
            .text("convention", std::iter::repeat_n(conv, n))
            .text("method", std::iter::repeat_n(method.as_str(), n));
        writer.write_columns(cols)?;
        rows += n as u64;
    }
    let retrieved_at = Utc::now();
    // The result is identified by its input and its method.
    let sha = sha256_hex(format!("{}|{}|{method}", panel.sha256, panel.input).as_bytes());
    let src = panel.vintage.as_ref();
    let release = src.and_then(|m| m.release);
    let effective = release.unwrap_or_else(|| retrieved_at.date_naive());
    let meta = VintageMeta {
        dataset: id.clone(),
        vintage: VintageMeta::make_id(effective, &sha),
        title: format!("Economic complexity of {} ({conv} convention)", panel.name),
        publisher: src.map_or_else(
            || "indmon (computed)".to_string(),
            |m| format!("indmon, computed from {}", m.publisher),
        ),
        source: "complexity".into(),
        input: panel.input.clone(),
        retrieved_at,
        release,
        release_label: src.and_then(|m| m.release_label.clone()),
        release_basis: src.map(|m| format!("release of the input {}", m.dataset)),
        sha256: sha,
        input_bytes: 0,
        rows,
        schema: "complexity_results".into(),
        schema_version: 1,
        parser: complexity::METHOD_VERSION.into(),
        licence: src.map_or_else(|| "as the input".to_string(), |m| m.licence.clone()),
        citation: src.map_or_else(|| panel.input.clone(), |m| m.citation.clone()),
        scope: src.and_then(|m| m.scope.clone()),
        synthetic: src.is_some_and(|m| m.synthetic),
        indmon_version: indmon_core::INDMON_VERSION.to_string(),
    };
    writer.commit(&meta, true)?;
    Ok(meta)
}

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
pub struct OpportunitiesArgs {
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
    #[arg(long, value_enum, default_value_t = RankBy::Cog)]
    by: RankBy,
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
enum RankBy {
    Cog,
    Density,
    Pci,
}

/// Names of the given product codes from one code list in the store, with the
/// vintage they come from.
fn product_names(
    store: &Store,
    rt: &Runtime,
    table: &str,
    codes: &[&str],
) -> (HashMap<String, String>, Option<VintageMeta>) {
    let mut names = HashMap::new();
    let meta = store.catalog().ok().and_then(|c| c.latest(table).cloned());
    let name_col = if table == "baci_products" {
        "description"
    } else {
        "name_short_en"
    };
    if meta.is_none() || codes.is_empty() {
        return (names, meta);
    }
    let wanted: std::collections::HashSet<&str> = codes.iter().copied().collect();
    let q = Select::from(table).columns(["code", name_col]);
    if let Ok(b) = rt.block_on(store.fetch(&q, &QueryOptions::default()))
        && let (Ok(c), Ok(n)) = (b.texts(0), b.texts(1))
    {
        for (c, n) in c.into_iter().zip(n) {
            if let (Some(c), Some(n)) = (c, n)
                && wanted.contains(c.as_str())
            {
                names.insert(c, n);
            }
        }
    }
    (names, meta)
}

/// Codes that may name the country in the input: the flag itself and, from the
/// country lists in the store, its alpha-2/alpha-3 and BACI codes.
fn geo_aliases(store: Option<(&Store, &Runtime)>, geo: &str) -> Vec<String> {
    let mut out = vec![geo.to_string()];
    let Some((store, rt)) = store else { return out };
    let Ok(catalog) = store.catalog() else {
        return out;
    };
    if catalog.latest("baci_countries").is_some() {
        let g = geo.to_ascii_uppercase();
        let q = Select::from("baci_countries").columns([
            "country_iso2",
            "country_iso3",
            "country_code",
        ]);
        if let Ok(b) = rt.block_on(store.fetch(&q, &QueryOptions::default()))
            && let (Ok(i2), Ok(i3), Ok(code)) = (b.texts(0), b.texts(1), b.texts(2))
        {
            for r in 0..b.len() {
                let row = [&i2[r], &i3[r], &code[r]];
                if row.iter().any(|v| {
                    v.as_deref()
                        .is_some_and(|v| v.trim().to_ascii_uppercase() == g)
                }) {
                    out.extend(row.into_iter().flatten().cloned());
                }
            }
        }
    }
    out
}

pub fn run_opportunities(ctx: &Context, args: OpportunitiesArgs) -> Result<()> {
    let opts = args.method.options();
    // A CSV panel needs the store only for country codes and product names: use
    // what is there, without loading the bundled snapshot for it.
    let store = match &args.input.panel {
        Some(_) => ctx.open_store().ok(),
        None => Some(ctx.store()?),
    };
    let rt = ctx.runtime()?;
    let with_rt = store.as_ref().map(|s| (s, &rt));
    let panel = load_panel(with_rt, &args.input)?;
    // The latest year (or the one asked for).
    let year = *panel.years.keys().next_back().expect("a year");
    let single = Panel {
        years: panel
            .years
            .into_iter()
            .filter(|(y, _)| *y == year)
            .collect(),
        ..panel
    };
    let (results, undefined) = compute_all(ctx, &single, &opts)?;
    if let Some(why) = undefined.first() {
        return Err(indmon_sources::Error::from(
            InputError::file(&single.input, format!("no opportunities: {why}"))
                .expected("a panel whose locations and products are connected by shared exports"),
        )
        .into());
    }
    let (_, c) = &results[0];
    let yp = &single.years[&year];
    let aliases = geo_aliases(with_rt, &args.geo);
    let loc = yp
        .locations
        .iter()
        .position(|l| aliases.iter().any(|a| a.eq_ignore_ascii_case(l)))
        .ok_or_else(|| {
            UsageError(format!(
                "{} is not among the {} locations of the input in {year} (e.g. {})",
                args.geo,
                yp.locations.len(),
                yp.locations
                    .iter()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    // Names of the products shown, from the code list of the input's classification.
    let names_for = |codes: &[&str], notes: &mut Vec<String>| -> HashMap<String, String> {
        let (Some((store, rt)), Some(table)) = (with_rt, single.nomenclature.as_deref()) else {
            return HashMap::new();
        };
        let (names, meta) = product_names(store, rt, table, codes);
        if let Some(m) = meta.filter(|_| !names.is_empty()) {
            notes.push(format!("Product names: {table}, {}", m.source_line()));
        }
        names
    };
    let np = c.products;
    let mut notes = vec![format!(
        "{} in {year}: diversity {}, ECI {:.3}, COI {:.3} ({} locations × {} products).",
        yp.locations[loc], c.diversity[loc], c.eci[loc], c.coi[loc], c.locations, np
    )];
    notes.extend(labels(&single, &opts));
    let mut out = std::io::stdout().lock();
    if let Some(near) = &args.near {
        let p = yp
            .products
            .iter()
            .position(|q| q == near || (args.input.hs4 && q == &hs4(near)))
            .ok_or_else(|| UsageError(format!("product {near} is not in the input in {year}")))?;
        let phi = c.proximity_row(p);
        let mut nbrs: Vec<usize> = (0..np).filter(|&q| q != p && !phi[q].is_nan()).collect();
        nbrs.sort_by(|&a, &b| phi[b].total_cmp(&phi[a]));
        nbrs.truncate(args.top);
        let shown: Vec<&str> = nbrs
            .iter()
            .map(|&q| yp.products[q].as_str())
            .chain([yp.products[p].as_str()])
            .collect();
        let names = names_for(&shown, &mut notes);
        let name = |p: &str| names.get(p).cloned();
        let rows: Vec<Vec<Cell>> = nbrs
            .iter()
            .map(|&q| {
                let i = loc * np + q;
                vec![
                    yp.products[q].clone().into(),
                    Cell::opt_text(name(&yp.products[q])),
                    num(round4(phi[q])),
                    Cell::Int(i64::from(c.mcp[i])),
                    num(round4(c.rca[i])),
                    num(round4(c.pci[q])),
                ]
            })
            .collect();
        notes.insert(
            0,
            format!(
                "Nearest products to {near}{} by proximity; mcp = 1 where {} already exports it with comparative advantage.",
                name(near).map_or(String::new(), |n| format!(" ({n})")),
                yp.locations[loc]
            ),
        );
        print_rows(
            &mut out,
            args.format,
            &["product", "name", "proximity", "mcp", "rca", "pci"],
            &rows,
            &notes,
        )?;
        return Ok(());
    }
    let key = |p: usize| match args.by {
        RankBy::Cog => c.cog[loc * np + p],
        RankBy::Density => c.density[loc * np + p],
        RankBy::Pci => c.pci[p],
    };
    let mut cands: Vec<usize> = (0..np)
        .filter(|&p| c.mcp[loc * np + p] == 0 && !c.pci[p].is_nan() && !key(p).is_nan())
        .filter(|&p| args.min_pci.is_none_or(|m| c.pci[p] >= m))
        .collect();
    cands.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
    let total = cands.len();
    cands.truncate(args.top);
    let shown: Vec<&str> = cands.iter().map(|&p| yp.products[p].as_str()).collect();
    let names = names_for(&shown, &mut notes);
    let name = |p: &str| names.get(p).cloned();
    let rows: Vec<Vec<Cell>> = cands
        .iter()
        .enumerate()
        .map(|(r, &p)| {
            let i = loc * np + p;
            vec![
                Cell::Int(r as i64 + 1),
                yp.products[p].clone().into(),
                Cell::opt_text(name(&yp.products[p])),
                num(round4(c.cog[i])),
                num(round4(c.density[i])),
                num(round4(1.0 - c.density[i])),
                num(round4(c.pci[p])),
                num(round4(c.rca[i])),
            ]
        })
        .collect();
    notes.insert(
        0,
        format!(
            "{} of {total} products {} does not export with comparative advantage, ranked by {}{}.",
            rows.len(),
            yp.locations[loc],
            match args.by {
                RankBy::Cog => "outlook gain (COG)",
                RankBy::Density => "density",
                RankBy::Pci => "PCI",
            },
            args.min_pci
                .map_or(String::new(), |m| format!(", PCI ≥ {m}"))
        ),
    );
    print_rows(
        &mut out,
        args.format,
        &[
            "rank", "product", "name", "cog", "density", "distance", "pci", "rca",
        ],
        &rows,
        &notes,
    )?;
    Ok(())
}
