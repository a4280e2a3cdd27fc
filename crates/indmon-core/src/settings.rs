//! Settings: `indmon.toml`, overridden by environment variables and flags, resolved
//! once into a [`Settings`] value that the rest of the code takes by reference.
//! Every field has a default, so indmon works with no file at all.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The resolved settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The data directory (store and catalog). Default: the platform data directory
    /// (e.g. `~/.local/share/indmon`); overridden by `INDMON_DATA_DIR` and `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// How live sources are fetched.
    pub fetch: FetchSettings,
    /// CBS (Statistics Netherlands) OData settings.
    pub cbs: CbsSettings,
}

/// Network behaviour of the live fetchers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Timeout for connecting and for each response, in seconds.
    pub timeout_secs: u64,
    /// How many times a failed request (connection error, 429, 5xx, truncated body)
    /// is retried before giving up.
    pub retries: u32,
    /// First backoff delay in milliseconds; doubles on each retry (a `Retry-After`
    /// header from the server takes precedence).
    pub backoff_ms: u64,
    /// Longest wait indmon accepts from a `Retry-After` header, in seconds.
    pub max_retry_after_secs: u64,
    /// Directory of the download cache; default `<data_dir>/cache`.
    pub cache_dir: Option<PathBuf>,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            timeout_secs: 60,
            retries: 4,
            backoff_ms: 500,
            max_retry_after_secs: 300,
            cache_dir: None,
        }
    }
}

/// CBS OData settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CbsSettings {
    /// Base URL of the CBS OData v4 service.
    pub odata4_base: String,
    /// Base URL of the older CBS OData v3 service (the bulk "feed" endpoint, which pages).
    pub odata3_base: String,
}

impl Default for CbsSettings {
    fn default() -> Self {
        Self {
            odata4_base: "https://datasets.cbs.nl/odata/v1/CBS".into(),
            odata3_base: "https://opendata.cbs.nl/ODataFeed/odata".into(),
        }
    }
}

impl Settings {
    /// Parses the text of an `indmon.toml`. Unknown keys are an error, so that a
    /// misspelt setting is never silently ignored.
    pub fn from_toml(path: &str, text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::Settings {
            path: path.to_string(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(Settings::from_toml("x", "").unwrap(), Settings::default());
    }

    #[test]
    fn values_override_defaults() {
        let s = Settings::from_toml("x", "data_dir = '/tmp/d'\n[fetch]\nretries = 1\n").unwrap();
        assert_eq!(s.data_dir, Some(PathBuf::from("/tmp/d")));
        assert_eq!(s.fetch.retries, 1);
        assert_eq!(s.fetch.timeout_secs, 60);
    }

    #[test]
    fn unknown_keys_are_refused_with_the_file_name() {
        let e = Settings::from_toml("indmon.toml", "[fetch]\nretires = 1\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("indmon.toml:"), "{msg}");
        assert!(msg.contains("retires"), "{msg}");
    }
}
