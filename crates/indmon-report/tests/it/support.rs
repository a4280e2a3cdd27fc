//! A store with the bundled snapshot, made once per test binary and shared (read only).

use std::sync::OnceLock;

use indmon_store::{Catalog, Store};

/// The fixture: a data directory with every bundled dataset loaded.
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// The store.
    pub store: Store,
    /// Its catalog.
    pub catalog: Catalog,
}

/// The shared fixture store (loaded on first use).
pub fn bundled() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("data")).unwrap();
        indmon_ingest::load_bundle(&store, false, &indmon_ingest::Quiet).unwrap();
        let catalog = store.catalog().unwrap();
        Fixture {
            _dir: dir,
            store,
            catalog,
        }
    })
}

/// Runs a report's future to completion.
pub fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
