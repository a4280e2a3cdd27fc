//! Progress on standard error: byte bars for long reads, and the bundled snapshot's
//! first load with a line per dataset. Hidden when quiet or not on a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use indmon_core::VintageMeta;
use indmon_ingest::BundleProgress;
use indmon_store::Store;

use crate::error::{Context as _, Result};

/// A byte progress bar on stderr (hidden when quiet or not on a terminal).
pub fn byte_bar(quiet: bool, total: Option<u64>, label: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::new_spinner(),
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:24} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(label.to_string());
    bar
}

/// Loads every bundled file; prints one line per dataset unless quiet.
pub fn load_bundle(store: &Store, force: bool, quiet: bool) -> Result<()> {
    let progress = Bar(if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    });
    progress.0.set_style(
        indicatif::ProgressStyle::with_template("{msg:28} [{bar:30}] {pos}/{len} datasets")
            .expect("valid template"),
    );
    let (added, present) = indmon_ingest::load_bundle(store, force, &progress)
        .context("loading the bundled snapshot")?;
    progress.0.finish_and_clear();
    if !quiet {
        eprintln!(
            "Bundled snapshot: {added} dataset(s) loaded, {present} already present, in {}",
            store.root().display()
        );
    }
    Ok(())
}

/// The bundle's progress as a bar, with a line per dataset loaded.
struct Bar(indicatif::ProgressBar);

impl BundleProgress for Bar {
    fn start(&self, datasets: usize) {
        self.0.set_length(datasets as u64);
    }
    fn dataset(&self, id: &str) {
        self.0.set_message(id.to_owned());
    }
    fn done(&self, added: Option<&VintageMeta>) {
        if let Some(meta) = added {
            self.0.println(format!(
                "  loaded {:<28} {:>9} rows   {}",
                meta.dataset,
                meta.rows,
                indmon_report::series::release_text(meta)
            ));
        }
        self.0.inc(1);
    }
    fn warning(&self, text: &str) {
        self.0.println(format!("    {text}"));
    }
}
