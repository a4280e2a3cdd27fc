//! `indmon init`: load the bundled snapshot of real data.

use indmon_core::VintageMeta;
use indmon_ingest::BundleProgress;
use indmon_store::Store;

use crate::config::Context;
use crate::error::{Context as _, Result};

/// Load the bundled snapshot (real data shipped with indmon) into the store.
///
/// Each bundled file becomes the first vintage of its dataset. Datasets already
/// loaded from the same file are skipped, so running it again changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Load every bundled file again, replacing the vintages it made before
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.open_store()?;
    load_bundle(ctx, &store, args.force)
}

/// Loads every bundled file; prints one line per dataset unless quiet.
pub fn load_bundle(ctx: &Context, store: &Store, force: bool) -> Result<()> {
    let progress = Bar(if ctx.quiet {
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
    if !ctx.quiet {
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
}
