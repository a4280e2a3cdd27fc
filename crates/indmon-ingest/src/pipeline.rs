//! Ingest: a source's parser feeding the store's vintage writer, and the catalog
//! record that goes with it. Shared by `indmon init` (the bundled snapshot) and
//! `indmon ingest` (files and live downloads).

use chrono::{NaiveDate, Utc};
use indmon_core::{DatasetId, VintageMeta};
use indmon_sources::SourceSpec;
use indmon_sources::formats::{Parsed, Progress, Sink};
use indmon_store::{Release, Store};

use crate::{Error, Result};

/// Produces the batches of one vintage: the parse, given a sink and a progress callback.
pub type ParseFn<'a> =
    Box<dyn FnOnce(Sink<'_>, Progress<'_>) -> indmon_sources::Result<Parsed> + 'a>;

/// One vintage to ingest.
pub struct IngestRequest<'a> {
    /// The source description.
    pub spec: &'a SourceSpec,
    /// The dataset it goes to.
    pub dataset: DatasetId,
    /// The input as the catalog records it (path, URL, `bundled:…`).
    pub input_label: String,
    /// Checksum of the input when known before parsing (skips a re-parse of a known input).
    pub known_sha: Option<String>,
    /// Release date declared by the user or the source description, used when the
    /// input states none.
    pub release: Option<NaiveDate>,
    /// How that release date is known.
    pub release_basis: Option<String>,
    /// Overrides the title (synthetic data says so in its title).
    pub title: Option<String>,
    /// Overrides the publisher.
    pub publisher: Option<String>,
    /// Overrides licence and citation.
    pub licence_citation: Option<(String, String)>,
    /// Scope note shown with every figure (what the input covers, when it is a subset).
    pub scope: Option<String>,
    /// Generated data.
    pub synthetic: bool,
    /// Replace a vintage with the same id.
    pub force: bool,
    /// The parse.
    pub parse: ParseFn<'a>,
}

/// What an ingest did.
pub enum Outcome {
    /// A new vintage.
    Added(Box<VintageMeta>, Vec<String>),
    /// The same input was already in the store.
    AlreadyPresent(Box<VintageMeta>),
}

/// Parses and stores one vintage. Nothing is visible in the store unless every
/// batch passed its checks and the vintage was committed.
pub fn ingest(store: &Store, req: IngestRequest<'_>, progress: Progress<'_>) -> Result<Outcome> {
    if let Some(sha) = &req.known_sha
        && let Some(m) = store.catalog()?.with_sha(req.dataset.as_str(), sha)
        && !req.force
    {
        return Ok(Outcome::AlreadyPresent(Box::new(m.clone())));
    }
    let force = req.force;
    let mut release = store.release()?;
    let outcome = stage(store, &mut release, req, progress)?;
    commit(release, vec![outcome], force).map(|mut o| o.remove(0))
}

/// Parses one vintage into `release` (nothing is visible until the release is
/// committed, see [`commit`]). An input already in the store (the same checksum, and no
/// `force`) adds nothing.
pub fn stage(
    store: &Store,
    release: &mut Release,
    req: IngestRequest<'_>,
    progress: Progress<'_>,
) -> Result<Outcome> {
    let catalog = store.catalog()?;
    if let Some(sha) = &req.known_sha
        && let Some(m) = catalog.with_sha(req.dataset.as_str(), sha)
        && !req.force
    {
        return Ok(Outcome::AlreadyPresent(Box::new(m.clone())));
    }
    let table = req.spec.table();
    let mut writer = release.writer(&req.dataset)?;
    let retrieved_at = Utc::now();
    let parsed = (req.parse)(
        &mut |batch| {
            writer
                .write(batch)
                .map_err(|e| indmon_sources::Error::Sink(e.to_string()))
        },
        progress,
    )?;
    if parsed.rows == 0 {
        return Err(indmon_sources::Error::from(
            indmon_sources::InputError::file(
                &req.input_label,
                "no observations to store (an empty dataset, or a selection that matches nothing); the store is unchanged",
            )
            .expected("at least one data row"),
        )
        .into());
    }
    if let Some(m) = catalog.with_sha(req.dataset.as_str(), &parsed.sha256)
        && !req.force
    {
        return Ok(Outcome::AlreadyPresent(Box::new(m.clone())));
    }
    let (release_date, release_label, release_basis) = match parsed.release {
        Some(d) => (
            Some(d),
            parsed.release_label.clone(),
            parsed.release_basis.clone(),
        ),
        None => (
            req.release,
            req.release.map(|d| d.to_string()),
            req.release_basis.clone(),
        ),
    };
    let effective = release_date.unwrap_or_else(|| retrieved_at.date_naive());
    let (licence, citation) = req
        .licence_citation
        .clone()
        .unwrap_or_else(|| (req.spec.licence.clone(), req.spec.citation.clone()));
    let meta = VintageMeta {
        dataset: req.dataset.clone(),
        vintage: VintageMeta::make_id(effective, &parsed.sha256),
        title: req.title.clone().unwrap_or_else(|| req.spec.title.clone()),
        publisher: req
            .publisher
            .clone()
            .unwrap_or_else(|| req.spec.publisher.clone()),
        source: req.spec.id.clone(),
        input: req.input_label.clone(),
        retrieved_at,
        release: release_date,
        release_label,
        release_basis,
        sha256: parsed.sha256.clone(),
        input_bytes: parsed.input_bytes,
        rows: parsed.rows,
        schema: table.name.clone(),
        schema_version: table.version,
        parser: req.spec.parser(),
        licence,
        citation,
        scope: req.scope.clone(),
        synthetic: req.synthetic,
        min_flow_usd: req.spec.min_flow_usd,
        indmon_version: indmon_core::INDMON_VERSION.to_string(),
        data_sha256: None,
    };
    let what = || format!("storing {} vintage {}", meta.dataset, meta.vintage);
    let stored = release.add(writer, &meta).map_err(|e| Error::Commit {
        what: what(),
        source: e,
    })?;
    Ok(Outcome::Added(Box::new(stored), parsed.warnings))
}

/// Commits `release`: every vintage staged into it appears at once (with `force`,
/// replacing vintages with the same ids), or, on failure, none does. `outcomes` are
/// those of [`stage`], in order; they come back with the records as stored.
pub fn commit(release: Release, outcomes: Vec<Outcome>, force: bool) -> Result<Vec<Outcome>> {
    let what = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Added(m, _) => Some(format!("{} vintage {}", m.dataset, m.vintage)),
            Outcome::AlreadyPresent(_) => None,
        })
        .collect::<Vec<_>>()
        .join(", ");
    let stored = release.commit(force).map_err(|e| Error::Commit {
        what: format!("storing {what}"),
        source: e,
    })?;
    let mut stored = stored.into_iter();
    Ok(outcomes
        .into_iter()
        .map(|o| match o {
            Outcome::Added(m, w) => Outcome::Added(Box::new(stored.next().unwrap_or(*m)), w),
            o => o,
        })
        .collect())
}
