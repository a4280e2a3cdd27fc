//! What every handler shares: the store, the settings, the catalog, the runtime the
//! queries run on, and the cache of computed results.
//!
//! The server never writes to the store. Results are computed once per distinct
//! request, under the query limits of the settings (the store's memory pool, shared by
//! all computations, and the time limit), and kept; a computation nobody waits for any
//! more is stopped; a background task re-reads the catalog every few seconds and
//! empties the cache when a vintage was added or removed (`indmon ingest` in another
//! process), so a page never shows figures of a release the store no longer serves.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use indmon_core::Settings;
use indmon_store::{Catalog, Store};
use tokio::sync::{OnceCell, Semaphore};

use crate::error::AppError;

/// At most this many distinct results are kept; beyond it the cache starts afresh
/// (requests with arbitrary parameters cannot grow memory without bound).
const CACHE_ENTRIES: usize = 512;

type Entry = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// The shared state of the server.
pub struct AppState {
    /// The store (read only).
    pub store: Store,
    /// The resolved settings.
    pub settings: Settings,
    catalog: RwLock<Arc<Catalog>>,
    cache: Mutex<HashMap<String, Entry>>,
    pages: Mutex<HashMap<String, axum::body::Bytes>>,
    /// The runtime computations run on, apart from the one answering requests, so a
    /// slow query never holds up the answers that come from the cache.
    queries: QueryRuntime,
    /// At most this many computations run at once.
    permits: Semaphore,
    /// The programme ledger, when the server has one (`attach_ledger`).
    pub ledger: std::sync::OnceLock<Arc<crate::ledger::LedgerState>>,
}

/// A tokio runtime that is shut down without blocking when dropped (dropping a
/// runtime inside another one would panic otherwise).
struct QueryRuntime(Option<tokio::runtime::Runtime>);

impl Drop for QueryRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Cancels a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The vintages of a catalog — each with its stored file's checksum and retrieval time,
/// since `ingest --force` replaces a vintage under the same id — and the datasets that
/// cannot be read: what decides whether results still hold.
fn fingerprint(c: &Catalog) -> Vec<(String, String)> {
    c.all()
        .map(|m| {
            (
                m.dataset.to_string(),
                format!(
                    "{} {} {}",
                    m.vintage,
                    m.data_sha256.as_deref().unwrap_or(&m.sha256),
                    m.retrieved_at.to_rfc3339()
                ),
            )
        })
        .chain(
            c.unavailable()
                .map(|u| (u.dataset.clone(), format!("unavailable: {}", u.reason))),
        )
        .collect()
}

impl AppState {
    /// The state for `store` with `settings`; reads the catalog once.
    pub fn new(store: Store, settings: Settings) -> Result<Arc<Self>, AppError> {
        let catalog = store.catalog()?;
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("indmon-query")
            .enable_all()
            .build()
            .map_err(|e| AppError::Internal(format!("starting the query runtime: {e}")))?;
        Ok(Arc::new(Self {
            store,
            settings,
            catalog: RwLock::new(Arc::new(catalog)),
            cache: Mutex::new(HashMap::new()),
            pages: Mutex::new(HashMap::new()),
            queries: QueryRuntime(Some(rt)),
            permits: Semaphore::new(workers),
            ledger: std::sync::OnceLock::new(),
        }))
    }

    /// Serves `ledger` on the programme pages; false if one is attached already.
    pub fn attach_ledger(&self, ledger: indmon_ledger::Ledger) -> bool {
        self.ledger
            .set(Arc::new(crate::ledger::LedgerState::new(ledger)))
            .is_ok()
    }

    /// The catalog as last read.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().expect("catalog lock").clone()
    }

    /// Re-reads the catalog; when its vintages changed, keeps the new one and empties
    /// the cache. Returns whether it changed.
    pub fn refresh(&self) -> Result<bool, AppError> {
        let fresh = self.store.catalog()?;
        let changed = fingerprint(&fresh) != fingerprint(&self.catalog());
        if changed {
            *self.catalog.write().expect("catalog lock") = Arc::new(fresh);
            self.cache.lock().expect("cache lock").clear();
            self.pages.lock().expect("page cache lock").clear();
        }
        Ok(changed)
    }

    /// Re-reads the catalog every `every` while the state lives.
    pub fn watch(self: &Arc<Self>, every: Duration) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(state) = weak.upgrade() else { break };
                if let Err(e) = state.refresh() {
                    eprintln!("indmon serve: re-reading the catalog failed: {e:?}");
                }
            }
        });
    }

    /// A rendered page kept for `key` (its request target).
    pub fn page(&self, key: &str) -> Option<axum::body::Bytes> {
        self.pages
            .lock()
            .expect("page cache lock")
            .get(key)
            .cloned()
    }

    /// Keeps a rendered page for `key` (bounded like the results).
    pub fn keep_page(&self, key: String, body: axum::body::Bytes) {
        let mut pages = self.pages.lock().expect("page cache lock");
        if pages.len() >= CACHE_ENTRIES && !pages.contains_key(&key) {
            pages.clear();
        }
        pages.insert(key, body);
    }

    /// The result of `compute` for `key`: computed once on the query runtime (other
    /// requests for the same key wait for it), then served from the cache. Errors are
    /// not kept.
    pub async fn cached<T, F, Fut>(
        self: &Arc<Self>,
        key: String,
        compute: F,
    ) -> Result<Arc<T>, AppError>
    where
        T: Send + Sync + 'static,
        F: FnOnce(Arc<Self>) -> Fut,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let cell = {
            let mut cache = self.cache.lock().expect("cache lock");
            if cache.len() >= CACHE_ENTRIES && !cache.contains_key(&key) {
                cache.clear();
            }
            cache.entry(key.clone()).or_default().clone()
        };
        let value = cell
            .get_or_try_init(|| async {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let fut = compute(self.clone());
                let rt = self.queries.0.as_ref().expect("query runtime").handle();
                let task = rt.spawn(fut);
                // the computation stops when nobody waits for it any more (the request
                // timed out or its client left) or at the query time limit
                let _stop = AbortOnDrop(task.abort_handle());
                let limit = self.store.limits().time;
                let v = tokio::time::timeout(limit, task)
                    .await
                    .map_err(|_| {
                        AppError::Unavailable(format!(
                            "computing this took longer than the limit of {} s ([query] timeout_secs) and was stopped",
                            limit.as_secs()
                        ))
                    })?
                    .map_err(|e| AppError::Internal(format!("computing {key}: {e}")))??;
                Ok::<_, AppError>(Arc::new(v) as Arc<dyn Any + Send + Sync>)
            })
            .await?
            .clone();
        value
            .downcast::<T>()
            .map_err(|_| AppError::Internal("a cached result has another type".into()))
    }
}
