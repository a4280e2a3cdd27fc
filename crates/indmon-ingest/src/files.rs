//! Files given by the user (`indmon ingest SOURCE PATH`): one file of a source, or a
//! BACI release (a trade file or a folder with the yearly files and the release's
//! country and product lists).

use std::path::Path;

use chrono::NaiveDate;
use indmon_core::DatasetId;
use indmon_sources::formats::{ParseOptions, parse};
use indmon_sources::{Input, SourceSpec, baci, registry};
use indmon_store::Store;

use crate::pipeline::{commit, stage};
use crate::{Error, IngestRequest, Outcome, Result, ingest};

/// Ingests one file of `spec` as a vintage of `dataset`; `progress` hears the bytes
/// read. `release` is the release date declared by the user, used when the file states
/// none (else the source description's).
#[allow(clippy::too_many_arguments)]
pub fn file(
    store: &Store,
    spec: &SourceSpec,
    dataset: DatasetId,
    input: Input,
    opts: &ParseOptions,
    release: Option<NaiveDate>,
    force: bool,
    progress: &dyn Fn(u64),
) -> Result<Outcome> {
    ingest(
        store,
        file_request(spec, dataset, input, opts, release, force)?,
        progress,
    )
}

/// The request that ingests one file of `spec` (see [`file`]).
fn file_request<'a>(
    spec: &'a SourceSpec,
    dataset: DatasetId,
    input: Input,
    opts: &ParseOptions,
    release: Option<NaiveDate>,
    force: bool,
) -> Result<IngestRequest<'a>> {
    let opts = crate::with_country_list(spec, opts.clone())?;
    Ok(IngestRequest {
        spec,
        dataset,
        input_label: input.name.clone(),
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
    })
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

/// The total size of a BACI release's trade files (for a progress bar), and the files.
pub fn baci_files(path: &Path) -> Result<(baci::BaciFiles, u64)> {
    if !path.exists() {
        return Err(Error::Usage(format!(
            "{}: no such file or folder",
            path.display()
        )));
    }
    let files = baci::discover(path)?;
    let total = files
        .trade
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    Ok((files, total))
}

/// Ingests a BACI release found at `path` (see [`baci_files`]): the trade files as one
/// vintage of `dataset` (default: from the files' names, e.g. `baci_hs17`), and the
/// release's country and product lists — all three as one unit: they are staged first
/// and appear together, and if any of them fails, none does (the store is unchanged).
/// Synthetic BACI-format data is stored and named as such. Returns the outcome of each
/// of the (up to three) vintages.
pub fn baci(
    store: &Store,
    spec: &SourceSpec,
    path: &Path,
    dataset: Option<&str>,
    release: Option<NaiveDate>,
    force: bool,
    progress: &dyn Fn(u64),
) -> Result<Vec<Outcome>> {
    let (files, _) = baci_files(path)?;
    let synthetic = files.name.is_synthetic();
    let dataset = DatasetId::new(
        dataset
            .map(str::to_owned)
            .unwrap_or_else(|| files.name.dataset()),
    )?;
    let inputs: Vec<Input> = files.trade.iter().map(Input::file).collect();
    let label = if files.trade.len() == 1 {
        files.trade[0].display().to_string()
    } else {
        format!("{} ({} files)", path.display(), files.trade.len())
    };
    let synth_note = synthetic.then(|| {
        let readme = files.trade[0].parent().map(|d| d.join("SYNTHETIC.md"));
        readme
            .and_then(|p| indmon_sources::input::read_regular(&p, 1 << 20).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("Generated by"))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "Generated by indmon synth baci".into())
    });
    let declared = release.is_some();
    let release = release.or_else(|| files.name.release());
    let req = IngestRequest {
        spec,
        dataset: dataset.clone(),
        input_label: label,
        known_sha: None,
        release,
        release_basis: if declared {
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
        force,
        parse: Box::new(move |sink, progress| baci::parse_files(spec, &inputs, sink, progress)),
    };
    let mut release_unit = store.release()?;
    let mut outcomes = vec![stage(store, &mut release_unit, req, progress)?];
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
        let req = file_request(
            code_spec,
            DatasetId::new(ds)?,
            Input::file(file),
            &ParseOptions::default(),
            release,
            force,
        )?;
        outcomes.push(stage(store, &mut release_unit, req, &|_| {})?);
    }
    commit(release_unit, outcomes, force)
}
