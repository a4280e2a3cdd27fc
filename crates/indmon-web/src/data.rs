//! The results the pages and the API show, computed through `indmon-report` on the
//! query runtime and cached per distinct request.

use std::sync::Arc;

use indmon_analytics::peers::PeerRow;
use indmon_analytics::target::Decomposition;
use indmon_report::Source;
use indmon_report::target::{
    self as report, Definition, Overview, OverviewRequest, Revision, SharePoint,
};
use indmon_store::QueryOptions;
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

/// Result of a computation.
pub type Result<T> = std::result::Result<T, AppError>;

/// Checks a country code from a request: 2 to 12 capital letters, digits or `_`
/// (e.g. `NL`, `EU27_2020`).
pub fn geo_param(s: &str) -> Result<String> {
    let ok = (2..=12).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(AppError::BadRequest(format!(
            "geo must be a Eurostat country code such as NL or EU27_2020 (2 to 12 capital letters, digits or _); got {:?}",
            s.chars().take(40).collect::<String>()
        )))
    }
}

/// Checks a year from a request.
pub fn year_param(name: &str, y: i32) -> Result<i32> {
    if (1900..=2100).contains(&y) {
        Ok(y)
    } else {
        Err(AppError::BadRequest(format!(
            "{name} must be a year between 1900 and 2100; got {y}"
        )))
    }
}

/// The overview of `geo` (default: the target country of the settings).
pub async fn overview(state: &Arc<AppState>, geo: Option<&str>) -> Result<Arc<Overview>> {
    let t = &state.settings.target;
    let geo = geo
        .map(geo_param)
        .transpose()?
        .unwrap_or_else(|| t.geo.clone());
    let mut req = OverviewRequest::from_settings(t);
    if geo != req.focus {
        req.panel.retain(|g| *g != geo);
        req.panel.insert(0, geo.clone());
        req.focus = geo.clone();
    }
    state
        .cached(format!("overview:{geo}"), move |s| async move {
            let catalog = s.catalog();
            Ok(report::overview(&s.store, &QueryOptions::default(), &catalog, &req).await?)
        })
        .await
}

/// One country's share series.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GeoSeries {
    /// The country.
    pub geo: String,
    /// Its yearly shares.
    pub series: Vec<SharePoint>,
}

/// Share series of several countries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareReport {
    /// What is measured, in words.
    pub definition: String,
    /// Method version.
    pub method: String,
    /// One entry per country with data, in the order asked.
    pub geos: Vec<GeoSeries>,
    /// Countries asked for without data.
    pub missing: Vec<String>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// The share series of `geos` (default: the peer panel).
pub async fn share(state: &Arc<AppState>, geos: &[String]) -> Result<Arc<ShareReport>> {
    let t = &state.settings.target;
    let mut list: Vec<String> = geos.iter().map(|g| geo_param(g)).collect::<Result<_>>()?;
    if list.is_empty() {
        list = OverviewRequest::from_settings(t).panel;
    }
    if list.len() > 40 {
        return Err(AppError::BadRequest("at most 40 countries at once".into()));
    }
    let def = Definition::of(t);
    state
        .cached(format!("share:{}", list.join(",")), move |s| async move {
            let data =
                report::load(&s.store, &QueryOptions::default(), &list, &def, "auto").await?;
            let catalog = s.catalog();
            let mut used = std::collections::BTreeSet::new();
            let mut out = Vec::new();
            let mut missing = Vec::new();
            for g in &list {
                match data.get(g) {
                    Some(series) if !series.is_empty() => {
                        used.extend(report::used_of(series));
                        out.push(GeoSeries {
                            geo: g.clone(),
                            series: series.iter().map(SharePoint::from).collect(),
                        });
                    }
                    _ => missing.push(g.clone()),
                }
            }
            Ok(ShareReport {
                definition: def.describe(),
                method: indmon_analytics::METHOD_VERSION.into(),
                geos: out,
                missing,
                sources: Source::list(&catalog, &used),
            })
        })
        .await
}

/// The change of the share over a span, year by year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
    /// One row per year pair, then the whole span: share from/to (fractions), change
    /// and contributions in percentage points, growth of industry and the rest
    /// (fractions). The contributions add up to the change exactly (Shapley).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<Decomposition>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// The decomposition of `geo` from `from` to `to` (default: the last ten years).
pub async fn decomposition(
    state: &Arc<AppState>,
    geo: Option<&str>,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<Arc<DecompositionReport>> {
    let t = &state.settings.target;
    let geo = geo
        .map(geo_param)
        .transpose()?
        .unwrap_or_else(|| t.geo.clone());
    let from = from.map(|y| year_param("from", y)).transpose()?;
    let to = to.map(|y| year_param("to", y)).transpose()?;
    let def = Definition::of(t);
    let key = format!("decomposition:{geo}:{from:?}:{to:?}");
    state
        .cached(key, move |s| async move {
            let data = report::load(
                &s.store,
                &QueryOptions::default(),
                std::slice::from_ref(&geo),
                &def,
                "auto",
            )
            .await?;
            let series = report::require(&data, &geo, &def)?;
            let last = series.last().map(|o| o.year).unwrap_or_default();
            let first = series.first().map(|o| o.year).unwrap_or_default();
            let to = to.unwrap_or(last);
            let from = from.unwrap_or_else(|| (to - 10).max(first));
            let rows = report::decomposition(series, from, to)?;
            let used = report::used_of(series.iter().filter(|o| o.year >= from && o.year <= to));
            Ok(DecompositionReport {
                geo,
                definition: def.describe(),
                method: indmon_analytics::METHOD_VERSION.into(),
                from,
                to,
                rows,
                sources: Source::list(&s.catalog(), &used),
            })
        })
        .await
}

/// The peer panel in one year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeersReport {
    /// The year.
    pub year: i32,
    /// What is measured, in words.
    pub definition: String,
    /// Method version.
    pub method: String,
    /// Ranked by share (fractions; gaps in percentage points; EU quartile 4 = highest).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<PeerRow>,
    /// Panel members without a figure that year.
    pub missing: Vec<String>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// The peer panel in `year` (default: the target country's latest year).
pub async fn peers(state: &Arc<AppState>, year: Option<i32>) -> Result<Arc<PeersReport>> {
    let t = state.settings.target.clone();
    let year = year.map(|y| year_param("year", y)).transpose()?;
    state
        .cached(format!("peers:{year:?}"), move |s| async move {
            let req = OverviewRequest::from_settings(&t);
            let geos = report::panel_and_members(&req.panel);
            let data =
                report::load(&s.store, &QueryOptions::default(), &geos, &req.def, "auto").await?;
            let year = match year {
                Some(y) => y,
                None => report::require(&data, &req.focus, &req.def)?
                    .last()
                    .map(|o| o.year)
                    .unwrap_or_default(),
            };
            let (rows, used) = report::peer_rows(&data, &req.panel, &req.focus, &t.eu, year);
            if rows.is_empty() {
                return Err(AppError::NotFound(format!(
                    "no shares for {year} in the peer panel"
                )));
            }
            let missing = req
                .panel
                .iter()
                .filter(|g| !rows.iter().any(|r| &r.geo == *g))
                .cloned()
                .collect();
            Ok(PeersReport {
                year,
                definition: req.def.describe(),
                method: indmon_analytics::METHOD_VERSION.into(),
                rows,
                missing,
                sources: Source::list(&s.catalog(), &used),
            })
        })
        .await
}

/// One year's share across releases.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevisionsReport {
    /// The country.
    pub geo: String,
    /// The year compared.
    pub year: Option<i32>,
    /// One row per release and source, oldest release first.
    pub rows: Vec<Revision>,
    /// Every vintage used.
    pub sources: Vec<Source>,
}

/// The revisions of `geo`'s share in `year` (default: the latest year of any release).
pub async fn revisions(
    state: &Arc<AppState>,
    geo: Option<&str>,
    year: Option<i32>,
) -> Result<Arc<RevisionsReport>> {
    let t = &state.settings.target;
    let geo = geo
        .map(geo_param)
        .transpose()?
        .unwrap_or_else(|| t.geo.clone());
    let year = year.map(|y| year_param("year", y)).transpose()?;
    let def = Definition::of(t);
    state
        .cached(format!("revisions:{geo}:{year:?}"), move |s| async move {
            let catalog = s.catalog();
            let (year, rows, sources) =
                report::revisions(&s.store, &catalog, &geo, year, &def).await?;
            Ok(RevisionsReport {
                geo,
                year,
                rows,
                sources,
            })
        })
        .await
}

/// One dataset in the store with its vintages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DatasetInfo {
    /// Dataset id (its SQL table name).
    pub dataset: String,
    /// The vintages, oldest first; the last is the one served.
    pub vintages: Vec<VintageInfo>,
}

/// One vintage of a dataset.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

/// Every dataset and vintage in the store (from the catalog; no query).
pub fn datasets(state: &AppState) -> Vec<DatasetInfo> {
    let catalog = state.catalog();
    catalog
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
        .collect()
}

/// The taxonomy and the classification lists the markets and the screen need: parsed
/// once from what the binary embeds.
fn taxonomy_and_lists(
    state: &AppState,
) -> Result<&'static (
    indmon_core::taxonomy::Taxonomy,
    indmon_report::markets::Lists,
)> {
    static PARSED: std::sync::OnceLock<
        std::result::Result<
            (
                indmon_core::taxonomy::Taxonomy,
                indmon_report::markets::Lists,
            ),
            String,
        >,
    > = std::sync::OnceLock::new();
    let bundle = state.bundle;
    PARSED
        .get_or_init(|| {
            let bundle = bundle.ok_or("this build has no bundled classification lists")?;
            let tax = indmon_core::taxonomy::Taxonomy::parse(
                indmon_report::markets::BUNDLED_TAXONOMY_NAME,
                indmon_report::markets::BUNDLED_TAXONOMY,
            )?;
            let lists = indmon_report::markets::Lists::read(&bundle).map_err(|e| e.to_string())?;
            Ok((tax, lists))
        })
        .as_ref()
        .map_err(|e| AppError::Internal(e.clone()))
}

/// The priority-market status board of `geo` (default: the target country).
pub async fn markets(
    state: &Arc<AppState>,
    geo: Option<&str>,
    year: Option<i32>,
) -> Result<Arc<indmon_report::markets::Board>> {
    let geo = geo.map(geo_param).transpose()?;
    let year = year.map(|y| year_param("year", y)).transpose()?;
    state
        .cached(format!("markets:{geo:?}:{year:?}"), move |s| async move {
            let (tax, lists) = taxonomy_and_lists(&s)?;
            let req = indmon_report::markets::BoardRequest {
                geo,
                year,
                ..Default::default()
            };
            Ok(indmon_report::markets::board(
                &s.store,
                &s.settings,
                tax,
                indmon_report::markets::BUNDLED_TAXONOMY_NAME,
                lists,
                &req,
            )
            .await?)
        })
        .await
}

/// The dependency screen of `reporter` (default: the target country): every imported
/// product with its criteria and tier.
pub async fn dependencies(
    state: &Arc<AppState>,
    reporter: Option<&str>,
    year: Option<i32>,
) -> Result<Arc<indmon_report::dependencies::Screen>> {
    let reporter = reporter.map(geo_param).transpose()?;
    let year = year.map(|y| year_param("year", y)).transpose()?;
    state
        .cached(
            format!("dependencies:{reporter:?}:{year:?}"),
            move |s| async move {
                let (tax, lists) = taxonomy_and_lists(&s)?;
                let req = indmon_report::dependencies::ScreenRequest {
                    trade: indmon_report::dependencies::TradeRequest {
                        reporter,
                        year,
                        dataset: None,
                    },
                    reexport: None,
                    tier: indmon_report::dependencies::Tier::None,
                    million: false,
                };
                Ok(
                    indmon_report::dependencies::screen(&s.store, &s.settings, tax, lists, &req)
                        .await?,
                )
            },
        )
        .await
}
