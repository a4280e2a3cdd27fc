//! Integration tests of the store: atomic vintages, catalog, as-of views, the
//! read-only SQL guard.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use datafusion::arrow::array::{Float64Array, Int32Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use indmon_core::{DatasetId, VintageMeta};
use indmon_store::{Error, QueryOptions, Store};

mod integrity;
mod limits;
mod release;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("geo", DataType::Utf8, false),
        Field::new("time", DataType::Int32, false),
        Field::new("value", DataType::Float64, true),
    ]))
}

fn batch(rows: &[(&str, i32, f64)]) -> RecordBatch {
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(StringArray::from(
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            )),
            Arc::new(Int32Array::from(
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            )),
            Arc::new(Float64Array::from(
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            )),
        ],
    )
    .unwrap()
}

fn meta(dataset: &str, release: &str, sha: &str, rows: u64) -> VintageMeta {
    let release = NaiveDate::parse_from_str(release, "%Y-%m-%d").unwrap();
    VintageMeta {
        dataset: DatasetId::new(dataset).unwrap(),
        vintage: VintageMeta::make_id(release, sha),
        title: "Test".into(),
        publisher: "Test publisher".into(),
        source: "test".into(),
        input: "test.csv".into(),
        retrieved_at: Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap(),
        release: Some(release),
        release_label: None,
        release_basis: None,
        sha256: sha.into(),
        input_bytes: 10,
        rows,
        schema: "test".into(),
        schema_version: 1,
        parser: "test/1".into(),
        licence: "CC BY 4.0".into(),
        citation: "Test".into(),
        scope: None,
        synthetic: false,
        min_flow_usd: None,
        indmon_version: "0".into(),
        data_sha256: None,
    }
}

fn put(store: &Store, dataset: &str, release: &str, sha: &str, rows: &[(&str, i32, f64)]) {
    let mut w = store.writer(&DatasetId::new(dataset).unwrap()).unwrap();
    w.write(batch(rows)).unwrap();
    w.commit(&meta(dataset, release, sha, rows.len() as u64), false)
        .unwrap();
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    walk(root, root, &mut out);
    out
}

fn values(rows: &indmon_store::Rows) -> Vec<f64> {
    rows.f64s(0).unwrap().into_iter().flatten().collect()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_committed_vintage_is_queryable_with_its_catalog_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    put(
        &store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    put(
        &store,
        "va",
        "2025-03-12",
        "bbbbbbbb22",
        &[("NL", 2023, 2.0)],
    );
    let cat = store.catalog().unwrap();
    assert_eq!(cat.vintages("va").len(), 2);
    assert_eq!(cat.latest("va").unwrap().vintage, "2025-03-12-bbbbbbbb");
    let rt = rt();
    let latest = rt
        .block_on(store.sql("SELECT value FROM va", &QueryOptions::default()))
        .unwrap();
    assert_eq!(values(&latest), vec![2.0]);
    let as_of = QueryOptions {
        as_of: NaiveDate::from_ymd_opt(2024, 12, 31),
        ..Default::default()
    };
    let old = rt
        .block_on(store.sql("SELECT value FROM va", &as_of))
        .unwrap();
    assert_eq!(values(&old), vec![1.0]);
    let all = rt
        .block_on(store.sql(
            "SELECT value FROM va__vintages ORDER BY vintage",
            &QueryOptions::default(),
        ))
        .unwrap();
    assert_eq!(values(&all), vec![1.0, 2.0]);
    let cat_rows = rt
        .block_on(store.sql(
            "SELECT CAST(rows AS DOUBLE) FROM indmon_catalog WHERE is_latest",
            &QueryOptions::default(),
        ))
        .unwrap();
    assert_eq!(values(&cat_rows), vec![1.0]);
}

#[test]
fn an_aborted_write_leaves_the_store_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    put(
        &store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    let before = snapshot(dir.path());
    {
        let mut w = store.writer(&DatasetId::new("va").unwrap()).unwrap();
        w.write(batch(&[("NL", 2023, 9.0)])).unwrap();
        // dropped without commit, as on a parse error
    }
    {
        // a new dataset, also abandoned: no folder for it may appear
        let mut w = store.writer(&DatasetId::new("other").unwrap()).unwrap();
        w.write(batch(&[("NL", 2023, 9.0)])).unwrap();
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn the_same_vintage_twice_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    put(
        &store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    let before = snapshot(dir.path());
    let mut w = store.writer(&DatasetId::new("va").unwrap()).unwrap();
    w.write(batch(&[("NL", 2023, 5.0)])).unwrap();
    let e = w
        .commit(&meta("va", "2024-03-01", "aaaaaaaa11", 1), false)
        .unwrap_err();
    assert!(matches!(e, Error::Exists { .. }), "{e}");
    assert_eq!(snapshot(dir.path()), before);
    let mut w = store.writer(&DatasetId::new("va").unwrap()).unwrap();
    w.write(batch(&[("NL", 2023, 5.0)])).unwrap();
    w.commit(&meta("va", "2024-03-01", "aaaaaaaa11", 1), true)
        .unwrap();
    let v = rt()
        .block_on(store.sql("SELECT value FROM va", &QueryOptions::default()))
        .unwrap();
    assert_eq!(values(&v), vec![5.0]);
}

#[test]
fn a_record_that_disagrees_with_the_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut w = store.writer(&DatasetId::new("va").unwrap()).unwrap();
    w.write(batch(&[("NL", 2023, 5.0)])).unwrap();
    let e = w
        .commit(&meta("va", "2024-03-01", "aaaaaaaa11", 7), false)
        .unwrap_err();
    assert!(e.to_string().contains("7 rows"), "{e}");
    assert!(store.catalog().unwrap().is_empty());
}

#[test]
fn one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let _w = store.writer(&DatasetId::new("va").unwrap()).unwrap();
    let e = store.writer(&DatasetId::new("va").unwrap()).err().unwrap();
    assert!(e.to_string().contains("another indmon process"), "{e}");
}

#[test]
fn a_foreign_folder_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.docx"), b"x").unwrap();
    let e = Store::open(dir.path()).unwrap_err();
    assert!(
        e.to_string().contains("not an indmon data directory"),
        "{e}"
    );
}

#[test]
fn writing_sql_is_refused_and_files_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    put(
        &store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    let before = snapshot(dir.path());
    let rt = rt();
    for sql in [
        "INSERT INTO va VALUES ('DE', 2023, 3.0)",
        "DROP TABLE va",
        "COPY va TO '/tmp/indmon-copy-test.parquet'",
        "CREATE TABLE x AS SELECT 1",
    ] {
        let e = rt
            .block_on(store.sql(sql, &QueryOptions::default()))
            .unwrap_err();
        assert!(matches!(e, Error::ReadOnly(_)), "{sql}: {e}");
        assert!(e.to_string().contains("read-only"), "{e}");
    }
    // no URL tables: a path is not a table
    let e = rt
        .block_on(store.sql("SELECT * FROM '/etc/passwd'", &QueryOptions::default()))
        .unwrap_err();
    assert!(matches!(e, Error::Query(_)), "{e}");
    assert!(!Path::new("/tmp/indmon-copy-test.parquet").exists());
    assert_eq!(snapshot(dir.path()), before);
}

/// A national-accounts vintage: (geo, time, value) rows in the `na_obs` shape.
fn put_na(store: &Store, release: &str, sha: &str, rows: &[(&str, i32, f64)]) {
    use datafusion::arrow::array::new_null_array;
    let fields = vec![
        Field::new("geo", DataType::Utf8, false),
        Field::new("nace", DataType::Utf8, false),
        Field::new("na_item", DataType::Utf8, false),
        Field::new("unit", DataType::Utf8, false),
        Field::new("time", DataType::Int32, false),
        Field::new("value", DataType::Float64, true),
        Field::new("flag", DataType::Utf8, true),
        Field::new("conf_status", DataType::Utf8, true),
        Field::new("series", DataType::Utf8, true),
        Field::new("note", DataType::Utf8, true),
    ];
    let schema = Arc::new(Schema::new(fields));
    let n = rows.len();
    let text =
        |v: &str| Arc::new(StringArray::from(vec![v; n])) as datafusion::arrow::array::ArrayRef;
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            )),
            text("C"),
            text("B1G"),
            text("CP_MEUR"),
            Arc::new(Int32Array::from(
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            )),
            Arc::new(Float64Array::from(
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            )),
            new_null_array(&DataType::Utf8, n),
            new_null_array(&DataType::Utf8, n),
            new_null_array(&DataType::Utf8, n),
            new_null_array(&DataType::Utf8, n),
        ],
    )
    .unwrap();
    let mut w = store.writer(&DatasetId::new("na").unwrap()).unwrap();
    w.write(batch).unwrap();
    let mut m = meta("na", release, sha, n as u64);
    m.schema = "na_obs".into();
    w.commit(&m, false).unwrap();
}

#[test]
fn national_accounts_are_read_per_observation_from_the_newest_vintage() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // a full release, then a later download of one country only
    put_na(
        &store,
        "2025-03-12",
        "aaaaaaaa11",
        &[("NL", 2023, 100.0), ("DE", 2023, 500.0)],
    );
    put_na(
        &store,
        "2025-09-01",
        "bbbbbbbb22",
        &[("NL", 2023, 101.0), ("NL", 2024, 104.0)],
    );
    let rt = rt();
    let q = |sql: &str, as_of: Option<&str>| {
        let opts = QueryOptions {
            as_of: as_of.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            ..Default::default()
        };
        values(&rt.block_on(store.sql(sql, &opts)).unwrap())
    };
    let sql = "SELECT value FROM na_obs ORDER BY geo, time";
    // DE stays from the full release, NL comes from the newer download
    assert_eq!(q(sql, None), vec![500.0, 101.0, 104.0]);
    assert_eq!(
        q("SELECT value FROM na ORDER BY geo, time", None),
        vec![500.0, 101.0, 104.0]
    );
    // as published before the download
    assert_eq!(q(sql, Some("2025-06-30")), vec![500.0, 100.0]);
    // every vintage stays visible for revision views
    assert_eq!(
        q(
            "SELECT value FROM na_obs__vintages WHERE geo = 'NL' AND time = 2023 ORDER BY vintage",
            None
        ),
        vec![100.0, 101.0]
    );
}
