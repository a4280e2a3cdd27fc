//! `indmon`, the industrial-policy monitor: command-line interface.
//!
//! Exit codes: 0 success; 1 an internal or file-system error; 2 a usage error (bad
//! flags); 3 bad input data (the message names file, line and field; the store or the
//! ledger is unchanged); 4 a download failed; 5 a query was refused or failed; 6 a
//! ledger change was refused because somebody else changed the record first.

mod bundle;
mod cmd;
mod config;
mod output;
mod pipeline;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// indmon — the industrial-policy monitor.
///
/// Tracks the Dutch goal of at least 15 % industry in total value added by 2030 with
/// official statistics kept per release ("vintage"), so every figure can be traced to
/// its source and publication date. Works offline on the bundled real data; live
/// sources (Eurostat, CBS, OECD) and BACI trade files can be added with `ingest`.
#[derive(Debug, Parser)]
#[command(name = "indmon", version, about, long_about, max_term_width = 100)]
struct Cli {
    /// Data directory holding the store [default: the platform data directory, e.g. ~/.local/share/indmon]
    #[arg(long, global = true, env = "INDMON_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Settings file [default: ./indmon.toml if present]
    #[arg(long, global = true, env = "INDMON_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// No progress bars or notes, only results, their sources and errors
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// The subcommands; each one's help is the doc comment of its `Args`.
#[derive(Debug, Subcommand)]
enum Command {
    Init(cmd::init::Args),
    Sources(cmd::sources::Args),
    Vintages(cmd::vintages::Args),
    Ingest(cmd::ingest::Args),
    Series(cmd::series::Args),
    Sql(cmd::sql::Args),
    Target(cmd::target::Args),
    Complexity(cmd::complexity::Args),
    Opportunities(cmd::complexity::OpportunitiesArgs),
    Markets(cmd::markets::Args),
    Dependencies(cmd::dependencies::Args),
    Mutual(cmd::dependencies::MutualArgs),
    Crm(cmd::dependencies::CrmArgs),
    Serve(cmd::serve::Args),
    Ledger(cmd::ledger::Args),
    Synth(cmd::synth::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = config::Context::resolve(cli.data_dir, cli.config, cli.quiet).and_then(|ctx| {
        match cli.command {
            Command::Init(a) => cmd::init::run(&ctx, a),
            Command::Sources(a) => cmd::sources::run(&ctx, a),
            Command::Vintages(a) => cmd::vintages::run(&ctx, a),
            Command::Ingest(a) => cmd::ingest::run(&ctx, a),
            Command::Series(a) => cmd::series::run(&ctx, a),
            Command::Sql(a) => cmd::sql::run(&ctx, a),
            Command::Target(a) => cmd::target::run(&ctx, a),
            Command::Complexity(a) => cmd::complexity::run(&ctx, a),
            Command::Opportunities(a) => cmd::complexity::run_opportunities(&ctx, a),
            Command::Markets(a) => cmd::markets::run(&ctx, a),
            Command::Dependencies(a) => cmd::dependencies::run(&ctx, a),
            Command::Mutual(a) => cmd::dependencies::run_mutual(&ctx, a),
            Command::Crm(a) => cmd::dependencies::run_crm(&ctx, a),
            Command::Serve(a) => cmd::serve::run(&ctx, a),
            Command::Ledger(a) => cmd::ledger::run(&ctx, a),
            Command::Synth(a) => cmd::synth::run(&ctx, a),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stops early (`indmon … | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Maps an error to the documented exit codes.
fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(s) = cause.downcast_ref::<indmon_sources::Error>() {
            return match s {
                indmon_sources::Error::Input(_) | indmon_sources::Error::UnknownSource { .. } => 3,
                indmon_sources::Error::Fetch(_) => 4,
                _ => 1,
            };
        }
        if let Some(s) = cause.downcast_ref::<indmon_store::Error>() {
            return store_code(s);
        }
        if let Some(r) = cause.downcast_ref::<indmon_report::Error>() {
            return match r {
                indmon_report::Error::NoData(_) | indmon_report::Error::Invalid(_) => 2,
                indmon_report::Error::Store(s) => store_code(s),
                indmon_report::Error::Arrow(_) | indmon_report::Error::Bundled(_) => 1,
            };
        }
        if cause
            .downcast_ref::<indmon_sources::fetch::FetchError>()
            .is_some()
        {
            return 4;
        }
        if let Some(l) = cause.downcast_ref::<indmon_ledger::Error>() {
            return match l {
                indmon_ledger::Error::Invalid { .. }
                | indmon_ledger::Error::Import { .. }
                | indmon_ledger::Error::Format(_) => 3,
                indmon_ledger::Error::NotFound { .. } => 2,
                indmon_ledger::Error::Conflict { .. } => 6,
                indmon_ledger::Error::Connect(_)
                | indmon_ledger::Error::Db(_)
                | indmon_ledger::Error::Io(_) => 1,
            };
        }
        if cause.downcast_ref::<cmd::UsageError>().is_some() {
            return 2;
        }
    }
    1
}

fn store_code(s: &indmon_store::Error) -> u8 {
    match s {
        indmon_store::Error::ReadOnly(_) | indmon_store::Error::Query(_) => 5,
        indmon_store::Error::NotFound(_) => 3,
        _ => 1,
    }
}
