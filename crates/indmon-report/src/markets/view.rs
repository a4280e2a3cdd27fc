//! One market on the trade data: the market's codes in the cube, its indicators per
//! country and year, the trend and rank of each country, and the notes every market
//! output carries.

use indmon_analytics::markets::{self as m, Direction, Indicator, Trend};
use indmon_core::taxonomy::{Market, Taxonomy};
use serde::Serialize;

use super::TradeData;
use crate::dependencies::Tier;

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
    if !data.choice.is_empty() {
        notes.push(data.choice.clone());
    }
    notes.push(format!(
        "Trade: dataset {}: {}.",
        data.meta.dataset.as_str(),
        data.meta.source_line()
    ));
    if let Some(f) = data.meta.filter_note() {
        notes.push(f);
    }
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
