//! `indmon`, the industrial-policy monitor: command-line interface. Each command parses
//! its flags, makes one call into `indmon-report` (or the ledger, or the sources for
//! writes) and renders the result; the exit codes are documented in [`error`].

mod cmd;
mod config;
mod error;
mod output;
mod progress;

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
    Opportunities(cmd::opportunities::Args),
    Markets(cmd::markets::Args),
    Dependencies(cmd::dependencies::Args),
    Mutual(cmd::mutual::Args),
    Crm(cmd::crm::Args),
    Evaluate(cmd::evaluate::Args),
    Serve(cmd::serve::Args),
    Ledger(cmd::ledger::Args),
    Synth(cmd::synth::Args),
    Verify(cmd::verify::Args),
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
            Command::Opportunities(a) => cmd::opportunities::run(&ctx, a),
            Command::Markets(a) => cmd::markets::run(&ctx, a),
            Command::Dependencies(a) => cmd::dependencies::run(&ctx, a),
            Command::Mutual(a) => cmd::mutual::run(&ctx, a),
            Command::Crm(a) => cmd::crm::run(&ctx, a),
            Command::Evaluate(a) => cmd::evaluate::run(&ctx, a),
            Command::Serve(a) => cmd::serve::run(&ctx, a),
            Command::Ledger(a) => cmd::ledger::run(&ctx, a),
            Command::Synth(a) => cmd::synth::run(&ctx, a),
            Command::Verify(a) => cmd::verify::run(&ctx, a),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stops early (`indmon … | head`) is not an error.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", output::terminal_safe(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
