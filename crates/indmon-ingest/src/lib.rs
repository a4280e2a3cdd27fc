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
use indmon_sources::formats::baci_iso3::CountryCodes;
use indmon_sources::formats::{ParseOptions, parse};
use indmon_sources::input::sha256_hex;
use indmon_sources::{Input, SourceSpec, registry};
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
    /// Something the user should know about a dataset just loaded (e.g. names
    /// repaired, codes converted).
    fn warning(&self, _text: &str) {}
}

/// `opts` with BACI's country list for a source that names countries by ISO3 code
/// (format `baci-iso3`): the list its description names, from the bundled snapshot,
/// unless `opts` brings one.
pub fn with_country_list(spec: &SourceSpec, mut opts: ParseOptions) -> Result<ParseOptions> {
    if opts.countries.is_none()
        && let Some(path) = &spec.country_list
    {
        let bytes =
            indmon_reference::bundle::file(path).ok_or_else(|| Error::Bundled(path.clone()))?;
        opts.countries = Some(std::sync::Arc::new(CountryCodes::from_baci_list(
            &format!("bundled:data/{path}"),
            bytes,
        )?));
    }
    Ok(opts)
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
        let opts = with_country_list(spec, ParseOptions::default())?;
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
                // the trade extracts say what they hold on every figure
                scope: spec
                    .scope
                    .clone()
                    .filter(|_| spec.table().name == "baci_trade"),
                synthetic: false,
                force,
                parse: Box::new(move |sink, progress| parse(spec, &input, &opts, sink, progress)),
            };
        match ingest(store, req, &|_| {})? {
            Outcome::Added(meta, warnings) => {
                added += 1;
                progress.done(Some(&meta));
                for w in &warnings {
                    progress.warning(w);
                }
            }
            Outcome::AlreadyPresent(_) => {
                present += 1;
                progress.done(None);
            }
        }
    }
    Ok((added, present))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Heard(Mutex<Vec<String>>);
    impl BundleProgress for Heard {
        fn warning(&self, text: &str) {
            self.0.lock().unwrap().push(text.to_string());
        }
    }

    /// Issue 23: the semiconductor extract is loaded on first run as its own dataset,
    /// its filter and scope in the catalog record, its damaged names repaired and
    /// reported.
    #[test]
    fn the_bundle_loads_the_semiconductor_extract_with_its_filter() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("data")).unwrap();
        let heard = Heard::default();
        load_bundle(&store, false, &heard).unwrap();
        let catalog = store.catalog().unwrap();
        let m = catalog.latest("baci_hs17_semis").unwrap();
        assert_eq!(m.rows, 34_442);
        assert_eq!(m.schema, "baci_trade");
        assert_eq!(m.min_flow_usd, Some(10_000_000.0));
        assert!(
            m.scope
                .as_deref()
                .unwrap()
                .contains("only flows of at least USD 10 million")
        );
        assert!(
            m.source_line().contains("flows of at least USD 10 million"),
            "{}",
            m.source_line()
        );
        assert_eq!(m.release.unwrap().to_string(), "2026-01-22");
        assert!(m.filter_note().unwrap().contains("lower bound"));
        // the complete extract says what it covers too, and has no filter
        let crm = catalog.latest("baci_hs17").unwrap();
        assert!(
            crm.scope
                .as_deref()
                .unwrap()
                .contains("30 critical-raw-material")
        );
        assert_eq!((crm.min_flow_usd, crm.filter_note()), (None, None));
        let heard = heard.0.lock().unwrap();
        assert!(
            heard.iter().any(|w| w.contains("country.csv")
                && w.contains("'CÃ´te d'Ivoire' → 'Côte d'Ivoire'")
                && w.contains("'CuraÃ§ao' → 'Curaçao'")
                && w.contains("'TÃ¼rkiye' → 'Türkiye'")),
            "{heard:?}"
        );
    }
}
