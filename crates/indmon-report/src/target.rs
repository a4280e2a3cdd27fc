//! The industry share of value added against the target: the series per country, the
//! overview (gap, paths, required growth, outlook, peers), the year-by-year
//! decomposition and the same share across releases.

use std::collections::{BTreeMap, BTreeSet};

use indmon_analytics::outlook::{Outlook, OutlookOptions, outlook};
use indmon_analytics::peers::{EU27, PeerRow, peers};
use indmon_analytics::target::{
    Decomposition, Target, TargetPath, allowed_rest_growth, average_growth, decompose,
    decompose_years, required_industry_growth, target_path,
};
use indmon_core::settings::TargetSettings;
use indmon_store::{Catalog, QueryOptions, Store};
use serde::Serialize;

use crate::{Error, Result, Source, columns, sql_str};

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
    let naces = if def.industry == "C" {
        "'C', 'TOTAL'"
    } else {
        "'B-E', 'B', 'C', 'D', 'E', 'TOTAL'"
    };
    let item = if def.denominator == "gva" {
        "na_item = 'B1G'"
    } else {
        "(na_item = 'B1G' OR (na_item = 'B1GQ' AND nace = 'TOTAL'))"
    };
    let mut sql = format!(
        "SELECT dataset, vintage, geo, nace, na_item, unit, COALESCE(series, '') AS series, time, value, flag FROM na_obs \
         WHERE {item} AND nace IN ({naces}) AND unit IN ('CP_MEUR', 'CP_MNAC') AND value IS NOT NULL AND geo IN ({})",
        geos.iter()
            .map(|g| sql_str(g))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if source != "auto" {
        sql.push_str(&format!(" AND dataset = {}", sql_str(source)));
    }
    let batches = store.query(&sql, opts).await?;
    // (geo, dataset, vintage, unit, series) -> year -> (nace/item -> (value, flag))
    type Key = (String, String, String, String, String);
    type Year = BTreeMap<String, (f64, Option<String>)>;
    // a geo's candidate series: (preference rank, minus its last year, dataset, rows)
    type Candidate = (u8, i32, String, Vec<Obs>);
    let mut cells: BTreeMap<Key, BTreeMap<i32, Year>> = BTreeMap::new();
    for b in &batches {
        let t: Vec<Vec<Option<String>>> = (0..b.num_columns())
            .map(|c| columns::text(b, c))
            .collect::<Result<_>>()?;
        let v = columns::num(b, 8)?;
        for r in 0..b.num_rows() {
            let g = |c: usize| t[c][r].clone().unwrap_or_default();
            let what = if g(4) == "B1GQ" {
                "GDP".to_string()
            } else {
                g(3)
            };
            // `time` is a validated integer column; a row without one is not an observation
            let Ok(year) = g(7).parse::<i32>() else {
                continue;
            };
            if let Some(value) = v[r] {
                cells
                    .entry((g(2), g(0), g(1), g(5), g(6)))
                    .or_default()
                    .entry(year)
                    .or_default()
                    .insert(what, (value, t[9][r].clone()));
            }
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
    (peers(&shares, focus, eu, &members), used)
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
    /// What is measured.
    pub def: Definition,
    /// `auto` or a dataset id.
    pub source: String,
    /// Growth of the rest of the economy the user states (a fraction), instead of its
    /// observed average.
    pub rest_growth: Option<f64>,
    /// Growth of industry the user states (a fraction), to get the rest's allowed growth.
    pub industry_growth: Option<f64>,
}

impl OverviewRequest {
    /// The overview the settings describe: their country, peers, target and definition.
    pub fn from_settings(t: &TargetSettings) -> Self {
        let mut panel = vec![t.geo.clone()];
        panel.extend(t.peers.iter().filter(|p| **p != t.geo).cloned());
        Self {
            focus: t.geo.clone(),
            panel,
            settings: t.clone(),
            target: Target {
                share: t.value / 100.0,
                year: t.year,
            },
            def: Definition::of(t),
            source: "auto".into(),
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
pub async fn overview(
    store: &Store,
    opts: &QueryOptions,
    catalog: &Catalog,
    req: &OverviewRequest,
) -> Result<Overview> {
    let geos = panel_and_members(&req.panel);
    let data = load(store, opts, &geos, &req.def, &req.source).await?;
    overview_of(&data, catalog, req)
}

/// The overview computed from series already loaded (see [`load`]).
pub fn overview_of(
    data: &BTreeMap<String, Vec<Obs>>,
    catalog: &Catalog,
    req: &OverviewRequest,
) -> Result<Overview> {
    let t = &req.settings;
    let series = require(data, &req.focus, &req.def)?;
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
        definition: req.def.describe(),
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
        sources: Source::list(catalog, &used),
    })
}

/// The change of the share from `from` to `to` of one series: one row per year pair
/// (when the span is longer than a year) and the whole span last. Each row splits the
/// change exactly into industry's and the rest's contribution (Shapley).
pub fn decomposition(series: &[Obs], from: i32, to: i32) -> Result<Vec<Decomposition>> {
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
    #[serde(skip)]
    effective: chrono::NaiveDate,
}

/// One year's manufacturing share of `geo` across every release and source, oldest
/// release first. `year` defaults to the latest year any release has.
pub async fn revisions(
    store: &Store,
    catalog: &Catalog,
    geo: &str,
    year: Option<i32>,
    def: &Definition,
) -> Result<(Option<i32>, Vec<Revision>, Vec<Source>)> {
    if def.industry != "C" || def.denominator != "gva" {
        return Err(Error::Invalid(
            "revisions compare manufacturing / total value added (--industry C --denominator gva)"
                .into(),
        ));
    }
    let year_cond = year.map(|y| format!(" AND time = {y}")).unwrap_or_default();
    let sql = format!(
        "SELECT dataset, vintage, COALESCE(series, '') AS series, unit, time, \
                MAX(CASE WHEN nace = 'C' THEN value END) AS industry, MAX(CASE WHEN nace = 'TOTAL' THEN value END) AS total \
         FROM na_obs__vintages WHERE geo = {} AND na_item = 'B1G' AND nace IN ('C', 'TOTAL') \
           AND unit IN ('CP_MEUR', 'CP_MNAC', 'PC_TOT'){year_cond} \
         GROUP BY dataset, vintage, series, unit, time ORDER BY time DESC",
        sql_str(geo)
    );
    let batches = store.query(&sql, &QueryOptions::default()).await?;
    let mut latest = None;
    for b in &batches {
        for y in columns::text(b, 4)?.into_iter().flatten() {
            latest = latest.max(y.parse::<i32>().ok());
        }
    }
    let target_year = year.or(latest);
    let mut rows = Vec::new();
    let mut used = BTreeSet::new();
    for b in &batches {
        let t: Vec<Vec<Option<String>>> = (0..b.num_columns())
            .map(|c| columns::text(b, c))
            .collect::<Result<_>>()?;
        let (ind, tot) = (columns::num(b, 5)?, columns::num(b, 6)?);
        for r in 0..b.num_rows() {
            let Some(y) = t[4][r].as_deref().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            if Some(y) != target_year {
                continue;
            }
            let ds = t[0][r].clone().unwrap_or_default();
            let v = t[1][r].clone().unwrap_or_default();
            let unit = t[3][r].clone().unwrap_or_default();
            let share = match (ind[r], tot[r], unit.as_str()) {
                (Some(i), _, "PC_TOT") => Some(i / 100.0),
                (Some(i), Some(tt), _) if tt > 0.0 => Some(i / tt),
                _ => None,
            };
            let Some(share) = share else { continue };
            let Some(meta) = catalog.vintages(&ds).iter().find(|m| m.vintage == v) else {
                continue;
            };
            used.insert((ds.clone(), v.clone()));
            let series = t[2][r].clone().filter(|s| !s.is_empty());
            rows.push(Revision {
                dataset: ds,
                release: meta.release.map(|d| d.to_string()),
                vintage: v,
                series,
                year: y,
                share,
                how: if unit == "PC_TOT" {
                    "published share".into()
                } else {
                    "C / TOTAL".into()
                },
                effective: meta.effective_date(),
            });
        }
    }
    rows.sort_by_key(|r| r.effective);
    Ok((target_year, rows, Source::list(catalog, &used)))
}
