//! `indmon evaluate`: effect evaluations — a synthetic control (`synth`) and a staggered
//! difference-in-differences (`did`), computed by `indmon_report::evaluate`.

use crate::config::Context;
use crate::error::Result;

pub mod did;
pub mod synth;

/// Estimates what a policy changed: a synthetic control or a staggered
/// difference-in-differences.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Synth(synth::Args),
    Did(Box<did::Args>),
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    match args.command {
        Command::Synth(a) => synth::run(ctx, a),
        Command::Did(a) => did::run(ctx, *a),
    }
}
