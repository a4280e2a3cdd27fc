//! A damaged dataset (issue 19, item 4): the server keeps answering every other page and
//! endpoint, lists the dataset as unavailable, and an answer that needs it is a problem
//! details document naming the dataset and the file, never an empty 500.

use axum::http::StatusCode;
use indmon_store::Store;

use crate::support::App;

fn vintage_dir(data: &std::path::Path, dataset: &str) -> std::path::PathBuf {
    std::fs::read_dir(data.join("datasets").join(dataset))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .next()
        .unwrap()
}

/// The detail of a problem-details answer, which must be a 503 naming `dataset` and
/// `file` without telling where the data directory is.
fn unavailable(r: &crate::support::Reply, data: &std::path::Path, dataset: &str, file: &str) {
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let p: serde_json::Value = serde_json::from_str(&r.text).unwrap();
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("dataset {dataset} is unavailable")),
        "{detail}"
    );
    assert!(detail.contains(file), "{detail}");
    assert!(!detail.contains(data.to_str().unwrap()), "{detail}");
}

#[tokio::test]
async fn a_damaged_dataset_is_named_and_everything_else_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    indmon_ingest::load_bundle(&store, false, &indmon_ingest::Quiet).unwrap();

    // a byte flipped in the trade data
    let parquet = vintage_dir(&data, "baci_hs17").join("data.parquet");
    let mut bytes = std::fs::read(&parquet).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&parquet, bytes).unwrap();
    let app = App::on(&data);
    for ok in ["/", "/target", "/api/v1/target", "/api/v1/target/share"] {
        let r = app.get(ok, "").await;
        assert_eq!(r.status, StatusCode::OK, "{ok}: {}", r.text);
    }
    // an answer that needs it: problem details naming it and its file
    let r = app.get("/api/v1/dependencies", "").await;
    unavailable(&r, &data, "baci_hs17", "data.parquet");
    // a page that needs it says which and why, not an empty 500
    let r = app.get("/dependencies?lang=en", "").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert!(
        r.text.contains("dataset baci_hs17 is unavailable"),
        "{}",
        r.text
    );
    assert!(r.text.contains("data.parquet"), "{}", r.text);
    // the data page lists it once this process has found it
    let r = app.get("/data?lang=en", "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("id=\"unavailable\""), "{}", r.text);
    // and the pages around it still answer
    for ok in ["/api/v1/target", "/target?lang=en"] {
        let r = app.get(ok, "").await;
        assert_eq!(r.status, StatusCode::OK, "{ok}: {}", r.text);
    }

    // a catalog record cut short
    let record = vintage_dir(&data, "baci_countries").join("meta.json");
    let text = std::fs::read(&record).unwrap();
    std::fs::write(&record, &text[..text.len() / 3]).unwrap();
    let app = App::on(&data);
    for ok in ["/", "/target", "/api/v1/target", "/api/v1/target/share"] {
        let r = app.get(ok, "").await;
        assert_eq!(r.status, StatusCode::OK, "{ok}: {}", r.text);
    }
    // the list of sources and the data page name the unreadable record
    let r = app.get("/api/v1/sources", "").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.text).unwrap();
    assert_eq!(v["unavailable"][0]["dataset"], "baci_countries");
    assert!(
        v["unavailable"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("meta.json")
    );
    let r = app.get("/data?lang=en", "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("id=\"unavailable\""), "{}", r.text);
    assert!(r.text.contains("baci_countries"));
    // an answer that needs it names it
    let r = app.get("/api/v1/vintages?what=baci_countries", "").await;
    unavailable(&r, &data, "baci_countries", "meta.json");
    // (the screen needs both damaged datasets: it names one of them)
    let r = app.get("/api/v1/dependencies", "").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
}

/// `ingest --force` replaces a vintage under the same id: the server must see the new
/// one (its results and pages are kept per catalog), not serve the old figures until it
/// is restarted.
#[tokio::test(flavor = "multi_thread")]
async fn a_vintage_replaced_with_force_empties_the_servers_cache() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    indmon_ingest::load_bundle(&store, false, &indmon_ingest::Quiet).unwrap();
    let state = indmon_web::AppState::new(
        Store::open(&data).unwrap(),
        indmon_core::Settings::default(),
    )
    .unwrap();
    assert!(!state.refresh().unwrap(), "nothing changed yet");
    let before: Vec<String> = state.catalog().all().map(|m| m.vintage.clone()).collect();
    // the same files again, forced: the same vintage ids, written anew
    indmon_ingest::load_bundle(&store, true, &indmon_ingest::Quiet).unwrap();
    let after: Vec<String> = Store::open(&data)
        .unwrap()
        .catalog()
        .unwrap()
        .all()
        .map(|m| m.vintage.clone())
        .collect();
    assert_eq!(before, after, "a forced load keeps the vintage ids");
    assert!(
        state.refresh().unwrap(),
        "the replaced vintages were not noticed"
    );
}
