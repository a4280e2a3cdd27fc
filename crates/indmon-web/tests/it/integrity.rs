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

#[tokio::test]
async fn a_damaged_dataset_is_named_and_everything_else_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    indmon_ingest::load_bundle(&store, false, &indmon_ingest::Quiet).unwrap();
    // a byte flipped in the trade data, a catalog record cut short
    let parquet = vintage_dir(&data, "baci_hs17").join("data.parquet");
    let mut bytes = std::fs::read(&parquet).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&parquet, bytes).unwrap();
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

    // answers that need a damaged dataset: problem details naming it and its file
    for (target, dataset, file) in [
        ("/api/v1/dependencies", "baci_hs17", "data.parquet"),
        ("/api/v1/vintages?what=baci_countries", "baci_countries", "meta.json"),
    ] {
        let r = app.get(target, "").await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{target}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let p: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("dataset {dataset} is unavailable")), "{detail}");
        assert!(detail.contains(file), "{detail}");
        // the data directory's location is not told
        assert!(!detail.contains(data.to_str().unwrap()), "{detail}");
    }
    // and the pages around them still answer
    let r = app.get("/api/v1/target", "").await;
    assert_eq!(r.status, StatusCode::OK);
}
