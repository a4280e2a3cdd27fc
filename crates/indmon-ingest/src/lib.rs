//! Bringing data into the store: a source's parser feeding the store's vintage writer,
//! with the catalog record that goes with it ([`pipeline`]); files and BACI releases
//! given by the user ([`files`]); live downloads ([`live`]); and the first load of the
//! bundled snapshot ([`load_bundle`]). Writes go through here; the parsers
//! (`indmon-sources`) and the store (`indmon-store`) do not know each other.

pub mod files;
pub mod live;
pub mod pipeline;

use indmon_core::{DatasetId, ErrorKind, VintageMeta};
use indmon_sources::baci::BaciName;
use indmon_sources::formats::{ParseOptions, parse};
use indmon_sources::input::sha256_hex;
use indmon_sources::{Input, registry};
use indmon_store::Store;

pub use pipeline::{IngestRequest, Outcome, ParseFn, commit, ingest, stage};

/// What can go wrong while bringing data in.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input or the source (bad data, a failed download).
    #[error(transparent)]
    Source(#[from] indmon_sources::Error),
    /// The store.
    #[error(transparent)]
    Store(#[from] indmon_store::Error),
    /// Committing a vintage failed.
    #[error("{what}: {source}")]
    Commit {
        /// What was being stored.
        what: String,
        /// Why it failed.
        #[source]
        source: indmon_store::Error,
    },
    /// A dataset id or a date of a source description.
    #[error(transparent)]
    Core(#[from] indmon_core::Error),
    /// A download failed after all retries.
    #[error(transparent)]
    Fetch(#[from] indmon_sources::fetch::FetchError),
    /// A file of the bundled snapshot is missing from this build.
    #[error("bundled file data/{0} is missing from this build")]
    Bundled(String),
    /// What was asked does not make sense (no such file, a source without a live API,
    /// a malformed filter).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// The kind of failure (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Source(e) => e.kind(),
            Error::Store(e) | Error::Commit { source: e, .. } => e.kind(),
            Error::Core(e) => e.kind(),
            Error::Bundled(_) => ErrorKind::Internal,
            Error::Usage(_) => ErrorKind::Usage,
            Error::Fetch(e) => e.kind(),
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What [`load_bundle`] reports as it goes: the number of datasets, then each dataset
/// as it starts and what came of it.
pub trait BundleProgress {
    /// The number of bundled datasets.
    fn start(&self, _datasets: usize) {}
    /// A dataset starts loading.
    fn dataset(&self, _id: &str) {}
    /// A dataset was loaded (`Some`) or was already present (`None`).
    fn done(&self, _added: Option<&VintageMeta>) {}
}

/// No progress reported.
pub struct Quiet;
impl BundleProgress for Quiet {}

/// Loads every file of the bundled snapshot as the first vintage of its dataset;
/// datasets already loaded from the same file are left as they are (with `force`,
/// loaded again). Returns (added, already present).
pub fn load_bundle(
    store: &Store,
    force: bool,
    progress: &dyn BundleProgress,
) -> Result<(usize, usize)> {
    let specs: Vec<_> = registry()
        .all()
        .iter()
        .filter(|s| s.bundled.is_some())
        .collect();
    progress.start(specs.len());
    let (mut added, mut present) = (0, 0);
    for spec in specs {
        let path = spec.bundled.as_deref().expect("filtered");
        progress.dataset(&spec.id);
        let bytes =
            indmon_reference::bundle::file(path).ok_or_else(|| Error::Bundled(path.into()))?;
        let name = path.rsplit('/').next().unwrap_or(path);
        let dataset = match spec.format {
            indmon_sources::Format::Baci => BaciName::parse(name)
                .map(|n| n.dataset())
                .unwrap_or_else(|| spec.id.clone()),
            _ => spec.id.clone(),
        };
        let release = spec
            .release
            .as_deref()
            .map(indmon_core::catalog::parse_date)
            .transpose()?;
        let input = Input::bytes(format!("bundled:data/{path}"), bytes.to_vec());
        let baci_release = BaciName::parse(name).and_then(|n| n.release().map(|d| (d, n.version)));
        let req =
            IngestRequest {
                spec,
                dataset: DatasetId::new(dataset)?,
                input_label: input.name.clone(),
                known_sha: Some(sha256_hex(bytes)),
                release: release.or(baci_release.as_ref().map(|(d, _)| *d)),
                release_basis: spec.release_basis.clone().or(baci_release
                    .map(|(_, v)| format!("BACI release {v} (named by year and month)"))),
                title: None,
                publisher: None,
                licence_citation: None,
                scope: None,
                synthetic: false,
                force,
                parse: Box::new(move |sink, progress| {
                    parse(spec, &input, &ParseOptions::default(), sink, progress)
                }),
            };
        match ingest(store, req, &|_| {})? {
            Outcome::Added(meta, _) => {
                added += 1;
                progress.done(Some(&meta));
            }
            Outcome::AlreadyPresent(_) => {
                present += 1;
                progress.done(None);
            }
        }
    }
    Ok((added, present))
}
