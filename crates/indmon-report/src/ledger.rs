//! The store series the programme ledger's indicators link to.
//!
//! `industry_share`: the share of industry in total value added of the configured
//! country, as `indmon target` measures it (the settings' definition, the preferred
//! dataset), in per cent, one value per year, each with the source line of its vintage
//! and the method version.

use std::collections::BTreeMap;

use indmon_core::settings::TargetSettings;
use indmon_ledger::progress::SeriesValue;
use indmon_store::{Catalog, QueryOptions, Store};

use crate::Result;
use crate::target::{Definition, load};

/// The linked series, by name; a series the store has no data for is absent.
pub async fn linked_series(
    store: &Store,
    opts: &QueryOptions,
    catalog: &Catalog,
    settings: &TargetSettings,
) -> Result<BTreeMap<String, Vec<SeriesValue>>> {
    let def = Definition::of(settings);
    let data = load(
        store,
        opts,
        std::slice::from_ref(&settings.geo),
        &def,
        "auto",
    )
    .await?;
    let mut out = BTreeMap::new();
    if let Some(series) = data.get(&settings.geo) {
        let values = series
            .iter()
            .map(|o| {
                let line = catalog
                    .vintages(&o.dataset)
                    .iter()
                    .find(|m| m.vintage == o.vintage)
                    .map_or_else(
                        || format!("{} {}", o.dataset, o.vintage),
                        |m| m.source_line(),
                    );
                SeriesValue {
                    period: o.year.to_string(),
                    value: o.share() * 100.0,
                    source: format!(
                        "{line}; {} {}; indmon {}",
                        settings.geo,
                        def.describe(),
                        indmon_analytics::METHOD_VERSION
                    ),
                }
            })
            .collect();
        out.insert("industry_share".to_owned(), values);
    }
    Ok(out)
}
