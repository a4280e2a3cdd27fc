//! The six priority markets on the trade data in the store: the classification lists
//! the taxonomy is checked against, the trade cube of a country, its peers and the
//! markets' extra peers, the indicators and status of each market, and the board.

use std::collections::{BTreeSet, HashMap};

use indmon_analytics::markets::{self as m, Direction, Indicator, TradeCube, Trend};
use indmon_core::VintageMeta;
use indmon_core::settings::Settings;
use indmon_core::taxonomy::{Market, Taxonomy};
use indmon_reference::Reference;
use indmon_store::{Agg, Cond, QueryOptions, Rows, Select, Store};
use serde::Serialize;

pub use crate::countries::edition_of;
use crate::countries::{Countries, is_eu27};
use crate::dependencies::{self, Tier};
use crate::{Error, Result, Source};

// ---------------------------------------------------------------------------------
// The trade data

/// Every HS6 code of the taxonomy that exists in `edition`, sorted.
fn codes_of(tax: &Taxonomy, edition: &str) -> Vec<String> {
    let set: BTreeSet<String> = tax
        .markets
        .iter()
        .flat_map(|m| m.hs_in(edition))
        .map(|(_, h)| h.code.get_ref().clone())
        .collect();
    set.into_iter().collect()
}

async fn fetch(store: &Store, q: Select) -> Result<Rows> {
    Ok(store.fetch(&q, &QueryOptions::default()).await?)
}

/// The number of distinct products `k` of `dataset` (among `codes`, when given).
async fn distinct_products(
    store: &Store,
    dataset: &str,
    codes: Option<&[String]>,
) -> Result<usize> {
    let mut q = Select::from(dataset).agg(Agg::CountDistinct("k".into()));
    if let Some(codes) = codes {
        q = q.filter(Cond::is_in("k", codes));
    }
    Ok(fetch(store, q)
        .await?
        .i64s(0)?
        .first()
        .copied()
        .flatten()
        .unwrap_or(0) as usize)
}

/// A reporting unit: a country or the EU27, and its BACI country codes.
#[derive(Debug, Clone)]
pub struct Unit {
    /// As named (upper case), or `EU27`.
    pub name: String,
    /// Its BACI codes.
    pub members: Vec<u16>,
    /// The Eurostat geo code, for value added.
    pub eurostat: Option<String>,
}

/// Resolves a reporting unit: a country (ISO alpha-2 or alpha-3) or the EU27.
pub fn resolve_unit(c: &Countries, name: &str) -> Result<Unit> {
    let up = name.trim().to_ascii_uppercase();
    if is_eu27(&up) {
        return Ok(Unit {
            name: "EU27".into(),
            members: c.eu27(),
            eurostat: Some("EU27_2020".into()),
        });
    }
    let members = c.codes_of(&up);
    if members.is_empty() {
        return Err(Error::Invalid(format!(
            "{name}: not a country code in BACI's country list (use ISO 3166 alpha-2 or alpha-3, e.g. NL or NLD, or EU27)"
        )));
    }
    Ok(Unit {
        eurostat: c
            .iso2_of(&up)
            .map(|i| crate::countries::eurostat_of_iso2(&i)),
        name: up,
        members,
    })
}

/// The trade a board is computed from.
pub struct TradeData {
    /// The trade dataset's vintage.
    pub meta: VintageMeta,
    /// Its HS edition.
    pub edition: &'static str,
    /// Distinct products in the whole dataset.
    pub products_in_data: usize,
    /// Exports, imports and totals of the taxonomy's codes per year, unit and product.
    pub cube: TradeCube,
    /// Units: 0 is the country, then the peers, then markets' extra peers.
    pub units: Vec<Unit>,
    /// How many units are the default peers (after the country).
    pub peers: usize,
    /// PCI by `[y · products + p]` and the vintage it comes from.
    pub pci: Option<(Vec<Option<f64>>, VintageMeta)>,
    /// The year of the status.
    pub year: i32,
    /// The country's dependency tier per HS6 code in that year (the dependency screen on
    /// the same trade), or why there is none.
    pub tiers: std::result::Result<HashMap<u32, Tier>, String>,
}

/// What the board is asked for.
#[derive(Debug, Clone, Default)]
pub struct BoardRequest {
    /// Trade dataset, BACI format [default: the one holding most of the taxonomy's
    /// codes; real before synthetic].
    pub dataset: Option<String>,
    /// Country [default: `[target] geo`].
    pub geo: Option<String>,
    /// Peers [default: `[markets] peers`].
    pub peers: Vec<String>,
    /// Year of the status [default: the latest year in the data].
    pub year: Option<i32>,
}

/// Reads the trade cube of the taxonomy's codes (validated against the lists by the
/// caller), the PCI where the store has it, and the dependency tiers.
pub async fn load_trade(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &BoardRequest,
) -> Result<TradeData> {
    let catalog = store.catalog()?;
    let trade: Vec<&VintageMeta> = catalog
        .datasets()
        .filter_map(|d| catalog.latest(d))
        .filter(|m| m.schema == "baci_trade")
        .collect();
    let meta = match &req.dataset {
        Some(d) => {
            let m = catalog.latest(d).ok_or_else(|| {
                indmon_store::Error::NotFound(format!(
                    "dataset {d} is not in the store (trade datasets: {})",
                    trade
                        .iter()
                        .map(|m| m.dataset.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if m.schema != "baci_trade" {
                return Err(Error::Invalid(format!(
                    "dataset {d} is not BACI-format trade"
                )));
            }
            m.clone()
        }
        None => {
            // the dataset that holds most of the taxonomy's codes; real before synthetic
            let mut best: Option<((usize, bool, u64), &VintageMeta)> = None;
            for m in &trade {
                let Ok(ed) = edition_of(m.dataset.as_str()) else {
                    continue;
                };
                let codes = codes_of(tax, ed);
                let n = distinct_products(store, m.dataset.as_str(), Some(&codes)).await?;
                let key = (n, !m.synthetic, m.rows);
                if best.as_ref().is_none_or(|(k, _)| key > *k) {
                    best = Some((key, m));
                }
            }
            best.map(|(_, m)| m.clone()).ok_or_else(|| {
                Error::NoData("no BACI-format trade in HS 1992/2012/2017/2022 in the store: run `indmon init` (bundled BACI extract), or `indmon synth baci --out DIR` and `indmon ingest baci DIR`".into())
            })?
        }
    };
    let ds = meta.dataset.as_str().to_string();
    let edition = edition_of(&ds).map_err(Error::Invalid)?;
    let codes = codes_of(tax, edition);

    // units: the country, the peers, then every market's extra peers
    if catalog.latest("baci_countries").is_none() {
        return Err(Error::NoData(
            "the store has no BACI country list (baci_countries): run `indmon init` or ingest BACI's country_codes file".into(),
        ));
    }
    let countries = Countries::read(store, "baci_countries").await?;
    let geo = req
        .geo
        .clone()
        .unwrap_or_else(|| settings.target.geo.clone());
    let peers: Vec<String> = if req.peers.is_empty() {
        settings.markets.peers.clone()
    } else {
        req.peers.clone()
    };
    let mut names: Vec<String> = vec![geo.clone()];
    for p in &peers {
        if !names.iter().any(|n| countries.same(n, p)) {
            names.push(p.clone());
        }
    }
    let n_peers = names.len() - 1;
    for mk in &tax.markets {
        for p in &mk.extra_peers {
            if !names.iter().any(|n| countries.same(n, p)) {
                names.push(p.clone());
            }
        }
    }
    let units = names
        .iter()
        .map(|n| resolve_unit(&countries, n))
        .collect::<Result<Vec<_>>>()?;

    // totals per exporter and year
    let mut years: BTreeSet<i32> = BTreeSet::new();
    let mut totals: HashMap<(i32, u16), f64> = HashMap::new();
    {
        let b = fetch(
            store,
            Select::from(&ds)
                .group_by(["t", "i"])
                .agg(Agg::Sum("v".into())),
        )
        .await?;
        let (t, i, v) = (b.i64s(0)?, b.i64s(1)?, b.f64s(2)?);
        for r in 0..b.len() {
            if let (Some(t), Some(i)) = (t[r], i[r]) {
                years.insert(t as i32);
                *totals.entry((t as i32, i as u16)).or_default() += v[r].unwrap_or(0.0);
            }
        }
    }
    let year = match req.year {
        Some(y) if years.contains(&y) => y,
        Some(y) => {
            return Err(Error::NoData(format!(
                "dataset {ds} has no trade for {y} (years: {})",
                years
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        None => *years
            .last()
            .ok_or_else(|| Error::NoData(format!("dataset {ds} has no rows")))?,
    };
    let years: Vec<i32> = years.into_iter().filter(|&y| y <= year).collect();
    let y_at: HashMap<i32, usize> = years.iter().enumerate().map(|(i, &y)| (y, i)).collect();
    let mut cube = TradeCube::zeros(
        years.clone(),
        units.iter().map(|u| u.name.clone()).collect(),
        codes.clone(),
    );
    let (nu, np) = (units.len(), codes.len());
    let p_at: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut member_of: HashMap<u16, Vec<usize>> = HashMap::new();
    for (u, unit) in units.iter().enumerate() {
        for &mcode in &unit.members {
            member_of.entry(mcode).or_default().push(u);
        }
    }
    for (&(t, i), &v) in &totals {
        let Some(&y) = y_at.get(&t) else { continue };
        cube.world_total[y] += v;
        for &u in member_of.get(&i).map(Vec::as_slice).unwrap_or_default() {
            cube.unit_total[y * nu + u] += v;
        }
    }
    let products_in_data = distinct_products(store, &ds, None).await?;
    if !codes.is_empty() {
        {
            let b = fetch(
                store,
                Select::from(&ds)
                    .filter(Cond::is_in("k", &codes))
                    .group_by(["t", "k"])
                    .agg(Agg::Sum("v".into())),
            )
            .await?;
            let (t, k, v) = (b.i64s(0)?, b.texts(1)?, b.f64s(2)?);
            for r in 0..b.len() {
                if let (Some(t), Some(k)) = (t[r], &k[r])
                    && let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str()))
                {
                    cube.world_product[y * np + p] += v[r].unwrap_or(0.0);
                }
            }
        }
        let members: BTreeSet<u16> = member_of.keys().copied().collect();
        for (col, imports) in [("i", false), ("j", true)] {
            {
                let b = fetch(
                    store,
                    Select::from(&ds)
                        .filter(Cond::is_in("k", &codes))
                        .filter(Cond::is_in(col, members.iter().copied()))
                        .group_by(["t", col, "k"])
                        .agg(Agg::Sum("v".into())),
                )
                .await?;
                let (t, who, k, v) = (b.i64s(0)?, b.i64s(1)?, b.texts(2)?, b.f64s(3)?);
                for r in 0..b.len() {
                    let (Some(t), Some(who), Some(k)) = (t[r], who[r], &k[r]) else {
                        continue;
                    };
                    let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str())) else {
                        continue;
                    };
                    for &u in member_of
                        .get(&(who as u16))
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        let at = cube.at(y, u, p);
                        if imports {
                            cube.imports[at] += v[r].unwrap_or(0.0);
                        } else {
                            cube.exports[at] += v[r].unwrap_or(0.0);
                        }
                    }
                }
            }
        }
    }
    // PCI from the complexity results of the same dataset, where they exist
    let cx = format!("complexity_{ds}");
    let pci = match catalog.latest(&cx) {
        Some(cm) if !codes.is_empty() => {
            let mut v = vec![None; years.len() * np];
            let mut any = false;
            {
                let b = fetch(
                    store,
                    Select::from(&cx)
                        .filter(Cond::is_in("product", &codes))
                        .group_by(["year", "product"])
                        .agg(Agg::Max("pci".into())),
                )
                .await?;
                let (t, k, x) = (b.i64s(0)?, b.texts(1)?, b.f64s(2)?);
                for r in 0..b.len() {
                    if let (Some(t), Some(k), Some(x)) = (t[r], &k[r], x[r])
                        && let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str()))
                    {
                        v[y * np + p] = Some(x);
                        any = true;
                    }
                }
            }
            any.then(|| (v, cm.clone()))
        }
        _ => None,
    };
    let tiers = dependencies::tiers_for(store, settings, tax, reference, &ds, &units[0].name, year)
        .await
        .map_err(|e| e.to_string());
    Ok(TradeData {
        tiers,
        meta,
        edition,
        products_in_data,
        cube,
        units,
        peers: n_peers,
        pci,
        year,
    })
}

impl TradeData {
    /// Whether unit `u` is a benchmark rather than a competitor: a group of countries
    /// (the EU27) other than the country itself. Benchmarks are shown, not ranked.
    pub fn is_benchmark(&self, u: usize) -> bool {
        u != 0 && self.units[u].members.len() > 1
    }

    /// The dataset vintages behind the figures: the trade and the PCI.
    pub fn sources(&self) -> Vec<Source> {
        let mut v = vec![Source::of(&self.meta)];
        if let Some((_, cm)) = &self.pci {
            v.push(Source::of(cm));
        }
        v
    }
}

// ---------------------------------------------------------------------------------
// Indicators per market

/// The indicators and status of one market for the country and its peers.
pub struct MarketView {
    /// Indices of the market's codes in the cube.
    pub products: Vec<usize>,
    /// The market's codes that exist in the data's edition.
    pub listed: usize,
    /// Units shown: the country, the peers, the market's extra peers.
    pub units: Vec<usize>,
    /// Indicators per unit shown and year.
    pub indicators: Vec<Indicator>,
}

impl MarketView {
    /// The market's codes in the data's edition, its units and their indicators.
    pub fn new(data: &TradeData, market: &Market) -> Self {
        let codes = market.hs_in(data.edition);
        let products: Vec<usize> = codes
            .iter()
            .filter_map(|(_, h)| {
                data.cube
                    .products
                    .iter()
                    .position(|p| p == h.code.get_ref())
            })
            .collect();
        let mut units: Vec<usize> = (0..=data.peers).collect();
        for p in &market.extra_peers {
            if let Some(u) = data
                .units
                .iter()
                .position(|u| u.name.eq_ignore_ascii_case(p))
                && !units.contains(&u)
            {
                units.push(u);
            }
        }
        let pci = data.pci.as_ref().map(|(v, _)| v.as_slice());
        let indicators = m::indicators(&data.cube, &products, pci)
            .into_iter()
            .filter(|i| units.contains(&i.unit))
            .collect();
        Self {
            listed: codes.len(),
            products,
            units,
            indicators,
        }
    }

    /// The indicators of `unit` in `year`.
    pub fn get(&self, year: i32, unit: usize) -> Option<&Indicator> {
        self.indicators
            .iter()
            .find(|i| i.year == year && i.unit == unit)
    }

    /// The trend of `unit`'s world-export share.
    pub fn trend(&self, data: &TradeData, unit: usize, alpha: f64) -> Trend {
        let shares: Vec<Option<f64>> = data
            .cube
            .years
            .iter()
            .map(|&y| self.get(y, unit).and_then(|i| i.world_share))
            .collect();
        m::trend(&data.cube.years, &shares, alpha)
    }

    /// The rank of `unit` by world-export share among the units that are not
    /// benchmarks, and how many are ranked.
    pub fn rank(&self, data: &TradeData, unit: usize) -> Option<(usize, usize)> {
        let values: Vec<Option<f64>> = self
            .units
            .iter()
            .filter(|&&u| !data.is_benchmark(u))
            // no exports: not ranked (a tie at zero says nothing)
            .map(|&u| {
                self.get(data.year, u)
                    .and_then(|i| i.world_share)
                    .filter(|&s| s > 0.0)
            })
            .collect();
        let pos = self
            .units
            .iter()
            .filter(|&&u| !data.is_benchmark(u))
            .position(|&u| u == unit)?;
        m::rank(&values, pos)
    }

    /// Whether the unit exported nothing of the market in any year.
    pub fn never_exported(&self, data: &TradeData, unit: usize) -> bool {
        data.cube
            .years
            .iter()
            .all(|&y| self.get(y, unit).is_none_or(|i| i.exports <= 0.0))
    }

    /// The market's codes with trade (world exports) in any year.
    pub fn present(&self, data: &TradeData) -> usize {
        self.products
            .iter()
            .filter(|&&p| {
                data.cube
                    .world_product
                    .iter()
                    .skip(p)
                    .step_by(data.cube.products.len())
                    .any(|&x| x > 0.0)
            })
            .count()
    }

    /// The unit's risky strategic dependencies among the market's codes.
    pub fn risky(&self, data: &TradeData) -> Option<usize> {
        data.tiers.as_ref().ok().map(|t| {
            self.products
                .iter()
                .filter_map(|&p| data.cube.products[p].parse::<u32>().ok())
                .filter(|k| t.get(k) == Some(&Tier::Risky))
                .count()
        })
    }
}

/// A trend in words: direction, annual change and p-value.
pub fn trend_text(t: &Trend) -> String {
    match (t.direction, t.fit) {
        (Direction::TooFewYears, Some(f)) => format!("too few years ({})", f.n),
        (Direction::TooFewYears, None) => "too few years".into(),
        (d, Some(f)) => format!(
            "{} ({:+.1} %/yr, p = {:.2})",
            d.label(),
            t.annual_change.unwrap_or(f64::NAN) * 100.0,
            f.p
        ),
        (d, None) => d.label().into(),
    }
}

/// The notes on the data every market output carries.
pub fn data_notes(data: &TradeData, tax: &Taxonomy, label: &str, alpha: f64) -> Vec<String> {
    let mut notes = Vec::new();
    if data.meta.synthetic {
        notes.push("SYNTHETIC data (generated, not statistics): the figures show how the board works, not the markets.".to_string());
    }
    notes.push(format!(
        "Trade: dataset {}: {}.",
        data.meta.dataset.as_str(),
        data.meta.source_line()
    ));
    if data.products_in_data < 1000 {
        notes.push(format!(
            "The trade data hold only {} products: a market's codes outside them count as no trade, and totals (RCA, world) are over these products, not all trade.",
            data.products_in_data
        ));
    }
    if let Some((_, cm)) = &data.pci {
        notes.push(format!("PCI: {}.", cm.source_line()));
    }
    notes.push(format!(
        "Taxonomy: {label}, version {} ({}); codes of {} used for this data.",
        tax.version, tax.date, data.edition
    ));
    notes.push(format!(
        "Method {}: exports and imports in million USD; world share = exports / world exports of the market's products; RCA = (market share of the country's exports) / (market share of world exports); EU27 = sum of the member states (trade between them included); trend = least-squares slope of ln(world share) on the year, significant at {} % (t test), else grey.",
        m::METHOD_VERSION,
        alpha * 100.0
    ));
    notes
}

/// Where the dependency counts come from.
pub fn dependency_note(data: &TradeData) -> String {
    match &data.tiers {
        Ok(_) => format!(
            "Dependencies: the dependency screen (`indmon dependencies --reporter {} --dataset {} --year {}`) on the same trade: risky strategic dependencies among the market's codes.",
            data.units[0].name,
            data.meta.dataset.as_str(),
            data.year
        ),
        Err(e) => format!("Dependencies: not counted ({e})."),
    }
}

// ---------------------------------------------------------------------------------
// The board

/// One country's indicators of a market in one year (values in thousand USD, as BACI).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorRow {
    /// Country (or EU27).
    pub country: String,
    /// Year.
    pub year: i32,
    /// Exports of the market's products.
    pub exports: f64,
    /// Imports of the market's products.
    pub imports: f64,
    /// Exports − imports.
    pub balance: f64,
    /// Exports / world exports of the market's products.
    pub world_share: Option<f64>,
    /// Balassa RCA.
    pub rca: Option<f64>,
    /// Growth of exports over the year before.
    pub growth: Option<f64>,
    /// The market's products with RCA ≥ 1.
    pub products_rca_ge_1: usize,
    /// The market's products.
    pub products: usize,
    /// Mean PCI of the products exported with RCA ≥ 1, where PCI is in the store.
    pub avg_pci: Option<f64>,
}

impl IndicatorRow {
    /// The row of an indicator of `data`.
    pub fn of(data: &TradeData, i: &Indicator) -> Self {
        Self {
            country: data.units[i.unit].name.clone(),
            year: i.year,
            exports: i.exports,
            imports: i.imports,
            balance: i.balance,
            world_share: i.world_share,
            rca: i.rca,
            growth: i.growth,
            products_rca_ge_1: i.products_rca1,
            products: i.products,
            avg_pci: i.avg_pci,
        }
    }
}

/// One country's status in a market: share, rank and trend in the year of the status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitStatus {
    /// Country (or EU27).
    pub country: String,
    /// Year.
    pub year: i32,
    /// A benchmark (a group of countries), shown but not ranked.
    pub benchmark: bool,
    /// World-export share in the year.
    pub world_share: Option<f64>,
    /// Rank by world-export share among the countries ranked.
    pub rank: Option<usize>,
    /// How many countries are ranked.
    pub ranked: Option<usize>,
    /// Direction of the trend (`rising`, `falling`, …).
    pub trend: String,
    /// Annual change of the share (a fraction), from the slope of its logarithm.
    pub annual_change: Option<f64>,
    /// p-value of the slope.
    pub p_value: Option<f64>,
    /// Years in the test.
    pub years_in_test: Option<usize>,
    /// No exports of the market in any year.
    pub never_exported: bool,
    /// Colour: green, red or grey.
    pub status: String,
}

/// The status of `unit` in the market of `v`.
pub fn unit_status(data: &TradeData, v: &MarketView, unit: usize, alpha: f64) -> UnitStatus {
    let t = v.trend(data, unit, alpha);
    let benchmark = data.is_benchmark(unit);
    let rank = if benchmark { None } else { v.rank(data, unit) };
    UnitStatus {
        country: data.units[unit].name.clone(),
        year: data.year,
        benchmark,
        world_share: v.get(data.year, unit).and_then(|i| i.world_share),
        rank: rank.map(|r| r.0),
        ranked: rank.map(|r| r.1),
        trend: t.direction.label().to_string(),
        annual_change: t.annual_change,
        p_value: t.fit.map(|f| f.p).filter(|p| !p.is_nan()),
        years_in_test: t.fit.map(|f| f.n),
        never_exported: v.never_exported(data, unit),
        status: t.direction.colour().to_string(),
    }
}

/// One market on the board: its definition in codes and the country's status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MarketStatus {
    /// Market id.
    pub market: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Dutch.
    pub name_nl: String,
    /// How well codes cover the market (good / partial / poor).
    pub coverage: String,
    /// Why.
    pub coverage_note: String,
    /// Segments.
    pub segments: usize,
    /// Segments without a clean code.
    pub segments_without_clean_code: usize,
    /// HS6 codes in the taxonomy.
    pub hs6: usize,
    /// NACE codes.
    pub nace: usize,
    /// CPA codes.
    pub cpa: usize,
    /// HS6 codes that exist in the data's edition.
    pub hs6_in_edition: usize,
    /// Of those, the ones with trade in the data.
    pub hs6_in_data: usize,
    /// The country's exports in the year, million USD.
    pub exports_musd: Option<f64>,
    /// The country's imports in the year, million USD.
    pub imports_musd: Option<f64>,
    /// World-export share in the year.
    pub world_share: Option<f64>,
    /// Balassa RCA in the year.
    pub rca: Option<f64>,
    /// Rank by world-export share among the peers ranked.
    pub rank: Option<usize>,
    /// How many are ranked.
    pub ranked: Option<usize>,
    /// Direction of the trend.
    pub trend: String,
    /// The trend in words, with annual change and p-value ("no exports" when the
    /// country never exported the market).
    pub trend_text: String,
    /// Annual change of the share (a fraction).
    pub annual_change: Option<f64>,
    /// p-value of the slope.
    pub p_value: Option<f64>,
    /// Colour (green, red, grey) or `no data` when no code has trade in the data.
    pub status: String,
    /// Risky strategic dependencies among the market's codes (none when the screen
    /// could not run).
    pub risky_strategic_dependencies: Option<usize>,
    /// Status of the country and each peer.
    pub peers: Vec<UnitStatus>,
    /// Indicators per country and year.
    pub indicators: Vec<IndicatorRow>,
}

/// The board: the six markets for a country against its peers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    /// The country.
    pub geo: String,
    /// Year of the status.
    pub year: i32,
    /// The trade dataset used.
    pub dataset: String,
    /// Its HS edition.
    pub edition: String,
    /// Synthetic data.
    pub synthetic: bool,
    /// Method version of the analytics.
    pub method: String,
    /// The taxonomy (label) and its version.
    pub taxonomy: String,
    /// The taxonomy's version.
    pub taxonomy_version: String,
    /// Peers ranked against the country.
    pub ranked_against: Vec<String>,
    /// Peers shown as benchmarks.
    pub benchmarks: Vec<String>,
    /// One entry per market, in the taxonomy's order.
    pub markets: Vec<MarketStatus>,
    /// What the figures mean and where they come from.
    pub notes: Vec<String>,
    /// The dataset vintages used.
    pub sources: Vec<Source>,
}

/// The board of `req` on the store's trade, for a taxonomy (named `label`) validated
/// against `lists`.
pub async fn board(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    label: &str,
    reference: &Reference,
    req: &BoardRequest,
) -> Result<Board> {
    let data = load_trade(store, settings, tax, reference, req).await?;
    Ok(board_of(&data, tax, label, settings.markets.alpha))
}

/// The board of trade already read (see [`load_trade`]).
pub fn board_of(data: &TradeData, tax: &Taxonomy, label: &str, alpha: f64) -> Board {
    let geo = &data.units[0].name;
    let mut markets = Vec::new();
    for mk in &tax.markets {
        let v = MarketView::new(data, mk);
        let counts = mk.counts();
        let now = v.get(data.year, 0);
        let t = v.trend(data, 0, alpha);
        let rank = v.rank(data, 0);
        let present = v.present(data);
        markets.push(MarketStatus {
            market: mk.id.get_ref().clone(),
            name_en: mk.name_en.clone(),
            name_nl: mk.name_nl.clone(),
            coverage: mk.coverage.get_ref().clone(),
            coverage_note: mk.coverage_note.clone(),
            segments: counts.segments,
            segments_without_clean_code: counts.without_codes,
            hs6: counts.hs,
            nace: counts.nace,
            cpa: counts.cpa,
            hs6_in_edition: v.listed,
            hs6_in_data: present,
            exports_musd: now.map(|i| i.exports / 1000.0),
            imports_musd: now.map(|i| i.imports / 1000.0),
            world_share: now.and_then(|i| i.world_share),
            rca: now.and_then(|i| i.rca),
            rank: rank.map(|r| r.0),
            ranked: rank.map(|r| r.1),
            trend: t.direction.label().to_string(),
            trend_text: if present > 0 && v.never_exported(data, 0) {
                "no exports".to_string()
            } else {
                trend_text(&t)
            },
            annual_change: t.annual_change,
            p_value: t.fit.map(|f| f.p).filter(|p| !p.is_nan()),
            status: if present == 0 {
                "no data".to_string()
            } else {
                t.direction.colour().to_string()
            },
            risky_strategic_dependencies: v.risky(data),
            peers: v
                .units
                .iter()
                .map(|&u| unit_status(data, &v, u, alpha))
                .collect(),
            indicators: v
                .indicators
                .iter()
                .map(|i| IndicatorRow::of(data, i))
                .collect(),
        });
    }
    let mut notes = data_notes(data, tax, label, alpha);
    let ranked: Vec<String> = (1..=data.peers)
        .filter(|&u| !data.is_benchmark(u))
        .map(|u| data.units[u].name.clone())
        .collect();
    let benchmarks: Vec<String> = (1..=data.peers)
        .filter(|&u| data.is_benchmark(u))
        .map(|u| data.units[u].name.clone())
        .collect();
    let extra: Vec<String> = tax
        .markets
        .iter()
        .filter(|mk| !mk.extra_peers.is_empty())
        .map(|mk| format!("{} also {}", mk.id.get_ref(), mk.extra_peers.join(", ")))
        .collect();
    notes.insert(
        0,
        format!(
            "{geo} in the six priority markets, {}: rank by world-export share among {geo}, {}{}{}.",
            data.year,
            ranked.join(", "),
            if extra.is_empty() { String::new() } else { format!(" ({})", extra.join("; ")) },
            if benchmarks.is_empty() {
                String::new()
            } else {
                format!("; {} is a benchmark, not ranked", benchmarks.join(", "))
            }
        ),
    );
    let without: Vec<String> = tax
        .markets
        .iter()
        .flat_map(|mk| {
            mk.segments.iter().filter_map(move |s| {
                s.no_codes
                    .as_ref()
                    .map(|_| format!("{} / {}", mk.id.get_ref(), s.id.get_ref()))
            })
        })
        .collect();
    if !without.is_empty() {
        notes.push(format!(
            "Segments without a clean code (see `indmon markets show MARKET`): {}.",
            without.join(", ")
        ));
    }
    notes.push(dependency_note(data));
    Board {
        geo: geo.clone(),
        year: data.year,
        dataset: data.meta.dataset.as_str().to_string(),
        edition: data.edition.to_string(),
        synthetic: data.meta.synthetic,
        method: m::METHOD_VERSION.to_string(),
        taxonomy: label.to_string(),
        taxonomy_version: tax.version.to_string(),
        ranked_against: ranked,
        benchmarks,
        markets,
        notes,
        sources: data.sources(),
    }
}
