//! What the store holds: national-accounts figures with their source (`indmon series`),
//! the releases of a dataset and one figure across releases (`indmon vintages`), and the
//! datasets with their vintages, publishers and licences (`indmon sources`).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use indmon_core::VintageMeta;
use indmon_store::{Catalog, Cond, QueryOptions, Select, Store};
use serde::Serialize;

use crate::table::{Cell, Col, Table, Tabular};
use crate::{Error, Result, Source};

/// Order in which `auto` tries national-accounts datasets: Eurostat, CBS, UNdata, OECD.
fn priority(ds: &str) -> u8 {
    match ds {
        d if d.starts_with("estat_") => 0,
        d if d.starts_with("cbs_") => 1,
        d if d.starts_with("un_") => 2,
        d if d.starts_with("oecd_") => 3,
        _ => 4,
    }
}

/// The national-accounts datasets of the store (current on `as_of`), in the order
/// `auto` tries them.
fn na_datasets(catalog: &Catalog, as_of: Option<NaiveDate>) -> Vec<String> {
    let mut v: Vec<String> = catalog
        .datasets()
        .filter(|d| {
            catalog
                .select(d, as_of)
                .is_some_and(|m| m.schema == "na_obs")
        })
        .map(str::to_string)
        .collect();
    v.sort_by_key(|d| (priority(d), d.clone()));
    v
}

// ---------------------------------------------------------------------------------
// Series

/// A selection of national-accounts figures.
#[derive(Debug, Clone, Default)]
pub struct SeriesRequest {
    /// `va` (value added at current prices), `va-share` (an activity's share of total
    /// value added, %) or a national-accounts dataset id.
    pub what: String,
    /// Geography codes; empty: all.
    pub geo: Vec<String>,
    /// NACE codes; empty: all.
    pub nace: Vec<String>,
    /// One year.
    pub year: Option<i32>,
    /// First year.
    pub from: Option<i32>,
    /// Last year.
    pub to: Option<i32>,
    /// Unit code; default: every unit of `what`.
    pub unit: Option<String>,
    /// `auto` (the first dataset that has the selection), `all`, or a dataset id.
    pub source: String,
    /// The releases current on this date instead of the latest.
    pub as_of: Option<NaiveDate>,
}

/// One figure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeriesRow {
    /// Geography.
    pub geo: Option<String>,
    /// NACE activity.
    pub nace: Option<String>,
    /// Year.
    pub year: Option<i64>,
    /// Value.
    pub value: Option<f64>,
    /// Unit code.
    pub unit: Option<String>,
    /// Observation flag.
    pub flag: Option<String>,
    /// The source's own series code.
    pub series: Option<String>,
    /// Dataset.
    pub dataset: String,
    /// Vintage.
    pub vintage: String,
}

/// Figures with their sources.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeriesReport {
    /// The figures, by geography, activity, year and series.
    pub rows: Vec<SeriesRow>,
    /// Units and flags, or why there are no figures; the releases used.
    pub notes: Vec<String>,
    /// Every vintage read.
    pub sources: Vec<Source>,
}

/// The figures `req` selects.
pub async fn series(store: &Store, catalog: &Catalog, req: &SeriesRequest) -> Result<SeriesReport> {
    let na = na_datasets(catalog, req.as_of);
    let default_units: &[&str] = match req.what.as_str() {
        "va" => &["CP_MEUR", "CP_MNAC"],
        "va-share" => &["PC_TOT"],
        ds if na.iter().any(|d| d == ds) => &[],
        other => {
            return Err(Error::Invalid(format!(
                "unknown series {}: use va, va-share or one of the national-accounts datasets {}",
                indmon_core::quote(other),
                na.join(", ")
            )));
        }
    };
    let candidates: Vec<String> = match req.source.as_str() {
        _ if na.contains(&req.what) => vec![req.what.clone()],
        "auto" | "all" => na.clone(),
        ds if na.iter().any(|d| d == ds) => vec![ds.to_string()],
        ds => {
            return Err(Error::Invalid(format!(
                "--source {ds}: not a national-accounts dataset in the store; choose auto, all or one of {}",
                na.join(", ")
            )));
        }
    };
    let mut q = Select::from("na_obs")
        .columns([
            "geo", "nace", "time", "value", "unit", "flag", "series", "dataset", "vintage",
        ])
        .filter(Cond::eq("na_item", "B1G"))
        .order_by(["geo", "nace", "time", "series"]);
    match &req.unit {
        Some(u) => q = q.filter(Cond::eq("unit", u)),
        None if !default_units.is_empty() => {
            q = q.filter(Cond::is_in("unit", default_units.iter().copied()))
        }
        None => {}
    }
    if !req.geo.is_empty() {
        q = q.filter(Cond::is_in("geo", &req.geo));
    }
    if !req.nace.is_empty() {
        q = q.filter(Cond::is_in("nace", &req.nace));
    }
    match (req.year, req.from, req.to) {
        (Some(y), _, _) => q = q.filter(Cond::eq("time", y)),
        (None, f, t) => {
            if let Some(f) = f {
                q = q.filter(Cond::ge("time", f));
            }
            if let Some(t) = t {
                q = q.filter(Cond::le("time", t));
            }
        }
    }
    let opts = QueryOptions {
        as_of: req.as_of,
        ..Default::default()
    };
    let mut rows = Vec::new();
    for ds in &candidates {
        let got = store
            .fetch(&q.clone().filter(Cond::eq("dataset", ds)), &opts)
            .await?;
        let t: Vec<Vec<Option<String>>> = [0, 1, 4, 5, 6, 7, 8]
            .iter()
            .map(|&c| got.texts(c))
            .collect::<std::result::Result<_, _>>()?;
        let (time, value) = (got.i64s(2)?, got.f64s(3)?);
        for r in 0..got.len() {
            rows.push(SeriesRow {
                geo: t[0][r].clone(),
                nace: t[1][r].clone(),
                year: time[r],
                value: value[r],
                unit: t[2][r].clone(),
                flag: t[3][r].clone(),
                series: t[4][r].clone(),
                dataset: t[5][r].clone().unwrap_or_default(),
                vintage: t[6][r].clone().unwrap_or_default(),
            });
        }
        if !rows.is_empty() && req.source == "auto" {
            break;
        }
    }
    let used: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.dataset.clone(), r.vintage.clone()))
        .collect();
    let mut notes = Vec::new();
    if rows.is_empty() {
        notes.push(format!(
            "No figures match this selection in {} (`indmon sql \"SELECT DISTINCT geo, nace, unit FROM na_obs\"` shows what there is).",
            if candidates.len() == 1 {
                candidates[0].clone()
            } else {
                "any national-accounts dataset".into()
            }
        ));
    } else {
        notes.push("Units: CP_MEUR = current prices, million euro; CP_MNAC = million national currency; PC_TOT = % of total value added. Flags: p provisional, e estimated, b break in series.".into());
    }
    if let Some(d) = req.as_of {
        notes.push(format!(
            "As published on {d} (the releases current on that date)."
        ));
    }
    Ok(SeriesReport {
        rows,
        notes,
        sources: Source::list(catalog, &used),
    })
}

const SERIES: &[Col<SeriesRow>] = &[
    Col {
        name: "geo",
        unit: "",
        meaning: "Geography.",
        decimals: None,
        get: |r| Cell::opt_text(r.geo.clone()),
    },
    Col {
        name: "nace",
        unit: "",
        meaning: "NACE activity (TOTAL: all activities).",
        decimals: None,
        get: |r| Cell::opt_text(r.nace.clone()),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| Cell::opt_int(r.year),
    },
    Col {
        name: "value",
        unit: "see unit",
        meaning: "The figure.",
        decimals: None,
        get: |r| Cell::opt_num(r.value),
    },
    Col {
        name: "unit",
        unit: "",
        meaning: "Unit code (CP_MEUR million euro, CP_MNAC million national currency, PC_TOT %).",
        decimals: None,
        get: |r| Cell::opt_text(r.unit.clone()),
    },
    Col {
        name: "flag",
        unit: "",
        meaning: "Observation flag (p provisional, e estimated, b break).",
        decimals: None,
        get: |r| Cell::opt_text(r.flag.clone()),
    },
    Col {
        name: "series",
        unit: "",
        meaning: "The source's own series code, when it has several.",
        decimals: None,
        get: |r| Cell::opt_text(r.series.clone()),
    },
    Col {
        name: "dataset",
        unit: "",
        meaning: "Dataset.",
        decimals: None,
        get: |r| (&r.dataset).into(),
    },
    Col {
        name: "vintage",
        unit: "",
        meaning: "Vintage.",
        decimals: None,
        get: |r| (&r.vintage).into(),
    },
];

impl Tabular for SeriesReport {
    fn table(&self) -> Table {
        Table::of(SERIES, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        let mut n: Vec<String> = self
            .sources
            .iter()
            .map(|s| format!("Source: {}. Licence: {}", s.line, s.licence))
            .collect();
        n.extend(self.notes.iter().cloned());
        n
    }
    fn file_stem(&self) -> String {
        "indmon-series".into()
    }
}

// ---------------------------------------------------------------------------------
// Vintages

/// One release of a dataset.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VintageRow {
    /// Vintage id.
    pub vintage: String,
    /// Release date, when stated.
    pub release: Option<String>,
    /// When indmon read it (RFC 3339).
    pub retrieved_at: String,
    /// Rows stored.
    pub rows: u64,
    /// The input it was read from.
    pub input: String,
    /// The latest vintage.
    pub latest: bool,
}

/// The releases of a dataset, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VintageList {
    /// The dataset.
    pub dataset: String,
    /// Its vintages, newest first.
    pub vintages: Vec<VintageRow>,
}

/// The releases of `dataset`.
pub fn vintage_list(catalog: &Catalog, dataset: &str) -> Result<VintageList> {
    let vs = catalog.vintages(dataset);
    if let Some(u) = catalog
        .unavailable_dataset(dataset)
        .filter(|_| vs.is_empty())
    {
        return Err(indmon_store::Error::Unavailable(u.clone()).into());
    }
    if vs.is_empty() {
        return Err(indmon_store::Error::NotFound(format!(
            "no dataset '{dataset}' in the store; `indmon sources` lists them"
        ))
        .into());
    }
    let latest = vs.last().map(|m| m.vintage.clone());
    Ok(VintageList {
        dataset: dataset.into(),
        vintages: vs
            .iter()
            .rev()
            .map(|m| VintageRow {
                vintage: m.vintage.clone(),
                release: m.release.map(|d| d.to_string()),
                retrieved_at: m.retrieved_at.to_rfc3339(),
                rows: m.rows,
                input: m.input.clone(),
                latest: Some(&m.vintage) == latest.as_ref(),
            })
            .collect(),
    })
}

const VINTAGES: &[Col<VintageRow>] = &[
    Col {
        name: "vintage",
        unit: "",
        meaning: "Vintage id (release date and the first 8 hex digits of the input's SHA-256).",
        decimals: None,
        get: |r| (&r.vintage).into(),
    },
    Col {
        name: "release",
        unit: "date",
        meaning: "The publisher's release date, when stated.",
        decimals: None,
        get: |r| Cell::opt_text(r.release.clone()),
    },
    Col {
        name: "retrieved",
        unit: "",
        meaning: "When indmon read the input.",
        decimals: None,
        get: |r| (&r.retrieved_at).into(),
    },
    Col {
        name: "rows",
        unit: "",
        meaning: "Rows stored.",
        decimals: None,
        get: |r| Cell::Int(r.rows as i64),
    },
    Col {
        name: "input",
        unit: "",
        meaning: "The input it was read from (file, URL or bundled:PATH).",
        decimals: None,
        get: |r| (&r.input).into(),
    },
    Col {
        name: "latest",
        unit: "",
        meaning: "The vintage served as the latest.",
        decimals: None,
        get: |r| r.latest.into(),
    },
];

impl Tabular for VintageList {
    fn table(&self) -> Table {
        Table::of(VINTAGES, &self.vintages)
    }
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    fn file_stem(&self) -> String {
        format!("indmon-vintages-{}", self.dataset)
    }
}

/// One figure across releases: which figures.
#[derive(Debug, Clone, Default)]
pub struct FigureRequest {
    /// `va` (value added at current prices from every source) or a national-accounts
    /// dataset id.
    pub what: String,
    /// Geography codes.
    pub geo: Vec<String>,
    /// NACE codes.
    pub nace: Vec<String>,
    /// Year.
    pub year: Option<i32>,
}

/// One figure as one release gave it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    /// Dataset.
    pub dataset: String,
    /// Release date of the vintage, when stated.
    pub release: Option<String>,
    /// Vintage.
    pub vintage: String,
    /// Geography.
    pub geo: Option<String>,
    /// NACE activity.
    pub nace: Option<String>,
    /// Year.
    pub year: Option<i64>,
    /// Value.
    pub value: Option<f64>,
    /// Unit code.
    pub unit: Option<String>,
    /// Observation flag.
    pub flag: Option<String>,
    /// The source's own series code.
    pub series: Option<String>,
}

/// Figures across every release and source.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureVintages {
    /// Within one figure, oldest release first (by release date, or retrieval date
    /// where the source states none; then dataset, vintage and series).
    pub rows: Vec<FigureRow>,
    /// What differences mean.
    pub notes: Vec<String>,
    /// Every vintage read.
    pub sources: Vec<Source>,
}

/// The figures `req` selects across every release.
pub async fn figure_vintages(
    store: &Store,
    catalog: &Catalog,
    req: &FigureRequest,
) -> Result<FigureVintages> {
    let is_na = req.what == "va"
        || catalog
            .latest(&req.what)
            .is_some_and(|m| m.schema == "na_obs");
    if !is_na {
        return Err(Error::Invalid(format!(
            "--geo/--nace/--year select national-accounts figures; {} is not a national-accounts dataset (use `indmon sql` for others)",
            indmon_core::quote(&req.what)
        )));
    }
    let mut q = Select::from("na_obs__vintages")
        .columns([
            "dataset", "vintage", "geo", "nace", "time", "value", "unit", "flag", "series",
        ])
        .filter(Cond::eq("na_item", "B1G"));
    if req.what == "va" {
        q = q.filter(Cond::is_in("unit", ["CP_MEUR", "CP_MNAC"]));
    } else {
        q = q.filter(Cond::eq("dataset", &req.what));
    }
    if !req.geo.is_empty() {
        q = q.filter(Cond::is_in("geo", &req.geo));
    }
    if !req.nace.is_empty() {
        q = q.filter(Cond::is_in("nace", &req.nace));
    }
    if let Some(y) = req.year {
        q = q.filter(Cond::eq("time", y));
    }
    let got = store.fetch(&q, &QueryOptions::default()).await?;
    let t: Vec<Vec<Option<String>>> = [0, 1, 2, 3, 6, 7, 8]
        .iter()
        .map(|&c| got.texts(c))
        .collect::<std::result::Result<_, _>>()?;
    let (time, value) = (got.i64s(4)?, got.f64s(5)?);
    let meta = |ds: &str, v: &str| -> Option<&VintageMeta> {
        catalog.vintages(ds).iter().find(|m| m.vintage == v)
    };
    let mut rows: Vec<FigureRow> = (0..got.len())
        .map(|r| {
            let (ds, v) = (
                t[0][r].clone().unwrap_or_default(),
                t[1][r].clone().unwrap_or_default(),
            );
            FigureRow {
                release: meta(&ds, &v).and_then(|m| m.release).map(|d| d.to_string()),
                dataset: ds,
                vintage: v,
                geo: t[2][r].clone(),
                nace: t[3][r].clone(),
                year: time[r],
                value: value[r],
                unit: t[4][r].clone(),
                flag: t[5][r].clone(),
                series: t[6][r].clone(),
            }
        })
        .collect();
    // within one figure, oldest release first (a vintage without a release date by its
    // retrieval date), then a stated order for the rest
    rows.sort_by(|a, b| {
        let key = |r: &FigureRow| {
            let m = meta(&r.dataset, &r.vintage);
            (
                r.geo.clone(),
                r.nace.clone(),
                r.year,
                m.map(|m| (m.effective_date(), m.retrieved_at)),
                r.dataset.clone(),
                r.vintage.clone(),
                r.series.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let used: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.dataset.clone(), r.vintage.clone()))
        .collect();
    let mut notes = Vec::new();
    if used.len() > 1 {
        notes.push("Values differ where a later release revised the figure, or where sources differ in method (CP_MEUR = current prices, million euro; CP_MNAC = million national currency).".into());
    }
    Ok(FigureVintages {
        rows,
        notes,
        sources: Source::list(catalog, &used),
    })
}

const FIGURES: &[Col<FigureRow>] = &[
    Col {
        name: "dataset",
        unit: "",
        meaning: "Dataset.",
        decimals: None,
        get: |r| (&r.dataset).into(),
    },
    Col {
        name: "release",
        unit: "date",
        meaning: "Release date of the vintage, when stated.",
        decimals: None,
        get: |r| Cell::opt_text(r.release.clone()),
    },
    Col {
        name: "vintage",
        unit: "",
        meaning: "Vintage.",
        decimals: None,
        get: |r| (&r.vintage).into(),
    },
    Col {
        name: "geo",
        unit: "",
        meaning: "Geography.",
        decimals: None,
        get: |r| Cell::opt_text(r.geo.clone()),
    },
    Col {
        name: "nace",
        unit: "",
        meaning: "NACE activity.",
        decimals: None,
        get: |r| Cell::opt_text(r.nace.clone()),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| Cell::opt_int(r.year),
    },
    Col {
        name: "value",
        unit: "see unit",
        meaning: "The figure.",
        decimals: None,
        get: |r| Cell::opt_num(r.value),
    },
    Col {
        name: "unit",
        unit: "",
        meaning: "Unit code.",
        decimals: None,
        get: |r| Cell::opt_text(r.unit.clone()),
    },
    Col {
        name: "flag",
        unit: "",
        meaning: "Observation flag.",
        decimals: None,
        get: |r| Cell::opt_text(r.flag.clone()),
    },
    Col {
        name: "series",
        unit: "",
        meaning: "The source's own series code.",
        decimals: None,
        get: |r| Cell::opt_text(r.series.clone()),
    },
];

impl Tabular for FigureVintages {
    fn table(&self) -> Table {
        Table::of(FIGURES, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        let mut n: Vec<String> = self
            .sources
            .iter()
            .map(|s| format!("Source: {}", s.line))
            .collect();
        n.extend(self.notes.iter().cloned());
        n
    }
    fn file_stem(&self) -> String {
        "indmon-vintages".into()
    }
}

// ---------------------------------------------------------------------------------
// Sources

/// One vintage of a dataset, with what a citation and a check need.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VintageInfo {
    /// Citation data.
    #[serde(flatten)]
    pub source: Source,
    /// The input it was read from (file, URL or `bundled:PATH`).
    pub input: String,
    /// Rows stored.
    pub rows: u64,
    /// SHA-256 of the input.
    pub sha256: String,
    /// The schema the rows follow.
    pub schema: String,
}

/// One dataset in the store with its vintages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DatasetInfo {
    /// Dataset id (its SQL table name).
    pub dataset: String,
    /// The vintages, oldest first; the last is the one served.
    pub vintages: Vec<VintageInfo>,
}

/// A dataset that cannot be read: the file that is wrong and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnavailableInfo {
    /// Dataset id.
    pub dataset: String,
    /// The damaged file, relative to the data directory.
    pub file: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Every dataset and vintage in the store.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SourcesReport {
    /// The datasets.
    pub datasets: Vec<DatasetInfo>,
    /// The datasets that cannot be read (a damaged catalog record or Parquet file);
    /// left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<UnavailableInfo>,
    /// What to know about them (synthetic data, releases not stated, live sources not
    /// yet ingested).
    pub notes: Vec<String>,
}

/// Every dataset and vintage in the store (from the catalog; no query), and which of
/// the sources indmon can download are not in the store yet.
pub fn sources(catalog: &Catalog) -> SourcesReport {
    let datasets: Vec<DatasetInfo> = catalog
        .datasets()
        .map(|ds| DatasetInfo {
            dataset: ds.to_string(),
            vintages: catalog
                .vintages(ds)
                .iter()
                .map(|m| VintageInfo {
                    source: Source::of(m),
                    input: m.input.clone(),
                    rows: m.rows,
                    sha256: m.sha256.clone(),
                    schema: m.schema.clone(),
                })
                .collect(),
        })
        .collect();
    let unavailable: Vec<UnavailableInfo> = catalog
        .unavailable()
        .map(|u| UnavailableInfo {
            dataset: u.dataset.clone(),
            file: u.within.clone(),
            reason: u.reason.clone(),
        })
        .collect();
    let mut notes: Vec<String> = unavailable
        .iter()
        .map(|u| {
            format!(
                "UNAVAILABLE: dataset {} cannot be read: {}: {}. Every other dataset is read as usual; `indmon verify` checks every file, and ingesting the dataset again (with --force) replaces it.",
                u.dataset, u.file, u.reason
            )
        })
        .collect();
    let missing: Vec<&str> = indmon_sources::registry()
        .all()
        .iter()
        .filter(|s| {
            s.live.is_some()
                && catalog.latest(&s.id).is_none()
                && catalog.unavailable_dataset(&s.id).is_none()
        })
        .map(|s| s.id.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "Live sources not yet ingested: {} (indmon ingest SOURCE downloads them).",
            missing.join(", ")
        ));
    }
    if catalog.all().any(|m| m.synthetic) {
        notes.push("SYNTHETIC datasets are generated test data, not statistics.".into());
    }
    notes.push("Release 'not stated': the file gives no release date; `indmon sources DATASET` shows where it came from and when it was read.".into());
    SourcesReport {
        datasets,
        unavailable,
        notes,
    }
}

const SOURCES: &[Col<(String, VintageInfo)>] = &[
    Col {
        name: "dataset",
        unit: "",
        meaning: "Dataset id (its SQL table name).",
        decimals: None,
        get: |r| (&r.0).into(),
    },
    Col {
        name: "vintage",
        unit: "",
        meaning: "Vintage id.",
        decimals: None,
        get: |r| (&r.1.source.vintage).into(),
    },
    Col {
        name: "publisher",
        unit: "",
        meaning: "Publisher.",
        decimals: None,
        get: |r| (&r.1.source.publisher).into(),
    },
    Col {
        name: "title",
        unit: "",
        meaning: "Title.",
        decimals: None,
        get: |r| (&r.1.source.title).into(),
    },
    Col {
        name: "release",
        unit: "date",
        meaning: "The publisher's release date, when stated.",
        decimals: None,
        get: |r| Cell::opt_text(r.1.source.release.clone()),
    },
    Col {
        name: "licence",
        unit: "",
        meaning: "Licence of the data.",
        decimals: None,
        get: |r| (&r.1.source.licence).into(),
    },
    Col {
        name: "rows",
        unit: "",
        meaning: "Rows stored.",
        decimals: None,
        get: |r| Cell::Int(r.1.rows as i64),
    },
    Col {
        name: "input",
        unit: "",
        meaning: "The input it was read from.",
        decimals: None,
        get: |r| (&r.1.input).into(),
    },
    Col {
        name: "sha256",
        unit: "",
        meaning: "SHA-256 of the input.",
        decimals: None,
        get: |r| (&r.1.sha256).into(),
    },
    Col {
        name: "synthetic",
        unit: "",
        meaning: "Generated test data, not statistics.",
        decimals: None,
        get: |r| r.1.source.synthetic.into(),
    },
];

impl Tabular for SourcesReport {
    fn table(&self) -> Table {
        let rows: Vec<(String, VintageInfo)> = self
            .datasets
            .iter()
            .flat_map(|d| d.vintages.iter().map(|v| (d.dataset.clone(), v.clone())))
            .collect();
        Table::of(SOURCES, &rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        "indmon-sources".into()
    }
}

/// "release 2025-03-12", or why there is none.
pub fn release_text(m: &VintageMeta) -> String {
    match m.release {
        Some(d) => format!("release {d}"),
        None if m.synthetic => "generated data, no release".to_string(),
        None => "release date not stated by the source".to_string(),
    }
}

/// The full catalog record of a dataset's latest vintage, field by field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DatasetRecord {
    /// The dataset.
    pub dataset: String,
    /// (field, value) in the order shown.
    pub fields: Vec<(String, String)>,
}

/// The record of `dataset`'s latest vintage.
pub fn dataset_record(catalog: &Catalog, dataset: &str) -> Result<DatasetRecord> {
    if let Some(u) = catalog
        .unavailable_dataset(dataset)
        .filter(|_| catalog.latest(dataset).is_none())
    {
        return Err(indmon_store::Error::Unavailable(u.clone()).into());
    }
    let Some(m) = catalog.latest(dataset) else {
        return Err(indmon_store::Error::NotFound(format!(
            "no dataset '{dataset}' in the store; `indmon sources` lists them"
        ))
        .into());
    };
    let fields = [
        ("dataset", m.dataset.to_string()),
        ("title", m.title.clone()),
        ("publisher", m.publisher.clone()),
        ("latest vintage", m.vintage.clone()),
        ("release", release_text(m)),
        (
            "release as published",
            m.release_label.clone().unwrap_or_default(),
        ),
        (
            "release established from",
            m.release_basis.clone().unwrap_or_default(),
        ),
        ("retrieved", m.retrieved_at.to_rfc3339()),
        ("input", m.input.clone()),
        ("sha256", m.sha256.clone()),
        ("rows", m.rows.to_string()),
        ("schema", format!("{} v{}", m.schema, m.schema_version)),
        ("parser", m.parser.clone()),
        ("scope", m.scope.clone().unwrap_or_default()),
        (
            "synthetic",
            if m.synthetic {
                "YES: generated data, not statistics".into()
            } else {
                "no".into()
            },
        ),
        ("licence", m.licence.clone()),
        ("citation", m.citation.clone()),
        ("vintages", catalog.vintages(dataset).len().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(m.min_flow_usd.map(|min| {
        (
            "filter".to_owned(),
            format!(
                "only flows of at least {} (totals are lower bounds)",
                indmon_core::catalog::usd_words(min)
            ),
        )
    }))
    .collect();
    Ok(DatasetRecord {
        dataset: dataset.into(),
        fields,
    })
}

const RECORD: &[Col<(String, String)>] = &[
    Col {
        name: "field",
        unit: "",
        meaning: "Catalog field.",
        decimals: None,
        get: |r| (&r.0).into(),
    },
    Col {
        name: "value",
        unit: "",
        meaning: "Its value.",
        decimals: None,
        get: |r| (&r.1).into(),
    },
];

impl Tabular for DatasetRecord {
    fn table(&self) -> Table {
        Table::of(RECORD, &self.fields)
    }
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    fn file_stem(&self) -> String {
        format!("indmon-source-{}", self.dataset)
    }
}
