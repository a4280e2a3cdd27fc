//! Strategic dependencies: the flows of BACI-format trade (a store dataset, or BACI
//! files read directly) accumulated per product and country, the EU 2021 criteria,
//! persistence, the re-export correction and the three tiers (dependency → strategic →
//! risky strategic); and the results built on them: the screen and the metrics
//! (`screen`), one product explained step by step (`explain`), where others depend
//! on the reporter (`mutual`) and the EU critical-raw-materials assessment
//! (`crm`). Also the countries of a BACI country list and the resolution of a
//! reporter's name, which the market board shares.
//!
//! Every result takes the trade either from the store (`screen`, `explain`, `mutual`,
//! `metrics`: each loads what it needs) or already read (`screen_in`, `explain_in` …,
//! with [`Trade`] from [`load`] or [`TradeFiles::read`]).

mod classify;
mod crm;
mod explain;
mod files;
mod mutual;
mod screen;

use std::collections::{HashMap, HashSet};

use indmon_analytics::dependencies::Accumulator;
use indmon_core::settings::Settings;
use indmon_core::taxonomy::Taxonomy;
use indmon_reference::Reference;
use indmon_store::{Agg, Catalog, Cond, QueryOptions, Rows, Select, Store};

pub use crate::countries::{Countries, Reporter, edition_of_hs, is_eu27};
use crate::{Error, Result, Source};
pub use classify::{
    Row, Setup, Tier, classify, common_notes, hs6, reexport_of, relation_of, setup,
};
pub use crm::{
    ASSESSMENT, Crm, CrmCode, CrmMaterial, CrmRequest, MaterialDetail, MaterialRequest, ScoreYear,
    StageSupply, SupplierShare, TopSupplier, critical_in, crm, crm_codes, material, share_value,
    supply_name,
};
pub use explain::{
    AreaReason, CriteriaYear, Criterion, ExplainRequest, ExplainStep, Explanation, Persistence,
    ReExportStep, RiskStep, Supplier, WorldSupply, explain, explain_in,
};
pub use files::TradeFiles;
pub use indmon_analytics::dependencies::ReExport;
pub use mutual::{
    DependentPartner, Mutual, MutualProduct, MutualRequest, TwoWay, mutual, mutual_in,
};
pub use screen::{
    MetricRow, Metrics, MetricsRequest, Screen, ScreenRequest, ScreenRow, TierCounts, metrics,
    metrics_in, screen, screen_in, screen_of,
};

// ---------------------------------------------------------------------------------
// The trade

/// The trade of one run, accumulated.
pub struct Trade {
    /// The flows per product, country and year.
    pub acc: Accumulator,
    /// The reporter.
    pub reporter: Reporter,
    /// The country list.
    pub countries: Countries,
    /// HS edition of the product codes.
    pub edition: &'static str,
    /// Synthetic data.
    pub synthetic: bool,
    /// What the trade is (source lines).
    pub notes: Vec<String>,
    /// Distinct products in the data read.
    pub products_in_data: usize,
    /// The dataset vintage read, when from the store.
    pub source: Option<Source>,
}

/// Which trade to read from the store.
#[derive(Debug, Clone, Default)]
pub struct TradeRequest {
    /// Reporter: a country (ISO alpha-2 or alpha-3) or EU27 [default: `[target] geo`].
    pub reporter: Option<String>,
    /// Year [default: the latest in the data].
    pub year: Option<i32>,
    /// Trade dataset [default: by [`DEFAULT_TRADE_RULE`]].
    pub dataset: Option<String>,
}

/// How the screen (and complexity) picks its trade dataset when none is named.
pub const DEFAULT_TRADE_RULE: &str = "real before synthetic, then complete data before an extract of large flows only, then most rows";

/// The BACI-format dataset the screen reads by default, by [`DEFAULT_TRADE_RULE`].
pub fn default_trade_dataset(catalog: &Catalog) -> Option<String> {
    catalog
        .datasets()
        .filter_map(|d| catalog.latest(d))
        .filter(|m| m.schema == "baci_trade")
        .max_by_key(|m| (!m.synthetic, m.min_flow_usd.is_none(), m.rows))
        .map(|m| m.dataset.as_str().to_string())
}

/// A trade dataset of the store, as a list of choices shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TradeDataset {
    /// Dataset id.
    pub dataset: String,
    /// What it covers, when a part of the source.
    pub scope: Option<String>,
    /// The smallest flow it keeps (US dollars), for an extract of large flows only.
    pub min_flow_usd: Option<f64>,
    /// Synthetic data.
    pub synthetic: bool,
    /// The one the screen reads by default.
    pub default: bool,
}

/// The BACI-format trade datasets of the store, in the catalog's order.
pub fn trade_datasets(catalog: &Catalog) -> Vec<TradeDataset> {
    let default = default_trade_dataset(catalog);
    catalog
        .datasets()
        .filter_map(|d| catalog.latest(d))
        .filter(|m| m.schema == "baci_trade")
        .map(|m| TradeDataset {
            dataset: m.dataset.as_str().to_string(),
            scope: m.scope.clone(),
            min_flow_usd: m.min_flow_usd,
            synthetic: m.synthetic,
            default: default.as_deref() == Some(m.dataset.as_str()),
        })
        .collect()
}

/// The note that says how the trade dataset was chosen: as asked, or by
/// [`DEFAULT_TRADE_RULE`] with the other trade datasets of the store.
pub fn choice_note(catalog: &Catalog, dataset: &str, asked: bool) -> String {
    if asked {
        return format!("Trade data: dataset {dataset}, as asked.");
    }
    let others: Vec<String> = catalog
        .datasets()
        .filter_map(|d| catalog.latest(d))
        .filter(|m| m.schema == "baci_trade" && m.dataset.as_str() != dataset)
        .map(|m| match &m.scope {
            // another dataset's scope, not this result's: generated data in words
            _ if m.synthetic => format!("{} (generated data, not statistics)", m.dataset.as_str()),
            Some(s) => format!("{} ({s})", m.dataset.as_str()),
            None => m.dataset.as_str().to_string(),
        })
        .collect();
    let mut note = format!("Trade data: dataset {dataset}, chosen as {DEFAULT_TRADE_RULE}");
    if !others.is_empty() {
        note.push_str(&format!("; also in the store: {}", others.join(", ")));
    }
    note.push_str("; name another with --dataset.");
    note
}

/// The note that says the trade is synthetic.
pub const SYNTHETIC_NOTE: &str = "SYNTHETIC data (generated, not statistics): the screen shows how it works, not real dependencies.";

/// Reads the flows of a store dataset into an accumulator, streamed. With `window`,
/// only the years the screen needs are read: the year asked for (or the latest) and
/// the persistence window before it.
pub async fn load(
    store: &Store,
    settings: &Settings,
    req: &TradeRequest,
    window: Option<usize>,
) -> Result<Trade> {
    let reporter_name = req
        .reporter
        .clone()
        .unwrap_or_else(|| settings.target.geo.clone());
    let catalog = store.catalog()?;
    let dataset = match &req.dataset {
        Some(d) => d.clone(),
        None => match default_trade_dataset(&catalog) {
            Some(d) => d,
            // a BACI trade dataset whose record cannot be read: say so, not "no data"
            None => match catalog
                .unavailable()
                .find(|u| u.dataset.contains("baci_hs"))
            {
                Some(u) => return Err(indmon_store::Error::Unavailable(u.clone()).into()),
                None => return Err(Error::NoData("no trade data in the store: run `indmon init` or `indmon ingest baci DIR`, or give --trade PATH".into())),
            },
        },
    };
    if let Some(u) = catalog.unavailable_dataset(&dataset) {
        return Err(indmon_store::Error::Unavailable(u.clone()).into());
    }
    let meta = catalog.latest(&dataset).cloned().ok_or_else(|| {
        indmon_store::Error::NotFound(format!("dataset {dataset} is not in the store"))
    })?;
    if meta.schema != "baci_trade" {
        return Err(Error::Invalid(format!(
            "dataset {dataset} is not BACI-format trade"
        )));
    }
    let ctable = if dataset.starts_with("synth_") && catalog.holds("synth_baci_countries") {
        "synth_baci_countries"
    } else {
        "baci_countries"
    };
    // a country list the store holds but cannot read fails the answer, naming its file
    let countries = if catalog.holds(ctable) {
        Countries::read(store, ctable).await?
    } else {
        Countries::default()
    };
    let reporter = Reporter::resolve(&reporter_name, &countries)?;
    let mut acc = Accumulator::new(&reporter.codes, &reporter.bloc);
    let mut products = HashSet::new();
    let mut flows = Select::from(&dataset).columns(["t", "i", "j", "k", "v"]);
    if let Some(w) = window {
        let last = match req.year {
            Some(y) => y,
            None => store
                .fetch(
                    &Select::from(&dataset).agg(Agg::Max("t".into())),
                    &QueryOptions::default(),
                )
                .await?
                .i64s(0)?
                .first()
                .copied()
                .flatten()
                .map_or(0, |v| v as i32),
        };
        flows = flows
            .filter(Cond::ge("t", last - w as i32 + 1))
            .filter(Cond::le("t", last));
    }
    store
        .scan(&flows, &QueryOptions::default(), |rows| {
            feed(&mut acc, rows, &mut products)
                .map_err(|e| indmon_store::Error::Query(e.to_string()))
        })
        .await?;
    let mut notes = Vec::new();
    if meta.synthetic {
        notes.push(SYNTHETIC_NOTE.into());
    }
    notes.push(choice_note(&catalog, &dataset, req.dataset.is_some()));
    notes.push(format!("Trade: dataset {dataset}: {}.", meta.source_line()));
    if let Some(f) = meta.filter_note() {
        notes.push(f);
    }
    let edition = edition_of_hs(&dataset)?;
    Ok(Trade {
        acc,
        reporter,
        countries,
        edition,
        synthetic: meta.synthetic,
        notes,
        products_in_data: products.len(),
        source: Some(Source::of(&meta)),
    })
}

/// Adds rows of (t, i, j, k, v) to the accumulator, and their products to `products`.
pub fn feed(acc: &mut Accumulator, rows: &Rows, products: &mut HashSet<u32>) -> Result<()> {
    let (t, i, j, k, v) = (
        rows.i64s(0)?,
        rows.i64s(1)?,
        rows.i64s(2)?,
        rows.texts(3)?,
        rows.f64s(4)?,
    );
    for r in 0..rows.len() {
        let (Some(ti), Some(ii), Some(ji), Some(code), Some(v)) = (t[r], i[r], j[r], &k[r], v[r])
        else {
            continue;
        };
        let kk: u32 = code
            .parse()
            .ok()
            .filter(|&x: &u32| x < 1_000_000)
            .ok_or_else(|| Error::Invalid(format!("product code {code:?} is not an HS6 code")))?;
        if !(0..1000).contains(&ii) || !(0..1000).contains(&ji) {
            return Err(Error::Invalid(format!(
                "country code {ii} or {ji} is outside BACI's range 0-999"
            )));
        }
        products.insert(kk);
        acc.add(ti as i32, ii as u16, ji as u16, kk, v);
    }
    Ok(())
}

/// The year of the screen: the one asked for, which the data must have, or the latest.
pub fn year_of(trade: &Trade, year: Option<i32>) -> Result<i32> {
    let mut years: Vec<i32> = trade.acc.years().to_vec();
    years.sort();
    match year {
        Some(y) if years.contains(&y) => Ok(y),
        Some(y) => Err(Error::NoData(format!(
            "no trade for {y} (years: {})",
            years
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => years
            .last()
            .copied()
            .ok_or_else(|| Error::NoData("the trade data have no rows".into())),
    }
}

/// The tier of every product `reporter` imports in `year` in the store dataset
/// `dataset` (products that are none are left out): the market board counts them per
/// market.
pub async fn tiers_for(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    dataset: &str,
    reporter: &str,
    year: i32,
) -> Result<HashMap<u32, Tier>> {
    let req = TradeRequest {
        reporter: Some(reporter.to_string()),
        year: Some(year),
        dataset: Some(dataset.to_string()),
    };
    let trade = load(
        store,
        settings,
        &req,
        Some(settings.dependencies.persistence_window),
    )
    .await?;
    let setup = setup(&settings.dependencies, None, trade.edition, tax, reference)?;
    Ok(classify(&trade, &setup)
        .into_iter()
        .filter(|r| r.m.year == year && r.tier != Tier::None)
        .map(|r| (r.m.product, r.tier))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn countries() -> Countries {
        let mut c = Countries::default();
        for (code, i2, i3, name) in [
            (528, "NL", "NLD", "Netherlands"),
            (300, "GR", "GRC", "Greece"),
            (381, "", "ITA", "Italy"),
            (842, "US", "USA", "USA"),
            (251, "FR", "FRA", "France"),
        ] {
            c.insert(code, i3, name);
            if !i2.is_empty() {
                c.insert_iso2(i2, i3);
            }
        }
        c
    }

    #[test]
    fn countries_resolve_by_either_iso_code_and_eurostat_spelling() {
        let c = countries();
        assert_eq!(c.codes_of("NL"), [528]);
        assert_eq!(c.codes_of("nld"), [528]);
        assert_eq!(c.codes_of("EL"), [300]);
        // a list without the alpha-2 code still finds the member state
        assert_eq!(c.codes_of("IT"), [381]);
        assert!(c.codes_of("XX").is_empty());
        assert!(c.same("GR", "EL") && c.same("NL", "NLD") && !c.same("NL", "FR"));
        assert_eq!(c.iso2_of("GRC").as_deref(), Some("GR"));
        assert_eq!(crate::countries::eurostat_of_iso2("GR"), "EL");
        assert_eq!(c.eu27(), [300, 251, 381, 528], "in the order of EU27");
    }

    #[test]
    fn a_member_state_reports_inside_the_eu_bloc_and_others_alone() {
        let c = countries();
        let nl = Reporter::resolve("nl", &c).unwrap();
        assert_eq!((nl.name.as_str(), nl.codes.as_slice()), ("NL", &[528][..]));
        assert_eq!(nl.bloc_name, "the EU");
        let us = Reporter::resolve("USA", &c).unwrap();
        assert!(us.bloc.is_empty() && us.bloc_name == "USA");
        let eu = Reporter::resolve("EU27", &c).unwrap();
        assert_eq!(eu.codes, eu.bloc);
        assert!(matches!(
            Reporter::resolve("XX", &c),
            Err(Error::Invalid(_))
        ));
    }
}
