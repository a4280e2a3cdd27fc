//! `/api/v1/ledger`: the whole programme ledger as JSON, as an Excel workbook, or one
//! kind of record as CSV.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use indmon_ledger::schema;

use super::{Failure, with_ledger};
use crate::params::ApiQuery;
use crate::state::AppState;

/// The query of the ledger API.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// `json` (default, everything), `xlsx` (everything, a sheet per kind of record) or
    /// `csv` (one kind of record, see `entity`).
    pub format: Option<String>,
    /// With `format=csv`: the kind of record (`programme` by default; `goal`,
    /// `action_type`, `action`, `instrument`, `budget_line`, `indicator`, `actual`,
    /// `evaluation`, `milestone`, or their plurals).
    pub entity: Option<String>,
}

/// The whole programme ledger: the goal, programmes, action types, actions,
/// instruments, budget lines, indicators, actuals, evaluations and milestones.
#[utoipa::path(
    get,
    path = "/api/v1/ledger",
    tag = "ledger",
    operation_id = "ledger",
    params(LedgerQuery),
    responses(
        (status = 200, description = "The ledger as JSON (an array per kind of record), as an Excel workbook with format=xlsx, or one kind of record as CSV with format=csv", content_type = "application/json", body = Object),
        (status = 400, description = "Unknown format", content_type = "application/problem+json"),
        (status = 503, description = "This server has no ledger", content_type = "application/problem+json"),
    )
)]
pub async fn api(
    State(state): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Response {
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "xlsx" | "csv") {
        return crate::error::problem(
            StatusCode::BAD_REQUEST,
            "format: expected json, xlsx or csv",
        );
    }
    let entity = match schema::entity(q.entity.as_deref().unwrap_or("programme")) {
        Some(e) => e,
        None => {
            return crate::error::problem(
                StatusCode::BAD_REQUEST,
                &format!("entity: expected one of {}", schema::entity_names()),
            );
        }
    };
    let res = with_ledger(state.ledger.get(), |l| {
        Ok((l.snapshot()?, l.target().to_owned()))
    })
    .await;
    let (snap, target) = match res {
        Ok(x) => x,
        Err(Failure::NoLedger) => {
            return crate::error::problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "this server has no programme ledger",
            );
        }
        Err(_) => {
            return crate::error::problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the ledger cannot be read now",
            );
        }
    };
    // Where the ledger lives is the server's business, not the reader's.
    let from = if indmon_ledger::db::is_postgres(&target) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    if format == "csv" {
        return match indmon_ledger::io::to_csv(entity, snap.of(entity.name)) {
            Ok(bytes) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                )],
                bytes,
            )
                .into_response(),
            Err(e) => crate::error::problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
    }
    if format == "xlsx" {
        return match indmon_ledger::io::to_xlsx(&snap, from) {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        ),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_static("attachment; filename=\"indmon-ledger.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => crate::error::problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
    }
    axum::Json(indmon_ledger::io::to_json(&snap, from)).into_response()
}
