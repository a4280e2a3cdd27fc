//! One market in detail: its segments, its codes (HS6 with the country's trade, NACE and
//! CPA with their names), the indicators per country and year, the status per country,
//! and value added of the national-accounts industries that contain it. The parts as
//! tables are in `parts.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use indmon_analytics::markets as m;
use indmon_core::settings::Settings;
use indmon_core::taxonomy::{Market, Taxonomy};
use indmon_reference::Reference;
use indmon_store::{Cond, QueryOptions, Select, Store};
use serde::{Deserialize, Serialize};

use super::{
    BoardRequest, IndicatorRow, MarketView, TradeData, UnitStatus, data_notes, dependency_note,
    load_trade, unit_status,
};
use crate::{Error, Result, Source};

/// What market detail is asked for.
#[derive(Debug, Clone, Default)]
pub struct MarketRequest {
    /// The market: its id (e.g. `semiconductors`) or its name.
    pub market: String,
    /// The trade, country, peers and year, as for the board.
    pub trade: BoardRequest,
}

/// A part of a market's detail: each is a table of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The segments, with their code counts and why a segment has no clean code.
    Segments,
    /// HS6 codes with the country's exports, world share, RCA and dependency tier.
    #[default]
    Codes,
    /// NACE and CPA codes with their names.
    Activities,
    /// Indicators per country and year.
    Indicators,
    /// Share, rank and trend per country.
    Status,
    /// Value added of the market's A*64 industries per country.
    ValueAdded,
}

/// One segment of the market.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SegmentRow {
    /// Segment id.
    pub segment: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Dutch.
    pub name_nl: String,
    /// HS6 codes (all editions).
    pub hs6: usize,
    /// NACE codes.
    pub nace: usize,
    /// CPA 2.1 codes.
    pub cpa: usize,
    /// Why no statistical code captures the segment, when none does.
    pub no_codes: Option<String>,
}

/// One HS6 code of the market with the country's trade in the year of the status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodeRow {
    /// Segment id.
    pub segment: String,
    /// The HS6 code.
    pub hs6: String,
    /// The HS editions the code exists in.
    pub editions: Vec<String>,
    /// How well the code captures the segment (core, partial, proxy).
    pub confidence: String,
    /// Its name in the classification list of the data's edition (or the nearest).
    pub name: Option<String>,
    /// World exports of the code, million USD (none when the data has no trade in it).
    pub world_exports_musd: Option<f64>,
    /// The country's exports, million USD.
    pub exports_musd: Option<f64>,
    /// The country's exports / world exports.
    pub world_share: Option<f64>,
    /// The country's Balassa RCA in the code.
    pub rca: Option<f64>,
    /// The country's dependency tier from the dependency screen on the same trade.
    pub dependency: Option<String>,
}

/// One NACE or CPA code of the market.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityRow {
    /// Segment id.
    pub segment: String,
    /// The classification: `NACE Rev. 2`, `NACE Rev. 2.1` or `CPA 2.1`.
    pub kind: String,
    /// The code.
    pub code: String,
    /// How well the code captures the segment.
    pub confidence: String,
    /// Its name in the classification.
    pub name: Option<String>,
    /// Why the code is in the market.
    pub rationale: String,
}

/// Value added of the market's A*64 industries in one country.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValueAddedRow {
    /// Eurostat geo code.
    pub geo: String,
    /// The latest year with every industry and the total.
    pub year: i32,
    /// Value added of the industries, million EUR, current prices.
    pub value_meur: f64,
    /// Share of total value added (a fraction).
    pub share_of_total: f64,
}

/// One market in detail for a country against its peers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MarketDetail {
    /// Market id.
    pub market: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Dutch.
    pub name_nl: String,
    /// The words of the policy page.
    pub policy_text: String,
    /// How well codes cover the market.
    pub coverage: String,
    /// Why.
    pub coverage_note: String,
    /// The A*64 industries (NACE) that contain the market, broader than it.
    pub a64: Vec<String>,
    /// The country.
    pub geo: String,
    /// Year of the status.
    pub year: i32,
    /// The HS edition of the trade data.
    pub edition: String,
    /// The trade dataset.
    pub dataset: String,
    /// The smallest flow the dataset keeps (US dollars), when it is an extract of large
    /// flows only: totals are lower bounds, shares and RCA among those flows only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_flow_usd: Option<f64>,
    /// Synthetic data.
    pub synthetic: bool,
    /// Method version of the analytics.
    pub method: String,
    /// The taxonomy (label).
    pub taxonomy: String,
    /// The taxonomy's version.
    pub taxonomy_version: String,
    /// The market's HS6 codes that exist in the data's edition.
    pub hs6_in_edition: usize,
    /// Of those, the codes with trade in the data in the year.
    pub hs6_with_trade: usize,
    /// The segments.
    pub segments: Vec<SegmentRow>,
    /// Every HS6 code of the market, with the country's trade where in the data.
    pub codes: Vec<CodeRow>,
    /// NACE and CPA codes.
    pub activities: Vec<ActivityRow>,
    /// Indicators per country (the country, its peers, the market's extra peers) and
    /// year; values in thousand USD, as BACI.
    pub indicators: Vec<IndicatorRow>,
    /// Status per country.
    pub status: Vec<UnitStatus>,
    /// Value added of the A*64 industries for the country and its peers; none when the
    /// store has no A*64 national accounts or the market names no industries.
    pub value_added: Option<Vec<ValueAddedRow>>,
    /// What the figures mean and where they come from.
    pub notes: Vec<String>,
    /// The dataset vintages used.
    pub sources: Vec<Source>,
}

/// The detail of one market of the taxonomy (named `label`, validated against the
/// lists of `reference`) on the store's trade.
pub async fn market_detail(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    label: &str,
    reference: &Reference,
    req: &MarketRequest,
) -> Result<MarketDetail> {
    let mk = tax.market(&req.market).ok_or_else(|| {
        Error::Invalid(format!(
            "no market {} in the taxonomy; the markets are {}",
            indmon_core::quote(&req.market),
            tax.markets
                .iter()
                .map(|m| m.id.get_ref().as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let data = load_trade(store, settings, tax, reference, &req.trade, Some(mk)).await?;
    let va = value_added(store, mk, &data).await?;
    Ok(detail_of(
        &data,
        tax,
        label,
        reference,
        mk,
        va,
        settings.markets.alpha,
    ))
}

/// Value added rows and the vintages they come from.
type ValueAdded = (Vec<ValueAddedRow>, Vec<Source>);

fn detail_of(
    data: &TradeData,
    tax: &Taxonomy,
    label: &str,
    reference: &Reference,
    mk: &Market,
    va: Option<ValueAdded>,
    alpha: f64,
) -> MarketDetail {
    let lists = &reference.lists;
    let v = MarketView::new(data, mk);
    let np = data.cube.products.len();
    let y = data.cube.years.len() - 1;

    let segments = mk
        .segments
        .iter()
        .map(|s| SegmentRow {
            segment: s.id.get_ref().clone(),
            name_en: s.name_en.clone(),
            name_nl: s.name_nl.clone(),
            hs6: s.hs.len(),
            nace: s.nace.len(),
            cpa: s.cpa.len(),
            no_codes: s.no_codes.clone(),
        })
        .collect();

    // every HS6 code of the market, with the country's figures where in the data
    let mut codes = Vec::new();
    for s in &mk.segments {
        for h in &s.hs {
            let code = h.code.get_ref();
            let p = h
                .editions
                .iter()
                .any(|e| e == data.edition)
                .then(|| data.cube.products.iter().position(|x| x == code))
                .flatten();
            // no trade in the data at all: empty, not zero
            let world = p
                .map(|p| data.cube.world_product[y * np + p])
                .filter(|&w| w > 0.0);
            let exports = world.and(p.map(|p| data.cube.exports[data.cube.at(y, 0, p)]));
            let world_share = match (exports, world) {
                (Some(e), Some(w)) => Some(e / w),
                _ => None,
            };
            codes.push(CodeRow {
                segment: s.id.get_ref().clone(),
                hs6: code.clone(),
                editions: h.editions.clone(),
                confidence: h.confidence.get_ref().clone(),
                name: lists.hs_name(data.edition, code).map(str::to_string),
                world_exports_musd: world.map(|w| w / 1000.0),
                exports_musd: exports.map(|e| e / 1000.0 + 0.0),
                world_share,
                rca: p.and_then(|p| data.cube.product_rca(y, 0, p)),
                dependency: data
                    .tiers
                    .as_ref()
                    .ok()
                    .and_then(|t| code.parse::<u32>().ok().and_then(|k| t.get(&k)))
                    .map(|t| t.label())
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            });
        }
    }

    let mut activities = Vec::new();
    for s in &mk.segments {
        for n in &s.nace {
            activities.push(ActivityRow {
                segment: s.id.get_ref().clone(),
                kind: format!("NACE Rev. {}", n.revision),
                code: n.code.get_ref().clone(),
                confidence: n.confidence.get_ref().clone(),
                name: lists
                    .nace_name(&n.revision, n.code.get_ref())
                    .map(str::to_string),
                rationale: n.rationale.clone(),
            });
        }
        for c in &s.cpa {
            activities.push(ActivityRow {
                segment: s.id.get_ref().clone(),
                kind: "CPA 2.1".into(),
                code: c.code.get_ref().clone(),
                confidence: c.confidence.get_ref().clone(),
                name: lists.cpa_name(c.code.get_ref()).map(str::to_string),
                rationale: c.rationale.clone(),
            });
        }
    }

    let mut indicators = Vec::new();
    for &u in &v.units {
        for &yr in &data.cube.years {
            if let Some(i) = v.get(yr, u) {
                indicators.push(IndicatorRow::of(data, i));
            }
        }
    }
    let status = v
        .units
        .iter()
        .map(|&u| unit_status(data, &v, u, alpha))
        .collect();

    let hs6_with_trade = v
        .products
        .iter()
        .filter(|&&p| data.cube.world_product[y * np + p] > 0.0)
        .count();
    let mut notes = vec![
        format!(
            "{} ({}); on the policy page: \"{}\".",
            mk.name_en, mk.name_nl, mk.policy_text
        ),
        format!("Coverage ({}): {}", mk.coverage.get_ref(), mk.coverage_note),
    ];
    for s in &mk.segments {
        if let Some(t) = &s.no_codes {
            notes.push(format!(
                "Segment {} ({}): no clean code — {t}",
                s.id.get_ref(),
                s.name_en
            ));
        }
    }
    notes.push(format!(
        "{} of the market's {} HS6 codes exist in {}; with trade in {} in this data: {hs6_with_trade}.",
        v.listed,
        mk.counts().hs,
        data.edition,
        data.year
    ));
    notes.extend(data_notes(data, tax, label, alpha));
    notes.push(dependency_note(data));
    match &va {
        Some((rows, sources)) if !rows.is_empty() => notes.push(format!(
            "Value added of {} (industries broader than the market), current prices: {}. {}.",
            mk.a64.join(" + "),
            rows.iter()
                .map(|r| format!(
                    "{} {} {:.0} million EUR ({:.1} % of total)",
                    r.geo,
                    r.year,
                    r.value_meur,
                    r.share_of_total * 100.0
                ))
                .collect::<Vec<_>>()
                .join("; "),
            sources
                .iter()
                .map(|s| format!("Source: {}", s.line))
                .collect::<Vec<_>>()
                .join(". ")
        )),
        _ if !mk.a64.is_empty() => notes.push(format!(
            "Value added and employment: the store has no national accounts for {} (the bundled release stops at NACE sections); ingest a Eurostat nama_10_a64 release with these industries to add value added. These industries are broader than the market.",
            mk.a64.join(", ")
        )),
        _ => {}
    }

    let mut sources = data.sources();
    let value_added = va.map(|(rows, va_sources)| {
        sources.extend(va_sources);
        rows
    });
    MarketDetail {
        market: mk.id.get_ref().clone(),
        name_en: mk.name_en.clone(),
        name_nl: mk.name_nl.clone(),
        policy_text: mk.policy_text.clone(),
        coverage: mk.coverage.get_ref().clone(),
        coverage_note: mk.coverage_note.clone(),
        a64: mk.a64.clone(),
        geo: data.units[0].name.clone(),
        year: data.year,
        edition: data.edition.to_string(),
        dataset: data.meta.dataset.as_str().to_string(),
        synthetic: data.meta.synthetic,
        min_flow_usd: data.meta.min_flow_usd,
        method: m::METHOD_VERSION.to_string(),
        taxonomy: label.to_string(),
        taxonomy_version: tax.version.clone(),
        hs6_in_edition: v.listed,
        hs6_with_trade,
        segments,
        codes,
        activities,
        indicators,
        status,
        value_added,
        notes,
        sources,
    }
}

/// Value added of the market's A*64 industries for the country and its peers in the
/// latest year the store has them all, with the share of total value added; each
/// figure from the newest release that has it. `None` when the store has no
/// `estat_nama_10_a64` or the market names no industries.
async fn value_added(store: &Store, mk: &Market, data: &TradeData) -> Result<Option<ValueAdded>> {
    const DATASET: &str = "estat_nama_10_a64";
    let catalog = store.catalog()?;
    if catalog.latest(DATASET).is_none() || mk.a64.is_empty() {
        return Ok(None);
    }
    let geos: Vec<String> = data.units[..=data.peers]
        .iter()
        .filter_map(|u| u.eurostat.clone())
        .collect();
    let mut nace: Vec<String> = mk.a64.clone();
    nace.push("TOTAL".into());
    let q = Select::from("na_obs")
        .columns(["geo", "nace", "time", "value", "vintage"])
        .filter(Cond::eq("dataset", DATASET))
        .filter(Cond::eq("unit", "CP_MEUR"))
        .filter(Cond::is_in("geo", &geos))
        .filter(Cond::is_in("nace", &nace));
    let b = store.fetch(&q, &QueryOptions::default()).await?;
    let (g, n, t, v, vt) = (
        b.texts(0)?,
        b.texts(1)?,
        b.i64s(2)?,
        b.f64s(3)?,
        b.texts(4)?,
    );
    let mut by: BTreeMap<(String, i32), HashMap<String, (f64, String)>> = BTreeMap::new();
    for r in 0..b.len() {
        if let (Some(g), Some(n), Some(t), Some(v), Some(vt)) = (&g[r], &n[r], t[r], v[r], &vt[r]) {
            by.entry((g.clone(), t as i32))
                .or_default()
                .insert(n.clone(), (v, vt.clone()));
        }
    }
    let mut rows = Vec::new();
    let mut used = BTreeSet::new();
    for g in &geos {
        let latest = by
            .iter()
            .filter(|((geo, _), v)| {
                geo == g && v.contains_key("TOTAL") && mk.a64.iter().all(|a| v.contains_key(a))
            })
            .map(|((_, y), v)| (*y, v))
            .next_back();
        if let Some((year, v)) = latest {
            let sum: f64 = mk.a64.iter().map(|a| v[a].0).sum();
            rows.push(ValueAddedRow {
                geo: g.clone(),
                year,
                value_meur: sum,
                share_of_total: sum / v["TOTAL"].0,
            });
            for a in mk.a64.iter().map(String::as_str).chain(["TOTAL"]) {
                used.insert((DATASET.to_string(), v[a].1.clone()));
            }
        }
    }
    Ok(Some((rows, Source::list(&catalog, &used))))
}
