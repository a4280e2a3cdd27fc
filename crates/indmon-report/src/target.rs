//! The industry share of value added against the target: the series per country, the
//! overview (gap, paths, required growth, outlook, peers), the year-by-year
//! decomposition and the same share across releases.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use indmon_analytics::outlook::{Outlook, OutlookOptions, outlook};
use indmon_analytics::peers::{self as peer, EU27, PeerRow};
use indmon_analytics::target::{
    Decomposition, PypYear, Target, TargetPath, VolumePrice, allowed_rest_growth, average_growth,
    decompose, decompose_years, required_industry_growth, target_path, volume_price,
};
use indmon_core::settings::TargetSettings;
use indmon_store::{Catalog, Cond, QueryOptions, Select, Store};
use serde::Serialize;

use crate::table::{Cell, Col, Table, Tabular};
use crate::{Error, Result, Source};

/// What is measured: the industry (`C` manufacturing or `B-E` industry except
/// construction) over the denominator (`gva` total gross value added or `gdp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// `C` or `B-E`.
    pub industry: String,
    /// `gva` or `gdp`.
    pub denominator: String,
}

impl Definition {
    /// The definition the settings name.
    pub fn of(t: &TargetSettings) -> Self {
        Self {
            industry: t.industry.clone(),
            denominator: t.denominator.clone(),
        }
    }

    /// In words, e.g. "manufacturing (NACE C) / total gross value added, current prices".
    pub fn describe(&self) -> String {
        let i = if self.industry == "C" {
            "manufacturing (NACE C)"
        } else {
            "industry except construction (NACE B-E)"
        };
        let d = if self.denominator == "gva" {
            "total gross value added"
        } else {
            "gross domestic product"
        };
        format!("{i} / {d}, current prices")
    }
}

/// One year of a country's series: industry and denominator in current prices.
#[derive(Debug, Clone, PartialEq)]
pub struct Obs {
    /// The year.
    pub year: i32,
    /// Industry value added.
    pub industry: f64,
    /// The denominator (total value added or GDP).
    pub total: f64,
    /// Observation flags of either value (e.g. `p` provisional), sorted, unique.
    pub flags: Vec<String>,
    /// Dataset it was read from.
    pub dataset: String,
    /// Vintage of that dataset.
    pub vintage: String,
}

impl Obs {
    /// industry / total.
    pub fn share(&self) -> f64 {
        self.industry / self.total
    }
    /// The flags joined by commas, `None` without flags.
    pub fn flag(&self) -> Option<String> {
        (!self.flags.is_empty()).then(|| self.flags.join(","))
    }
}

/// Dataset preference when several have a country: Eurostat, then CBS, then UNdata.
fn priority(ds: &str) -> u8 {
    match ds {
        d if d.starts_with("estat_") => 0,
        d if d.starts_with("cbs_") => 1,
        d if d.starts_with("un_") => 2,
        _ => 3,
    }
}

/// Reads industry and denominator values for `geos` and returns, per geo, the yearly
/// series of the first dataset (by priority, or the one named by `source` unless it
/// is `auto`) that has it. Geos without data are absent from the map.
pub async fn load(
    store: &Store,
    opts: &QueryOptions,
    geos: &[String],
    def: &Definition,
    source: &str,
) -> Result<BTreeMap<String, Vec<Obs>>> {
    let naces: &[&str] = if def.industry == "C" {
        &["C", "TOTAL"]
    } else {
        &["B-E", "B", "C", "D", "E", "TOTAL"]
    };
    let items: &[&str] = if def.denominator == "gva" {
        &["B1G"]
    } else {
        &["B1G", "B1GQ"]
    };
    let mut q = Select::from("na_obs")
        .columns([
            "dataset", "vintage", "geo", "nace", "na_item", "unit", "series", "time", "value",
            "flag",
        ])
        .filter(Cond::is_in("na_item", items.iter().copied()))
        .filter(Cond::is_in("nace", naces.iter().copied()))
        .filter(Cond::is_in("unit", ["CP_MEUR", "CP_MNAC"]))
        .filter(Cond::not_null("value"))
        .filter(Cond::is_in("geo", geos));
    if source != "auto" {
        q = q.filter(Cond::eq("dataset", source));
    }
    let rows = store.fetch(&q, opts).await?;
    // (geo, dataset, vintage, unit, series) -> year -> (nace/item -> (value, flag))
    type Key = (String, String, String, String, String);
    type Year = BTreeMap<String, (f64, Option<String>)>;
    // a geo's candidate series: (preference rank, minus its last year, dataset, rows)
    type Candidate = (u8, i32, String, Vec<Obs>);
    let mut cells: BTreeMap<Key, BTreeMap<i32, Year>> = BTreeMap::new();
    let t: Vec<Vec<Option<String>>> = [0, 1, 2, 3, 4, 5, 6, 9]
        .iter()
        .map(|&c| rows.texts(c))
        .collect::<std::result::Result<_, _>>()?;
    let (time, value) = (rows.i64s(7)?, rows.f64s(8)?);
    for r in 0..rows.len() {
        let g = |c: usize| t[c][r].clone().unwrap_or_default();
        let what = match g(4).as_str() {
            // GDP: the whole economy's B1GQ
            "B1GQ" if g(3) == "TOTAL" => "GDP".to_string(),
            "B1GQ" => continue,
            _ => g(3),
        };
        // `time` is a validated integer column; a row without one is not an observation
        let Some(year) = time[r].and_then(|y| i32::try_from(y).ok()) else {
            continue;
        };
        if let Some(v) = value[r] {
            cells
                .entry((g(2), g(0), g(1), g(5), g(6)))
                .or_default()
                .entry(year)
                .or_default()
                .insert(what, (v, t[7][r].clone()));
        }
    }
    let mut out: BTreeMap<String, Vec<Obs>> = BTreeMap::new();
    let mut candidates: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for ((geo, dataset, vintage, unit, _series), years) in cells {
        let mut obs = Vec::new();
        for (year, vals) in years {
            let get = |k: &str| vals.get(k).cloned();
            let industry = if def.industry == "C" {
                get("C").map(|(v, f)| (v, f.into_iter().collect::<Vec<_>>()))
            } else if let Some((v, f)) = get("B-E") {
                Some((v, f.into_iter().collect()))
            } else {
                let parts: Option<Vec<(f64, Option<String>)>> =
                    ["B", "C", "D", "E"].iter().map(|k| get(k)).collect();
                parts.map(|p| {
                    (
                        p.iter().map(|x| x.0).sum(),
                        p.into_iter().filter_map(|x| x.1).collect(),
                    )
                })
            };
            let total = if def.denominator == "gva" {
                get("TOTAL")
            } else {
                get("GDP")
            };
            if let (Some((i, mut flags)), Some((t, tf))) = (industry, total)
                && t > 0.0
            {
                flags.extend(tf);
                flags.sort();
                flags.dedup();
                obs.push(Obs {
                    year,
                    industry: i,
                    total: t,
                    flags,
                    dataset: dataset.clone(),
                    vintage: vintage.clone(),
                });
            }
        }
        if let Some(last) = obs.last().map(|o| o.year) {
            // prefer: dataset priority, then euro over national currency (same share), then the series with the latest year
            let rank = priority(&dataset) * 2 + u8::from(unit != "CP_MEUR");
            candidates
                .entry(geo)
                .or_default()
                .push((rank, -last, dataset, obs));
        }
    }
    for (geo, mut c) in candidates {
        c.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
        out.insert(geo, c.swap_remove(0).3);
    }
    Ok(out)
}

/// The series of `geo`, or an error saying what to ingest to get it.
pub fn require<'a>(
    data: &'a BTreeMap<String, Vec<Obs>>,
    geo: &str,
    def: &Definition,
) -> Result<&'a [Obs]> {
    data.get(geo)
        .filter(|s| !s.is_empty())
        .map(Vec::as_slice)
        .ok_or_else(|| {
            let hint = if def.denominator == "gdp" {
                " (GDP comes from Eurostat nama_10_gdp: indmon ingest estat_nama_10_a64 --remote nama_10_gdp --filter na_item=B1GQ --filter unit=CP_MEUR)"
            } else if def.industry == "B-E" {
                " (the bundled Eurostat file has sections A, B, C and K only; ingest nama_10_a10 or nama_10_a64 with D and E for B-E)"
            } else {
                ""
            };
            Error::NoData(format!("the store has no {} for {geo}{hint}", def.describe()))
        })
}

/// The (dataset, vintage) pairs behind some observations.
pub fn used_of<'a>(series: impl IntoIterator<Item = &'a Obs>) -> BTreeSet<(String, String)> {
    series
        .into_iter()
        .map(|o| (o.dataset.clone(), o.vintage.clone()))
        .collect()
}

/// The peer panel in `year` ranked by share, with the EU quartiles computed from the
/// member states present; and the vintages used.
pub fn peer_rows(
    data: &BTreeMap<String, Vec<Obs>>,
    panel: &[String],
    focus: &str,
    eu: &str,
    year: i32,
) -> (Vec<PeerRow>, BTreeSet<(String, String)>) {
    let at = |g: &str| data.get(g).and_then(|s| s.iter().find(|o| o.year == year));
    let shares: Vec<(String, f64)> = panel
        .iter()
        .filter_map(|g| at(g).map(|o| (g.clone(), o.share())))
        .collect();
    let members: Vec<f64> = EU27.iter().filter_map(|g| at(g).map(Obs::share)).collect();
    let used = used_of(panel.iter().filter_map(|g| at(g)));
    (peer::peers(&shares, focus, eu, &members), used)
}

/// The geos whose series the overview and the peers need: the panel and the EU27
/// members (for the quartiles).
pub fn panel_and_members(panel: &[String]) -> Vec<String> {
    let mut geos: Vec<String> = panel.to_vec();
    geos.extend(EU27.iter().map(|g| g.to_string()));
    geos.sort();
    geos.dedup();
    geos
}

/// What every target result reads: what is measured, from which dataset, and which
/// releases.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// What is measured.
    pub def: Definition,
    /// `auto` (Eurostat first, then CBS, UNdata) or a dataset id.
    pub source: String,
    /// The releases current on this date instead of the latest.
    pub as_of: Option<NaiveDate>,
}

impl Scope {
    /// The settings' definition, any dataset, the latest releases.
    pub fn of(t: &TargetSettings) -> Self {
        Self {
            def: Definition::of(t),
            source: "auto".into(),
            as_of: None,
        }
    }

    /// How the store binds the datasets.
    pub fn opts(&self) -> QueryOptions {
        QueryOptions {
            as_of: self.as_of,
            ..Default::default()
        }
    }

    /// The notes every target result carries: which releases, which method.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(d) = self.as_of {
            notes.push(format!(
                "As published on {d} (the releases current on that date)."
            ));
        }
        notes.push(format!(
            "Method: {}; {}.",
            indmon_analytics::METHOD_VERSION,
            self.def.describe()
        ));
        notes
    }
}

/// The peer panel of `focus`: the focus first, then the settings' peers.
pub fn panel_of(t: &TargetSettings, focus: &str) -> Vec<String> {
    let mut panel = vec![focus.to_owned()];
    panel.extend(t.peers.iter().filter(|p| *p != focus).cloned());
    panel
}

/// What the overview is asked for.
#[derive(Debug, Clone)]
pub struct OverviewRequest {
    /// The country.
    pub focus: String,
    /// The peer panel, the focus first.
    pub panel: Vec<String>,
    /// The target settings (EU aggregate code, years for the rest's average growth).
    pub settings: TargetSettings,
    /// The target.
    pub target: Target,
    /// What is read.
    pub scope: Scope,
    /// Growth of the rest of the economy the user states (a fraction), instead of its
    /// observed average.
    pub rest_growth: Option<f64>,
    /// Growth of industry the user states (a fraction), to get the rest's allowed growth.
    pub industry_growth: Option<f64>,
}

impl OverviewRequest {
    /// The overview the settings describe: their country (or `focus`), peers, target
    /// and definition, on the latest releases.
    pub fn from_settings(t: &TargetSettings, focus: Option<&str>) -> Self {
        let focus = focus.unwrap_or(&t.geo).to_owned();
        Self {
            panel: panel_of(t, &focus),
            focus,
            settings: t.clone(),
            target: Target {
                share: t.value / 100.0,
                year: t.year,
            },
            scope: Scope::of(t),
            rest_growth: None,
            industry_growth: None,
        }
    }
}

/// The latest observation of the focus country, with its source.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Latest {
    /// Year.
    pub year: i32,
    /// Share (a fraction).
    pub share: f64,
    /// Industry value added, current prices.
    pub industry: f64,
    /// Denominator, current prices.
    pub denominator: f64,
    /// Observation flags.
    pub flag: Option<String>,
    /// Dataset.
    pub dataset: String,
    /// Vintage.
    pub vintage: String,
    /// The citation line of that vintage.
    pub source: String,
    /// The release date of that vintage (YYYY-MM-DD), when stated.
    pub release: Option<String>,
}

/// One year of the share series.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SharePoint {
    /// Year.
    pub year: i32,
    /// Share (a fraction).
    pub share: f64,
    /// Industry value added, current prices.
    pub industry: f64,
    /// Denominator, current prices.
    pub denominator: f64,
    /// Observation flags.
    pub flag: Option<String>,
    /// Dataset.
    pub dataset: String,
    /// Vintage.
    pub vintage: String,
}

impl From<&Obs> for SharePoint {
    fn from(o: &Obs) -> Self {
        Self {
            year: o.year,
            share: o.share(),
            industry: o.industry,
            denominator: o.total,
            flag: o.flag(),
            dataset: o.dataset.clone(),
            vintage: o.vintage.clone(),
        }
    }
}

/// The growth of the rest of the economy the required industry growth is based on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RestGrowth {
    /// Stated by the user (a fraction a year).
    pub stated: Option<f64>,
    /// Years the observed average is taken over.
    pub average_years: usize,
    /// The observed average (a fraction a year).
    pub average: Option<f64>,
    /// The one used.
    pub used: Option<f64>,
}

/// The outlook, or why there is none.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum OutlookResult {
    /// The outlook.
    Ok(Box<Outlook>),
    /// Why there is none.
    Unavailable {
        /// The reason.
        error: String,
    },
}

impl OutlookResult {
    /// The outlook, if any.
    pub fn ok(&self) -> Option<&Outlook> {
        match self {
            Self::Ok(o) => Some(o.as_ref()),
            Self::Unavailable { .. } => None,
        }
    }
}

/// The target overview of one country: latest share, target, gap, paths, required
/// growth, outlook, peers, the series and its sources.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// The country.
    pub geo: String,
    /// What is measured, in words.
    pub definition: String,
    /// Method version of the analytics.
    pub method: String,
    /// The latest observation.
    pub latest: Latest,
    /// The target (share as a fraction, year).
    #[schema(value_type = Object)]
    pub target: Target,
    /// Gap and the straight-line and constant-growth paths to the target.
    #[schema(value_type = Object)]
    pub path: TargetPath,
    /// The rest's growth assumed.
    pub rest_growth_assumption: RestGrowth,
    /// Yearly growth industry needs, given the rest's growth (a fraction).
    pub required_industry_growth: Option<f64>,
    /// Industry growth stated by the user (a fraction).
    pub stated_industry_growth: Option<f64>,
    /// The rest's allowed growth given the stated industry growth (a fraction).
    pub allowed_rest_growth: Option<f64>,
    /// Outlook to the target year: model, bands, probability, backtest — or `{error}`.
    #[schema(value_type = Object)]
    pub outlook: OutlookResult,
    /// The peer panel in the latest year.
    #[schema(value_type = Vec<Object>)]
    pub peers: Vec<PeerRow>,
    /// The share series.
    pub series: Vec<SharePoint>,
    /// Which releases and method.
    pub notes: Vec<String>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// One year of the share chart: the observed share, both paths to the target and the
/// outlook band (fractions; `None` where a line has no point that year).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartRow {
    /// Year.
    pub year: i32,
    /// Observed share.
    pub observed: Option<f64>,
    /// Straight line to the target.
    pub linear: Option<f64>,
    /// Constant growth to the target.
    pub constant_growth: Option<f64>,
    /// Outlook median.
    pub median: Option<f64>,
    /// Outlook 80 % band, low and high.
    pub band80: Option<(f64, f64)>,
    /// Outlook 95 % band, low and high.
    pub band95: Option<(f64, f64)>,
}

impl Overview {
    /// The share chart year by year, from `from` (e.g. the first observation, or the
    /// last for the way ahead only) to the target year.
    pub fn chart_rows(&self, from: i32) -> Vec<ChartRow> {
        let at = |line: &[(i32, f64)], y: i32| line.iter().find(|p| p.0 == y).map(|p| p.1);
        (from..=self.target.year)
            .map(|y| {
                let band = self
                    .outlook
                    .ok()
                    .and_then(|ol| ol.bands.iter().find(|b| b.year == y));
                ChartRow {
                    year: y,
                    observed: self.series.iter().find(|p| p.year == y).map(|p| p.share),
                    linear: at(&self.path.linear, y),
                    constant_growth: at(&self.path.constant_growth, y),
                    median: band.map(|b| b.median),
                    band80: band.map(|b| (b.lo80, b.hi80)),
                    band95: band.map(|b| (b.lo95, b.hi95)),
                }
            })
            .collect()
    }
}

/// The overview of `req.focus`.
pub async fn overview(store: &Store, catalog: &Catalog, req: &OverviewRequest) -> Result<Overview> {
    let geos = panel_and_members(&req.panel);
    let data = load(
        store,
        &req.scope.opts(),
        &geos,
        &req.scope.def,
        &req.scope.source,
    )
    .await?;
    overview_of(&data, catalog, req)
}

/// The overview computed from series already loaded (see [`load`]).
pub fn overview_of(
    data: &BTreeMap<String, Vec<Obs>>,
    catalog: &Catalog,
    req: &OverviewRequest,
) -> Result<Overview> {
    let t = &req.settings;
    let def = &req.scope.def;
    let series = require(data, &req.focus, def)?;
    let last = series.last().expect("require gives a non-empty series");
    let path = target_path(last.year, last.share(), req.target).ok_or_else(|| {
        Error::Invalid(format!(
            "the target year {} is not after the last observation {}",
            req.target.year, last.year
        ))
    })?;
    let rest: Vec<(i32, f64)> = series
        .iter()
        .map(|o| (o.year, o.total - o.industry))
        .collect();
    let observed = average_growth(&rest, t.rest_growth_years);
    let used_growth = req.rest_growth.or(observed);
    let required = used_growth.map(|g| required_industry_growth(path.relative_growth, g));
    let allowed = req
        .industry_growth
        .map(|g| allowed_rest_growth(path.relative_growth, g));
    let shares: Vec<(i32, f64)> = series.iter().map(|o| (o.year, o.share())).collect();
    let outlook = match outlook(&shares, req.target, OutlookOptions::default()) {
        Ok(o) => OutlookResult::Ok(Box::new(o)),
        Err(error) => OutlookResult::Unavailable { error },
    };
    let (peer, peer_used) = peer_rows(data, &req.panel, &req.focus, &t.eu, last.year);
    let meta = catalog
        .vintages(&last.dataset)
        .iter()
        .find(|m| m.vintage == last.vintage);
    let mut used = used_of(series.iter());
    used.extend(peer_used);
    Ok(Overview {
        geo: req.focus.clone(),
        definition: def.describe(),
        method: indmon_analytics::METHOD_VERSION.to_string(),
        latest: Latest {
            year: last.year,
            share: last.share(),
            industry: last.industry,
            denominator: last.total,
            flag: last.flag(),
            dataset: last.dataset.clone(),
            vintage: last.vintage.clone(),
            source: meta.map(|m| m.source_line()).unwrap_or_default(),
            release: meta.and_then(|m| m.release).map(|d| d.to_string()),
        },
        target: req.target,
        path,
        rest_growth_assumption: RestGrowth {
            stated: req.rest_growth,
            average_years: t.rest_growth_years,
            average: observed,
            used: used_growth,
        },
        required_industry_growth: required,
        stated_industry_growth: req.industry_growth,
        allowed_rest_growth: allowed,
        outlook,
        peers: peer,
        series: series.iter().map(SharePoint::from).collect(),
        notes: req.scope.notes(),
        sources: Source::list(catalog, &used),
    })
}

/// The change of the share from `from` to `to` of one series: one row per year pair
/// (when the span is longer than a year) and the whole span last. Each row splits the
/// change exactly into industry's and the rest's contribution (Shapley).
pub fn split(series: &[Obs], from: i32, to: i32) -> Result<Vec<Decomposition>> {
    if to <= from {
        return Err(Error::Invalid(format!(
            "the last year {to} must be after the first year {from}"
        )));
    }
    let pick = |y: i32| series.iter().find(|o| o.year == y);
    let (Some(a), Some(b)) = (pick(from), pick(to)) else {
        let span = match (series.first(), series.last()) {
            (Some(f), Some(l)) => format!("{}-{}", f.year, l.year),
            _ => "no years".into(),
        };
        return Err(Error::NoData(format!(
            "the series has no values for both {from} and {to}; it has {span}"
        )));
    };
    let total = decompose(
        from,
        to,
        a.industry,
        a.total - a.industry,
        b.industry,
        b.total - b.industry,
    )
    .ok_or_else(|| Error::Invalid("values must be positive to decompose".into()))?;
    let span: Vec<(i32, f64, f64)> = series
        .iter()
        .filter(|o| o.year >= from && o.year <= to)
        .map(|o| (o.year, o.industry, o.total))
        .collect();
    let mut rows = if to - from > 1 {
        decompose_years(&span)
    } else {
        Vec::new()
    };
    rows.push(total);
    Ok(rows)
}

/// The share chart's data, year by year from the first observation to the target
/// year, in percent (`indmon target --format csv`, `/api/v1/target?format=csv`).
const CHART: &[Col<(ChartRow, f64)>] = &[
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.0.year.into(),
    },
    Col {
        name: "observed_%",
        unit: "%",
        meaning: "The observed share.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.observed.map(pc)),
    },
    Col {
        name: "linear_path_%",
        unit: "%",
        meaning: "The straight line from the last observation to the target.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.linear.map(pc)),
    },
    Col {
        name: "constant_growth_path_%",
        unit: "%",
        meaning: "The path with a constant growth of the share to the target.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.constant_growth.map(pc)),
    },
    Col {
        name: "outlook_median_%",
        unit: "%",
        meaning: "The outlook's median.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.median.map(pc)),
    },
    Col {
        name: "outlook_lo80_%",
        unit: "%",
        meaning: "Lower end of the outlook's 80 % band.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.band80.map(|b| pc(b.0))),
    },
    Col {
        name: "outlook_hi80_%",
        unit: "%",
        meaning: "Upper end of the outlook's 80 % band.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.band80.map(|b| pc(b.1))),
    },
    Col {
        name: "outlook_lo95_%",
        unit: "%",
        meaning: "Lower end of the outlook's 95 % band.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.band95.map(|b| pc(b.0))),
    },
    Col {
        name: "outlook_hi95_%",
        unit: "%",
        meaning: "Upper end of the outlook's 95 % band.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.0.band95.map(|b| pc(b.1))),
    },
    Col {
        name: "target_%",
        unit: "%",
        meaning: "The target share.",
        decimals: Some(2),
        get: |r| Cell::opt_num(Some(pc(r.1))),
    },
];

/// A fraction in percent.
fn pc(x: f64) -> f64 {
    100.0 * x
}

/// The source lines of a result's vintages.
pub(crate) fn source_lines(sources: &[Source]) -> Vec<String> {
    sources
        .iter()
        .map(|s| format!("Source: {}. Licence: {}", s.line, s.licence))
        .collect()
}

impl Tabular for Overview {
    fn table(&self) -> Table {
        let first = self.series.first().map_or(self.latest.year, |p| p.year);
        let rows: Vec<(ChartRow, f64)> = self
            .chart_rows(first)
            .into_iter()
            .map(|r| (r, self.target.share))
            .collect();
        Table::of(CHART, &rows)
    }
    fn notes(&self) -> Vec<String> {
        let mut n = vec![format!("{}: {}", self.geo, self.definition)];
        n.extend(self.notes.iter().cloned());
        n.extend(source_lines(&self.sources));
        n
    }
    fn file_stem(&self) -> String {
        format!("indmon-target-{}", self.geo)
    }
}

// ---------------------------------------------------------------------------------
// The share series

/// What share series are asked for.
#[derive(Debug, Clone)]
pub struct ShareRequest {
    /// The countries (at most 40).
    pub geos: Vec<String>,
    /// First year.
    pub from: Option<i32>,
    /// Last year.
    pub to: Option<i32>,
    /// What is read.
    pub scope: Scope,
}

/// One country's share series.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GeoSeries {
    /// The country.
    pub geo: String,
    /// Its yearly shares.
    pub series: Vec<SharePoint>,
}

/// Share series of several countries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShareReport {
    /// What is measured, in words.
    pub definition: String,
    /// Method version.
    pub method: String,
    /// One entry per country with data, in the order asked.
    pub geos: Vec<GeoSeries>,
    /// Countries asked for without data.
    pub missing: Vec<String>,
    /// Which releases and method.
    pub notes: Vec<String>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// The share series of `req.geos`, with flags and sources.
pub async fn share(store: &Store, catalog: &Catalog, req: &ShareRequest) -> Result<ShareReport> {
    if req.geos.len() > 40 {
        return Err(Error::Invalid("at most 40 countries at once".into()));
    }
    let def = &req.scope.def;
    let data = load(store, &req.scope.opts(), &req.geos, def, &req.scope.source).await?;
    let mut used = BTreeSet::new();
    let mut geos = Vec::new();
    let mut missing = Vec::new();
    for g in &req.geos {
        let series: Vec<&Obs> = data
            .get(g)
            .into_iter()
            .flatten()
            .filter(|o| req.from.is_none_or(|f| o.year >= f) && req.to.is_none_or(|t| o.year <= t))
            .collect();
        if series.is_empty() {
            missing.push(g.clone());
            continue;
        }
        used.extend(used_of(series.iter().copied()));
        geos.push(GeoSeries {
            geo: g.clone(),
            series: series.into_iter().map(SharePoint::from).collect(),
        });
    }
    let mut notes = req.scope.notes();
    if !missing.is_empty() {
        notes.push(format!("No figures for: {}.", missing.join(", ")));
    }
    Ok(ShareReport {
        definition: def.describe(),
        method: indmon_analytics::METHOD_VERSION.into(),
        geos,
        missing,
        notes,
        sources: Source::list(catalog, &used),
    })
}

const SHARE: &[Col<(String, SharePoint)>] = &[
    Col {
        name: "geo",
        unit: "",
        meaning: "Country (Eurostat code).",
        decimals: None,
        get: |r| (&r.0).into(),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.1.year.into(),
    },
    Col {
        name: "share_%",
        unit: "%",
        meaning: "Industry value added in the denominator.",
        decimals: Some(2),
        get: |r| pc(r.1.share).into(),
    },
    Col {
        name: "industry",
        unit: "million, current prices",
        meaning: "Industry value added.",
        decimals: None,
        get: |r| r.1.industry.into(),
    },
    Col {
        name: "denominator",
        unit: "million, current prices",
        meaning: "Total value added or GDP.",
        decimals: None,
        get: |r| r.1.denominator.into(),
    },
    Col {
        name: "flag",
        unit: "",
        meaning: "Observation flags (p provisional, e estimated, b break).",
        decimals: None,
        get: |r| Cell::opt_text(r.1.flag.clone()),
    },
    Col {
        name: "dataset",
        unit: "",
        meaning: "Dataset read.",
        decimals: None,
        get: |r| (&r.1.dataset).into(),
    },
    Col {
        name: "vintage",
        unit: "",
        meaning: "Its vintage.",
        decimals: None,
        get: |r| (&r.1.vintage).into(),
    },
];

impl Tabular for ShareReport {
    fn table(&self) -> Table {
        let rows: Vec<(String, SharePoint)> = self
            .geos
            .iter()
            .flat_map(|g| g.series.iter().map(|p| (g.geo.clone(), p.clone())))
            .collect();
        Table::of(SHARE, &rows)
    }
    fn notes(&self) -> Vec<String> {
        let mut n = self.notes.clone();
        n.extend(source_lines(&self.sources));
        n
    }
    fn file_stem(&self) -> String {
        "indmon-share".into()
    }
}

// ---------------------------------------------------------------------------------
// The decomposition

/// What decomposition is asked for.
#[derive(Debug, Clone)]
pub struct DecompositionRequest {
    /// The country.
    pub geo: String,
    /// First year [default: ten years before the last, or the first observed].
    pub from: Option<i32>,
    /// Last year [default: the last observed].
    pub to: Option<i32>,
    /// What is read.
    pub scope: Scope,
}

/// One row of the decomposition: a year pair, or the whole span (the last row).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecompositionRow {
    /// The split of the change into industry's and the rest's contribution: share
    /// from/to (fractions), change and contributions in percentage points, growth of
    /// industry and the rest (fractions).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub split: Decomposition,
    /// The change due to relative real growth, percentage points (where value added at
    /// the previous year's prices is in the store).
    pub volume_pp: Option<f64>,
    /// The change due to relative price change, percentage points.
    pub price_pp: Option<f64>,
}

/// The change of the share over a span, year by year and over the whole span.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecompositionReport {
    /// The country.
    pub geo: String,
    /// What is measured, in words.
    pub definition: String,
    /// Method version.
    pub method: String,
    /// First year.
    pub from: i32,
    /// Last year.
    pub to: i32,
    /// One row per year pair, then the whole span. The contributions add up to the
    /// change exactly (two-factor Shapley split); so do volume and price.
    pub rows: Vec<DecompositionRow>,
    /// Over the whole span: industry's and the rest's volume and price growth, and
    /// the contributions of volumes and prices (percentage points), when split.
    #[schema(value_type = Option<Object>)]
    pub volume_price: Option<VolumePrice>,
    /// The change in words, the volume/price split (or what it needs), releases, method.
    pub notes: Vec<String>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// The decomposition of `req.geo`'s share change, with the volume/price split where
/// the store has value added at the previous year's prices.
pub async fn decomposition(
    store: &Store,
    catalog: &Catalog,
    req: &DecompositionRequest,
) -> Result<DecompositionReport> {
    let (geo, def) = (&req.geo, &req.scope.def);
    let opts = req.scope.opts();
    let data = load(
        store,
        &opts,
        std::slice::from_ref(geo),
        def,
        &req.scope.source,
    )
    .await?;
    let series = require(&data, geo, def)?;
    let last = series.last().map(|o| o.year).unwrap_or_default();
    let first = series.first().map(|o| o.year).unwrap_or_default();
    let to = req.to.unwrap_or(last);
    let from = req.from.unwrap_or_else(|| (to - 10).max(first));
    let split_rows = split(series, from, to).map_err(|e| match e {
        Error::NoData(m) => Error::NoData(format!("{geo}, {}: {m}", def.describe())),
        e => e,
    })?;
    let total = split_rows
        .last()
        .expect("the whole span is the last row")
        .clone();
    let vp = volume_price_split(store, &opts, geo, def, series, from, to).await?;
    let mut notes = vec![format!(
        "{geo}: the share moved {:+.2} pp from {from} to {to}: industry value added {:+.1} %, the rest {:+.1} %; industry's growth contributed {:+.2} pp, the rest's growth {:+.2} pp (two-factor Shapley split; the contributions add up to the change exactly).",
        total.delta_pp,
        100.0 * total.industry_growth,
        100.0 * total.rest_growth,
        total.industry_pp,
        total.rest_pp
    )];
    notes.extend(req.scope.notes());
    notes.push(vp.note);
    let mut used = used_of(series.iter().filter(|o| o.year >= from && o.year <= to));
    used.extend(vp.used);
    let rows = split_rows
        .into_iter()
        .map(|d| {
            let v = vp.by_span.get(&(d.from, d.to));
            DecompositionRow {
                volume_pp: v.map(|v| v.volume_pp),
                price_pp: v.map(|v| v.price_pp),
                split: d,
            }
        })
        .collect();
    Ok(DecompositionReport {
        geo: geo.clone(),
        definition: def.describe(),
        method: indmon_analytics::METHOD_VERSION.into(),
        from,
        to,
        rows,
        volume_price: vp.by_span.get(&(from, to)).cloned(),
        notes,
        sources: Source::list(catalog, &used),
    })
}

/// The volume/price split of every year pair and of the whole span.
struct VolumePriceSplit {
    by_span: BTreeMap<(i32, i32), VolumePrice>,
    note: String,
    used: BTreeSet<(String, String)>,
}

/// The volume/price split of the share change over every year pair of `from..=to` and
/// the whole span, from value added at the previous year's prices (Eurostat unit
/// `PYP_MEUR`) next to the current-price series; with the note saying what was done or
/// what is missing, and the vintages used.
async fn volume_price_split(
    store: &Store,
    opts: &QueryOptions,
    focus: &str,
    def: &Definition,
    series: &[Obs],
    from: i32,
    to: i32,
) -> Result<VolumePriceSplit> {
    let mut out = VolumePriceSplit {
        by_span: BTreeMap::new(),
        note: String::new(),
        used: BTreeSet::new(),
    };
    if def.denominator != "gva" {
        out.note = "Volumes and prices: not split for a GDP denominator (taxes less subsidies on products have no industry breakdown at previous year's prices).".into();
        return Ok(out);
    }
    let industry = if def.industry == "C" { "C" } else { "B-E" };
    let rows = store
        .fetch(
            &Select::from("na_obs")
                .columns(["time", "nace", "value", "dataset", "vintage"])
                .filter(Cond::eq("geo", focus))
                .filter(Cond::eq("unit", "PYP_MEUR"))
                .filter(Cond::eq("na_item", "B1G"))
                .filter(Cond::is_in("nace", [industry, "TOTAL"]))
                .filter(Cond::not_null("value"))
                .filter(Cond::ge("time", from + 1))
                .filter(Cond::le("time", to)),
            opts,
        )
        .await?;
    // year -> nace -> (value, dataset, vintage); Eurostat first when several sources have it
    let mut pyp: BTreeMap<i32, BTreeMap<String, (f64, String, String)>> = BTreeMap::new();
    let (t, n, v, d, vt) = (
        rows.i64s(0)?,
        rows.texts(1)?,
        rows.f64s(2)?,
        rows.texts(3)?,
        rows.texts(4)?,
    );
    for r in 0..rows.len() {
        if let (Some(t), Some(n), Some(v), Some(d), Some(vt)) = (t[r], &n[r], v[r], &d[r], &vt[r]) {
            let e = pyp.entry(t as i32).or_default();
            let better = e
                .get(n)
                .is_none_or(|(_, od, _)| od != "estat_nama_10_a64" && d == "estat_nama_10_a64");
            if better {
                e.insert(n.clone(), (v, d.clone(), vt.clone()));
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
    if years.len() as i32 != to - from + 1 {
        let missing: Vec<String> = (from + 1..=to)
            .filter(|y| {
                pyp.get(y)
                    .is_none_or(|r| !r.contains_key(industry) || !r.contains_key("TOTAL"))
            })
            .map(|y| y.to_string())
            .collect();
        out.note = format!(
            "Volumes and prices: not split — the store has no value added at previous year's prices (PYP_MEUR) of {focus} {industry} and TOTAL for {}; add them with `indmon ingest estat_nama_10_a64 --filter geo={focus} --filter unit=PYP_MEUR` (and the current prices of the same release).",
            missing.join(", ")
        );
        return Ok(out);
    }
    for row in pyp.values() {
        for (_, d, vt) in row.values() {
            out.used.insert((d.clone(), vt.clone()));
        }
    }
    for w in years.windows(2) {
        if let Some(v) = volume_price(w) {
            out.by_span.insert((w[0].year, w[1].year), v);
        }
    }
    out.note = match volume_price(&years) {
        Some(v) => {
            let note = format!(
                "Volumes and prices: relative real growth contributed {:+.2} pp and relative price change {:+.2} pp (industry volume {:+.1} %, prices {:+.1} %; the rest volume {:+.1} %, prices {:+.1} %; volumes chain-linked from previous-year prices, prices = nominal / volume, two-factor Shapley split of the odds).",
                v.volume_pp,
                v.price_pp,
                100.0 * v.industry_volume,
                100.0 * v.industry_price,
                100.0 * v.rest_volume,
                100.0 * v.rest_price
            );
            out.by_span.insert((from, to), v);
            note
        }
        None => "Volumes and prices: not split (a value is not positive).".into(),
    };
    Ok(out)
}

const DECOMPOSITION: &[Col<DecompositionRow>] = &[
    Col {
        name: "from",
        unit: "year",
        meaning: "First year.",
        decimals: None,
        get: |r| r.split.from.into(),
    },
    Col {
        name: "to",
        unit: "year",
        meaning: "Last year.",
        decimals: None,
        get: |r| r.split.to.into(),
    },
    Col {
        name: "share_from_%",
        unit: "%",
        meaning: "The share in the first year.",
        decimals: Some(4),
        get: |r| pc(r.split.share_from).into(),
    },
    Col {
        name: "share_to_%",
        unit: "%",
        meaning: "The share in the last year.",
        decimals: Some(4),
        get: |r| pc(r.split.share_to).into(),
    },
    Col {
        name: "change_pp",
        unit: "pp",
        meaning: "The change of the share.",
        decimals: Some(4),
        get: |r| r.split.delta_pp.into(),
    },
    Col {
        name: "industry_growth_%",
        unit: "%",
        meaning: "Growth of industry value added.",
        decimals: Some(2),
        get: |r| pc(r.split.industry_growth).into(),
    },
    Col {
        name: "rest_growth_%",
        unit: "%",
        meaning: "Growth of the rest's value added.",
        decimals: Some(2),
        get: |r| pc(r.split.rest_growth).into(),
    },
    Col {
        name: "industry_contrib_pp",
        unit: "pp",
        meaning: "The part of the change due to industry's growth (Shapley).",
        decimals: Some(4),
        get: |r| r.split.industry_pp.into(),
    },
    Col {
        name: "rest_contrib_pp",
        unit: "pp",
        meaning: "The part of the change due to the rest's growth (Shapley).",
        decimals: Some(4),
        get: |r| r.split.rest_pp.into(),
    },
    Col {
        name: "volume_contrib_pp",
        unit: "pp",
        meaning: "The part due to relative real growth (empty without previous-year prices).",
        decimals: Some(4),
        get: |r| Cell::opt_num(r.volume_pp),
    },
    Col {
        name: "price_contrib_pp",
        unit: "pp",
        meaning: "The part due to relative price change (empty without previous-year prices).",
        decimals: Some(4),
        get: |r| Cell::opt_num(r.price_pp),
    },
];

impl Tabular for DecompositionReport {
    fn table(&self) -> Table {
        Table::of(DECOMPOSITION, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        let mut n = self.notes.clone();
        n.extend(source_lines(&self.sources));
        n
    }
    fn file_stem(&self) -> String {
        format!("indmon-decomposition-{}", self.geo)
    }
}

// ---------------------------------------------------------------------------------
// The peers

/// What peer comparison is asked for.
#[derive(Debug, Clone)]
pub struct PeersRequest {
    /// The focus country.
    pub focus: String,
    /// The panel, the focus first.
    pub panel: Vec<String>,
    /// The EU aggregate's code.
    pub eu: String,
    /// Year [default: the focus country's latest].
    pub year: Option<i32>,
    /// What is read.
    pub scope: Scope,
}

impl PeersRequest {
    /// The settings' panel around `focus` (default: the target country).
    pub fn from_settings(t: &TargetSettings, focus: Option<&str>, year: Option<i32>) -> Self {
        let focus = focus.unwrap_or(&t.geo).to_owned();
        Self {
            panel: panel_of(t, &focus),
            focus,
            eu: t.eu.clone(),
            year,
            scope: Scope::of(t),
        }
    }
}

/// The peer panel in one year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeersReport {
    /// The year.
    pub year: i32,
    /// The focus country.
    pub focus: String,
    /// The EU aggregate.
    pub eu: String,
    /// What is measured, in words.
    pub definition: String,
    /// Method version.
    pub method: String,
    /// Ranked by share (fractions; gaps in percentage points; EU quartile 4 = highest).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<PeerRow>,
    /// Panel members without a figure that year.
    pub missing: Vec<String>,
    /// What the figures are, releases, method.
    pub notes: Vec<String>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// The panel of `req` ranked by share in a year, with gaps and EU quartiles.
pub async fn peers(store: &Store, catalog: &Catalog, req: &PeersRequest) -> Result<PeersReport> {
    let def = &req.scope.def;
    let geos = panel_and_members(&req.panel);
    let data = load(store, &req.scope.opts(), &geos, def, &req.scope.source).await?;
    let year = match req.year {
        Some(y) => y,
        None => require(&data, &req.focus, def)?
            .last()
            .map(|o| o.year)
            .unwrap_or_default(),
    };
    let (rows, used) = peer_rows(&data, &req.panel, &req.focus, &req.eu, year);
    if rows.is_empty() {
        return Err(Error::NoData(format!(
            "no shares for {year} in the peer panel"
        )));
    }
    let missing: Vec<String> = req
        .panel
        .iter()
        .filter(|g| !rows.iter().any(|r| &r.geo == *g))
        .cloned()
        .collect();
    let mut notes = vec![format!(
        "Industry share of value added, {year}; gaps in percentage points to {} (gap_to_focus_pp) and to {} (gap_to_eu_pp); EU quartile among the 27 member states (4 = highest).",
        req.focus, req.eu
    )];
    notes.extend(req.scope.notes());
    if !missing.is_empty() {
        notes.push(format!("No {year} figure for: {}.", missing.join(", ")));
    }
    Ok(PeersReport {
        year,
        focus: req.focus.clone(),
        eu: req.eu.clone(),
        definition: def.describe(),
        method: indmon_analytics::METHOD_VERSION.into(),
        rows,
        missing,
        notes,
        sources: Source::list(catalog, &used),
    })
}

const PEERS: &[Col<PeerRow>] = &[
    Col {
        name: "geo",
        unit: "",
        meaning: "Country (Eurostat code).",
        decimals: None,
        get: |r| (&r.geo).into(),
    },
    Col {
        name: "share_%",
        unit: "%",
        meaning: "Industry share of value added.",
        decimals: Some(2),
        get: |r| pc(r.share).into(),
    },
    Col {
        name: "rank",
        unit: "",
        meaning: "Rank in the panel, 1 = highest share.",
        decimals: None,
        get: |r| r.rank.into(),
    },
    Col {
        name: "gap_to_focus_pp",
        unit: "pp",
        meaning: "This share minus the focus country's.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.gap_to_focus_pp),
    },
    Col {
        name: "gap_to_eu_pp",
        unit: "pp",
        meaning: "This share minus the EU aggregate's.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.gap_to_eu_pp),
    },
    Col {
        name: "eu_quartile",
        unit: "",
        meaning: "Quartile among the EU member states (1 = lowest, 4 = highest).",
        decimals: None,
        get: |r| Cell::opt_int(r.eu_quartile),
    },
];

impl Tabular for PeersReport {
    fn table(&self) -> Table {
        Table::of(PEERS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        let mut n = self.notes.clone();
        n.extend(source_lines(&self.sources));
        n
    }
    fn file_stem(&self) -> String {
        format!("indmon-peers-{}", self.year)
    }
}

// ---------------------------------------------------------------------------------
// The revisions

/// One year's share as one release of one dataset gave it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Revision {
    /// Dataset.
    pub dataset: String,
    /// The release date of the vintage (YYYY-MM-DD), when stated.
    pub release: Option<String>,
    /// Vintage.
    pub vintage: String,
    /// The source's own series code, when it has several (e.g. CBS revisions).
    pub series: Option<String>,
    /// Year.
    pub year: i32,
    /// Share (a fraction).
    pub share: f64,
    /// `published share` (the source's own percentage) or `C / TOTAL` (computed).
    pub how: String,
}

/// One year's share across releases.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RevisionsReport {
    /// The country.
    pub geo: String,
    /// The year compared.
    pub year: Option<i32>,
    /// One row per release and source, oldest release first.
    pub rows: Vec<Revision>,
    /// What is compared, and the order.
    pub notes: Vec<String>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// One year's manufacturing share of `geo` across every release and source. `year`
/// defaults to the latest year any release has. Rows are ordered by release: the
/// effective date of the vintage (its release date, or its retrieval date when the
/// source states none), then the retrieval time, dataset, vintage and series — a
/// stated order, so two releases without a date never swap places.
pub async fn revisions(
    store: &Store,
    catalog: &Catalog,
    geo: &str,
    year: Option<i32>,
    def: &Definition,
) -> Result<RevisionsReport> {
    if def.industry != "C" || def.denominator != "gva" {
        return Err(Error::Invalid(
            "revisions compare manufacturing / total value added (--industry C --denominator gva)"
                .into(),
        ));
    }
    let mut q = Select::from("na_obs__vintages")
        .columns([
            "dataset", "vintage", "series", "unit", "time", "nace", "value",
        ])
        .filter(Cond::eq("geo", geo))
        .filter(Cond::eq("na_item", "B1G"))
        .filter(Cond::is_in("nace", ["C", "TOTAL"]))
        .filter(Cond::is_in("unit", ["CP_MEUR", "CP_MNAC", "PC_TOT"]));
    if let Some(y) = year {
        q = q.filter(Cond::eq("time", y));
    }
    let got = store.fetch(&q, &QueryOptions::default()).await?;
    let t: Vec<Vec<Option<String>>> = [0, 1, 2, 3, 5]
        .iter()
        .map(|&c| got.texts(c))
        .collect::<std::result::Result<_, _>>()?;
    let (time, value) = (got.i64s(4)?, got.f64s(6)?);
    let target_year = year.or_else(|| time.iter().flatten().max().map(|&y| y as i32));
    // (dataset, vintage, series, unit) -> (C, TOTAL) in the target year
    type Release = (String, String, String, String);
    let mut cells: BTreeMap<Release, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for r in 0..got.len() {
        if time[r].map(|y| y as i32) != target_year {
            continue;
        }
        let g = |c: usize| t[c][r].clone().unwrap_or_default();
        let e = cells.entry((g(0), g(1), g(2), g(3))).or_default();
        match g(4).as_str() {
            "C" => e.0 = e.0.or(value[r]),
            _ => e.1 = e.1.or(value[r]),
        }
    }
    let mut rows = Vec::new();
    let mut used = BTreeSet::new();
    for ((ds, v, series, unit), (ind, tot)) in cells {
        let share = match (ind, tot, unit.as_str()) {
            (Some(i), _, "PC_TOT") => Some(i / 100.0),
            (Some(i), Some(tt), _) if tt > 0.0 => Some(i / tt),
            _ => None,
        };
        let (Some(share), Some(y)) = (share, target_year) else {
            continue;
        };
        let Some(meta) = catalog.vintages(&ds).iter().find(|m| m.vintage == v) else {
            continue;
        };
        used.insert((ds.clone(), v.clone()));
        rows.push((
            (meta.effective_date(), meta.retrieved_at),
            Revision {
                dataset: ds,
                release: meta.release.map(|d| d.to_string()),
                vintage: v,
                series: Some(series).filter(|s| !s.is_empty()),
                year: y,
                share,
                how: if unit == "PC_TOT" {
                    "published share".into()
                } else {
                    "C / TOTAL".into()
                },
            },
        ));
    }
    rows.sort_by(|a, b| {
        (a.0, &a.1.dataset, &a.1.vintage, &a.1.series, &a.1.how).cmp(&(
            b.0,
            &b.1.dataset,
            &b.1.vintage,
            &b.1.series,
            &b.1.how,
        ))
    });
    Ok(RevisionsReport {
        geo: geo.to_owned(),
        year: target_year,
        rows: rows.into_iter().map(|r| r.1).collect(),
        notes: vec![format!(
            "{geo}: manufacturing share of total value added in {} as each release and source gave it (oldest release first: by release date, or retrieval date where none is stated).",
            target_year.map(|y| y.to_string()).unwrap_or_default()
        )],
        sources: Source::list(catalog, &used),
    })
}

const REVISIONS: &[Col<Revision>] = &[
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
        meaning: "The release date of the vintage, when stated.",
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
        name: "series",
        unit: "",
        meaning: "The source's own series code, when it has several.",
        decimals: None,
        get: |r| Cell::opt_text(r.series.clone()),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "share_%",
        unit: "%",
        meaning: "Manufacturing share of total value added.",
        decimals: Some(2),
        get: |r| pc(r.share).into(),
    },
    Col {
        name: "how",
        unit: "",
        meaning: "published share (the source's percentage) or C / TOTAL (computed).",
        decimals: None,
        get: |r| (&r.how).into(),
    },
];

impl Tabular for RevisionsReport {
    fn table(&self) -> Table {
        Table::of(REVISIONS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        let mut n = self.notes.clone();
        n.extend(self.sources.iter().map(|s| format!("Source: {}", s.line)));
        n
    }
    fn file_stem(&self) -> String {
        format!("indmon-revisions-{}", self.geo)
    }
}
