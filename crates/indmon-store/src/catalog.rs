//! The catalog: the records of all committed vintages, read from their `meta.json`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use indmon_core::VintageMeta;
use indmon_core::catalog::{as_of, sort_vintages};

use crate::{Error, Result, Store, io_err};

/// The records of all committed vintages, by dataset, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    datasets: BTreeMap<String, Vec<VintageMeta>>,
}

impl Catalog {
    pub(crate) fn read(store: &Store) -> Result<Self> {
        let mut datasets: BTreeMap<String, Vec<VintageMeta>> = BTreeMap::new();
        let dir = store.root().join("datasets");
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(io_err(&dir)(e)),
        };
        for ds in entries {
            let ds = ds.map_err(io_err(&dir))?.path();
            if !ds.is_dir() {
                continue;
            }
            for v in std::fs::read_dir(&ds).map_err(io_err(&ds))? {
                let v = v.map_err(io_err(&ds))?.path();
                let name = v.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if !name.starts_with("vintage=") {
                    continue;
                }
                let meta_path = v.join("meta.json");
                let text = std::fs::read_to_string(&meta_path).map_err(io_err(&meta_path))?;
                let meta: VintageMeta =
                    serde_json::from_str(&text).map_err(|e| Error::Corrupt {
                        path: meta_path.display().to_string(),
                        message: format!("unreadable catalog record: {e}"),
                    })?;
                datasets
                    .entry(meta.dataset.to_string())
                    .or_default()
                    .push(meta);
            }
        }
        for v in datasets.values_mut() {
            sort_vintages(v);
        }
        Ok(Self { datasets })
    }

    /// True when the store holds no vintage.
    pub fn is_empty(&self) -> bool {
        self.datasets.is_empty()
    }

    /// The dataset ids.
    pub fn datasets(&self) -> impl Iterator<Item = &str> {
        self.datasets.keys().map(String::as_str)
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
