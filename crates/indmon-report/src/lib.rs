//! The figures indmon shows, assembled from the store and the analytics.
//!
//! The command line prints them and the dashboard draws them; both take them from here,
//! so a figure on the page is the figure in the terminal. Every result carries the
//! sources (dataset, vintage, release, licence) it was computed from and the method
//! version. This crate reads the store; it does no other IO and knows nothing of HTTP.

pub mod dependencies;
pub mod ledger;
pub mod markets;
pub mod sources;
pub mod target;

mod columns;

pub use sources::Source;

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
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] indmon_store::Error),
    /// A query result had an unexpected shape (a bug).
    #[error("reading a query result: {0}")]
    Arrow(#[from] indmon_store::arrow::error::ArrowError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Quotes a text for SQL.
pub(crate) fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
