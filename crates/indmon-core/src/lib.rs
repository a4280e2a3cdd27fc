//! Domain types of indmon, the industrial-policy monitor.
//!
//! This crate does no IO. It holds the vocabulary every other crate shares:
//! dataset identifiers and the catalog record of a dataset vintage ([`catalog`]),
//! the declared column schemas of the sources ([`schema`]), and the user's
//! settings as read from `indmon.toml` ([`settings`]).

pub mod catalog;
pub mod schema;
pub mod settings;
pub mod taxonomy;

pub use catalog::{DatasetId, VintageMeta};
pub use schema::{ColumnSpec, ColumnType, TableSchema};
pub use settings::Settings;

/// Errors of the core types: all of them are the user's bad input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A dataset identifier that is not lower-case letters, digits and underscores.
    #[error(
        "invalid dataset id '{0}': use lower-case letters, digits and '_', starting with a letter (e.g. estat_nama_10_a64)"
    )]
    DatasetId(String),
    /// A date that is not ISO 8601.
    #[error("invalid date '{0}': expected YYYY-MM-DD (or YYYY-MM, YYYY)")]
    Date(String),
    /// A settings file that does not parse.
    #[error("{path}: {message}")]
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

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The version of indmon that wrote a vintage, recorded in the catalog.
pub const INDMON_VERSION: &str = env!("CARGO_PKG_VERSION");
