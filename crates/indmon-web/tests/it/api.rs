//! The JSON API in process: each endpoint answers with its result's own JSON and CSV
//! (what `indmon-report` renders), bad parameters get problem details, and hostile
//! values never reach a query.

use axum::http::StatusCode;
use indmon_core::Settings;
use indmon_report::Tabular;
use indmon_report::table;
use indmon_report::target::{self, DecompositionRequest, Scope};
use indmon_store::Store;

use crate::support::{App, data_dir};

#[tokio::test]
async fn the_decomposition_is_the_reports_csv_and_json() {
    let app = App::new();
    let store = Store::open(data_dir()).unwrap();
    let catalog = store.catalog().unwrap();
    let want = target::decomposition(
        &store,
        &catalog,
        &DecompositionRequest {
            geo: "NL".into(),
            from: Some(2013),
            to: Some(2023),
            scope: Scope::of(&Settings::default().target),
        },
    )
    .await
    .unwrap();
    let csv = app
        .get(
            "/api/v1/target/decomposition?geo=NL&from=2013&to=2023&format=csv",
            "",
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(csv.text, want.table().csv());
    let json = app
        .get("/api/v1/target/decomposition?geo=NL&from=2013&to=2023", "")
        .await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.text, table::json(&want));
}

#[tokio::test]
async fn bad_parameters_get_problem_details_naming_them() {
    let app = App::new();
    for (target, status, says) in [
        (
            "/api/v1/target?geo=nl%27%3B",
            StatusCode::BAD_REQUEST,
            "geo",
        ),
        (
            "/api/v1/target/decomposition?from=2023&to=2013",
            StatusCode::BAD_REQUEST,
            "after",
        ),
        (
            "/api/v1/target/peers?year=3000",
            StatusCode::BAD_REQUEST,
            "year",
        ),
        (
            "/api/v1/series?what=x%27%20OR%201%3D1",
            StatusCode::BAD_REQUEST,
            "what",
        ),
        (
            "/api/v1/series?what=va&geo=NL,DE%27",
            StatusCode::BAD_REQUEST,
            "geo",
        ),
        (
            "/api/v1/vintages?what=nosuch",
            StatusCode::NOT_FOUND,
            "nosuch",
        ),
        (
            "/api/v1/markets/no_such_market",
            StatusCode::BAD_REQUEST,
            "no_such_market",
        ),
        ("/api/v1/dependencies/85051", StatusCode::BAD_REQUEST, "hs6"),
        (
            "/api/v1/dependencies?tier=riskiest",
            StatusCode::BAD_REQUEST,
            "tier",
        ),
        (
            "/api/v1/opportunities?geo=XX",
            StatusCode::BAD_REQUEST,
            "XX",
        ),
        (
            "/api/v1/complexity?dataset=..%2Fetc",
            StatusCode::BAD_REQUEST,
            "dataset",
        ),
    ] {
        let r = app.get(target, "").await;
        assert_eq!(r.status, status, "{target}: {}", r.text);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{target}"
        );
        assert!(r.text.contains(says), "{target}: {}", r.text);
    }
}

#[tokio::test]
async fn every_result_has_csv_with_its_declared_header() {
    let app = App::new();
    for (target, first) in [
        ("/api/v1/target?format=csv", "year,observed_%"),
        ("/api/v1/target/peers?format=csv", "geo,share_%,rank"),
        ("/api/v1/markets?format=csv", "market,geo,year"),
        ("/api/v1/dependencies?format=csv", "reporter,hs6,name,year"),
        ("/api/v1/crm?format=csv", "material,"),
        ("/api/v1/sources?format=csv", "dataset,vintage,publisher"),
    ] {
        let r = app.get(target, "").await;
        assert_eq!(r.status, StatusCode::OK, "{target}: {}", r.text);
        assert!(r.text.starts_with(first), "{target}: {}", r.text);
        assert!(r.text.lines().count() > 1, "{target}: no rows");
    }
}
