//! Releases (issue 19, item 5): several vintages appear as one unit, a refused release
//! changes nothing, and a replaced vintage is exchanged in one step.

use indmon_core::DatasetId;
use indmon_store::{Error, QueryOptions, Store};

use crate::{batch, meta, put, rt, snapshot, values};

#[test]
fn a_release_appears_as_one_unit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut release = store.release().unwrap();
    for (ds, sha, v) in [("trade", "aaaaaaaa11", 1.0), ("codes", "bbbbbbbb22", 2.0)] {
        let mut w = release.writer(&DatasetId::new(ds).unwrap()).unwrap();
        w.write(batch(&[("NL", 2023, v)])).unwrap();
        let stored = release.add(w, &meta(ds, "2024-03-01", sha, 1)).unwrap();
        assert!(stored.data_sha256.is_some());
        // staged, not visible
        assert!(store.catalog().unwrap().is_empty());
    }
    let stored = release.commit(false).unwrap();
    assert_eq!(stored.len(), 2);
    let catalog = store.catalog().unwrap();
    assert_eq!(catalog.datasets().collect::<Vec<_>>(), ["codes", "trade"]);
    assert_eq!(catalog.latest("trade").unwrap(), &stored[0]);
    let tmp: Vec<_> = std::fs::read_dir(dir.path().join("tmp")).unwrap().collect();
    assert!(tmp.is_empty(), "{tmp:?}");
}

#[test]
fn a_release_with_a_vintage_already_stored_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    put(
        &store,
        "codes",
        "2024-03-01",
        "bbbbbbbb22",
        &[("NL", 2023, 2.0)],
    );
    let before = snapshot(dir.path());
    let mut release = store.release().unwrap();
    for (ds, sha) in [("trade", "aaaaaaaa11"), ("codes", "bbbbbbbb22")] {
        let mut w = release.writer(&DatasetId::new(ds).unwrap()).unwrap();
        w.write(batch(&[("NL", 2023, 9.0)])).unwrap();
        release.add(w, &meta(ds, "2024-03-01", sha, 1)).unwrap();
    }
    let e = release.commit(false).unwrap_err();
    assert!(matches!(e, Error::Exists { .. }), "{e}");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_forced_replacement_leaves_only_the_new_vintage() {
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
        "vb",
        "2024-03-01",
        "bbbbbbbb22",
        &[("NL", 2023, 1.0)],
    );
    let mut release = store.release().unwrap();
    for ds in ["va", "vb"] {
        let sha = if ds == "va" {
            "aaaaaaaa11"
        } else {
            "bbbbbbbb22"
        };
        let mut w = release.writer(&DatasetId::new(ds).unwrap()).unwrap();
        w.write(batch(&[("NL", 2023, 5.0)])).unwrap();
        release.add(w, &meta(ds, "2024-03-01", sha, 1)).unwrap();
    }
    release.commit(true).unwrap();
    for ds in ["va", "vb"] {
        let v = rt()
            .block_on(store.sql(&format!("SELECT value FROM {ds}"), &QueryOptions::default()))
            .unwrap();
        assert_eq!(values(&v), vec![5.0]);
    }
    assert!(
        std::fs::read_dir(dir.path().join("tmp"))
            .unwrap()
            .next()
            .is_none()
    );
    assert!(
        store
            .verify(None)
            .unwrap()
            .iter()
            .all(|c| !c.status.is_problem())
    );
}
