//! Sources of indmon: what each publisher's files and APIs look like, and the
//! parsers that turn them into validated Arrow batches.
//!
//! A source is described as data — a TOML file under `specs/` that names the
//! publisher, licence, input format, encoding, declared columns and units — and read
//! by the parser its `format` names. Every batch a parser produces is checked against
//! the declared schema ([`validate::validate_batch`]) before the caller may write it.
//! Bad input stops the parse with an [`InputError`] that names the file, the line and
//! the field and says what was expected.
//!
//! This is the only crate that opens network connections ([`fetch`]).

pub mod baci;
pub mod batch;
pub mod codelist;
pub mod countries;
pub mod fetch;
pub mod formats;
pub mod input;
pub mod parse;
pub mod spec;
pub mod synth;
pub mod validate;

use std::fmt;

pub use input::Input;
pub use spec::{Format, SourceSpec, registry};

/// A problem with the user's input: names the file, line and field, and what was
/// expected.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file or URL.
    pub file: String,
    /// 1-based line number, where the problem is on a line.
    pub line: Option<u64>,
    /// The field (column) name, where the problem is in one field.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What was expected instead.
    pub expected: Option<String>,
}

impl InputError {
    /// A problem with the file as a whole.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            field: None,
            message: message.into(),
            expected: None,
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the field.
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Says what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // the file name whole, the field name cut; control characters escaped in both
        write!(f, "{}", indmon_core::quote::escape(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {}", indmon_core::quote(field))?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        Ok(())
    }
}

/// Errors of this crate. `Input` and `Fetch` are about the user's data or the remote
/// server; `Spec` means a source description shipped with indmon is wrong (our bug).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input data.
    #[error("{0}")]
    Input(Box<InputError>),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A download failed after all retries.
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    /// A shipped source description or code list is inconsistent.
    #[error("source description {id}: {message}")]
    Spec {
        /// The source id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// No source of that name.
    #[error("unknown source '{name}'; known sources: {known}")]
    UnknownSource {
        /// What the user asked for.
        name: String,
        /// The known source ids.
        known: String,
    },
    /// The consumer of the batches (e.g. the store writer) failed.
    #[error("{0}")]
    Sink(String),
}

impl Error {
    /// The kind of failure: bad input data, a failed download, or our own problem.
    pub fn kind(&self) -> indmon_core::ErrorKind {
        use indmon_core::ErrorKind;
        match self {
            Error::Input(_) | Error::UnknownSource { .. } => ErrorKind::Input,
            Error::Fetch(_) => ErrorKind::Download,
            Error::Io { .. } | Error::Spec { .. } | Error::Sink(_) => ErrorKind::Internal,
        }
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

impl Error {
    /// True when the error is about the user's input (as opposed to IO or our bug).
    pub fn is_input(&self) -> bool {
        matches!(self, Error::Input(_))
    }
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The number of rows in each Arrow batch the parsers emit.
pub const BATCH_ROWS: usize = 65_536;
