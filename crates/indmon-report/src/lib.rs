//! The figures indmon shows, assembled from the store and the analytics.
//!
//! Every number a user sees is computed here (or below) as a typed result; the command
//! line, the API, the pages and the reports only render it, so a figure on the page is
//! the figure in the terminal. Every result carries the sources (dataset, vintage,
//! release, licence) it was computed from and the method version; a result with rows
//! declares its columns once ([`table`]). This crate reads the store and the reference
//! data; it knows nothing of HTTP or terminals.

pub mod complexity;
pub mod countries;
pub mod dependencies;
pub mod evaluate;
pub mod integrity;
pub mod ledger;
pub mod markets;
pub mod series;
pub mod sources;
pub mod table;
pub mod target;

use indmon_core::ErrorKind;
pub use indmon_reference::Reference;
pub use sources::Source;
pub use table::{Cell, Col, Column, Table, Tabular};

/// `s` cut to at most `n` characters, an ellipsis marking the cut (for table cells).
pub fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// What can go wrong while assembling a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store has no data for what was asked (the user's choice, not a bug): the
    /// message says what is missing and how to get it.
    #[error("{0}")]
    NoData(String),
    /// What was asked does not make sense (e.g. a year range backwards).
    #[error("{0}")]
    Invalid(String),
    /// A file shipped with indmon (a classification list, the criticality mapping, the
    /// country relations) is missing or malformed (a bug).
    #[error("{0}")]
    Bundled(String),
    /// Bad input data the user handed in (a file, line and field named).
    #[error("{0}")]
    Input(String),
    /// A taxonomy file does not parse or validate.
    #[error(transparent)]
    Taxonomy(#[from] indmon_reference::TaxonomyError),
    /// The bundled reference data is damaged (a bug).
    #[error(transparent)]
    Reference(#[from] indmon_reference::Error),
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] indmon_store::Error),
    /// Reading a user's input file (e.g. BACI trade files) failed.
    #[error(transparent)]
    Sources(#[from] indmon_sources::Error),
}

impl Error {
    /// The kind of failure (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NoData(_) | Error::Invalid(_) => ErrorKind::Usage,
            Error::Input(_) => ErrorKind::Input,
            Error::Taxonomy(e) => e.kind(),
            Error::Bundled(_) => ErrorKind::Internal,
            Error::Reference(e) => e.kind(),
            Error::Store(e) => e.kind(),
            Error::Sources(e) => e.kind(),
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
