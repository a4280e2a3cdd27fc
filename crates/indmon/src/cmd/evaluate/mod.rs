//! `indmon evaluate`: effect evaluations — a synthetic control (`synth`) and a staggered
//! difference-in-differences (`did`), computed by `indmon_report::evaluate`.

use crate::config::Context;
use crate::error::Result;

pub mod did;
pub mod synth;

/// The flags that record an evaluation's result in the ledger.
#[derive(Debug, clap::Args)]
pub struct Record {
    /// Record the result as an evaluation of kind `effect` in the ledger (did: the
    /// aggregation's overall ATT, so it needs --aggregate)
    #[arg(long)]
    record: bool,
    /// The strength of evidence recorded (your judgement: weak, moderate, strong)
    #[arg(long, requires = "record")]
    evidence: Option<String>,
    /// The programme the recorded evaluation is about
    #[arg(long, requires = "record")]
    programme: Option<String>,
    /// The goal the recorded evaluation is about
    #[arg(long, requires = "record")]
    goal: Option<String>,
    /// The instrument the recorded evaluation is about
    #[arg(long, requires = "record")]
    instrument: Option<String>,
    /// The ledger to record in [default: the settings' ledger]
    #[arg(long, requires = "record", value_name = "TARGET")]
    ledger: Option<String>,
}

impl Record {
    /// Writes `finding`, with `source` saying how to reproduce it, to the ledger.
    fn write(&self, ctx: &Context, finding: String, source: String) -> Result<()> {
        crate::cmd::ledger::record_evaluation(
            ctx,
            self.ledger.clone(),
            crate::cmd::ledger::EvaluationRecord {
                finding,
                source,
                evidence: self.evidence.clone(),
                programme: self.programme.clone(),
                goal: self.goal.clone(),
                instrument: self.instrument.clone(),
            },
        )
    }
}

/// Estimates what a policy changed: a synthetic control or a staggered
/// difference-in-differences.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Synth(Box<synth::Args>),
    Did(Box<did::Args>),
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    match args.command {
        Command::Synth(a) => synth::run(ctx, *a),
        Command::Did(a) => did::run(ctx, *a),
    }
}
