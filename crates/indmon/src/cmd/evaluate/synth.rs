//! `indmon evaluate synth`.

use crate::cmd::UsageError;
use crate::config::Context;
use crate::error::Result;

/// (being built)
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Context, _args: Args) -> Result<()> {
    Err(UsageError("`indmon evaluate synth` is not built yet".into()).into())
}
