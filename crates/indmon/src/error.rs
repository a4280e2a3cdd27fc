//! Errors on their way to the user, and the exit codes.
//!
//! Every library error of indmon says its kind ([`ErrorKind`]); a [`CliError`] keeps
//! that kind next to the error (with any context added on the way up), and the kind
//! decides the exit code. Nothing here looks inside another crate's errors.
//!
//! Exit codes: 0 success; 1 an internal or file-system error; 2 a usage error (bad
//! flags, or something named that is not there); 3 bad input data (the message names
//! file, line and field; the store or the ledger is unchanged); 4 a download failed;
//! 5 a query was refused or failed; 6 a ledger change was refused because somebody else
//! changed the record first.

use std::fmt::Display;

use indmon_core::ErrorKind;

/// A usage error found after parsing the flags (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// An error with its kind.
#[derive(Debug)]
pub struct CliError {
    kind: ErrorKind,
    error: anyhow::Error,
}

/// `Result` of the commands.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

impl CliError {
    /// An error of a kind.
    pub fn new(kind: ErrorKind, error: impl Into<anyhow::Error>) -> Self {
        Self {
            kind,
            error: error.into(),
        }
    }

    /// The documented exit code of the error's kind.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Internal => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Input => 3,
            ErrorKind::Download => 4,
            ErrorKind::Query => 5,
            ErrorKind::Conflict => 6,
        }
    }

    /// Whether the error is a closed pipe (`indmon … | head`), which is no error.
    pub fn is_broken_pipe(&self) -> bool {
        self.error.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        })
    }

    fn context(self, msg: String) -> Self {
        Self {
            kind: self.kind,
            error: self.error.context(msg),
        }
    }
}

/// The error and its causes, joined by `: `, each said once: a cause whose text the
/// message before it already contains is left out (a library error that names a file
/// and quotes the operating system's reason also returns that reason as its source, and
/// `{:#}` would print "No such file or directory (os error 2)" twice).
impl Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut previous = String::new();
        for (i, cause) in self.error.chain().enumerate() {
            let text = cause.to_string();
            if i > 0 && !text.is_empty() && previous.contains(&text) {
                previous = text;
                continue;
            }
            if i > 0 {
                f.write_str(": ")?;
            }
            f.write_str(&text)?;
            previous = text;
        }
        Ok(())
    }
}

macro_rules! kinded {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> Self {
                Self::new(e.kind(), e)
            }
        }
    )*};
}

kinded!(
    indmon_core::Error,
    indmon_sources::Error,
    indmon_sources::fetch::FetchError,
    indmon_store::Error,
    indmon_reference::Error,
    indmon_reference::TaxonomyError,
    indmon_report::Error,
    indmon_ledger::Error,
    indmon_ingest::Error,
);

impl From<UsageError> for CliError {
    fn from(e: UsageError) -> Self {
        Self::new(ErrorKind::Usage, e)
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        Self::new(ErrorKind::Internal, e)
    }
}

macro_rules! internal {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> Self {
                Self::new(ErrorKind::Internal, e)
            }
        }
    )*};
}

// our own files and formats (the bundled snapshot, JSON we write): a failure is ours
internal!(
    std::io::Error,
    serde_json::Error,
    csv::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
);

/// Context for an error that keeps its kind (`anyhow::Context` would lose it).
pub trait Context<T> {
    /// Adds `msg` in front of the error.
    fn context(self, msg: impl Display) -> Result<T>;
    /// Adds the message `f` makes in front of the error.
    fn with_context<M: Display>(self, f: impl FnOnce() -> M) -> Result<T>;
}

impl<T, E: Into<CliError>> Context<T> for std::result::Result<T, E> {
    fn context(self, msg: impl Display) -> Result<T> {
        self.map_err(|e| e.into().context(msg.to_string()))
    }
    fn with_context<M: Display>(self, f: impl FnOnce() -> M) -> Result<T> {
        self.map_err(|e| e.into().context(f().to_string()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, msg: impl Display) -> Result<T> {
        self.ok_or_else(|| CliError::new(ErrorKind::Internal, anyhow::anyhow!("{msg}")))
    }
    fn with_context<M: Display>(self, f: impl FnOnce() -> M) -> Result<T> {
        self.ok_or_else(|| CliError::new(ErrorKind::Internal, anyhow::anyhow!("{}", f())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_is_said_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let reason = io.to_string();
        let e = CliError::from(indmon_store::Error::Io {
            path: "/missing".into(),
            source: io,
        })
        .context("writing /missing/out.csv".into());
        let text = e.to_string();
        assert_eq!(
            text,
            format!("writing /missing/out.csv: /missing: {reason}")
        );
        // a cause that says something new is kept
        let e = CliError::from(anyhow::Error::from(std::io::Error::other("disk full")))
            .context("writing /tmp/x".into());
        assert_eq!(e.to_string(), "writing /tmp/x: disk full");
    }
}
