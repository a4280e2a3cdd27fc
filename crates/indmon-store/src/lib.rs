//! The indmon store: one data directory holding every ingested dataset vintage as a
//! Parquet file with its catalog record, and DataFusion queries over them.
//!
//! Layout of the data directory:
//!
//! ```text
//! INDMON_STORE                          marker with the layout version
//! datasets/<dataset>/vintage=<id>/      one committed vintage:
//!     data.parquet                        the rows, in the declared schema
//!     meta.json                           its catalog record (indmon_core::VintageMeta),
//!                                         with the SHA-256 of data.parquet
//! release.json                          the release journal (see [`release`])
//! tmp/                                  staging for vintages being written
//! cache/                                download cache of the live sources
//! lock                                  held by the one process that writes
//! ```
//!
//! Vintages become visible in releases: each is written completely under `tmp/` and
//! synced, then the release's folders are switched into `datasets/` under a journal, so
//! a reader sees all of a release or none of it, and a replaced vintage is exchanged in
//! one step. A crash or a bad input leaves the committed vintages exactly as they were;
//! the next writer puts back a release that was interrupted and removes stale staging
//! folders. The catalog is the set of `meta.json` files; a damaged one, or a Parquet
//! file whose checksum does not match, makes only its own dataset unavailable
//! ([`integrity`]). Nothing is ever changed in place.

//!
//! Readers get typed rows ([`Rows`]) from a [`Select`] — a value that says which table,
//! columns, conditions and groups — or from a user's read-only SQL (`indmon sql`),
//! and can export a result to Parquet or CSV. DataFusion, Arrow and Parquet stay
//! inside this crate; the one exception is the vintage writer, which takes the Arrow
//! batches the source parsers produce.

pub mod catalog;
mod export;
mod fault;
pub mod integrity;
pub mod outfile;
pub mod query;
pub mod release;
pub mod rows;
pub mod select;
pub mod writer;

use std::path::{Path, PathBuf};

pub use catalog::Catalog;
pub use export::write_parquet_file;
use indmon_core::ErrorKind;
pub use integrity::{FileCheck, FileStatus, Unavailable};
pub use outfile::OutFile;
pub use query::{MAX_EXPR_DEPTH, QueryLimits, QueryOptions, SqlGuardError};
pub use release::Release;
pub use rows::{ColumnType, Rows, RowsFormat, read_parquet_file};
pub use select::{Agg, Cond, Select, Value};
pub use writer::{Columns, VintageWriter};

/// The layout version written to `INDMON_STORE`.
pub const LAYOUT: &str = "indmon store layout 1";

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The folder is not an indmon store, or a catalog record is unreadable.
    #[error("{path}: {message}")]
    Corrupt {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Writing Parquet failed.
    #[error("writing {path}: {message}")]
    Parquet {
        /// The file.
        path: String,
        /// The writer's message.
        message: String,
    },
    /// The vintage is already in the store.
    #[error(
        "{dataset} vintage {vintage} is already in the store (same input); use --force to replace it"
    )]
    Exists {
        /// The dataset.
        dataset: String,
        /// The vintage.
        vintage: String,
    },
    /// A query was refused because it would change something.
    #[error(transparent)]
    ReadOnly(#[from] SqlGuardError),
    /// A query failed (bad SQL, unknown table or column ...).
    #[error("{0}")]
    Query(String),
    /// A query went over its memory or time limit (`[query]` in the settings).
    #[error("{0}")]
    Limit(String),
    /// The dataset or vintage does not exist.
    #[error("{0}")]
    NotFound(String),
    /// An output path or request that a read may not do (a file inside the data
    /// directory, an unknown output format).
    #[error("{0}")]
    Refused(String),
    /// A dataset cannot be read: its catalog record or its Parquet file is damaged.
    #[error("{0}")]
    Unavailable(Unavailable),
}

impl Error {
    /// The kind of failure (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::ReadOnly(_) | Error::Query(_) | Error::Limit(_) => ErrorKind::Query,
            Error::NotFound(_) | Error::Refused(_) | Error::Exists { .. } => ErrorKind::Usage,
            Error::Io { .. } | Error::Corrupt { .. } | Error::Parquet { .. } => ErrorKind::Internal,
            Error::Unavailable(_) => ErrorKind::Input,
        }
    }
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        query::from_datafusion(e)
    }
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A data directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    engine: query::Engine,
}

impl Store {
    /// Opens the store at `root`, creating it when the folder is missing or empty.
    /// A non-empty folder that is not a store is refused, so that a mistyped
    /// `--data-dir` never scatters files into someone's documents.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let marker = root.join("INDMON_STORE");
        if !marker.exists() {
            let empty = match std::fs::read_dir(&root) {
                Ok(mut it) => it.next().is_none(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
                Err(e) => return Err(io_err(&root)(e)),
            };
            if !empty {
                return Err(Error::Corrupt {
                    path: root.display().to_string(),
                    message: "the folder is not empty and is not an indmon data directory (no INDMON_STORE file); choose another --data-dir".into(),
                });
            }
            std::fs::create_dir_all(&root).map_err(io_err(&root))?;
            for d in ["datasets", "tmp", "cache"] {
                std::fs::create_dir_all(root.join(d)).map_err(io_err(&root))?;
            }
            writer::write_atomic(&root.join("tmp"), &marker, format!("{LAYOUT}\n").as_bytes())?;
        } else {
            let text = std::fs::read_to_string(&marker).map_err(io_err(&marker))?;
            if text.trim() != LAYOUT {
                return Err(Error::Corrupt {
                    path: marker.display().to_string(),
                    message: format!(
                        "unknown store layout '{}'; this indmon reads '{LAYOUT}'",
                        text.trim()
                    ),
                });
            }
        }
        Ok(Self {
            root,
            engine: query::Engine::new(QueryLimits::default())?,
        })
    }

    /// The store with its queries under `limits` (default: [`QueryLimits::default`]).
    pub fn with_limits(mut self, limits: QueryLimits) -> Result<Self> {
        self.engine = query::Engine::new(limits)?;
        Ok(self)
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Folder of the committed vintages of a dataset.
    pub fn dataset_dir(&self, dataset: &str) -> PathBuf {
        self.root.join("datasets").join(dataset)
    }

    /// Folder of one committed vintage.
    pub fn vintage_dir(&self, dataset: &str, vintage: &str) -> PathBuf {
        self.dataset_dir(dataset).join(format!("vintage={vintage}"))
    }

    /// The download cache folder.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// Reads the catalog: every committed vintage's record.
    pub fn catalog(&self) -> Result<Catalog> {
        Catalog::read(self)
    }
}
