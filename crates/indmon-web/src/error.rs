//! One error type for every handler, answered as JSON problem details (RFC 9457).
//! Internal details go to the log (stderr), never to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error a handler returns.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// The request asks for something that does not exist (a page, an asset, a country
    /// without data).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed (a bad parameter).
    #[error("{0}")]
    BadRequest(String),
    /// A dataset the answer needs cannot be read (its catalog record or Parquet file
    /// is damaged; the detail names the dataset and the file within the data directory),
    /// or the answer would need more memory or time than the `[query]` limits allow.
    #[error("{0}")]
    Unavailable(String),
    /// Our own failure; the detail is logged, the client gets a reference only.
    #[error("internal error")]
    Internal(String),
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type (`about:blank`: the status says it).
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's short text.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
}

impl AppError {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<indmon_report::Error> for AppError {
    fn from(e: indmon_report::Error) -> Self {
        match e {
            indmon_report::Error::NoData(m) => Self::NotFound(m),
            indmon_report::Error::Invalid(m) => Self::BadRequest(m),
            indmon_report::Error::Store(e) => e.into(),
            e => Self::Internal(format!("{e:#}")),
        }
    }
}

impl From<indmon_store::Error> for AppError {
    fn from(e: indmon_store::Error) -> Self {
        match e {
            indmon_store::Error::NotFound(m) => Self::NotFound(m),
            indmon_store::Error::Unavailable(u) => {
                eprintln!("indmon serve: {u}");
                Self::Unavailable(format!(
                    "dataset {} is unavailable: {}: {}",
                    u.dataset, u.within, u.reason
                ))
            }
            indmon_store::Error::Limit(m) => Self::Unavailable(m),
            e => Self::Internal(format!("{e:#}")),
        }
    }
}

/// A problem-details response for `status` with `detail`.
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: detail.into(),
    };
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            Self::Internal(detail) => {
                eprintln!("indmon serve: internal error: {detail}");
                "the server failed to answer; the details are in its log".to_string()
            }
            e => e.to_string(),
        };
        problem(status, &detail)
    }
}
