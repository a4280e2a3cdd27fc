//! The integrity of the store as a result (`indmon verify`): every stored file —
//! catalog records and Parquet files — and what checking it found.

use indmon_store::Store;
use serde::Serialize;

use crate::table::{Col, Table, Tabular};
use crate::{Error, Result};

/// One stored file and what checking it found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileRow {
    /// The dataset.
    pub dataset: String,
    /// The vintage.
    pub vintage: String,
    /// The file, relative to the data directory.
    pub file: String,
    /// The file's full path.
    #[serde(skip)]
    pub path: String,
    /// `ok`, `no checksum recorded`, or what is wrong.
    pub status: String,
    /// Whether the file is damaged.
    pub damaged: bool,
}

/// Every stored file of the store (or of one dataset) and what checking it found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// The files, dataset by dataset, vintage by vintage.
    pub files: Vec<FileRow>,
    /// What the check covers and found.
    pub notes: Vec<String>,
}

impl Verification {
    /// The damaged files.
    pub fn damaged(&self) -> impl Iterator<Item = &FileRow> {
        self.files.iter().filter(|f| f.damaged)
    }
}

/// Checks every stored file of every vintage (of `dataset` only, when given): each
/// catalog record must parse and each Parquet file must have the SHA-256 its record
/// states. Records written before checksums were kept are reported as such, not as
/// damage.
pub fn verify(store: &Store, dataset: Option<&str>) -> Result<Verification> {
    let checks = store.verify(dataset).map_err(|e| match e {
        indmon_store::Error::NotFound(m) => Error::NoData(m),
        e => Error::Store(e),
    })?;
    let files: Vec<FileRow> = checks
        .into_iter()
        .map(|c| FileRow {
            dataset: c.dataset,
            vintage: c.vintage,
            file: c.within,
            path: c.file.display().to_string(),
            damaged: c.status.is_problem(),
            status: c.status.to_string(),
        })
        .collect();
    let damaged = files.iter().filter(|f| f.damaged).count();
    let unchecked = files
        .iter()
        .filter(|f| f.status == "no checksum recorded")
        .count();
    let mut notes = vec![format!(
        "{} files checked: {damaged} damaged, {unchecked} without a recorded checksum (written before indmon kept checksums; re-ingest with --force to add one).",
        files.len()
    )];
    if damaged > 0 {
        notes.push("A damaged dataset is unavailable until it is ingested again (`indmon ingest … --force` replaces the vintage); every other dataset is read as usual.".into());
    }
    Ok(Verification { files, notes })
}

const FILES: &[Col<FileRow>] = &[
    Col {
        name: "dataset",
        unit: "",
        meaning: "Dataset id.",
        decimals: None,
        get: |r| (&r.dataset).into(),
    },
    Col {
        name: "vintage",
        unit: "",
        meaning: "Vintage id.",
        decimals: None,
        get: |r| (&r.vintage).into(),
    },
    Col {
        name: "file",
        unit: "",
        meaning: "The stored file, relative to the data directory.",
        decimals: None,
        get: |r| (&r.file).into(),
    },
    Col {
        name: "status",
        unit: "",
        meaning: "ok; no checksum recorded; or what is wrong (checksum mismatch, missing, unreadable).",
        decimals: None,
        get: |r| (&r.status).into(),
    },
];

impl Tabular for Verification {
    fn table(&self) -> Table {
        Table::of(FILES, &self.files)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        "indmon-verify".into()
    }
}
