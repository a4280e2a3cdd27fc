//! The complexity of a panel, year by year: computed, tabulated (one row per year,
//! location and product; locations ranked by ECI), written as CSV and JSON, and stored
//! as a dataset.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::Utc;
use indmon_analytics::complexity::{self, Complexity, Matrix, Options, Presence};
use indmon_core::{DatasetId, VintageMeta};
use indmon_sources::InputError;
use indmon_sources::input::sha256_hex;
use indmon_store::{Columns, Store};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::panel::{Panel, PanelRequest, load_panel};
use super::{convention_name, method_line, opt, round4};
use crate::table::{Cell, Col, Table, Tabular};
use crate::{Error, Result, Source};

/// What complexity to compute.
#[derive(Debug, Clone)]
pub struct ComplexityRequest {
    /// The panel.
    pub panel: PanelRequest,
    /// Convention, presence test, threshold, proximity, k nearest, Atlas COG.
    pub method: Options,
}

/// One year's computation in brief.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct YearSummary {
    /// The year.
    pub year: i32,
    /// Locations in the matrix.
    pub locations: usize,
    /// Products in the matrix.
    pub products: usize,
    /// The eigenvalue behind ECI (missing when ECI is not defined).
    pub eigenvalue: Option<f64>,
    /// Why ECI, PCI, density, COI and COG are missing for the year, when they are.
    pub undefined: Option<String>,
}

/// Called after each year is computed, with the time the computation took (progress
/// lines on a terminal).
pub type YearProgress<'a> = &'a (dyn Fn(&YearSummary, Duration) + Sync);

/// One year's matrix and its measures.
#[derive(Debug, Clone)]
pub struct YearMeasures {
    /// The year.
    pub year: i32,
    /// Location codes (sorted).
    pub locations: Vec<String>,
    /// Product codes (sorted).
    pub products: Vec<String>,
    /// Exports, locations × products (row-major).
    pub values: Vec<f64>,
    /// RCA, M, diversity, ubiquity, ECI, PCI, density, COI, COG, proximity.
    pub measures: Complexity,
}

/// Every year's measures: serialised as one row per year, location and product (the
/// columns of [`COLUMNS`], `rpop` only with the RPOP presence test), without ever
/// holding those rows in memory.
#[derive(Debug, Clone)]
pub struct Measures {
    /// The years, in order.
    pub years: Vec<YearMeasures>,
    /// Whether RPOP was computed (the `rpop` column).
    pub rpop: bool,
}

/// One row of the result: a year, location and product.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ComplexityRow {
    /// Year.
    pub year: i32,
    /// Location code.
    pub location: String,
    /// Product code.
    pub product: String,
    /// Exports.
    pub value: f64,
    /// Balassa RCA.
    pub rca: Option<f64>,
    /// Presence M (0 or 1).
    pub mcp: u8,
    /// Diversity of the location.
    pub diversity: u32,
    /// Ubiquity of the product.
    pub ubiquity: u32,
    /// ECI of the location.
    pub eci: Option<f64>,
    /// PCI of the product.
    pub pci: Option<f64>,
    /// Density.
    pub density: Option<f64>,
    /// COI of the location.
    pub coi: Option<f64>,
    /// COG.
    pub cog: Option<f64>,
    /// RPOP (only with the RPOP presence test; the key is absent otherwise).
    pub rpop: Option<f64>,
}

/// The columns of a complexity result, one row per year, location and product. The
/// last, `rpop`, only with the RPOP presence test.
pub const COLUMNS: &[Col<ComplexityRow>] = &[
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "location",
        unit: "",
        meaning: "Location code as in the input (ISO alpha-3 for BACI trade).",
        decimals: None,
        get: |r| r.location.as_str().into(),
    },
    Col {
        name: "product",
        unit: "",
        meaning: "Product code as in the input.",
        decimals: None,
        get: |r| r.product.as_str().into(),
    },
    Col {
        name: "value",
        unit: "as the input",
        meaning: "Exports of the location in the product (zero where none).",
        decimals: None,
        get: |r| r.value.into(),
    },
    Col {
        name: "rca",
        unit: "",
        meaning: "Balassa revealed comparative advantage (empty when M is given).",
        decimals: None,
        get: |r| Cell::opt_num(r.rca),
    },
    Col {
        name: "mcp",
        unit: "",
        meaning: "Presence M: 1 where the location exports the product with comparative advantage.",
        decimals: None,
        get: |r| i64::from(r.mcp).into(),
    },
    Col {
        name: "diversity",
        unit: "products",
        meaning: "Products the location exports with comparative advantage.",
        decimals: None,
        get: |r| r.diversity.into(),
    },
    Col {
        name: "ubiquity",
        unit: "locations",
        meaning: "Locations that export the product with comparative advantage.",
        decimals: None,
        get: |r| r.ubiquity.into(),
    },
    Col {
        name: "eci",
        unit: "",
        meaning: "Economic complexity index of the location (standardised).",
        decimals: None,
        get: |r| Cell::opt_num(r.eci),
    },
    Col {
        name: "pci",
        unit: "",
        meaning: "Product complexity index (standardised).",
        decimals: None,
        get: |r| Cell::opt_num(r.pci),
    },
    Col {
        name: "density",
        unit: "",
        meaning: "How close the product is to what the location exports now (0 to 1).",
        decimals: None,
        get: |r| Cell::opt_num(r.density),
    },
    Col {
        name: "coi",
        unit: "",
        meaning: "Complexity outlook index of the location: how many complex products are near.",
        decimals: None,
        get: |r| Cell::opt_num(r.coi),
    },
    Col {
        name: "cog",
        unit: "",
        meaning: "Complexity outlook gain: how much the location's outlook would rise with the product.",
        decimals: None,
        get: |r| Cell::opt_num(r.cog),
    },
    Col {
        name: "rpop",
        unit: "",
        meaning: "Exports per head relative to the world's (the RPOP presence test only).",
        decimals: None,
        get: |r| Cell::opt_num(r.rpop),
    },
];

/// Number of [`COLUMNS`] without `rpop`.
const WITHOUT_RPOP: usize = 13;

impl Measures {
    /// The columns of the rows: `rpop` only when computed.
    pub fn columns(&self) -> &'static [Col<ComplexityRow>] {
        if self.rpop {
            COLUMNS
        } else {
            &COLUMNS[..WITHOUT_RPOP]
        }
    }

    /// Number of rows (year × location × product).
    pub fn len(&self) -> usize {
        self.years.iter().map(|y| y.values.len()).sum()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows, by year, location and product.
    pub fn rows(&self) -> impl Iterator<Item = ComplexityRow> + '_ {
        self.years.iter().flat_map(|y| {
            let c = &y.measures;
            let np = c.products;
            (0..c.locations * np).map(move |i| {
                let (l, p) = (i / np, i % np);
                ComplexityRow {
                    year: y.year,
                    location: y.locations[l].clone(),
                    product: y.products[p].clone(),
                    value: y.values[i],
                    rca: opt(c.rca[i]),
                    mcp: c.mcp[i],
                    diversity: c.diversity[l],
                    ubiquity: c.ubiquity[p],
                    eci: opt(c.eci[l]),
                    pci: opt(c.pci[p]),
                    density: opt(c.density[i]),
                    coi: opt(c.coi[l]),
                    cog: opt(c.cog[i]),
                    rpop: c.rpop.as_ref().and_then(|r| opt(r[i])),
                }
            })
        })
    }
}

/// A cell as its JSON value (what [`Cell::json`] gives, written straight out).
struct CellValue(Cell);

impl Serialize for CellValue {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match &self.0 {
            Cell::Text(t) => s.serialize_str(t),
            Cell::Num(v) if v.is_finite() => s.serialize_f64(*v),
            Cell::Int(v) => s.serialize_i64(*v),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::Num(_) | Cell::Null => s.serialize_none(),
        }
    }
}

/// A row as a JSON object keyed by column name.
struct RowObject<'a>(&'a [Col<ComplexityRow>], ComplexityRow);

impl Serialize for RowObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for c in self.0 {
            m.serialize_entry(c.name, &CellValue((c.get)(&self.1)))?;
        }
        m.end()
    }
}

impl Serialize for Measures {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let cols = self.columns();
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for r in self.rows() {
            seq.serialize_element(&RowObject(cols, r))?;
        }
        seq.end()
    }
}

/// A location's place in one year's ECI ranking.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EciRank {
    /// Year.
    pub year: i32,
    /// Rank by ECI (1 = most complex; locations without ECI last).
    pub rank: usize,
    /// Location code.
    pub location: String,
    /// Diversity.
    pub diversity: u32,
    /// ECI, rounded to 4 decimals.
    pub eci: Option<f64>,
    /// COI, rounded to 4 decimals.
    pub coi: Option<f64>,
}

/// The columns of the ECI ranking (what `indmon complexity` shows as a table).
pub const RANKING: &[Col<EciRank>] = &[
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "rank",
        unit: "",
        meaning: "Rank by ECI within the year (1 = most complex).",
        decimals: None,
        get: |r| r.rank.into(),
    },
    Col {
        name: "location",
        unit: "",
        meaning: "Location code.",
        decimals: None,
        get: |r| r.location.as_str().into(),
    },
    Col {
        name: "diversity",
        unit: "products",
        meaning: "Products exported with comparative advantage.",
        decimals: None,
        get: |r| r.diversity.into(),
    },
    Col {
        name: "eci",
        unit: "",
        meaning: "Economic complexity index (4 decimals).",
        decimals: None,
        get: |r| Cell::opt_num(r.eci),
    },
    Col {
        name: "coi",
        unit: "",
        meaning: "Complexity outlook index (4 decimals).",
        decimals: None,
        get: |r| Cell::opt_num(r.coi),
    },
];

/// The economic complexity of a panel, year by year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplexityReport {
    /// The input: the file, or `dataset:<id>@<vintage>`.
    pub input: String,
    /// SHA-256 of the input.
    pub input_sha256: String,
    /// The name the result is stored under by default (`complexity_<name>`).
    pub name: String,
    /// The code list that names the products (`hs92`, `hs12`, `hs22`,
    /// `baci_products`), when the input says.
    pub nomenclature: Option<String>,
    /// `stata` or `python`.
    pub convention: String,
    /// The method: version and options, e.g. `complexity/1 (stata convention; M = RCA > 1;
    /// symmetric proximity)`.
    pub method: String,
    /// Each year's size and eigenvalue, or why ECI is not defined.
    pub years: Vec<YearSummary>,
    /// Locations ranked by ECI within each year.
    pub ranking: Vec<EciRank>,
    /// One row per year, location and product (the CSV's rows).
    #[schema(value_type = Vec<ComplexityRow>)]
    pub rows: Measures,
    /// The input or source, the method, caveats and the years where ECI is not defined.
    pub notes: Vec<String>,
    /// The vintage read (store input).
    pub sources: Vec<Source>,
    /// The catalog record of the input (store input), for the stored result's own.
    #[serde(skip)]
    pub(super) vintage: Option<VintageMeta>,
}

/// The lines that say what a result was computed from and how: the source (and that it
/// is synthetic) or the input file, the method, and a caveat for small product sets.
pub(super) fn labels(panel: &Panel, opts: &Options) -> Vec<String> {
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
            &panel.sha256[..12.min(panel.sha256.len())]
        )),
    }
    notes.push(format!("Method: {}", method_line(opts)));
    if let Some(p) = panel.years.values().map(|y| y.products.len()).max()
        && p < 200
    {
        notes.push(format!(
            "Only {p} products: ECI, PCI and COG rank locations and products within this product set, not across the whole economy."
        ));
    }
    notes
}

/// Computes every year of `panel`. A year whose ECI is not defined keeps RCA, M,
/// diversity and ubiquity (the reason is in its [`YearSummary`] and the notes);
/// `progress` hears of each year as it is done.
pub fn compute(
    panel: Panel,
    opts: &Options,
    progress: YearProgress<'_>,
) -> Result<ComplexityReport> {
    let mut notes = labels(&panel, opts);
    let mut years = Vec::with_capacity(panel.years.len());
    let mut summaries = Vec::with_capacity(panel.years.len());
    for (y, yp) in panel.years {
        let m = Matrix {
            locations: yp.locations.len(),
            products: yp.products.len(),
            values: &yp.values,
            population: yp.population.as_deref(),
        };
        if opts.presence == Presence::Rpop && m.population.is_none() {
            return Err(Error::Invalid(
                "--presence rpop needs --population FILE".into(),
            ));
        }
        if let Some(pop) = m.population
            && opts.presence == Presence::Rpop
            && let Some(c) = pop.iter().position(|v| v.is_nan())
        {
            return Err(Error::Invalid(format!(
                "no population for {} in {y}; add it to the population file or leave the location out",
                yp.locations[c]
            )));
        }
        let started = Instant::now();
        let c = complexity::compute(&m, opts).map_err(|e| {
            Error::Input(
                InputError::file(&panel.input, format!("{y}: {e}"))
                    .expected(
                        "exports ≥ 0 (and a population for every location with --presence rpop)",
                    )
                    .to_string(),
            )
        })?;
        let summary = YearSummary {
            year: y,
            locations: m.locations,
            products: m.products,
            eigenvalue: opt(c.eigenvalue).filter(|_| c.undefined.is_none()),
            undefined: c.undefined.as_ref().map(ToString::to_string),
        };
        progress(&summary, started.elapsed());
        if let Some(why) = &summary.undefined {
            notes.push(format!("Not defined: {y}: {why}"));
        }
        summaries.push(summary);
        years.push(YearMeasures {
            year: y,
            locations: yp.locations,
            products: yp.products,
            values: yp.values,
            measures: c,
        });
    }
    let ranking = years.iter().flat_map(ranking_of).collect();
    Ok(ComplexityReport {
        input: panel.input,
        input_sha256: panel.sha256,
        name: panel.name,
        nomenclature: panel.nomenclature,
        convention: convention_name(opts.convention).into(),
        method: method_line(opts),
        years: summaries,
        ranking,
        rows: Measures {
            years,
            rpop: opts.presence == Presence::Rpop,
        },
        notes,
        sources: panel.vintage.iter().map(Source::of).collect(),
        vintage: panel.vintage,
    })
}

/// One year's locations ranked by ECI (missing ECI last).
fn ranking_of(y: &YearMeasures) -> Vec<EciRank> {
    let c = &y.measures;
    let mut order: Vec<usize> = (0..c.locations).collect();
    order.sort_by(|&a, &b| {
        c.eci[b]
            .partial_cmp(&c.eci[a])
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(c.eci[a].is_nan().cmp(&c.eci[b].is_nan()))
    });
    order
        .iter()
        .enumerate()
        .map(|(rank, &l)| EciRank {
            year: y.year,
            rank: rank + 1,
            location: y.locations[l].clone(),
            diversity: c.diversity[l],
            eci: opt(round4(c.eci[l])),
            coi: opt(round4(c.coi[l])),
        })
        .collect()
}

/// The complexity of the panel `req` names, every year (`store` is needed for a
/// dataset; see [`compute`]).
pub async fn complexity(
    store: Option<&Store>,
    req: ComplexityRequest,
    progress: YearProgress<'_>,
) -> Result<ComplexityReport> {
    let panel = load_panel(store, req.panel).await?;
    compute(panel, &req.method, progress)
}

impl ComplexityReport {
    /// The ECI ranking as a table.
    pub fn ranking_table(&self) -> Table {
        Table::of(RANKING, &self.ranking)
    }

    /// Writes the CSV of [`Tabular::table`] — the same bytes — without building the
    /// table (a large panel has millions of rows): blocks of locations are formatted by
    /// one thread per core (block k by thread k mod n) while this thread writes the
    /// finished blocks in order; each thread has two buffers in turn.
    pub fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let cols = self.rows.columns();
        let header: Vec<&str> = cols.iter().map(|c| c.name).collect();
        writeln!(out, "{}", header.join(","))?;
        let years = &self.rows.years;
        let blocks = blocks(years);
        let texts: Vec<YearTexts> = years.iter().map(YearTexts::of).collect();
        let rpop = self.rows.rpop;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, blocks.len().max(1));
        std::thread::scope(|s| {
            let mut done = Vec::with_capacity(threads);
            let mut back = Vec::with_capacity(threads);
            for t in 0..threads {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
                let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
                let (blocks, texts) = (&blocks, &texts);
                s.spawn(move || {
                    for &(k, from, to) in blocks.iter().skip(t).step_by(threads) {
                        let mut buf = back_rx.try_recv().unwrap_or_default();
                        format_rows(&mut buf, &years[k], &texts[k], from..to, rpop);
                        if tx.send(buf).is_err() {
                            return; // the writer stopped (an error)
                        }
                    }
                });
                done.push(rx);
                back.push(back_tx);
            }
            for b in 0..blocks.len() {
                let buf = done[b % threads]
                    .recv()
                    .expect("a formatting thread ended early");
                out.write_all(&buf)?;
                let _ = back[b % threads].send(buf);
            }
            Ok(())
        })
    }

    /// Writes every row, with the columns of the CSV, as a Parquet file at `path` (row
    /// groups of about a million rows, across years; through a temporary file renamed
    /// when complete). Returns the number of rows.
    pub fn write_parquet(&self, path: &std::path::Path) -> Result<u64> {
        let cols = self.rows.columns();
        let years = &self.rows.years;
        // batches of one block of locations each (the columns of a whole year of a large
        // panel would double the memory the computation needs), made on a second thread
        // while the store encodes the one before
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Columns>(1);
            s.spawn(move || {
                for (k, from, to) in blocks(years) {
                    if tx.send(year_columns(&years[k], cols, from..to)).is_err() {
                        return; // the writer stopped (an error)
                    }
                }
            });
            // a thread that died ends the batches early: the row count tells
            let expected = self.rows.len() as u64;
            Ok(indmon_store::write_parquet_file(path, expected, rx)?)
        })
    }

    /// Writes the JSON of the whole result — the bytes of [`crate::table::json`] —
    /// without holding it in memory.
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

/// The columns `cols` (of [`COLUMNS`], in their order) of locations `locs` of one year
/// as typed columns for the store: what [`ComplexityReport::write_csv`] writes as text,
/// with missing numbers as nulls.
fn year_columns(
    y: &YearMeasures,
    cols: &[Col<ComplexityRow>],
    locs: std::ops::Range<usize>,
) -> Columns {
    let c = &y.measures;
    let np = c.products.max(1);
    let cells = locs.start * np..locs.end * np;
    let n = cells.len();
    let first = locs.start;
    // cell i of the batch is cell first·np + i of the year
    let cell = |i: usize| cells.start + i;
    let loc = |i: usize| first + i / np;
    let prod = |i: usize| i % np;
    cols.iter().fold(Columns::new(), |out, col| match col.name {
        "year" => out.int("year", std::iter::repeat_n(y.year, n)),
        "location" => out.text("location", (0..n).map(|i| y.locations[loc(i)].as_str())),
        "product" => out.text("product", (0..n).map(|i| y.products[prod(i)].as_str())),
        "value" => out.float("value", y.values[cells.clone()].iter().copied()),
        "rca" => out.float_nan("rca", c.rca[cells.clone()].iter().copied()),
        "mcp" => out.int("mcp", c.mcp[cells.clone()].iter().map(|&m| i32::from(m))),
        "diversity" => out.int("diversity", (0..n).map(|i| c.diversity[loc(i)] as i32)),
        "ubiquity" => out.int("ubiquity", (0..n).map(|i| c.ubiquity[prod(i)] as i32)),
        "eci" => out.float_nan("eci", (0..n).map(|i| c.eci[loc(i)])),
        "pci" => out.float_nan("pci", (0..n).map(|i| c.pci[prod(i)])),
        "density" => out.float_nan("density", c.density[cells.clone()].iter().copied()),
        "coi" => out.float_nan("coi", (0..n).map(|i| c.coi[loc(i)])),
        "cog" => out.float_nan("cog", c.cog[cells.clone()].iter().copied()),
        "rpop" => out.float_nan(
            "rpop",
            (0..n).map(|i| c.rpop.as_ref().map_or(f64::NAN, |r| r[cell(i)])),
        ),
        other => unreachable!("complexity column {other} has no typed column"),
    })
}

/// The blocks of rows the CSV and Parquet writers take in turn: (year, first location,
/// end), about [`BLOCK_ROWS`] rows each.
fn blocks(years: &[YearMeasures]) -> Vec<(usize, usize, usize)> {
    let mut blocks = Vec::new();
    for (k, y) in years.iter().enumerate() {
        let per = (BLOCK_ROWS / y.measures.products.max(1)).max(1);
        let mut l = 0;
        while l < y.measures.locations {
            let end = (l + per).min(y.measures.locations);
            blocks.push((k, l, end));
            l = end;
        }
    }
    blocks
}

/// Rows per block of [`ComplexityReport::write_csv`].
const BLOCK_ROWS: usize = 32_768;

/// The text cells of one year, as CSV writes them.
/// Per product: `product,` … and `ubiquity,eci,pci,` are not adjacent, so the cells
/// that depend on the product only are kept apart: its code and its ubiquity and PCI.
struct YearTexts {
    locations: Vec<String>,
    products: Vec<String>,
    ubiquity: Vec<String>,
    pci: Vec<Vec<u8>>,
}

impl YearTexts {
    fn of(y: &YearMeasures) -> Self {
        let mut buf = ryu::Buffer::new();
        Self {
            locations: y.locations.iter().map(|l| csv_text(l)).collect(),
            products: y.products.iter().map(|p| csv_text(p)).collect(),
            ubiquity: y.measures.ubiquity.iter().map(u32::to_string).collect(),
            pci: y
                .measures
                .pci
                .iter()
                .map(|&v| {
                    let mut cell = Vec::new();
                    push_num(&mut cell, &mut buf, v);
                    cell
                })
                .collect(),
        }
    }
}

/// Formats the rows of locations `locs` of year `y` into `line` (cleared first): the
/// bytes [`Table::csv`] writes for them. Rows are assembled as bytes: the formatting
/// machinery would take longer than the computation on a large panel.
fn format_rows(
    line: &mut Vec<u8>,
    y: &YearMeasures,
    t: &YearTexts,
    locs: std::ops::Range<usize>,
    rpop: bool,
) {
    let c = &y.measures;
    let np = c.products;
    line.clear();
    line.reserve(locs.len() * np * 136);
    let mut fbuf = ryu::Buffer::new();
    fn num(line: &mut Vec<u8>, buf: &mut ryu::Buffer, v: f64) {
        push_num(line, buf, v);
        line.push(b',');
    }
    let year = format!("{},", y.year);
    for l in locs {
        let loc = &t.locations[l];
        let diversity = format!("{},", c.diversity[l]);
        // the cells of the location, formatted once: ECI and COI
        let (mut eci, mut coi) = (Vec::new(), Vec::new());
        push_num(&mut eci, &mut fbuf, c.eci[l]);
        push_num(&mut coi, &mut fbuf, c.coi[l]);
        for p in 0..np {
            let i = l * np + p;
            line.extend_from_slice(year.as_bytes());
            line.extend_from_slice(loc.as_bytes());
            line.push(b',');
            line.extend_from_slice(t.products[p].as_bytes());
            line.push(b',');
            num(line, &mut fbuf, y.values[i]);
            num(line, &mut fbuf, c.rca[i]);
            line.extend_from_slice(if c.mcp[i] == 1 { b"1," } else { b"0," });
            line.extend_from_slice(diversity.as_bytes());
            line.extend_from_slice(t.ubiquity[p].as_bytes());
            line.push(b',');
            line.extend_from_slice(&eci);
            line.push(b',');
            line.extend_from_slice(&t.pci[p]);
            line.push(b',');
            num(line, &mut fbuf, c.density[i]);
            line.extend_from_slice(&coi);
            line.push(b',');
            num(line, &mut fbuf, c.cog[i]);
            if rpop {
                num(line, &mut fbuf, c.rpop.as_ref().map_or(f64::NAN, |r| r[i]));
            }
            line.pop(); // the last comma
            line.push(b'\n');
        }
    }
}

/// A text cell as [`Table::csv`] writes it: formula prefixes neutralised, quoted when
/// needed.
fn csv_text(s: &str) -> String {
    let s = indmon_core::text::csv_text(s).into_owned();
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Appends a number as [`Cell::text`] writes it (`{}`: the shortest digits that read
/// back to the same number, no exponent), nothing when it is missing. Ryū finds the
/// digits, several times faster. The two differ only where two shortest forms are
/// equally near, which needs an exact decimal expansion of at most 18 digits, so a
/// number with at most 25 binary fractional digits (integers, halves …), and in the
/// exponent forms Ryū uses for very large and very small numbers: those are written by
/// `{}` itself.
fn push_num(line: &mut Vec<u8>, buf: &mut ryu::Buffer, v: f64) {
    if !v.is_finite() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < TWO_53 && !(v == 0.0 && v.is_sign_negative()) {
        // a whole number (zeros are common: COG where M = 1)
        line.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
        return;
    }
    let s = buf.format_finite(v);
    if s.contains('e') || (v * TWO_25).fract() == 0.0 {
        line.extend_from_slice(format!("{v}").as_bytes());
    } else {
        line.extend_from_slice(s.as_bytes());
    }
}

/// 2²⁵.
const TWO_25: f64 = 33_554_432.0;
/// 2⁵³: below it every whole number is a double.
const TWO_53: f64 = 9_007_199_254_740_992.0;

impl Tabular for ComplexityReport {
    fn table(&self) -> Table {
        let rows: Vec<ComplexityRow> = self.rows.rows().collect();
        Table::of(self.rows.columns(), &rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-complexity-{}", self.name)
    }
}

/// Stores `report` as dataset `id`: one row per year, location and product with the
/// measures, the convention and the method; the catalog record names the input (and
/// carries its release, licence and citation when it came from the store). A vintage
/// with the same input and method replaces the earlier one.
pub fn save(store: &Store, id: &DatasetId, report: &ComplexityReport) -> Result<VintageMeta> {
    let mut writer = store.writer(id)?;
    let conv = report.convention.as_str();
    let method = report.method.as_str();
    let mut rows = 0u64;
    for y in &report.rows.years {
        let n = y.values.len();
        let cols = year_columns(y, COLUMNS, 0..y.measures.locations)
            .text("convention", std::iter::repeat_n(conv, n))
            .text("method", std::iter::repeat_n(method, n));
        writer.write_columns(cols)?;
        rows += n as u64;
    }
    let retrieved_at = Utc::now();
    // The result is identified by its input and its method.
    let sha = sha256_hex(format!("{}|{}|{method}", report.input_sha256, report.input).as_bytes());
    let src = report.vintage.as_ref();
    let release = src.and_then(|m| m.release);
    let effective = release.unwrap_or_else(|| retrieved_at.date_naive());
    let meta = VintageMeta {
        dataset: id.clone(),
        vintage: VintageMeta::make_id(effective, &sha),
        title: format!("Economic complexity of {} ({conv} convention)", report.name),
        publisher: src.map_or_else(
            || "indmon (computed)".to_string(),
            |m| format!("indmon, computed from {}", m.publisher),
        ),
        source: "complexity".into(),
        input: report.input.clone(),
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
        citation: src.map_or_else(|| report.input.clone(), |m| m.citation.clone()),
        scope: src.and_then(|m| m.scope.clone()),
        synthetic: src.is_some_and(|m| m.synthetic),
        min_flow_usd: src.and_then(|m| m.min_flow_usd),
        indmon_version: indmon_core::INDMON_VERSION.to_string(),
        data_sha256: None,
    };
    // the record as stored, with its file's checksum
    Ok(writer.commit(&meta, true)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut buf = ryu::Buffer::new();
        let mut check = |v: f64| {
            let mut line = Vec::new();
            push_num(&mut line, &mut buf, v);
            let want = if v.is_finite() {
                format!("{v}")
            } else {
                String::new()
            };
            assert_eq!(String::from_utf8(line).unwrap(), want, "{v:e}");
        };
        for v in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            0.1,
            1.5e-5,
            1e-7,
            123456.789,
            1e16,
            1e21,
            2.5e300,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
        ] {
            check(v);
        }
        // a spread of bit patterns and of typical measures
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            check(f64::from_bits(x));
            check((x >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(i % 12 - 6));
            // few binary fractional digits: where two shortest forms can tie
            let m = (x >> 11) | (1 << 52);
            check(m as f64 / f64::from(1u32 << (i % 32)));
            check((x >> (11 + i % 40)) as f64 / f64::from(1u32 << (i % 28)));
        }
        check(1_658_206_780_088_562.0 + 0.25); // ties: …562.2 and …562.3
    }

    #[test]
    fn text_cells_are_quoted_and_neutralised_as_in_tables() {
        assert_eq!(csv_text("NLD"), "NLD");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("-1"), "'-1");
    }
}
