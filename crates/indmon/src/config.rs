//! Resolving settings once: `indmon.toml` (or `--config`), then the environment and
//! flags, into the context every command takes.

use std::path::PathBuf;

use crate::error::{Context as _, Result};
use indmon_core::Settings;
use indmon_store::Store;

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
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading settings {}", p.display()))?;
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

    /// Opens the store without loading anything.
    pub fn open_store(&self) -> Result<Store> {
        Store::open(&self.data_dir)
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
