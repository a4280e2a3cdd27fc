//! Integrity (issue 19, item 4): every stored Parquet file's SHA-256 is in its record and
//! checked before it is read; a damaged record or file makes only its own dataset
//! unavailable, with the file named.

use std::path::{Path, PathBuf};

use indmon_core::{DatasetId, ErrorKind};
use indmon_store::{Error, FileStatus, QueryOptions, Select, Store};
use sha2::{Digest, Sha256};

use crate::{meta, put, rt};

fn sha256(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A store with two datasets, `va` and `vb`; returns the folder of `va`'s vintage.
fn two_datasets(store: &Store) -> PathBuf {
    put(
        store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    put(
        store,
        "vb",
        "2024-03-01",
        "bbbbbbbb22",
        &[("DE", 2023, 2.0)],
    );
    store.vintage_dir("va", "2024-03-01-aaaaaaaa")
}

fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

fn sql(store: &Store, q: &str) -> Result<indmon_store::Rows, Error> {
    rt().block_on(store.sql(q, &QueryOptions::default()))
}

#[test]
fn every_stored_file_has_its_checksum_in_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let va = two_datasets(&store);
    let record = store.catalog().unwrap().latest("va").unwrap().clone();
    assert_eq!(
        record.data_sha256.as_deref(),
        Some(sha256(&va.join("data.parquet")).as_str())
    );
    // on disk too
    let text = std::fs::read_to_string(va.join("meta.json")).unwrap();
    assert!(text.contains(&sha256(&va.join("data.parquet"))), "{text}");
    // results written from typed columns get one as well
    let mut w = store.writer(&DatasetId::new("vc").unwrap()).unwrap();
    w.write_columns(
        indmon_store::Columns::new()
            .text("geo", ["NL", "DE"])
            .int("time", [2023, 2023])
            .float("value", [1.0, 2.0]),
    )
    .unwrap();
    let stored = w
        .commit(&meta("vc", "2024-03-01", "cccccccc33", 2), false)
        .unwrap();
    let file = store
        .vintage_dir("vc", "2024-03-01-cccccccc")
        .join("data.parquet");
    assert_eq!(stored.data_sha256, Some(sha256(&file)));
    let checks = store.verify(None).unwrap();
    assert_eq!(checks.len(), 6, "{checks:?}");
    assert!(
        checks.iter().all(|c| c.status == FileStatus::Ok),
        "{checks:?}"
    );
}

#[test]
fn a_flipped_byte_makes_only_its_dataset_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let va = two_datasets(&store);
    let file = va.join("data.parquet");
    flip_a_byte(&file);

    // the other dataset, the catalog and the history of the other are read as usual
    assert_eq!(sql(&store, "SELECT value FROM vb").unwrap().len(), 1);
    assert_eq!(
        sql(&store, "SELECT value FROM vb__vintages").unwrap().len(),
        1
    );
    assert_eq!(
        sql(&store, "SELECT dataset FROM indmon_catalog")
            .unwrap()
            .len(),
        2
    );
    // a read of the damaged one fails, naming the file
    for q in [
        "SELECT value FROM va",
        "SELECT * FROM vb JOIN va ON vb.time = va.time",
        "SELECT value FROM va__vintages",
    ] {
        let e = sql(&store, q).unwrap_err();
        assert!(matches!(e, Error::Unavailable(_)), "{q}: {e}");
        assert_eq!(e.kind(), ErrorKind::Input);
        let text = e.to_string();
        assert!(text.contains("dataset va is unavailable"), "{text}");
        assert!(text.contains(&file.display().to_string()), "{text}");
        assert!(text.contains("checksum mismatch"), "{text}");
    }
    let e = rt()
        .block_on(store.fetch(
            &Select::from("va").columns(["value"]),
            &QueryOptions::default(),
        ))
        .unwrap_err();
    assert!(matches!(e, Error::Unavailable(_)), "{e}");
    // the catalog now says so (this process found it), and still lists the records
    let catalog = store.catalog().unwrap();
    let u: Vec<_> = catalog.unavailable().collect();
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].dataset, "va");
    assert_eq!(u[0].file, file);
    assert_eq!(
        u[0].within,
        "datasets/va/vintage=2024-03-01-aaaaaaaa/data.parquet"
    );
    assert!(catalog.latest("va").is_some());

    // verify finds it, and only it
    let checks = store.verify(None).unwrap();
    let bad: Vec<_> = checks.iter().filter(|c| c.status.is_problem()).collect();
    assert_eq!(bad.len(), 1, "{checks:?}");
    assert_eq!(bad[0].file, file);
    assert!(matches!(bad[0].status, FileStatus::Mismatch { .. }));
    assert!(
        store
            .verify(Some("vb"))
            .unwrap()
            .iter()
            .all(|c| c.status == FileStatus::Ok)
    );
    assert!(matches!(
        store.verify(Some("nothing")).unwrap_err(),
        Error::NotFound(_)
    ));
}

#[test]
fn an_unreadable_record_makes_only_its_dataset_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let va = two_datasets(&store);
    let record = va.join("meta.json");
    let text = std::fs::read(&record).unwrap();
    std::fs::write(&record, &text[..text.len() / 2]).unwrap();

    let catalog = store.catalog().unwrap();
    assert_eq!(catalog.datasets().collect::<Vec<_>>(), ["vb"]);
    assert!(!catalog.is_empty());
    let u = catalog.unavailable_dataset("va").unwrap();
    assert_eq!(u.file, record);
    assert!(u.reason.contains("unreadable catalog record"), "{u}");

    assert_eq!(sql(&store, "SELECT value FROM vb").unwrap().len(), 1);
    let e = sql(&store, "SELECT value FROM va").unwrap_err();
    assert!(matches!(e, Error::Unavailable(_)), "{e}");
    assert!(e.to_string().contains(&record.display().to_string()), "{e}");

    let checks = store.verify(Some("va")).unwrap();
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0].file, record);
    assert!(matches!(checks[0].status, FileStatus::Unreadable(_)));

    // a record moved to another folder is not taken for that folder's
    std::fs::write(&record, &text).unwrap();
    let moved = store.vintage_dir("va", "2025-01-01-00000000");
    std::fs::rename(&va, &moved).unwrap();
    let catalog = store.catalog().unwrap();
    let u = catalog.unavailable_dataset("va").unwrap();
    assert!(u.reason.contains("not of its folder"), "{u}");
}

/// Removes the checksum from a record, as in a store written before checksums.
fn forget_checksum(record: &Path) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("data_sha256").unwrap();
    std::fs::write(record, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn a_record_without_a_checksum_is_read_and_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let va = two_datasets(&store);
    forget_checksum(&va.join("meta.json"));
    assert_eq!(sql(&store, "SELECT value FROM va").unwrap().len(), 1);
    let checks = store.verify(Some("va")).unwrap();
    assert_eq!(checks[1].status, FileStatus::NoChecksum);
    assert_eq!(checks[1].status.to_string(), "no checksum recorded");
    assert!(!checks[1].status.is_problem());
}

#[test]
fn a_parquet_file_that_cannot_be_opened_fails_only_its_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let va = two_datasets(&store);
    // no checksum to catch it: the engine finds the file unreadable
    forget_checksum(&va.join("meta.json"));
    let file = va.join("data.parquet");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(sql(&store, "SELECT value FROM vb").unwrap().len(), 1);
    let e = sql(&store, "SELECT value FROM va").unwrap_err();
    assert!(matches!(e, Error::Unavailable(_)), "{e}");
    assert!(e.to_string().contains("dataset va is unavailable"), "{e}");
    assert!(e.to_string().contains(&va.display().to_string()), "{e}");
}
