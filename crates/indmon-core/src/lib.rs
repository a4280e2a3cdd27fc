//! Domain types of indmon, the industrial-policy monitor.
//!
//! This crate does no IO. It holds the vocabulary every other crate shares:
//! dataset identifiers and the catalog record of a dataset vintage ([`catalog`]),
//! the declared column schemas of the sources ([`schema`]), the user's settings as
//! read from `indmon.toml` ([`settings`]), and the rules for text at the edges
//! (formulas in spreadsheet cells, control characters: [`text`]).

pub mod catalog;
pub mod quote;
pub mod schema;
pub mod settings;
pub mod taxonomy;
pub mod text;

pub use catalog::{DatasetId, VintageMeta};
pub use quote::{excerpt, quote};
pub use schema::{ColumnSpec, ColumnType, TableSchema};
pub use settings::Settings;

/// What kind of failure an error is. Every library error of indmon says its kind
/// (`Error::kind`), so the command line maps kinds to exit codes and the web to HTTP
/// statuses without knowing the error types of the crates below them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// What was asked does not make sense, or names nothing there is (a country
    /// without data, a record that does not exist, flags that contradict each other).
    Usage,
    /// Bad input data: a file, line or field is wrong; nothing was changed.
    Input,
    /// A download failed.
    Download,
    /// A query was refused (it would write, or is too large) or failed.
    Query,
    /// A record changed since it was read; nothing was overwritten.
    Conflict,
    /// A bug, a damaged installation, or a file-system failure.
    Internal,
}

/// Errors of the core types: all of them are the user's bad input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A dataset identifier that is not lower-case letters, digits and underscores.
    #[error(
        "invalid dataset id {}: use lower-case letters, digits and '_', starting with a letter (e.g. estat_nama_10_a64)", quote(.0)
    )]
    DatasetId(String),
    /// A date that is not ISO 8601.
    #[error("invalid date {}: expected YYYY-MM-DD (or YYYY-MM, YYYY)", quote(.0))]
    Date(String),
    /// A settings file that does not parse (TOML's message quotes the line, which may
    /// hold a long value: the message is cut, see [`quote`]).
    #[error("{path}: {}", cut_message(message))]
    Settings {
        /// The settings file.
        path: String,
        /// What is wrong, as TOML reports it.
        message: String,
    },
    /// A schema description that is inconsistent.
    #[error("schema {schema}: {message}")]
    Schema {
        /// The schema's name.
        schema: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The kind: a settings file that does not parse is the user's input; a
    /// dataset id or a date is a usage error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::DatasetId(_) | Error::Date(_) => ErrorKind::Usage,
            Error::Settings { .. } | Error::Schema { .. } => ErrorKind::Input,
        }
    }
}

/// A message that may quote a long line of the user's file: each line at most
/// [`quote::QUOTE_MAX`] characters, control characters escaped (the line breaks of the
/// message itself kept).
fn cut_message(message: &str) -> String {
    message
        .split('\n')
        .map(excerpt)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The version of indmon that wrote a vintage, recorded in the catalog.
pub const INDMON_VERSION: &str = env!("CARGO_PKG_VERSION");
