//! Resolving settings once: `indmon.toml` (or `--config`), then the environment and
//! flags, into the context every command takes.

use std::path::PathBuf;

use crate::error::{Context as _, Result};
use indmon_core::Settings;
use indmon_store::{QueryLimits, Store};

/// What every command gets: resolved settings and the data directory.
pub struct Context {
    /// The resolved settings.
    pub settings: Settings,
    /// The data directory.
    pub data_dir: PathBuf,
    /// Suppress progress output.
    pub quiet: bool,
}

impl Context {
    /// Reads the settings file (if any) and decides the data directory: `--data-dir`
    /// or `INDMON_DATA_DIR`, else `data_dir` from the settings, else the platform data
    /// directory.
    pub fn resolve(
        data_dir: Option<PathBuf>,
        config: Option<PathBuf>,
        quiet: bool,
    ) -> Result<Self> {
        let path = config.or_else(|| {
            let p = PathBuf::from("indmon.toml");
            p.exists().then_some(p)
        });
        let settings = match &path {
            Some(p) => {
                let bytes = indmon_sources::input::read_regular(
                    p,
                    indmon_sources::input::MAX_SETTINGS_FILE,
                )
                .context("reading settings")?;
                let text = String::from_utf8(bytes).map_err(|e| {
                    indmon_sources::Error::from(indmon_sources::InputError::file(
                        p.display().to_string(),
                        format!("not UTF-8 text ({e})"),
                    ))
                })?;
                Settings::from_toml(&p.display().to_string(), &text)?
            }
            None => Settings::default(),
        };
        let data_dir = match data_dir.or_else(|| settings.data_dir.clone()) {
            Some(d) => d,
            None => directories::ProjectDirs::from("", "", "indmon")
                .map(|d| d.data_dir().to_path_buf())
                .context("no home directory to put the data in; pass --data-dir")?,
        };
        Ok(Self {
            settings,
            data_dir,
            quiet,
        })
    }

    /// Opens the store without loading anything; its queries run under the limits of
    /// `[query]`.
    pub fn open_store(&self) -> Result<Store> {
        Store::open(&self.data_dir)
            .and_then(|s| s.with_limits(QueryLimits::from_settings(&self.settings.query)))
            .with_context(|| format!("opening the data directory {}", self.data_dir.display()))
    }

    /// Opens the store, loading the bundled snapshot first if the store is empty.
    pub fn store(&self) -> Result<Store> {
        let store = self.open_store()?;
        if store.catalog()?.is_empty() {
            if !self.quiet {
                eprintln!(
                    "First run: loading the bundled snapshot of real data into {} ...",
                    self.data_dir.display()
                );
            }
            crate::progress::load_bundle(&store, false, self.quiet)?;
        }
        Ok(store)
    }

    /// A tokio runtime for the query engine.
    pub fn runtime(&self) -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the query runtime")
    }
}
