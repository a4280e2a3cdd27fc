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

/// Issue 23: the semiconductor extract keeps only flows of at least USD 10 million;
/// the filter is said wherever its figures are shown — on the pages and in the API.
#[tokio::test]
async fn the_usd_10_million_filter_is_on_the_pages_and_in_the_api() {
    let app = App::new();
    let b: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/markets", "").await.text).unwrap();
    let semis = b["markets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["market"] == "semiconductors")
        .unwrap();
    assert_eq!(semis["dataset"], "baci_hs17_semis", "{semis}");
    assert_eq!(semis["min_flow_usd"], serde_json::json!(10_000_000.0));
    assert!(semis["p_value"].is_number(), "a tested trend: {semis}");
    let notes = b["notes"].to_string();
    assert!(
        notes.contains("holds only flows of at least USD 10 million"),
        "{notes}"
    );
    assert!(notes.contains("not comparable with each other"), "{notes}");
    assert!(
        b["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["dataset"] == "baci_hs17_semis" && s["min_flow_usd"] == 10_000_000.0),
        "{}",
        b["sources"]
    );
    let d: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/markets/semiconductors", "").await.text).unwrap();
    assert_eq!(d["min_flow_usd"], serde_json::json!(10_000_000.0));
    assert!(
        d["notes"]
            .to_string()
            .contains("flows of at least USD 10 million")
    );
    let csv = app.get("/api/v1/markets?format=csv", "").await.text;
    assert!(
        csv.lines().next().unwrap().ends_with(",min_flow_musd"),
        "{csv}"
    );

    for (page, text) in [
        (
            "/markets?lang=en",
            "Only flows of at least USD 10 million (baci_hs17_semis)",
        ),
        (
            "/markets",
            "Alleen handelsstromen van ten minste USD 10 miljoen (baci_hs17_semis)",
        ),
        (
            "/dependencies?dataset=baci_hs17_semis&lang=en",
            "Only flows of at least USD 10 million (baci_hs17_semis)",
        ),
    ] {
        let r = app.get(page, "").await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.text);
        assert!(r.text.contains(text), "{page}: {}", r.text);
    }
    // the complete extract's screen has no such caveat, and links to the other dataset
    let r = app.get("/dependencies?lang=en", "").await;
    assert!(!r.text.contains("Only flows of at least"), "{}", r.text);
    assert!(
        r.text
            .contains("/dependencies?dataset=baci_hs17_semis&amp;lang=en"),
        "{}",
        r.text
    );
    let api: serde_json::Value = serde_json::from_str(
        &app.get("/api/v1/dependencies?dataset=baci_hs17_semis&year=2024", "")
            .await
            .text,
    )
    .unwrap();
    assert_eq!(api["persistence_checked"], true, "{api}");
    assert!(
        api["notes"]
            .to_string()
            .contains("Persistence checked over 2022-2024")
    );
    assert!(
        api["notes"]
            .to_string()
            .contains("flows of at least USD 10 million")
    );
}
