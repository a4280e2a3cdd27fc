//! The JSON API under `/api/v1`: everything the pages show, as JSON (default) or CSV
//! (`format=csv`), described by the OpenAPI document at `/api/v1/openapi.json`, which
//! is generated from these handlers and types.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::OpenApi;

use crate::data;
use crate::error::{AppError, Problem};
use crate::params::{
    ApiQuery, ComplexityQuery, ConventionParam, CountryYearQuery, CrmQuery, Format, FormatQuery,
    GeoQuery, GeosQuery, MarketQuery, OpportunitiesQuery, RankParam, ReexportParam, ScreenQuery,
    SeriesQuery, SpanQuery, SynthQuery, TierParam, VintagesQuery, YearQuery,
};
use crate::state::AppState;
use indmon_report::series::SourcesReport;
use indmon_report::table::{self, Tabular};
use indmon_report::target::{
    DecompositionReport, Overview, PeersReport, RevisionsReport, ShareReport,
};

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
    ApiQuery(q): ApiQuery<GeoQuery>,
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
    ApiQuery(q): ApiQuery<GeosQuery>,
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
    ApiQuery(q): ApiQuery<SpanQuery>,
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
    ApiQuery(q): ApiQuery<YearQuery>,
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
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Response, AppError> {
    Ok(respond(
        &*data::revisions(&s, q.geo.as_deref(), q.year).await?,
        q.format,
    ))
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
    ApiQuery(q): ApiQuery<CountryYearQuery>,
) -> Result<Response, AppError> {
    Ok(respond(
        &*data::markets(&s, q.geo.as_deref(), q.year).await?,
        q.format,
    ))
}

/// One priority market in detail: its segments, its HS6 codes with the country's and
/// the world's trade, RCA and PCI, the NACE/CPA activities, the indicators per country
/// and year, the status per country and the value added of its industries.
#[utoipa::path(get, path = "/api/v1/markets/{market}", tag = "markets",
    params(("market" = String, Path, description = "The market's id, e.g. semiconductors"), MarketQuery),
    responses((status = 200, description = "The market (CSV: the part asked for)", body = indmon_report::markets::MarketDetail),
              (status = 400, description = "A bad parameter or an unknown market", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data for it", body = Problem, content_type = "application/problem+json")))]
pub async fn market(
    State(s): State<Arc<AppState>>,
    axum::extract::Path(market): axum::extract::Path<String>,
    ApiQuery(q): ApiQuery<MarketQuery>,
) -> Result<Response, AppError> {
    let d = data::market(&s, &market, q.geo.as_deref(), q.year).await?;
    Ok(respond(
        &d.part(q.part.unwrap_or(indmon_report::markets::Part::Codes)),
        q.format,
    ))
}

/// The priority-market taxonomy checked against the classification lists: per market
/// its segments and codes, every finding with its line, and the overlaps.
#[utoipa::path(get, path = "/api/v1/markets/taxonomy", tag = "markets", params(FormatQuery),
    responses((status = 200, description = "The validation (CSV: counts per market)", body = indmon_report::markets::Validation)))]
pub async fn taxonomy(ApiQuery(q): ApiQuery<FormatQuery>) -> Result<Response, AppError> {
    Ok(respond(&data::taxonomy()?, q.format))
}

/// The strategic-dependency screen of one reporter: every imported product with the
/// EU 2021 criteria, persistence, the tier (dependency, strategic, risky strategic)
/// and why.
#[utoipa::path(get, path = "/api/v1/dependencies", tag = "dependencies", params(ScreenQuery),
    responses((status = 200, description = "The screen (CSV: one row per product)", body = indmon_report::dependencies::Screen),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data for it", body = Problem, content_type = "application/problem+json")))]
pub async fn dependencies(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<ScreenQuery>,
) -> Result<Response, AppError> {
    Ok(respond(&*data::dependencies(&s, &q).await?, q.format))
}

/// The EU 2021 inputs of every product the reporter imports, before any criterion or
/// correction (values in thousand USD, as BACI).
#[utoipa::path(get, path = "/api/v1/dependencies/metrics", tag = "dependencies", params(ScreenQuery),
    responses((status = 200, description = "The metrics (CSV: one row per product and year)", body = indmon_report::dependencies::Metrics),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data for it", body = Problem, content_type = "application/problem+json")))]
pub async fn metrics(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<ScreenQuery>,
) -> Result<Response, AppError> {
    Ok(respond(&*data::metrics(&s, &q).await?, q.format))
}

/// Why a product is (or is not) a risky strategic dependency: imports by origin, the
/// three criteria against their thresholds over the years, persistence, world supply,
/// the re-export correction, the areas it is crucial for, the suppliers' relations.
#[utoipa::path(get, path = "/api/v1/dependencies/{hs6}", tag = "dependencies",
    params(("hs6" = String, Path, description = "An HS6 code, e.g. 850511"), ScreenQuery),
    responses((status = 200, description = "The explanation (CSV: its steps)", body = indmon_report::dependencies::Explanation),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data for it", body = Problem, content_type = "application/problem+json")))]
pub async fn explain(
    State(s): State<Arc<AppState>>,
    axum::extract::Path(hs6): axum::extract::Path<String>,
    ApiQuery(q): ApiQuery<ScreenQuery>,
) -> Result<Response, AppError> {
    Ok(respond(&*data::explain(&s, &hs6, &q).await?, q.format))
}

/// Where others depend on the reporter: products it supplies a large share of world
/// exports of, the partners that depend on it, and the partners with dependence both
/// ways.
#[utoipa::path(get, path = "/api/v1/mutual", tag = "dependencies", params(ScreenQuery),
    responses((status = 200, description = "Mutual dependencies (CSV: one row per product and dependent partner)", body = indmon_report::dependencies::Mutual),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data for it", body = Problem, content_type = "application/problem+json")))]
pub async fn mutual(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<ScreenQuery>,
) -> Result<Response, AppError> {
    Ok(respond(&*data::mutual(&s, &q).await?, q.format))
}

/// A synthetic control of the industry share: the treated country against a weighted
/// mix of the other EU members, fitted on the years before the treatment (the
/// `industry-share` preset of `indmon evaluate synth`).
#[utoipa::path(get, path = "/api/v1/evaluate/synth", tag = "evaluation", params(SynthQuery),
    responses((status = 200, description = "The synthetic control (JSON: the whole result — weights, v, gaps, rmspe_pre, rmspe_post, att, placebo — or the part `table` names; CSV: the table `table` names, default the gaps)", content_type = "application/json", body = Object),
              (status = 400, description = "A bad parameter (e.g. too few years before the treatment)", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No industry share for the country", body = Problem, content_type = "application/problem+json")))]
pub async fn synth(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<SynthQuery>,
) -> Result<Response, AppError> {
    let r = data::evaluation(
        &s,
        q.treated.as_deref(),
        q.treatment_year,
        q.placebo.unwrap_or(true),
    )
    .await?;
    Ok(respond(&r.part(q.table.unwrap_or_default())?, q.format))
}

/// The EU critical raw materials, 2023 assessment: supply risk and economic importance,
/// the critical flag, the history since 2011, and the concentration of supply.
#[utoipa::path(get, path = "/api/v1/crm", tag = "dependencies", params(CrmQuery),
    responses((status = 200, description = "The materials", body = indmon_report::dependencies::Crm),
              (status = 404, description = "The CRM tables are not in the store", body = Problem, content_type = "application/problem+json")))]
pub async fn crm(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<CrmQuery>,
) -> Result<Response, AppError> {
    Ok(respond(
        &*data::crm(&s, q.critical.unwrap_or(false)).await?,
        q.format,
    ))
}

/// One critical raw material: its scores in every assessment and its supply by stage
/// and country.
#[utoipa::path(get, path = "/api/v1/crm/{material}", tag = "dependencies",
    params(("material" = String, Path, description = "A material, e.g. Cobalt"), FormatQuery),
    responses((status = 200, description = "The material (CSV: its scores by assessment)", body = indmon_report::dependencies::MaterialDetail),
              (status = 400, description = "An unknown material", body = Problem, content_type = "application/problem+json")))]
pub async fn material(
    State(s): State<Arc<AppState>>,
    axum::extract::Path(material): axum::extract::Path<String>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Result<Response, AppError> {
    Ok(respond(&*data::material(&s, &material).await?, q.format))
}

/// Every dataset and vintage in the store: publisher, release, licence, citation,
/// input, checksum and row count.
#[utoipa::path(get, path = "/api/v1/sources", tag = "data", params(FormatQuery),
    responses((status = 200, description = "The datasets and their vintages (CSV: one row per vintage)", body = SourcesReport)))]
pub async fn sources(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Response {
    respond(&data::sources(&s), q.format)
}

/// National-accounts figures with flags, each with its dataset and vintage (the latest
/// release of each figure).
#[utoipa::path(get, path = "/api/v1/series", tag = "data", params(SeriesQuery),
    responses((status = 200, description = "The figures", body = indmon_report::series::SeriesReport),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json")))]
pub async fn series(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> Result<Response, AppError> {
    let req = indmon_report::series::SeriesRequest {
        what: q.what,
        geo: data::codes_param("geo", q.geo.as_deref())?,
        nace: data::codes_param("nace", q.nace.as_deref())?,
        year: q.year,
        from: q.from,
        to: q.to,
        unit: data::codes_param("unit", q.unit.as_deref())?.pop(),
        source: data::codes_param("source", q.source.as_deref())?
            .pop()
            .unwrap_or_else(|| "auto".into()),
        as_of: None,
    };
    Ok(respond(&*data::series(&s, req).await?, q.format))
}

/// Without a selection, the releases of a dataset (newest first); with one, the
/// selected figures as every release and source gave them (oldest release first).
#[utoipa::path(get, path = "/api/v1/vintages", tag = "data", params(VintagesQuery),
    responses((status = 200, description = "The releases (`VintageList`) or the figures across releases (`FigureVintages`)", body = indmon_report::series::FigureVintages),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such dataset", body = Problem, content_type = "application/problem+json")))]
pub async fn vintages(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<VintagesQuery>,
) -> Result<Response, AppError> {
    let geo = data::codes_param("geo", q.geo.as_deref())?;
    let nace = data::codes_param("nace", q.nace.as_deref())?;
    if geo.is_empty() && nace.is_empty() && q.year.is_none() {
        if q.what == "va" {
            return Err(AppError::BadRequest(
                "vintages of va need a selection, e.g. geo=NL&nace=TOTAL&year=2023".into(),
            ));
        }
        return Ok(respond(&data::vintage_list(&s, &q.what)?, q.format));
    }
    let req = indmon_report::series::FigureRequest {
        what: q.what,
        geo,
        nace,
        year: q.year,
    };
    Ok(respond(&*data::figure_vintages(&s, req).await?, q.format))
}

/// Economic complexity of the trade in the store: RCA, M, diversity, ubiquity, ECI,
/// PCI, density, COI and COG per year, location and product (computed on request;
/// nothing is stored).
#[utoipa::path(get, path = "/api/v1/complexity", tag = "complexity", params(ComplexityQuery),
    responses((status = 200, description = "The complexity of every location and product", body = indmon_report::complexity::ComplexityReport),
              (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such dataset or year", body = Problem, content_type = "application/problem+json")))]
pub async fn complexity(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<ComplexityQuery>,
) -> Result<Response, AppError> {
    let r = data::complexity(
        &s,
        q.dataset.as_deref(),
        q.year,
        q.convention.unwrap_or_default(),
    )
    .await?;
    Ok(respond(&*r, q.format))
}

/// The products within a country's reach: those it does not yet export with
/// comparative advantage, ranked by outlook gain, density or PCI.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "complexity", params(OpportunitiesQuery),
    responses((status = 200, description = "The ranked products", body = indmon_report::complexity::OpportunitiesReport),
              (status = 400, description = "A bad parameter or an unknown country", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No trade data", body = Problem, content_type = "application/problem+json")))]
pub async fn opportunities(
    State(s): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<OpportunitiesQuery>,
) -> Result<Response, AppError> {
    let r = data::opportunities(&s, &q).await?;
    Ok(respond(&*r, q.format))
}

/// The product-space neighbourhood of a product: its nearest products by proximity,
/// with the country's presence in each.
#[utoipa::path(get, path = "/api/v1/opportunities/{product}", tag = "complexity",
    params(("product" = String, Path, description = "An HS6 code, e.g. 850511"), OpportunitiesQuery),
    responses((status = 200, description = "The neighbourhood", body = indmon_report::complexity::Neighbourhood),
              (status = 400, description = "A bad parameter or an unknown product", body = Problem, content_type = "application/problem+json")))]
pub async fn neighbourhood(
    State(s): State<Arc<AppState>>,
    axum::extract::Path(product): axum::extract::Path<String>,
    ApiQuery(q): ApiQuery<OpportunitiesQuery>,
) -> Result<Response, AppError> {
    let r = data::neighbourhood(&s, &product, &q).await?;
    Ok(respond(&*r, q.format))
}

/// The OpenAPI 3.1 document of this API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "indmon API",
        description = "The industrial-policy monitor: the industry share of value added against the target, its decomposition, peers and revisions; the priority markets; the strategic-dependency screen; and the sources behind every figure. Read only. Shares are fractions (0.12 = 12 %) in JSON and percent in CSV; contributions and gaps are in percentage points. Errors are RFC 9457 problem details."
    ),
    paths(target, share, decomposition, peers, revisions, markets, market, taxonomy, dependencies, metrics, explain, mutual, crm, material, complexity, opportunities, neighbourhood, synth, sources, series, vintages, crate::ledger::api::api),
    components(schemas(
        Format,
        Problem,
        ConventionParam,
        RankParam,
        TierParam,
        ReexportParam,
        indmon_report::series::VintageList,
        indmon_report::markets::Part,
        indmon_report::evaluate::synth::SynthTable
    )),
    tags((name = "target", description = "The industry share against the target"),
         (name = "markets", description = "The six priority markets"),
         (name = "dependencies", description = "The strategic-dependency screen"),
         (name = "complexity", description = "Economic complexity and the products within reach"),
         (name = "evaluation", description = "Effect evaluations (synthetic control)"),
         (name = "data", description = "The store's datasets and vintages"),
         (name = "ledger", description = "The programme ledger"))
)]
pub struct ApiDoc;

/// The document as served.
pub async fn openapi() -> Response {
    json(&ApiDoc::openapi())
}
