//! `indmon init`: load the bundled snapshot of real data.

use indmon_store::Store;

use crate::config::Context;
use crate::error::Result;

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
    run_load(ctx, &store, args.force)
}

/// Loads every bundled file (see [`crate::progress::load_bundle`]).
pub fn run_load(ctx: &Context, store: &Store, force: bool) -> Result<()> {
    crate::progress::load_bundle(store, force, ctx.quiet)
}
