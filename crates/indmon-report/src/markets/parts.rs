//! The parts of a market's detail as tables, their columns declared once.

use serde::Serialize;

use super::show::{ActivityRow, CodeRow, MarketDetail, Part, SegmentRow, ValueAddedRow};
use super::{IndicatorRow, UnitStatus, musd, pc};
use crate::table::{Cell, Col, Table, Tabular};

const SEGMENTS: &[Col<SegmentRow>] = &[
    Col {
        name: "segment",
        unit: "",
        meaning: "Segment id.",
        decimals: None,
        get: |r| r.segment.as_str().into(),
    },
    Col {
        name: "name_en",
        unit: "",
        meaning: "Name in English.",
        decimals: None,
        get: |r| r.name_en.as_str().into(),
    },
    Col {
        name: "name_nl",
        unit: "",
        meaning: "Name in Dutch.",
        decimals: None,
        get: |r| r.name_nl.as_str().into(),
    },
    Col {
        name: "hs6",
        unit: "codes",
        meaning: "HS6 codes (all editions).",
        decimals: None,
        get: |r| r.hs6.into(),
    },
    Col {
        name: "nace",
        unit: "codes",
        meaning: "NACE codes.",
        decimals: None,
        get: |r| r.nace.into(),
    },
    Col {
        name: "cpa",
        unit: "codes",
        meaning: "CPA 2.1 codes.",
        decimals: None,
        get: |r| r.cpa.into(),
    },
    Col {
        name: "no_codes",
        unit: "",
        meaning: "Why no statistical code captures the segment (empty when codes do).",
        decimals: None,
        get: |r| Cell::opt_text(r.no_codes.as_deref()),
    },
];

const CODES: &[Col<CodeRow>] = &[
    Col {
        name: "segment",
        unit: "",
        meaning: "Segment id.",
        decimals: None,
        get: |r| r.segment.as_str().into(),
    },
    Col {
        name: "hs6",
        unit: "",
        meaning: "The HS6 code.",
        decimals: None,
        get: |r| r.hs6.as_str().into(),
    },
    Col {
        name: "editions",
        unit: "",
        meaning: "The HS editions the code exists in.",
        decimals: None,
        get: |r| r.editions.join(" ").into(),
    },
    Col {
        name: "confidence",
        unit: "",
        meaning: "How well the code captures the segment: core, partial or proxy.",
        decimals: None,
        get: |r| r.confidence.as_str().into(),
    },
    Col {
        name: "name",
        unit: "",
        meaning: "The code's name in the classification list of the data's edition (or the nearest).",
        decimals: None,
        get: |r| Cell::opt_text(r.name.as_deref()),
    },
    Col {
        name: "world_exports_musd",
        unit: "million USD",
        meaning: "World exports of the code in the year (empty when the data has no trade in it).",
        decimals: Some(1),
        get: |r| Cell::opt_num(r.world_exports_musd),
    },
    Col {
        name: "exports_musd",
        unit: "million USD",
        meaning: "The country's exports of the code in the year.",
        decimals: Some(1),
        get: |r| Cell::opt_num(r.exports_musd),
    },
    Col {
        name: "world_share_%",
        unit: "%",
        meaning: "The country's exports / world exports of the code.",
        decimals: Some(2),
        get: |r| pc(r.world_share),
    },
    Col {
        name: "rca",
        unit: "",
        meaning: "The country's Balassa RCA in the code.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.rca),
    },
    Col {
        name: "dependency",
        unit: "",
        meaning: "The country's dependency tier in the code, from the dependency screen on the same trade.",
        decimals: None,
        get: |r| Cell::opt_text(r.dependency.as_deref()),
    },
];

const ACTIVITIES: &[Col<ActivityRow>] = &[
    Col {
        name: "segment",
        unit: "",
        meaning: "Segment id.",
        decimals: None,
        get: |r| r.segment.as_str().into(),
    },
    Col {
        name: "kind",
        unit: "",
        meaning: "The classification: NACE Rev. 2, NACE Rev. 2.1 or CPA 2.1.",
        decimals: None,
        get: |r| r.kind.as_str().into(),
    },
    Col {
        name: "code",
        unit: "",
        meaning: "The code.",
        decimals: None,
        get: |r| r.code.as_str().into(),
    },
    Col {
        name: "confidence",
        unit: "",
        meaning: "How well the code captures the segment: core, partial or proxy.",
        decimals: None,
        get: |r| r.confidence.as_str().into(),
    },
    Col {
        name: "name",
        unit: "",
        meaning: "The code's name in the classification.",
        decimals: None,
        get: |r| Cell::opt_text(r.name.as_deref()),
    },
    Col {
        name: "rationale",
        unit: "",
        meaning: "Why the code is in the market.",
        decimals: None,
        get: |r| r.rationale.as_str().into(),
    },
];

const INDICATORS: &[Col<IndicatorRow>] = &[
    Col {
        name: "country",
        unit: "",
        meaning: "Country (or EU27, the sum of the member states).",
        decimals: None,
        get: |r| r.country.as_str().into(),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "exports_musd",
        unit: "million USD",
        meaning: "Exports of the market's products.",
        decimals: Some(1),
        get: |r| musd(r.exports),
    },
    Col {
        name: "imports_musd",
        unit: "million USD",
        meaning: "Imports of the market's products.",
        decimals: Some(1),
        get: |r| musd(r.imports),
    },
    Col {
        name: "balance_musd",
        unit: "million USD",
        meaning: "Exports − imports.",
        decimals: Some(1),
        get: |r| musd(r.balance),
    },
    Col {
        name: "world_share_%",
        unit: "%",
        meaning: "Exports / world exports of the market's products.",
        decimals: Some(2),
        get: |r| pc(r.world_share),
    },
    Col {
        name: "rca",
        unit: "",
        meaning: "Balassa RCA: the market's share of the country's exports / its share of world exports.",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.rca),
    },
    Col {
        name: "export_growth_%",
        unit: "%",
        meaning: "Growth of exports over the year before.",
        decimals: Some(1),
        get: |r| pc(r.growth),
    },
    Col {
        name: "products_rca_ge_1",
        unit: "products",
        meaning: "The market's products exported with RCA ≥ 1.",
        decimals: None,
        get: |r| r.products_rca_ge_1.into(),
    },
    Col {
        name: "products",
        unit: "products",
        meaning: "The market's products in the data.",
        decimals: None,
        get: |r| r.products.into(),
    },
    Col {
        name: "avg_pci",
        unit: "",
        meaning: "Mean PCI of the products exported with RCA ≥ 1, where complexity results of the same trade are in the store.",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.avg_pci),
    },
];

const STATUS: &[Col<UnitStatus>] = &[
    Col {
        name: "country",
        unit: "",
        meaning: "Country (or EU27).",
        decimals: None,
        get: |r| r.country.as_str().into(),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year of the status.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "benchmark",
        unit: "",
        meaning: "A group of countries (the EU27), shown but not ranked.",
        decimals: None,
        get: |r| r.benchmark.into(),
    },
    Col {
        name: "world_share_%",
        unit: "%",
        meaning: "World-export share in the year.",
        decimals: Some(2),
        get: |r| pc(r.world_share),
    },
    Col {
        name: "rank",
        unit: "",
        meaning: "Rank by world-export share among the countries ranked (none without exports).",
        decimals: None,
        get: |r| Cell::opt_int(r.rank.map(|n| n as i64)),
    },
    Col {
        name: "ranked",
        unit: "",
        meaning: "How many countries are ranked.",
        decimals: None,
        get: |r| Cell::opt_int(r.ranked.map(|n| n as i64)),
    },
    Col {
        name: "trend",
        unit: "",
        meaning: "Direction of the trend of the share (rising, falling, no significant trend, too few years), or no exports when the country never exported the market.",
        decimals: None,
        get: |r| {
            if r.never_exported {
                "no exports".into()
            } else {
                r.trend.as_str().into()
            }
        },
    },
    Col {
        name: "annual_change_%",
        unit: "%",
        meaning: "Annual change of the share, from the slope of its logarithm.",
        decimals: Some(1),
        get: |r| pc(r.annual_change),
    },
    Col {
        name: "p_value",
        unit: "",
        meaning: "p-value of the slope (t test).",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.p_value),
    },
    Col {
        name: "years_in_test",
        unit: "years",
        meaning: "Years in the test.",
        decimals: None,
        get: |r| Cell::opt_int(r.years_in_test.map(|n| n as i64)),
    },
    Col {
        name: "status",
        unit: "",
        meaning: "Colour: green (significantly rising), red (significantly falling) or grey.",
        decimals: None,
        get: |r| r.status.as_str().into(),
    },
];

const VALUE_ADDED: &[Col<ValueAddedRow>] = &[
    Col {
        name: "geo",
        unit: "",
        meaning: "Eurostat geo code.",
        decimals: None,
        get: |r| r.geo.as_str().into(),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "The latest year with every industry and the total.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "value_meur",
        unit: "million EUR",
        meaning: "Value added of the market's A*64 industries (broader than the market), current prices.",
        decimals: Some(0),
        get: |r| r.value_meur.into(),
    },
    Col {
        name: "share_of_total_%",
        unit: "%",
        meaning: "Share of total value added.",
        decimals: Some(1),
        get: |r| pc(Some(r.share_of_total)),
    },
];

impl MarketDetail {
    /// One part of the detail as a result of its own: its table is the part's, its JSON
    /// the whole detail.
    pub fn part(&self, part: Part) -> MarketPart<'_> {
        MarketPart { detail: self, part }
    }

    /// The table of one part.
    pub fn table_of(&self, part: Part) -> Table {
        match part {
            Part::Segments => Table::of(SEGMENTS, &self.segments),
            Part::Codes => Table::of(CODES, &self.codes),
            Part::Activities => Table::of(ACTIVITIES, &self.activities),
            Part::Indicators => Table::of(INDICATORS, &self.indicators),
            Part::Status => Table::of(STATUS, &self.status),
            Part::ValueAdded => Table::of(VALUE_ADDED, self.value_added.iter().flatten()),
        }
    }
}

/// The declared column names of a part (the CSV header).
pub fn part_header(part: Part) -> Vec<&'static str> {
    fn names<R>(cols: &[Col<R>]) -> Vec<&'static str> {
        cols.iter().map(|c| c.name).collect()
    }
    match part {
        Part::Segments => names(SEGMENTS),
        Part::Codes => names(CODES),
        Part::Activities => names(ACTIVITIES),
        Part::Indicators => names(INDICATORS),
        Part::Status => names(STATUS),
        Part::ValueAdded => names(VALUE_ADDED),
    }
}

impl Tabular for MarketDetail {
    /// The codes (the part shown by default).
    fn table(&self) -> Table {
        self.table_of(Part::Codes)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-market-{}-{}-{}", self.market, self.geo, self.year)
    }
}

/// One part of a market's detail (see [`MarketDetail::part`]).
#[derive(Debug, Clone, Copy)]
pub struct MarketPart<'a> {
    /// The detail.
    pub detail: &'a MarketDetail,
    /// The part.
    pub part: Part,
}

impl Serialize for MarketPart<'_> {
    /// The whole detail: JSON has every part.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.detail.serialize(s)
    }
}

impl Tabular for MarketPart<'_> {
    fn table(&self) -> Table {
        self.detail.table_of(self.part)
    }
    fn notes(&self) -> Vec<String> {
        self.detail.notes.clone()
    }
    fn file_stem(&self) -> String {
        let part = match self.part {
            Part::Segments => "segments",
            Part::Codes => "codes",
            Part::Activities => "activities",
            Part::Indicators => "indicators",
            Part::Status => "status",
            Part::ValueAdded => "value-added",
        };
        format!(
            "indmon-market-{}-{part}-{}-{}",
            self.detail.market, self.detail.geo, self.detail.year
        )
    }
}
