//! Live downloads (`indmon ingest SOURCE` without a file): Eurostat (JSON-stat), OECD
//! (SDMX-CSV) and CBS (OData v4/v3, paged and resumable), each stored as a vintage
//! with the release date the server reports.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use indmon_core::DatasetId;
use indmon_core::settings::Settings;
use indmon_sources::fetch::{
    Expect, Fetcher, Session, eurostat_url, odata_next, oecd_url, percent,
};
use indmon_sources::formats::{Ctx, ParseOptions, Parsed, cbs, parse};
use indmon_sources::{Input, SourceSpec};
use indmon_store::Store;

use crate::{Error, IngestRequest, Outcome, ParseFn, Result, ingest};

/// What a download reports as it goes.
pub trait Notify {
    /// A line worth telling (what is downloaded, a retry and why).
    fn note(&self, _msg: &str) {}
    /// Pages of a paged download received so far.
    fn pages(&self, _n: usize) {}
    /// The paged download is complete.
    fn pages_done(&self) {}
}

/// What to download.
pub struct LiveRequest<'a> {
    /// `DIM=CODE` selections.
    pub filters: &'a [String],
    /// The publisher's dataset or table, instead of the source's.
    pub remote: Option<&'a str>,
    /// Another base URL (mirror, test server).
    pub base_url: Option<&'a str>,
    /// Store under this dataset id.
    pub dataset: Option<&'a str>,
    /// CBS: the OData v3 API.
    pub cbs_v3: bool,
    /// Declared release date.
    pub release: Option<NaiveDate>,
    /// Replace an existing vintage.
    pub force: bool,
}

/// Downloads the source's data (through the store's download cache, resuming an
/// interrupted paged download) and stores it as a new vintage; `notify` hears what is
/// downloaded, retried and how many pages arrived.
pub fn live(
    store: &Store,
    settings: &Settings,
    spec: &SourceSpec,
    a: &LiveRequest<'_>,
    notify: &dyn Notify,
) -> Result<Outcome> {
    let (filters, remote, base_url, dataset, release, force) = (
        a.filters, a.remote, a.base_url, a.dataset, a.release, a.force,
    );
    let live = spec.live.as_ref().ok_or_else(|| {
        Error::Usage(format!(
            "source {} has no live API: give the file to read (indmon ingest {} PATH)",
            spec.id, spec.id
        ))
    })?;
    if a.cbs_v3 && !live.api.starts_with("cbs-") {
        return Err(Error::Usage(format!(
            "--cbs-v3 applies to CBS sources, not {}",
            spec.id
        )));
    }
    let api = if a.cbs_v3 {
        "cbs-odata3"
    } else {
        live.api.as_str()
    };
    let default_base = match api {
        "cbs-odata4" => settings.cbs.odata4_base.as_str(),
        "cbs-odata3" => settings.cbs.odata3_base.as_str(),
        _ => live.base.as_str(),
    };
    let mut query: BTreeMap<String, String> = live.query.clone();
    for f in filters {
        let (dim, codes) = f.split_once('=').ok_or_else(|| {
            Error::Usage(format!("--filter {f}: use DIMENSION=CODE, e.g. geo=NL"))
        })?;
        query.insert(dim.trim().to_string(), codes.trim().to_string());
    }
    let base = base_url
        .unwrap_or(default_base)
        .trim_end_matches('/')
        .to_string();
    let remote_ds = remote.unwrap_or(&live.dataset).to_string();
    let dataset = DatasetId::new(match dataset {
        Some(d) => d.to_string(),
        None if live.api == "eurostat" && remote_ds != live.dataset => {
            format!("estat_{}", remote_ds.to_ascii_lowercase())
        }
        None => spec.id.clone(),
    })?;
    let fetcher = Fetcher::new(&settings.fetch, store.cache_dir());
    let on_retry = |m: &str| notify.note(m);
    let opts = ParseOptions {
        encoding: None,
        expected_dataset: Some(remote_ds.clone()),
        ..ParseOptions::default()
    };
    let (input_label, parse_fn, header_release): (String, ParseFn<'_>, Option<NaiveDate>) =
        match api {
            "eurostat" | "oecd" => {
                let (url, expect) = if live.api == "eurostat" {
                    let filters: Vec<(String, String)> = query.into_iter().collect();
                    (eurostat_url(&base, &remote_ds, &filters), Expect::Json)
                } else {
                    let key = query.remove("key").unwrap_or_default();
                    (
                        oecd_url(
                            &base,
                            &remote_ds,
                            &key,
                            query.get("startPeriod").map(String::as_str),
                        ),
                        Expect::Csv,
                    )
                };
                notify.note(&format!("Downloading {url}"));
                let fetched = fetcher.get(&url, expect, &on_retry)?;
                let lm = fetched
                    .last_modified
                    .as_deref()
                    .and_then(|s| chrono::DateTime::parse_from_rfc2822(s).ok())
                    .map(|d| d.date_naive());
                let input = Input::bytes(url.clone(), fetched.body);
                (
                    url,
                    Box::new(move |sink, progress| parse(spec, &input, &opts, sink, progress)),
                    lm,
                )
            }
            "cbs-odata4" | "cbs-odata3" => {
                let v4 = api == "cbs-odata4";
                let start = if v4 {
                    let filter = query
                        .iter()
                        .map(|(k, v)| format!("{k} eq '{v}'"))
                        .collect::<Vec<_>>()
                        .join(" and ");
                    if filter.is_empty() {
                        format!("{base}/{remote_ds}/Observations")
                    } else {
                        format!(
                            "{base}/{remote_ds}/Observations?$filter={}",
                            percent(&filter)
                        )
                    }
                } else {
                    format!("{base}/{remote_ds}/TypedDataSet?$format=json")
                };
                let mut session = Session::open(&fetcher, &start)?;
                let mut pages = session.cached_pages()?;
                if session.resumed_pages > 0 {
                    notify.note(&format!(
                    "Resuming an interrupted download of {start}: {} page(s) already in the cache",
                    session.resumed_pages
                ));
                } else {
                    notify.note(&format!("Downloading {start}"));
                }
                while let Some(page) = session.next_page(Expect::Json, &odata_next, &on_retry)? {
                    pages.push(page);
                    notify.pages(pages.len());
                }
                notify.pages_done();
                // the provisional/final status of each period, and the table's modification date
                let mut statuses = HashMap::new();
                // period statuses (v4: PeriodenCodes.Identifier/Status; v3: Perioden.Key/Status) and the
                // table's modification date (v4: Properties.Modified; v3: TableInfos.Modified)
                let (codes_url, id_field, props_url) = if v4 {
                    (
                        format!("{base}/{remote_ds}/PeriodenCodes"),
                        "Identifier",
                        format!("{base}/{remote_ds}/Properties"),
                    )
                } else {
                    (
                        format!("{base}/{remote_ds}/Perioden?$format=json"),
                        "Key",
                        format!("{base}/{remote_ds}/TableInfos?$format=json"),
                    )
                };
                let codes = fetcher.get(&codes_url, Expect::Json, &on_retry)?;
                let doc: serde_json::Value = serde_json::from_slice(&codes.body).map_err(|e| {
                    indmon_sources::Error::from(indmon_sources::InputError::file(
                        &codes_url,
                        format!("not valid JSON: {e}"),
                    ))
                })?;
                for row in doc
                    .get("value")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let (Some(id), Some(st)) = (
                        row.get(id_field).and_then(|v| v.as_str()),
                        row.get("Status").and_then(|v| v.as_str()),
                    ) {
                        statuses.insert(id.trim().to_string(), st.trim().to_string());
                    }
                }
                let props = fetcher.get(&props_url, Expect::Json, &on_retry)?;
                let doc: serde_json::Value = serde_json::from_slice(&props.body).map_err(|e| {
                    indmon_sources::Error::from(indmon_sources::InputError::file(
                        &props_url,
                        format!("not valid JSON: {e}"),
                    ))
                })?;
                let props = doc.get("value").and_then(|v| v.get(0)).unwrap_or(&doc);
                let modified = props
                    .get("Modified")
                    .and_then(|v| v.as_str())
                    .and_then(|s| {
                        NaiveDate::parse_from_str(s.get(..10).unwrap_or(""), "%Y-%m-%d").ok()
                    });
                let checksum = session.checksum();
                let bytes: u64 = pages.iter().map(|p| p.body.len() as u64).sum();
                let label = start.clone();
                let parse_fn: ParseFn<'_> = Box::new(move |sink, progress| {
                    let json: Vec<serde_json::Value> = pages
                        .iter()
                        .map(|p| {
                            serde_json::from_slice(&p.body).map_err(|e| {
                                indmon_sources::InputError::file(
                                    &p.url,
                                    format!("not valid JSON: {e}"),
                                )
                                .into()
                            })
                        })
                        .collect::<indmon_sources::Result<_>>()?;
                    let file = label.clone();
                    let cx = Ctx {
                        spec,
                        file: &file,
                        encoding: spec.encoding,
                        opts: &opts,
                    };
                    let mut parsed = Parsed {
                        sha256: checksum.clone(),
                        input_bytes: bytes,
                        ..Default::default()
                    };
                    cbs::parse_pages(&cx, &json, &statuses, &mut parsed, sink)?;
                    progress(bytes);
                    Ok(parsed)
                });
                (start, parse_fn, modified)
            }
            other => {
                return Err(indmon_sources::Error::Spec {
                    id: spec.id.clone(),
                    message: format!("unknown live API '{other}'"),
                }
                .into());
            }
        };
    let req = IngestRequest {
        spec,
        dataset,
        input_label: input_label.clone(),
        known_sha: None,
        release: release.or(header_release),
        release_basis: if release.is_some() {
            Some("declared with --release".into())
        } else {
            header_release.map(|_| "modification date the server reports".into())
        },
        title: None,
        publisher: None,
        licence_citation: None,
        scope: Some(format!("download {input_label}")),
        synthetic: false,
        force,
        parse: parse_fn,
    };
    ingest(store, req, &|_| {})
}
