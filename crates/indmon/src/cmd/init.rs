//! `indmon init`: load the bundled snapshot of real data.

use anyhow::anyhow;

use crate::error::{Context as _, Result};
use indmon_core::DatasetId;
use indmon_sources::baci::BaciName;
use indmon_sources::formats::{ParseOptions, parse};
use indmon_sources::input::sha256_hex;
use indmon_sources::{Input, registry};
use indmon_store::Store;

use crate::config::Context;
use crate::pipeline::{IngestRequest, Outcome, ingest};

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
    let specs: Vec<_> = registry()
        .all()
        .iter()
        .filter(|s| s.bundled.is_some())
        .collect();
    let bar = if ctx.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(specs.len() as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:28} [{bar:30}] {pos}/{len} datasets")
            .expect("valid template"),
    );
    let (mut added, mut present) = (0, 0);
    for spec in specs {
        let path = spec.bundled.as_deref().expect("filtered");
        bar.set_message(spec.id.clone());
        let bytes = indmon_reference::bundle::file(path)
            .ok_or_else(|| anyhow!("bundled file data/{path} is missing from this build"))?;
        let dataset = match spec.format {
            indmon_sources::Format::Baci => {
                let name = path.rsplit('/').next().unwrap_or(path);
                BaciName::parse(name)
                    .map(|n| n.dataset())
                    .unwrap_or_else(|| spec.id.clone())
            }
            _ => spec.id.clone(),
        };
        let release = spec
            .release
            .as_deref()
            .map(indmon_core::catalog::parse_date)
            .transpose()?;
        let input = Input::bytes(format!("bundled:data/{path}"), bytes.to_vec());
        let baci_release = BaciName::parse(path.rsplit('/').next().unwrap_or(path))
            .and_then(|n| n.release().map(|d| (d, n.version)));
        let req =
            IngestRequest {
                spec,
                dataset: DatasetId::new(dataset)?,
                input_label: input.name.clone(),
                known_sha: Some(sha256_hex(bytes)),
                release: release.or(baci_release.as_ref().map(|(d, _)| *d)),
                release_basis: spec.release_basis.clone().or(baci_release
                    .map(|(_, v)| format!("BACI release {v} (named by year and month)"))),
                title: None,
                publisher: None,
                licence_citation: None,
                scope: None,
                synthetic: false,
                force,
                parse: Box::new(move |sink, progress| {
                    parse(spec, &input, &ParseOptions::default(), sink, progress)
                }),
            };
        match ingest(store, req, &|_| {}).with_context(|| format!("loading bundled data/{path}"))? {
            Outcome::Added(meta, _) => {
                added += 1;
                bar.println(format!(
                    "  loaded {:<28} {:>9} rows   {}",
                    meta.dataset,
                    meta.rows,
                    indmon_report::series::release_text(&meta)
                ));
            }
            Outcome::AlreadyPresent(_) => present += 1,
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if !ctx.quiet {
        eprintln!(
            "Bundled snapshot: {added} dataset(s) loaded, {present} already present, in {}",
            store.root().display()
        );
    }
    Ok(())
}
