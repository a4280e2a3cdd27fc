//! `indmon ingest`: add a vintage from a file or a live download.

use std::path::{Path, PathBuf};

use crate::error::{Context as _, Result};
use indmon_core::DatasetId;
use indmon_sources::formats::{ParseOptions, parse};
use indmon_sources::input::Encoding;
use indmon_sources::{Format, Input, SourceSpec, baci, registry};
use indmon_store::Store;

use crate::cmd::{UsageError, byte_bar, date_arg};
use crate::config::Context;
use indmon_ingest::{IngestRequest, Outcome, ingest};

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
    let opts = ParseOptions {
        encoding,
        expected_dataset: args.remote.clone(),
    };
    match &args.path {
        Some(path) if spec.format == Format::Baci => {
            ingest_baci(ctx, &store, spec, path, &args, release)
        }
        Some(path) => {
            if !path.exists() {
                return Err(UsageError(format!("{}: no such file", path.display())).into());
            }
            let dataset = DatasetId::new(args.dataset.clone().unwrap_or_else(|| spec.id.clone()))?;
            let input = Input::file(path);
            let outcome = ingest_one(
                ctx, &store, spec, dataset, input, &opts, release, args.force,
            )?;
            report(ctx, &outcome);
            Ok(())
        }
        None => crate::cmd::ingest_live(
            ctx,
            &store,
            spec,
            &crate::cmd::LiveArgs {
                filters: &args.filter,
                remote: args.remote.as_deref(),
                base_url: args.base_url.as_deref(),
                dataset: args.dataset.as_deref(),
                cbs_v3: args.cbs_v3,
                release,
                force: args.force,
            },
        ),
    }
}

/// Ingests one file with a progress bar.
#[allow(clippy::too_many_arguments)]
pub fn ingest_one(
    ctx: &Context,
    store: &Store,
    spec: &SourceSpec,
    dataset: DatasetId,
    input: Input,
    opts: &ParseOptions,
    release: Option<chrono::NaiveDate>,
    force: bool,
) -> Result<Outcome> {
    let bar = byte_bar(ctx, input.len(), &spec.id);
    let label = input.name.clone();
    let opts = opts.clone();
    let req = IngestRequest {
        spec,
        dataset,
        input_label: label.clone(),
        known_sha: None,
        release: release.or(spec
            .release
            .as_deref()
            .map(indmon_core::catalog::parse_date)
            .transpose()?),
        release_basis: release.map(|_| "declared with --release".to_string()),
        title: None,
        publisher: None,
        licence_citation: None,
        scope: None,
        synthetic: false,
        force,
        parse: Box::new(move |sink, progress| parse(spec, &input, &opts, sink, progress)),
    };
    let outcome =
        ingest(store, req, &|n| bar.set_position(n)).with_context(|| format!("ingesting {label}"));
    bar.finish_and_clear();
    outcome
}

/// Prints what an ingest did.
pub fn report(_ctx: &Context, outcome: &Outcome) {
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

/// What a set of BACI files covers, e.g. "BACI HS17 V202601, 2022-2024 (3 files)".
fn baci_scope(files: &baci::BaciFiles) -> String {
    let years: Vec<i32> = files
        .trade
        .iter()
        .filter_map(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(baci::BaciName::parse)
                .and_then(|n| n.year)
        })
        .collect();
    let span = match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "years unknown".to_string(),
    };
    let what = if files.name.is_synthetic() {
        "SYNTHETIC BACI-format data"
    } else {
        "BACI"
    };
    format!(
        "{what} {} {}, {span} ({} file{})",
        files.name.hs,
        files.name.version,
        files.trade.len(),
        if files.trade.len() == 1 { "" } else { "s" }
    )
}

fn ingest_baci(
    ctx: &Context,
    store: &Store,
    spec: &SourceSpec,
    path: &Path,
    args: &Args,
    release: Option<chrono::NaiveDate>,
) -> Result<()> {
    if !path.exists() {
        return Err(UsageError(format!("{}: no such file or folder", path.display())).into());
    }
    let files = baci::discover(path)?;
    let synthetic = files.name.is_synthetic();
    let dataset = DatasetId::new(args.dataset.clone().unwrap_or_else(|| files.name.dataset()))?;
    let inputs: Vec<Input> = files.trade.iter().map(Input::file).collect();
    let total: u64 = inputs.iter().filter_map(Input::len).sum();
    let bar = byte_bar(ctx, Some(total), &format!("{dataset}"));
    let label = if files.trade.len() == 1 {
        files.trade[0].display().to_string()
    } else {
        format!("{} ({} files)", path.display(), files.trade.len())
    };
    let synth_note = synthetic.then(|| {
        let readme = files.trade[0].parent().map(|d| d.join("SYNTHETIC.md"));
        readme
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("Generated by"))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "Generated by indmon synth baci".into())
    });
    let release = release.or_else(|| files.name.release());
    let req = IngestRequest {
        spec,
        dataset: dataset.clone(),
        input_label: label,
        known_sha: None,
        release,
        release_basis: if args.release.is_some() {
            Some("declared with --release".into())
        } else {
            files.name.release().map(|_| {
                format!(
                    "BACI release {} (named by year and month)",
                    files.name.version
                )
            })
        },
        title: synthetic.then(|| {
            format!(
                "SYNTHETIC BACI-format trade flows, {} (generated, not statistics)",
                files.name.hs
            )
        }),
        publisher: synthetic
            .then(|| "indmon synthetic-data generator (not statistics)".to_string()),
        licence_citation: synth_note
            .clone()
            .map(|n| ("synthetic data, free to use".to_string(), n)),
        scope: Some(baci_scope(&files)),
        synthetic,
        force: args.force,
        parse: Box::new(move |sink, progress| baci::parse_files(spec, &inputs, sink, progress)),
    };
    let outcome = ingest(store, req, &|n| bar.set_position(n))
        .with_context(|| format!("ingesting BACI {}", path.display()));
    bar.finish_and_clear();
    report(ctx, &outcome?);
    // the code lists of the release
    for (file, source) in [
        (&files.countries, "baci_countries"),
        (&files.products, "baci_products"),
    ] {
        let Some(file) = file else { continue };
        let code_spec = registry().get(source)?;
        let ds = if synthetic {
            format!("synth_{source}")
        } else {
            source.to_string()
        };
        let outcome = ingest_one(
            ctx,
            store,
            code_spec,
            DatasetId::new(ds)?,
            Input::file(file),
            &ParseOptions::default(),
            release,
            args.force,
        )?;
        report(ctx, &outcome);
    }
    Ok(())
}
