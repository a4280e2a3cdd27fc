//! The board: the six markets for a country against its peers, one row per market.

use indmon_analytics::markets as m;
use indmon_core::settings::Settings;
use indmon_core::taxonomy::Taxonomy;
use indmon_reference::Reference;
use indmon_store::Store;
use serde::Serialize;

use super::{
    BoardRequest, IndicatorRow, MarketView, TradeData, UnitStatus, data_notes, dependency_note,
    load_trade, pc, trend_text, unit_status,
};
use crate::table::{Cell, Col, Table, Tabular};
use crate::{Result, Source};

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
            // no code with trade in the data: no figures, not zero
            exports_musd: now.filter(|_| present > 0).map(|i| i.exports / 1000.0),
            imports_musd: now.filter(|_| present > 0).map(|i| i.imports / 1000.0),
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

/// The board's columns: one row per market.
const BOARD: &[Col<(MarketStatus, BoardKey)>] = &[
    Col {
        name: "market",
        unit: "",
        meaning: "The market's id in the taxonomy.",
        decimals: None,
        get: |(m, _)| m.market.as_str().into(),
    },
    Col {
        name: "geo",
        unit: "",
        meaning: "The country.",
        decimals: None,
        get: |(_, b)| b.geo.as_str().into(),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year of the status.",
        decimals: None,
        get: |(_, b)| b.year.into(),
    },
    Col {
        name: "coverage",
        unit: "",
        meaning: "How well statistical codes cover the market: good, partial or poor (goods, services, mixed).",
        decimals: None,
        get: |(m, _)| m.coverage.as_str().into(),
    },
    Col {
        name: "segments",
        unit: "",
        meaning: "Segments of the market in the taxonomy.",
        decimals: None,
        get: |(m, _)| m.segments.into(),
    },
    Col {
        name: "hs6",
        unit: "codes",
        meaning: "HS6 codes of the market in the taxonomy (all editions).",
        decimals: None,
        get: |(m, _)| m.hs6.into(),
    },
    Col {
        name: "nace",
        unit: "codes",
        meaning: "NACE codes of the market.",
        decimals: None,
        get: |(m, _)| m.nace.into(),
    },
    Col {
        name: "cpa",
        unit: "codes",
        meaning: "CPA 2.1 codes of the market.",
        decimals: None,
        get: |(m, _)| m.cpa.into(),
    },
    Col {
        name: "hs6_in_edition",
        unit: "codes",
        meaning: "The market's HS6 codes that exist in the trade data's HS edition.",
        decimals: None,
        get: |(m, _)| m.hs6_in_edition.into(),
    },
    Col {
        name: "hs6_in_data",
        unit: "codes",
        meaning: "Of those, the codes with trade in the data.",
        decimals: None,
        get: |(m, _)| m.hs6_in_data.into(),
    },
    Col {
        name: "exports_musd",
        unit: "million USD",
        meaning: "The country's exports of the market's products in the year (empty when no code has trade in the data).",
        decimals: Some(1),
        get: |(m, _)| Cell::opt_num(m.exports_musd),
    },
    Col {
        name: "imports_musd",
        unit: "million USD",
        meaning: "The country's imports of the market's products in the year.",
        decimals: Some(1),
        get: |(m, _)| Cell::opt_num(m.imports_musd),
    },
    Col {
        name: "world_share_%",
        unit: "%",
        meaning: "The country's exports / world exports of the market's products.",
        decimals: Some(2),
        get: |(m, _)| pc(m.world_share),
    },
    Col {
        name: "rca",
        unit: "",
        meaning: "Balassa RCA: the market's share of the country's exports / its share of world exports.",
        decimals: Some(2),
        get: |(m, _)| Cell::opt_num(m.rca),
    },
    Col {
        name: "rank",
        unit: "",
        meaning: "Rank by world-export share among the peers ranked (benchmarks such as the EU27 are not ranked).",
        decimals: None,
        get: |(m, _)| Cell::opt_int(m.rank.map(|r| r as i64)),
    },
    Col {
        name: "ranked",
        unit: "",
        meaning: "How many countries are ranked.",
        decimals: None,
        get: |(m, _)| Cell::opt_int(m.ranked.map(|r| r as i64)),
    },
    Col {
        name: "trend",
        unit: "",
        meaning: "Direction of the trend of the world-export share: rising, falling, no significant trend, too few years.",
        decimals: None,
        get: |(m, _)| m.trend.as_str().into(),
    },
    Col {
        name: "annual_change_%",
        unit: "%",
        meaning: "Annual change of the world-export share, from the slope of its logarithm.",
        decimals: Some(1),
        get: |(m, _)| pc(m.annual_change),
    },
    Col {
        name: "p_value",
        unit: "",
        meaning: "p-value of the slope (t test).",
        decimals: Some(3),
        get: |(m, _)| Cell::opt_num(m.p_value),
    },
    Col {
        name: "trend_text",
        unit: "",
        meaning: "The trend in words, with annual change and p-value (no exports when the country never exported the market).",
        decimals: None,
        get: |(m, _)| m.trend_text.as_str().into(),
    },
    Col {
        name: "status",
        unit: "",
        meaning: "Colour: green (significantly rising), red (significantly falling), grey, or no data when no code has trade in the data.",
        decimals: None,
        get: |(m, _)| m.status.as_str().into(),
    },
    Col {
        name: "risky_strategic_dependencies",
        unit: "products",
        meaning: "Risky strategic dependencies among the market's codes, from the dependency screen on the same trade (empty when the screen could not run).",
        decimals: None,
        get: |(m, _)| Cell::opt_int(m.risky_strategic_dependencies.map(|n| n as i64)),
    },
    Col {
        name: "dataset",
        unit: "",
        meaning: "The trade dataset.",
        decimals: None,
        get: |(_, b)| b.dataset.as_str().into(),
    },
    Col {
        name: "synthetic",
        unit: "",
        meaning: "Synthetic data (generated, not statistics).",
        decimals: None,
        get: |(_, b)| b.synthetic.into(),
    },
];

/// What every row of the board repeats.
struct BoardKey {
    geo: String,
    year: i32,
    dataset: String,
    synthetic: bool,
}

impl Tabular for Board {
    fn table(&self) -> Table {
        let rows: Vec<(MarketStatus, BoardKey)> = self
            .markets
            .iter()
            .map(|m| {
                (
                    m.clone(),
                    BoardKey {
                        geo: self.geo.clone(),
                        year: self.year,
                        dataset: self.dataset.clone(),
                        synthetic: self.synthetic,
                    },
                )
            })
            .collect();
        Table::of(BOARD, &rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-markets-{}-{}", self.geo, self.year)
    }
}
