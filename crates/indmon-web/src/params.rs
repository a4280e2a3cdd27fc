//! The parameters of the API's requests: what each endpoint accepts, validated by
//! serde on the way in and documented in the OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// A market, a part, a country, a year and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarketQuery {
    /// Which part of the market's detail a CSV holds (JSON always has every part)
    /// [default: codes].
    pub part: Option<indmon_report::markets::Part>,
    /// Country (ISO alpha-2, e.g. NL) or EU27 [default: the target country, NL].
    pub geo: Option<String>,
    /// Year [default: the latest in the trade data].
    pub year: Option<i32>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// Which products the screen lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TierParam {
    /// Every imported product (the default).
    #[default]
    All,
    /// Dependencies and up.
    Dependency,
    /// Strategic dependencies and up.
    Strategic,
    /// Risky strategic dependencies.
    Risky,
}

/// The re-export correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReexportParam {
    /// All imports count.
    None,
    /// Imports less exports (the transit-hub proxy).
    Net,
}

/// A reporter, a year, the screen's options and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScreenQuery {
    /// Reporter: a country (ISO alpha-2 or alpha-3) or EU27 [default: the target country, NL].
    pub geo: Option<String>,
    /// Year [default: the latest in the trade data].
    pub year: Option<i32>,
    /// The trade dataset [default: the real BACI-format dataset with the most rows].
    pub dataset: Option<String>,
    /// Which products: all, dependency, strategic or risky [default: all].
    pub tier: Option<TierParam>,
    /// The re-export correction: none or net [default: the settings', none].
    pub reexport: Option<ReexportParam>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// `critical` and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrmQuery {
    /// Only the materials assessed critical [default: false].
    pub critical: Option<bool>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// `format` only.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// A selection of national-accounts figures.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// `va` (gross value added at current prices), `va-share` (an activity's share of
    /// total value added, %) or a national-accounts dataset id.
    pub what: String,
    /// Geography codes, comma-separated [default: all].
    pub geo: Option<String>,
    /// NACE codes, comma-separated (C, TOTAL …) [default: all].
    pub nace: Option<String>,
    /// One year.
    pub year: Option<i32>,
    /// First year.
    pub from: Option<i32>,
    /// Last year.
    pub to: Option<i32>,
    /// Unit code (CP_MEUR, CP_MNAC, PC_TOT) [default: every unit of `what`].
    pub unit: Option<String>,
    /// `auto` (the first dataset that has the selection), `all`, or a dataset id.
    pub source: Option<String>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// One figure across releases, or the releases of a dataset.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VintagesQuery {
    /// A dataset id, or `va` (value added at current prices from every source).
    pub what: String,
    /// Geography codes, comma-separated; with `nace` or `year` a selection of figures.
    pub geo: Option<String>,
    /// NACE codes, comma-separated.
    pub nace: Option<String>,
    /// Year.
    pub year: Option<i32>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// The convention of the Growth Lab's packages to reproduce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConventionParam {
    /// The Atlas of Economic Complexity (Stata `ecomplexity`), the default.
    #[default]
    Stata,
    /// The Python `ecomplexity` 0.5.3 package.
    Python,
}

/// A trade dataset, a year, a convention and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplexityQuery {
    /// BACI-format trade (or any table with year, location, product and value
    /// columns) in the store [default: the real trade dataset with the most rows].
    pub dataset: Option<String>,
    /// Only this year [default: every year].
    pub year: Option<i32>,
    /// stata or python [default: stata].
    pub convention: Option<ConventionParam>,
    /// Output format [default: json; CSV: one row per year, location and product].
    pub format: Option<Format>,
}

/// The ranking of products within reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RankParam {
    /// Complexity outlook gain (the default).
    #[default]
    Cog,
    /// Density: closeness to what the country exports now.
    Density,
    /// Product complexity.
    Pci,
}

/// A country, the trade, the ranking and `format`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpportunitiesQuery {
    /// Country (ISO alpha-2 or alpha-3) [default: NL].
    pub geo: Option<String>,
    /// The trade dataset [default: the real trade dataset with the most rows].
    pub dataset: Option<String>,
    /// The year [default: the latest].
    pub year: Option<i32>,
    /// Rank by cog, density or pci [default: cog].
    pub by: Option<RankParam>,
    /// Only products with PCI at least this.
    pub min_pci: Option<f64>,
    /// Number of products [default: 20, at most 500].
    pub top: Option<usize>,
    /// stata or python [default: stata].
    pub convention: Option<ConventionParam>,
    /// Output format [default: json].
    pub format: Option<Format>,
}

/// The query string of an API request, parsed into `T`; a value that does not parse
/// (an unknown `format`, a year that is not a number) is a 400 with problem details
/// naming the parameter, like every other bad parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| {
                let detail = e.body_text();
                crate::error::AppError::BadRequest(
                    detail
                        .strip_prefix("Failed to deserialize query string: ")
                        .unwrap_or(&detail)
                        .chars()
                        .take(300)
                        .collect(),
                )
            })
    }
}

/// A synthetic control of the industry share on the store (the `industry-share`
/// preset of `indmon evaluate synth`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SynthQuery {
    /// The treated country (Eurostat code) [default: the target country, NL].
    pub treated: Option<String>,
    /// The first year of the treatment [default: 2011, the top-sector policy].
    pub treatment_year: Option<i32>,
    /// The placebo test in space (every donor refitted as if treated) [default: true].
    pub placebo: Option<bool>,
    /// The table written as CSV (and, except for gaps, as JSON) [default: gaps; its JSON is the whole result].
    pub table: Option<indmon_report::evaluate::synth::SynthTable>,
    /// Output format [default: json].
    pub format: Option<Format>,
}
