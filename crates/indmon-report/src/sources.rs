//! Where a figure comes from: one entry per dataset vintage a result used.

use std::collections::BTreeSet;

use indmon_store::Catalog;
use serde::Serialize;

/// One dataset vintage a result was computed from, with what a citation needs.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Source {
    /// Dataset id in the store (e.g. `estat_nama_10_a64`).
    pub dataset: String,
    /// Vintage id (release date and the first 8 hex digits of the input's SHA-256).
    pub vintage: String,
    /// Publisher, e.g. "Eurostat".
    pub publisher: String,
    /// Title of the dataset.
    pub title: String,
    /// The publisher's release date (YYYY-MM-DD), when stated.
    pub release: Option<String>,
    /// When indmon read the input (RFC 3339).
    pub retrieved_at: String,
    /// Licence of the data.
    pub licence: String,
    /// How to cite it.
    pub citation: String,
    /// The part of the source that was kept, when not all of it.
    pub scope: Option<String>,
    /// Synthetic data (generated for tests and benchmarks), never real figures.
    pub synthetic: bool,
    /// The smallest flow the data keep (US dollars), when an extract dropped smaller
    /// ones: totals from it are lower bounds, shares are among those flows only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_flow_usd: Option<f64>,
    /// The one-line citation the command line prints.
    pub line: String,
}

impl Source {
    /// The entry for one catalog record.
    pub fn of(m: &indmon_core::catalog::VintageMeta) -> Self {
        Self {
            dataset: m.dataset.to_string(),
            vintage: m.vintage.clone(),
            publisher: m.publisher.clone(),
            title: m.title.clone(),
            release: m.release.map(|d| d.to_string()),
            retrieved_at: m.retrieved_at.to_rfc3339(),
            licence: m.licence.clone(),
            citation: m.citation.clone(),
            scope: m.scope.clone(),
            synthetic: m.synthetic,
            min_flow_usd: m.min_flow_usd,
            line: m.source_line(),
        }
    }

    /// The entries for the (dataset, vintage) pairs a result used, in that order;
    /// pairs the catalog does not know are left out.
    pub fn list(catalog: &Catalog, used: &BTreeSet<(String, String)>) -> Vec<Self> {
        used.iter()
            .filter_map(|(ds, v)| catalog.vintages(ds).iter().find(|m| &m.vintage == v))
            .map(Self::of)
            .collect()
    }
}
