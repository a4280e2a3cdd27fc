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
    /// The trade dataset of its figures.
    pub dataset: String,
    /// Its HS edition.
    pub edition: String,
    /// Year of the status (the latest in that dataset, or the one asked for).
    pub year: i32,
    /// Synthetic data.
    pub synthetic: bool,
    /// The smallest flow the dataset keeps (US dollars), when it is an extract of large
    /// flows only: totals are lower bounds, shares and RCA among those flows only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_flow_usd: Option<f64>,
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
    /// Year of the status (the latest of the markets' years).
    pub year: i32,
    /// The trade datasets used (each market names its own).
    pub datasets: Vec<String>,
    /// Any of them synthetic.
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
/// against `lists`. Without a dataset in `req`, each market reads the dataset chosen
/// for it by [`super::CHOICE_RULE`] (the semiconductor extract for semiconductors, the
/// complete extract for the others, on the bundled data), and the notes say which.
pub async fn board(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    label: &str,
    reference: &Reference,
    req: &BoardRequest,
) -> Result<Board> {
    let mut data: Vec<TradeData> = Vec::new();
    let mut which: Vec<usize> = Vec::new();
    if req.dataset.is_some() {
        data.push(load_trade(store, settings, tax, reference, req, None).await?);
        which = vec![0; tax.markets.len()];
    } else {
        let catalog = store.catalog()?;
        let trade: Vec<&indmon_core::VintageMeta> = catalog
            .datasets()
            .filter_map(|d| catalog.latest(d))
            .filter(|m| m.schema == "baci_trade")
            .collect();
        let cands = super::trade::Candidates::read(store, &trade).await?;
        let mut picks: Vec<String> = Vec::new();
        for mk in &tax.markets {
            let c = cands.choose(store, tax, Some(mk), req.year).await?;
            let ds = c.meta.dataset.as_str().to_string();
            let at = match data.iter().position(|d| d.meta.dataset.as_str() == ds) {
                Some(at) => at,
                None => {
                    let one = BoardRequest {
                        dataset: Some(ds.clone()),
                        ..req.clone()
                    };
                    data.push(load_trade(store, settings, tax, reference, &one, None).await?);
                    data.len() - 1
                }
            };
            which.push(at);
            picks.push(format!("{} → {}", mk.id.get_ref(), c.pick));
        }
        // the choice per market replaces each dataset's "as asked"
        let note = format!(
            "Trade data per market, chosen as {}: {}; name another with --dataset.",
            super::CHOICE_RULE,
            picks.join("; ")
        );
        for (d, data) in data.iter_mut().enumerate() {
            data.choice = if d == 0 { note.clone() } else { String::new() };
        }
    }
    Ok(board_of(&data, &which, tax, label, settings.markets.alpha))
}

/// The board of trade already read (see [`load_trade`]): market `m` of the taxonomy
/// on `data[which[m]]`.
pub fn board_of(
    data: &[TradeData],
    which: &[usize],
    tax: &Taxonomy,
    label: &str,
    alpha: f64,
) -> Board {
    let first = &data[0];
    let geo = &first.units[0].name;
    let mut markets = Vec::new();
    for (mk, &w) in tax.markets.iter().zip(which) {
        let data = &data[w];
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
            dataset: data.meta.dataset.as_str().to_string(),
            edition: data.edition.to_string(),
            year: data.year,
            synthetic: data.meta.synthetic,
            min_flow_usd: data.meta.min_flow_usd,
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
    let year = data.iter().map(|d| d.year).max().unwrap_or(first.year);
    let mut notes = Vec::new();
    let used: Vec<usize> = (0..data.len()).filter(|d| which.contains(d)).collect();
    if used.len() > 1 {
        notes.push(format!(
            "The markets' figures come from {} different trade datasets ({}): world totals, shares and RCA of markets on different datasets are not comparable with each other.",
            used.len(),
            used.iter()
                .map(|&d| data[d].meta.dataset.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for &d in &used {
        notes.extend(data_notes(&data[d], tax, label, alpha));
        notes.push(dependency_note(&data[d]));
    }
    // the taxonomy and method notes once
    let mut seen = std::collections::HashSet::new();
    notes.retain(|n| seen.insert(n.clone()));
    let ranked: Vec<String> = (1..=first.peers)
        .filter(|&u| !first.is_benchmark(u))
        .map(|u| first.units[u].name.clone())
        .collect();
    let benchmarks: Vec<String> = (1..=first.peers)
        .filter(|&u| first.is_benchmark(u))
        .map(|u| first.units[u].name.clone())
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
            "{geo} in the six priority markets, {year}: rank by world-export share among {geo}, {}{}{}.",
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
    let mut sources: Vec<Source> = Vec::new();
    for &d in &used {
        for s in data[d].sources() {
            if !sources.contains(&s) {
                sources.push(s);
            }
        }
    }
    Board {
        geo: geo.clone(),
        year,
        datasets: used
            .iter()
            .map(|&d| data[d].meta.dataset.as_str().to_string())
            .collect(),
        synthetic: used.iter().any(|&d| data[d].meta.synthetic),
        method: m::METHOD_VERSION.to_string(),
        taxonomy: label.to_string(),
        taxonomy_version: tax.version.to_string(),
        ranked_against: ranked,
        benchmarks,
        markets,
        notes,
        sources,
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
        get: |(m, _)| m.year.into(),
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
        meaning: "The trade dataset of the market's figures.",
        decimals: None,
        get: |(m, _)| m.dataset.as_str().into(),
    },
    Col {
        name: "synthetic",
        unit: "",
        meaning: "Synthetic data (generated, not statistics).",
        decimals: None,
        get: |(m, _)| m.synthetic.into(),
    },
    Col {
        name: "min_flow_musd",
        unit: "million USD",
        meaning: "The smallest flow the dataset keeps, when it is an extract of large flows only (totals are then lower bounds, shares and RCA among those flows only); empty for complete data.",
        decimals: None,
        get: |(m, _)| Cell::opt_num(m.min_flow_usd.map(|v| v / 1e6)),
    },
];

/// What every row of the board repeats.
struct BoardKey {
    geo: String,
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
