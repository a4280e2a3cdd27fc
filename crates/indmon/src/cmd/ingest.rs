//! `indmon ingest`: add a vintage from a file or a live download.

use std::path::PathBuf;

use indmon_core::DatasetId;
use indmon_ingest::{Outcome, files, live};
use indmon_sources::formats::ParseOptions;
use indmon_sources::input::Encoding;
use indmon_sources::{Format, Input, registry};

use crate::cmd::{UsageError, date_arg};
use crate::config::Context;
use crate::error::{Context as _, Result};
use crate::progress::byte_bar;

/// Add a new vintage of a source to the store, from a file or a live download.
///
/// SOURCE is a source id: estat_nama_10_a64, oecd_naag_iv, un_sna_2_4, cbs_va,
/// baci, wdi_macro, the classifications (hs92, nace_r2, cn2022_cpa21 ...) and the EU
/// critical-raw-materials tables (eucrm_*). With a PATH the file is read; without
/// one, sources with an API (Eurostat, OECD, CBS) are downloaded. The input is
/// checked completely before anything is stored: a malformed file is refused with
/// its line and field and the store stays as it was. Examples:
///
///   indmon ingest estat_nama_10_a64 estat_nama_10_a64.csv
///   indmon ingest baci ~/Downloads/BACI_HS17_V202601/          (a whole release)
///   indmon ingest baci BACI_HS17_Y2024_V202601.csv
///   indmon ingest estat_nama_10_a64 --filter geo=NL --filter nace_r2=C
///   indmon ingest cbs_va
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Source id
    source: String,
    /// File to read (for baci: a trade file or a folder with one release)
    path: Option<PathBuf>,
    /// Store under this dataset id instead of the source's
    #[arg(long)]
    dataset: Option<String>,
    /// Release date of the input when it does not state one (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    release: Option<String>,
    /// Text encoding of the file, when it differs from the source's (utf-8, cp1252)
    #[arg(long)]
    encoding: Option<String>,
    /// Replace a vintage made from the same input
    #[arg(long)]
    force: bool,
    /// Live download: select a code of a dimension, e.g. geo=NL (repeatable; comma-separated codes)
    #[arg(long, value_name = "DIM=CODE")]
    filter: Vec<String>,
    /// Live download: the publisher's dataset or table (e.g. nama_10_a10, 85867NED)
    #[arg(long, value_name = "CODE")]
    remote: Option<String>,
    /// Live download: use this base URL instead of the publisher's (a mirror or test server)
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Live download from CBS: use the older OData v3 API (opendata.cbs.nl) instead of v4
    #[arg(long)]
    cbs_v3: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let spec = registry().get(&args.source)?;
    let store = ctx.store()?;
    let encoding = match &args.encoding {
        Some(e) => Some(
            Encoding::parse(e)
                .ok_or_else(|| UsageError(format!("--encoding {e}: use utf-8 or cp1252")))?,
        ),
        None => None,
    };
    let release = args.release.as_deref().map(date_arg).transpose()?;
    match &args.path {
        Some(path) if spec.format == Format::Baci => {
            let (_, total) = files::baci_files(path)?;
            let bar = byte_bar(ctx.quiet, Some(total), &spec.id);
            let outcomes = files::baci(
                &store,
                spec,
                path,
                args.dataset.as_deref(),
                release,
                args.force,
                &|n| bar.set_position(n),
            )
            .with_context(|| format!("ingesting BACI {}", path.display()));
            bar.finish_and_clear();
            for o in outcomes? {
                report(&o);
            }
            Ok(())
        }
        Some(path) => {
            if !path.exists() {
                return Err(UsageError(format!("{}: no such file", path.display())).into());
            }
            let dataset = DatasetId::new(args.dataset.clone().unwrap_or_else(|| spec.id.clone()))?;
            let input = Input::file(path);
            let bar = byte_bar(ctx.quiet, input.len(), &spec.id);
            let opts = ParseOptions {
                encoding,
                expected_dataset: args.remote.clone(),
                ..ParseOptions::default()
            };
            let outcome = files::file(
                &store,
                spec,
                dataset,
                input,
                &opts,
                release,
                args.force,
                &|n| bar.set_position(n),
            )
            .with_context(|| format!("ingesting {}", path.display()));
            bar.finish_and_clear();
            report(&outcome?);
            Ok(())
        }
        None => {
            let req = live::LiveRequest {
                filters: &args.filter,
                remote: args.remote.as_deref(),
                base_url: args.base_url.as_deref(),
                dataset: args.dataset.as_deref(),
                cbs_v3: args.cbs_v3,
                release,
                force: args.force,
            };
            let notify = Downloads::new(ctx.quiet);
            let outcome = live::live(&store, &ctx.settings, spec, &req, &notify)
                .with_context(|| format!("ingesting {}", spec.id));
            notify.0.finish_and_clear();
            report(&outcome?);
            Ok(())
        }
    }
}

/// A download's notes on standard error and its pages on a spinner.
struct Downloads(indicatif::ProgressBar, bool);

impl Downloads {
    fn new(quiet: bool) -> Self {
        let bar = if quiet {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new_spinner()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
        );
        Self(bar, quiet)
    }
}

impl live::Notify for Downloads {
    fn note(&self, msg: &str) {
        if !self.1 {
            self.0.suspend(|| eprintln!("note: {msg}"));
        }
    }
    fn pages(&self, n: usize) {
        self.0.set_message(format!("{n} page(s) downloaded"));
        self.0.tick();
    }
    fn pages_done(&self) {
        self.0.finish_and_clear();
    }
}

/// Prints what an ingest did.
pub fn report(outcome: &Outcome) {
    match outcome {
        Outcome::Added(meta, warnings) => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            println!(
                "Added {} vintage {}: {} rows, {}{}",
                meta.dataset,
                meta.vintage,
                meta.rows,
                indmon_report::series::release_text(meta),
                if meta.synthetic {
                    " [SYNTHETIC DATA]"
                } else {
                    ""
                }
            );
        }
        Outcome::AlreadyPresent(meta) => {
            println!(
                "Already in the store: {} vintage {} was made from the same input (sha256 {}); nothing changed. Use --force to rebuild it.",
                meta.dataset,
                meta.vintage,
                &meta.sha256[..12]
            );
        }
    }
}
