//! The catalog: the records of all committed vintages, read from their `meta.json`.
//!
//! A record that cannot be read makes its dataset unavailable, not the catalog: the
//! other datasets are read as usual and [`Catalog::unavailable`] says which dataset is
//! missing, which file is wrong and why. While a release is being switched into place
//! (or after one was interrupted), the catalog shows the store as it was before that
//! release (see [`crate::release`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::NaiveDate;
use indmon_core::VintageMeta;
use indmon_core::catalog::{as_of, sort_vintages};

use crate::integrity::{Unavailable, known_damage, read_record};
use crate::{Error, Result, Store, io_err, release};

/// The records of all committed vintages, by dataset, oldest first, and the datasets
/// that cannot be read.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    datasets: BTreeMap<String, Vec<VintageMeta>>,
    unavailable: BTreeMap<String, Unavailable>,
    /// Vintages that are not in their own folder: the previous version of a vintage
    /// that an interrupted release was replacing.
    dirs: BTreeMap<(String, String), PathBuf>,
    /// Datasets whose folder holds vintages other than the ones shown (an interrupted
    /// release): `verify` checks their vintages where the catalog reads them, not as the
    /// folder lists them. (Queries always read the catalog's vintages one by one.)
    inexact: BTreeSet<String>,
}

impl Catalog {
    pub(crate) fn read(store: &Store) -> Result<Self> {
        // the journal is read before and after the folders: if it changed, a release was
        // switched while the folders were read, and they are read again
        for _ in 0..200 {
            let before = release::read_raw(store.root());
            let mut catalog = Self::scan(store)?;
            if let Some(j) = before.as_deref().and_then(release::parse)
                && j.is_switching()
            {
                release::as_before(store, &j, &mut catalog);
            }
            if release::read_raw(store.root()) == before {
                for v in catalog.datasets.values_mut() {
                    sort_vintages(v);
                }
                catalog.note_known_damage(store);
                return Ok(catalog);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        Err(Error::Corrupt {
            path: store.root().join(release::JOURNAL).display().to_string(),
            message: "releases kept being committed while the catalog was read; try again".into(),
        })
    }

    /// Every dataset folder and its records, as they are on disk.
    fn scan(store: &Store) -> Result<Self> {
        let mut catalog = Self::default();
        let dir = store.root().join("datasets");
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(catalog),
            Err(e) => return Err(io_err(&dir)(e)),
        };
        for ds in entries {
            let ds = ds.map_err(io_err(&dir))?.path();
            let Some(name) = ds.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                continue;
            };
            if !ds.is_dir() {
                continue;
            }
            let vintages = match std::fs::read_dir(&ds) {
                Ok(v) => v,
                Err(e) => {
                    let u = Unavailable::new(store, &name, &ds, e.to_string());
                    catalog.unavailable.insert(name, u);
                    continue;
                }
            };
            let mut records = Vec::new();
            let mut bad = None;
            for v in vintages.flatten() {
                let v = v.path();
                let Some(vintage) = v
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_prefix("vintage="))
                    .map(str::to_string)
                else {
                    continue;
                };
                let meta_path = v.join("meta.json");
                match read_record(&meta_path, &name, &vintage) {
                    Ok(m) => records.push(m),
                    Err(why) => {
                        bad.get_or_insert_with(|| Unavailable::new(store, &name, &meta_path, why));
                    }
                }
            }
            if let Some(u) = bad {
                catalog.unavailable.insert(name, u);
            } else if !records.is_empty() {
                catalog.datasets.insert(name, records);
            }
        }
        Ok(catalog)
    }

    /// Marks the datasets whose files this process found damaged (and that have not
    /// changed since) as unavailable.
    fn note_known_damage(&mut self, store: &Store) {
        let mut found = Vec::new();
        for (ds, vintages) in &self.datasets {
            if self.unavailable.contains_key(ds) {
                continue;
            }
            for m in vintages {
                let Some(recorded) = &m.data_sha256 else {
                    continue;
                };
                let file = self.dir(store, ds, &m.vintage).join("data.parquet");
                if let Some(status) = known_damage(&file, recorded) {
                    found.push(Unavailable::new(store, ds, &file, status.to_string()));
                    break;
                }
            }
        }
        for u in found {
            self.unavailable.insert(u.dataset.clone(), u);
        }
    }

    /// Hides a vintage (a release's new vintage that is not committed yet).
    pub(crate) fn hide(&mut self, dataset: &str, vintage: &str) {
        if let Some(v) = self.datasets.get_mut(dataset) {
            v.retain(|m| m.vintage != vintage);
            if v.is_empty() {
                self.datasets.remove(dataset);
            }
        }
        self.inexact.insert(dataset.to_string());
    }

    /// Shows `meta`, read from `dir`, instead of the vintage in its own folder.
    pub(crate) fn replace(&mut self, meta: VintageMeta, dir: PathBuf) {
        let ds = meta.dataset.to_string();
        self.dirs.insert((ds.clone(), meta.vintage.clone()), dir);
        let v = self.datasets.entry(ds.clone()).or_default();
        v.retain(|m| m.vintage != meta.vintage);
        v.push(meta);
        self.inexact.insert(ds);
    }

    /// Marks a dataset unavailable.
    pub(crate) fn set_unavailable(&mut self, u: Unavailable) {
        self.datasets.remove(&u.dataset);
        self.unavailable.insert(u.dataset.clone(), u);
    }

    /// The folder a vintage is read from.
    pub(crate) fn dir(&self, store: &Store, dataset: &str, vintage: &str) -> PathBuf {
        self.dirs
            .get(&(dataset.to_string(), vintage.to_string()))
            .cloned()
            .unwrap_or_else(|| store.vintage_dir(dataset, vintage))
    }

    /// Whether the dataset's folder holds exactly the vintages shown.
    pub(crate) fn exact(&self, dataset: &str) -> bool {
        !self.inexact.contains(dataset)
    }

    /// True when the store holds no vintage, readable or not.
    pub fn is_empty(&self) -> bool {
        self.datasets.is_empty() && self.unavailable.is_empty()
    }

    /// The dataset ids (those that can be read).
    pub fn datasets(&self) -> impl Iterator<Item = &str> {
        self.datasets.keys().map(String::as_str)
    }

    /// The datasets that cannot be read, each with the file that is wrong and why:
    /// a catalog record that does not parse (the dataset is then missing from
    /// [`datasets`](Self::datasets)), or a Parquet file this process found damaged.
    pub fn unavailable(&self) -> impl Iterator<Item = &Unavailable> {
        self.unavailable.values()
    }

    /// Why `dataset` cannot be read, when it cannot.
    pub fn unavailable_dataset(&self, dataset: &str) -> Option<&Unavailable> {
        self.unavailable.get(dataset)
    }

    /// Whether the store holds `dataset`, readable or not: a read of one it holds but
    /// cannot read fails naming the damaged file, where one it does not hold is simply
    /// absent.
    pub fn holds(&self, dataset: &str) -> bool {
        self.datasets.contains_key(dataset) || self.unavailable.contains_key(dataset)
    }

    /// Vintages of a dataset, oldest first.
    pub fn vintages(&self, dataset: &str) -> &[VintageMeta] {
        self.datasets.get(dataset).map_or(&[], Vec::as_slice)
    }

    /// The latest vintage of a dataset.
    pub fn latest(&self, dataset: &str) -> Option<&VintageMeta> {
        self.vintages(dataset).last()
    }

    /// The vintage of a dataset current on `date` (see [`indmon_core::catalog::as_of`]).
    pub fn as_of(&self, dataset: &str, date: NaiveDate) -> Option<&VintageMeta> {
        as_of(self.vintages(dataset), date)
    }

    /// The vintage chosen for a query: latest, or as of a date.
    pub fn select(&self, dataset: &str, date: Option<NaiveDate>) -> Option<&VintageMeta> {
        match date {
            Some(d) => self.as_of(dataset, d),
            None => self.latest(dataset),
        }
    }

    /// A vintage of a dataset with the given input checksum.
    pub fn with_sha(&self, dataset: &str, sha256: &str) -> Option<&VintageMeta> {
        self.vintages(dataset).iter().find(|m| m.sha256 == sha256)
    }

    /// Every record, dataset by dataset.
    pub fn all(&self) -> impl Iterator<Item = &VintageMeta> {
        self.datasets.values().flatten()
    }
}
