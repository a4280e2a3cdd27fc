//! Live fetching (work in progress in this commit).

/// A failed download.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);
