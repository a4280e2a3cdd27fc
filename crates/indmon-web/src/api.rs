//! The JSON API under `/api/v1`: everything the pages show, as JSON (default) or CSV
//! (`format=csv`), described by the OpenAPI document at `/api/v1/openapi.json`, which
//! is generated from these handlers and types.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::data;
use crate::error::{AppError, Problem};
use crate::state::AppState;
use indmon_report::series::SourcesReport;
use indmon_report::table::{self, Tabular};
use indmon_report::target::{
    DecompositionReport, Overview, PeersReport, RevisionsReport, ShareReport,
};

/// Output format of a result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON (the default).
    #[default]
    Json,
    /// CSV with a header row (numbers only; the sources are in the JSON form).
    Csv,
}

/// `geo` and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GeoQuery {
    /// Country (Eurostat code) [default: the target country, NL].
    pub geo: Option<String>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// `geo` (several, comma-separated), a span and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GeosQuery {
    /// Countries, comma-separated (Eurostat codes) [default: the peer panel].
    pub geo: Option<String>,
    /// First year [default: the first observed].
    pub from: Option<i32>,
    /// Last year [default: the last observed].
    pub to: Option<i32>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// `geo`, a span and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpanQuery {
    /// Country (Eurostat code) [default: the target country, NL].
    pub geo: Option<String>,
    /// First year [default: ten years before the last].
    pub from: Option<i32>,
    /// Last year [default: the last observed].
    pub to: Option<i32>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// A year and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Country (Eurostat code) [default: the target country, NL]; for `peers` the focus of the gaps.
    pub geo: Option<String>,
    /// Year [default: the latest].
    pub year: Option<i32>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// A JSON response of a cached result.
fn json<T: Serialize>(v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(e) => AppError::Internal(format!("serialising: {e}")).into_response(),
    }
}

/// A CSV download named `name`.csv, from a header and rows of text.
pub fn csv(name: &str, head: &[&str], rows: &[Vec<String>]) -> Response {
    let write = || -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(head)?;
        for r in rows {
            w.write_record(r)?;
        }
        Ok(w.into_inner()?)
    };
    match write() {
        Ok(body) => csv_bytes(name, String::from_utf8_lossy(&body).into_owned()),
        Err(e) => AppError::Internal(format!("writing CSV: {e}")).into_response(),
    }
}

/// A number for CSV: shortest round-trip form; empty when missing.
pub fn num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// A result in the format asked for: its JSON, or the CSV of its declared columns —
/// the bytes `indmon … --format json|csv` prints for the same request.
pub fn respond<T: Tabular>(r: &T, format: Option<Format>) -> Response {
    match format.unwrap_or_default() {
        Format::Json => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            table::json(r),
        )
            .into_response(),
        Format::Csv => csv_bytes(&r.file_stem(), r.table().csv()),
    }
}

/// A CSV download named `name`.csv.
fn csv_bytes(name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

/// The target overview: latest share, gap, paths, required growth, outlook, peers.
#[utoipa::path(get, path = "/api/v1/target", tag = "target", params(GeoQuery),
    responses((status = 200, description = "The overview (CSV: the share chart's data by year)", body = Overview),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No data for the country", body = Problem, content_type = "application/problem+json")))]
pub async fn target(
    State(s): State<Arc<AppState>>,
    Query(q): Query<GeoQuery>,
) -> Result<Response, AppError> {
    Ok(respond(
        &*data::overview(&s, q.geo.as_deref()).await?,
        q.format,
    ))
}

/// The share series of one or more countries, with flags and sources.
#[utoipa::path(get, path = "/api/v1/target/share", tag = "target", params(GeosQuery),
    responses((status = 200, description = "Share series", body = ShareReport),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json")))]
pub async fn share(
    State(s): State<Arc<AppState>>,
    Query(q): Query<GeosQuery>,
) -> Result<Response, AppError> {
    let geos: Vec<String> = q
        .geo
        .as_deref()
        .map(|g| {
            g.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(respond(
        &*data::share(&s, &geos, q.from, q.to).await?,
        q.format,
    ))
}

/// The change of the share split into industry's and the rest's contribution, year by
/// year and over the whole span (exact two-factor Shapley split), and into relative
/// volume growth and relative price change where the store has value added at the
/// previous year's prices.
#[utoipa::path(get, path = "/api/v1/target/decomposition", tag = "target", params(SpanQuery),
    responses((status = 200, description = "The decomposition", body = DecompositionReport),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No data for those years", body = Problem, content_type = "application/problem+json")))]
pub async fn decomposition(
    State(s): State<Arc<AppState>>,
    Query(q): Query<SpanQuery>,
) -> Result<Response, AppError> {
    let r = data::decomposition(&s, q.geo.as_deref(), q.from, q.to).await?;
    Ok(respond(&*r, q.format))
}

/// The peer panel ranked by share in one year, with gaps and EU quartiles.
#[utoipa::path(get, path = "/api/v1/target/peers", tag = "target", params(YearQuery),
    responses((status = 200, description = "The peers", body = PeersReport),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No shares that year", body = Problem, content_type = "application/problem+json")))]
pub async fn peers(
    State(s): State<Arc<AppState>>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    Ok(respond(
        &*data::peers(&s, q.geo.as_deref(), q.year).await?,
        q.format,
    ))
}

/// One year's manufacturing share as each release and source gave it.
#[utoipa::path(get, path = "/api/v1/target/revisions", tag = "target", params(YearQuery),
    responses((status = 200, description = "The revisions", body = RevisionsReport),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json")))]
pub async fn revisions(
    State(s): State<Arc<AppState>>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    Ok(respond(
        &*data::revisions(&s, q.geo.as_deref(), q.year).await?,
        q.format,
    ))
}

/// A country, a year and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountryYearQuery {
    /// Country (ISO alpha-2, e.g. NL) or EU27 [default: the target country, NL].
    pub geo: Option<String>,
    /// Year [default: the latest in the trade data].
    pub year: Option<i32>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// The six priority markets of one country: codes, exports, imports, world-export
/// share, RCA, rank among peers, trend with its significance, status and risky
/// strategic dependencies; with the indicators per country and year.
#[utoipa::path(get, path = "/api/v1/markets", tag = "markets", params(CountryYearQuery),
    responses((status = 200, description = "The status board (CSV: one row per market)", body = indmon_report::markets::Board),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data for it", body = Problem, content_type = "application/problem+json")))]
pub async fn markets(
    State(s): State<Arc<AppState>>,
    Query(q): Query<CountryYearQuery>,
) -> Result<Response, AppError> {
    let b = data::markets(&s, q.geo.as_deref(), q.year).await?;
    Ok(match q.format.unwrap_or_default() {
        Format::Json => json(&*b),
        Format::Csv => {
            let rows: Vec<Vec<String>> = b
                .markets
                .iter()
                .map(|m| {
                    vec![
                        m.market.clone(),
                        b.geo.clone(),
                        b.year.to_string(),
                        m.hs6.to_string(),
                        m.hs6_in_data.to_string(),
                        num(m.exports_musd),
                        num(m.imports_musd),
                        num(m.world_share.map(|x| 100.0 * x)),
                        num(m.rca),
                        m.rank.map(|r| r.to_string()).unwrap_or_default(),
                        m.ranked.map(|r| r.to_string()).unwrap_or_default(),
                        m.trend.clone(),
                        num(m.p_value),
                        m.status.clone(),
                        m.risky_strategic_dependencies
                            .map(|r| r.to_string())
                            .unwrap_or_default(),
                        b.dataset.clone(),
                        b.synthetic.to_string(),
                    ]
                })
                .collect();
            csv(
                &format!("indmon-markets-{}-{}", b.geo, b.year),
                &[
                    "market",
                    "geo",
                    "year",
                    "hs6_codes",
                    "hs6_in_data",
                    "exports_musd",
                    "imports_musd",
                    "world_share_%",
                    "rca",
                    "rank",
                    "ranked",
                    "trend",
                    "trend_p",
                    "status",
                    "risky_strategic_dependencies",
                    "dataset",
                    "synthetic",
                ],
                &rows,
            )
        }
    })
}

/// The strategic-dependency screen of one reporter: every imported product with the
/// EU 2021 criteria, persistence, the tier (dependency, strategic, risky strategic)
/// and why.
#[utoipa::path(get, path = "/api/v1/dependencies", tag = "dependencies", params(CountryYearQuery),
    responses((status = 200, description = "The screen (CSV: one row per product)", body = indmon_report::dependencies::Screen),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data for it", body = Problem, content_type = "application/problem+json")))]
pub async fn dependencies(
    State(s): State<Arc<AppState>>,
    Query(q): Query<CountryYearQuery>,
) -> Result<Response, AppError> {
    let sc = data::dependencies(&s, q.geo.as_deref(), q.year).await?;
    Ok(match q.format.unwrap_or_default() {
        Format::Json => json(&*sc),
        Format::Csv => {
            let rows: Vec<Vec<String>> = sc
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.reporter.clone(),
                        r.hs6.clone(),
                        r.name.clone().unwrap_or_default(),
                        r.year.to_string(),
                        num(Some(r.imports)),
                        num(Some(r.imports_outside_bloc)),
                        num(Some(r.exports)),
                        num(Some(r.import_hhi)),
                        num(r.outside_hhi),
                        num(Some(r.outside_share)),
                        num(r.import_export_ratio),
                        num(r.world_hhi),
                        r.top_origin_iso3.clone(),
                        num(Some(r.top_origin_share)),
                        r.criteria_met.clone(),
                        r.persistence.map(|p| p.to_string()).unwrap_or_default(),
                        r.tier_label.clone(),
                        r.areas.join(" "),
                        r.risk.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            csv(
                &format!("indmon-dependencies-{}-{}", sc.reporter, sc.year),
                &[
                    "reporter",
                    "hs6",
                    "name",
                    "year",
                    "imports_kusd",
                    "imports_outside_bloc_kusd",
                    "exports_kusd",
                    "import_hhi",
                    "outside_hhi",
                    "outside_share",
                    "import_export_ratio",
                    "world_hhi",
                    "top_origin",
                    "top_origin_share",
                    "criteria_met",
                    "persistence",
                    "tier",
                    "areas",
                    "risk",
                ],
                &rows,
            )
        }
    })
}

/// `format` only.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// Every dataset and vintage in the store: publisher, release, licence, citation,
/// input, checksum and row count.
#[utoipa::path(get, path = "/api/v1/sources", tag = "data", params(FormatQuery),
    responses((status = 200, description = "The datasets and their vintages (CSV: one row per vintage)", body = SourcesReport)))]
pub async fn sources(State(s): State<Arc<AppState>>, Query(q): Query<FormatQuery>) -> Response {
    respond(&data::sources(&s), q.format)
}

/// The OpenAPI 3.1 document of this API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "indmon API",
        description = "The industrial-policy monitor: the industry share of value added against the target, its decomposition, peers and revisions; the priority markets; the strategic-dependency screen; and the sources behind every figure. Read only. Shares are fractions (0.12 = 12 %) in JSON and percent in CSV; contributions and gaps are in percentage points. Errors are RFC 9457 problem details."
    ),
    paths(target, share, decomposition, peers, revisions, markets, dependencies, sources, crate::ledger::api::api),
    components(schemas(Format, Problem)),
    tags((name = "target", description = "The industry share against the target"),
         (name = "markets", description = "The six priority markets"),
         (name = "dependencies", description = "The strategic-dependency screen"),
         (name = "data", description = "The store's datasets and vintages"),
         (name = "ledger", description = "The programme ledger"))
)]
pub struct ApiDoc;

/// The document as served.
pub async fn openapi() -> Response {
    json(&ApiDoc::openapi())
}
