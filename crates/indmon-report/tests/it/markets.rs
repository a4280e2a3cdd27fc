//! The priority markets on the bundled BACI extract (HS 2017, 2024, 30 products): the
//! board and a market's detail checked against a computation straight from the bundled
//! flows, and every result's CSV with its declared header.

use indmon_core::{ErrorKind, Settings};
use indmon_report::markets::{
    self as rm, Board, BoardRequest, MarketDetail, MarketRequest, Part, part_header,
};
use indmon_report::{Reference, Tabular};

use crate::support::{bundled, run};

/// One bundled flow: exporter, importer, product, thousand USD (all of 2024).
type Flow = (u16, u16, String, f64);

/// The bundled flows.
fn flows() -> Vec<Flow> {
    let bytes = indmon_reference::bundle::file("baci-crm-2024/BACI_HS17_Y2024_V202601_crm.csv")
        .expect("the bundled BACI extract");
    csv::Reader::from_reader(bytes)
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(&r[0], "2024");
            (
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
                format!("{:0>6}", &r[3]),
                r[4].parse().unwrap(),
            )
        })
        .collect()
}

/// Equal up to the order of additions.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-12)
}

const NL: u16 = 528;

/// The complete 2024 extract of 30 critical-raw-material codes, named: the tests below
/// check the figures against its flows.
fn crm_trade() -> BoardRequest {
    BoardRequest {
        dataset: Some("baci_hs17".into()),
        ..BoardRequest::default()
    }
}

fn board() -> Board {
    board_of(crm_trade())
}

fn board_of(req: BoardRequest) -> Board {
    let f = bundled();
    let r = Reference::bundled().unwrap();
    run(rm::board(
        &f.store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        &r.taxonomy.label,
        r,
        &req,
    ))
    .unwrap()
}

fn detail(market: &str) -> indmon_report::Result<MarketDetail> {
    let f = bundled();
    let r = Reference::bundled().unwrap();
    run(rm::market_detail(
        &f.store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        &r.taxonomy.label,
        r,
        &MarketRequest {
            market: market.into(),
            trade: crm_trade(),
        },
    ))
}

#[test]
fn the_board_is_the_bundled_trade_of_nl() {
    let b = board();
    assert_eq!((b.geo.as_str(), b.year), ("NL", 2024));
    assert_eq!(b.datasets, ["baci_hs17"]);
    assert!(
        b.markets
            .iter()
            .all(|m| (m.dataset.as_str(), m.edition.as_str()) == ("baci_hs17", "HS2017"))
    );
    assert!(!b.synthetic);
    assert_eq!(b.method, indmon_analytics::markets::METHOD_VERSION);
    assert_eq!(b.ranked_against, ["BE", "DK", "DE", "SE"]);
    assert_eq!(b.benchmarks, ["EU27"]);
    let ids: Vec<&str> = b.markets.iter().map(|m| m.market.as_str()).collect();
    assert_eq!(
        ids,
        [
            "semiconductors",
            "biotechnology",
            "digital_ai",
            "machine_building",
            "innovative_chemistry",
            "defence_growth"
        ]
    );
    assert!(b.sources.iter().any(|s| s.dataset == "baci_hs17"));
    assert!(b.notes.iter().any(|n| n.contains("only 30 products")));

    // semiconductors: of the market's codes only 280429 (rare gases) is in the extract
    let flows = flows();
    let semis = &b.markets[0];
    assert_eq!(semis.hs6_in_data, 1);
    let x: f64 = flows
        .iter()
        .filter(|f| f.0 == NL && f.2 == "280429")
        .map(|f| f.3)
        .sum();
    let m: f64 = flows
        .iter()
        .filter(|f| f.1 == NL && f.2 == "280429")
        .map(|f| f.3)
        .sum();
    let w: f64 = flows.iter().filter(|f| f.2 == "280429").map(|f| f.3).sum();
    assert!(close(semis.exports_musd.unwrap(), x / 1000.0));
    assert!(close(semis.imports_musd.unwrap(), m / 1000.0));
    assert!(close(semis.world_share.unwrap(), x / w));
    assert_eq!(semis.status, "grey"); // one year: too few for a trend
    assert_eq!(semis.trend, "too few years");
    // markets without a code in the data: no figures, not zero
    for m in &b.markets[1..] {
        assert_eq!(m.hs6_in_data, 0, "{}", m.market);
        assert_eq!(m.status, "no data");
        assert_eq!((m.exports_musd, m.imports_musd), (None, None));
        assert_eq!(m.world_share, None);
    }

    // the table: one row per market, the declared columns
    let t = b.table();
    assert_eq!(t.rows.len(), 6);
    assert_eq!(
        t.csv().lines().next().unwrap(),
        "market,geo,year,coverage,segments,hs6,nace,cpa,hs6_in_edition,hs6_in_data,exports_musd,imports_musd,world_share_%,rca,rank,ranked,trend,annual_change_%,p_value,trend_text,status,risky_strategic_dependencies,dataset,synthetic,min_flow_musd"
    );
    let row = &t.records()[0];
    assert_eq!(row["world_share_%"], serde_json::json!(100.0 * x / w));
    assert_eq!(row["rank"], serde_json::json!(semis.rank.unwrap()));
    assert_eq!(b.file_stem(), "indmon-markets-NL-2024");
}

/// Issue 23: unless told, each market reads the dataset with most of its codes, then
/// most years: semiconductors the 2017-2024 extract of flows of at least USD 10 million,
/// with its figures from that file and the filter in its notes.
#[test]
fn by_default_semiconductors_read_the_semiconductor_extract() {
    let b = board_of(BoardRequest::default());
    assert_eq!(b.datasets, ["baci_hs17_semis", "baci_hs17"]);
    let on: Vec<(&str, &str)> = b
        .markets
        .iter()
        .map(|m| (m.market.as_str(), m.dataset.as_str()))
        .collect();
    assert_eq!(
        on,
        [
            ("semiconductors", "baci_hs17_semis"),
            ("biotechnology", "baci_hs17"),
            ("digital_ai", "baci_hs17_semis"),
            ("machine_building", "baci_hs17"),
            ("innovative_chemistry", "baci_hs17"),
            ("defence_growth", "baci_hs17")
        ]
    );
    let semis = &b.markets[0];
    assert_eq!((semis.hs6_in_data, semis.min_flow_usd), (20, Some(1e7)));
    assert_eq!(
        semis
            .indicators
            .iter()
            .filter(|i| i.country == "NL")
            .count(),
        8
    );
    assert!(semis.p_value.is_some());
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("not comparable with each other"))
    );
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("holds only flows of at least USD 10 million"))
    );

    let r = Reference::bundled().unwrap();
    let d = run(rm::market_detail(
        &bundled().store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        &r.taxonomy.label,
        r,
        &MarketRequest {
            market: "semiconductors".into(),
            trade: BoardRequest::default(),
        },
    ))
    .unwrap();
    // NL's world share in 848620 in 2024, from the extract's own file (USD, ISO3)
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/baci-semis-2017-2024/trade_flow.csv"),
    )
    .unwrap();
    let (mut nl, mut world) = (0.0, 0.0);
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if f[0] == "2024" && f[3] == "848620" {
            let v: f64 = f[4].parse().unwrap();
            world += v;
            if f[1] == "NLD" {
                nl += v;
            }
        }
    }
    let c = d.codes.iter().find(|c| c.hs6 == "848620").unwrap();
    assert!(close(c.world_share.unwrap(), nl / world), "{c:?}");
    assert!(close(c.exports_musd.unwrap(), nl / 1e6), "{c:?}");
    assert_eq!(d.min_flow_usd, Some(1e7));
}

#[test]
fn the_semiconductor_codes_of_nl_match_the_bundled_flows() {
    let d = detail("semiconductors").unwrap();
    assert_eq!(
        (d.geo.as_str(), d.year, d.edition.as_str()),
        ("NL", 2024, "HS2017")
    );
    assert_eq!(d.codes.len(), 32);
    assert_eq!((d.hs6_in_edition, d.hs6_with_trade), (24, 1));

    // 848620 (wafer fabrication machines) is listed, named, and not in the extract:
    // empty, not zero
    let c = d.codes.iter().find(|c| c.hs6 == "848620").unwrap();
    assert_eq!(c.segment, "equipment");
    assert!(
        c.name.as_deref().unwrap().contains("semiconductor"),
        "{c:?}"
    );
    assert_eq!(
        (c.world_exports_musd, c.exports_musd, c.world_share, c.rca),
        (None, None, None, None)
    );

    // 280429: world share and RCA from the flows (RCA over the products in the data)
    let flows = flows();
    let sum =
        |f: &dyn Fn(&Flow) -> bool| -> f64 { flows.iter().filter(|x| f(x)).map(|x| x.3).sum() };
    let x = sum(&|f| f.0 == NL && f.2 == "280429");
    let w = sum(&|f| f.2 == "280429");
    let total = sum(&|f| f.0 == NL);
    let world = sum(&|_| true);
    let c = d.codes.iter().find(|c| c.hs6 == "280429").unwrap();
    assert!(close(c.world_exports_musd.unwrap(), w / 1000.0));
    assert!(close(c.exports_musd.unwrap(), x / 1000.0));
    assert!(close(c.world_share.unwrap(), x / w));
    assert!(close(c.rca.unwrap(), (x / total) / (w / world)), "{c:?}");

    // the indicators of NL: the same flows; every peer and the semiconductor peers
    let nl = d.indicators.iter().find(|i| i.country == "NL").unwrap();
    assert!(close(nl.exports, x));
    assert!(close(nl.imports, sum(&|f| f.1 == NL && f.2 == "280429")));
    assert!(close(nl.rca.unwrap(), (x / total) / (w / world)));
    let countries: Vec<&str> = d.indicators.iter().map(|i| i.country.as_str()).collect();
    assert_eq!(
        countries,
        [
            "NL", "EU27", "BE", "DK", "DE", "SE", "USA", "CHN", "JPN", "KOR", "TWN"
        ]
    );

    // the status: EU27 is a benchmark, not ranked; the others ranked 1..=n once each
    let eu = d.status.iter().find(|s| s.country == "EU27").unwrap();
    assert!(eu.benchmark && eu.rank.is_none());
    let mut ranks: Vec<usize> = d.status.iter().filter_map(|s| s.rank).collect();
    ranks.sort();
    assert_eq!(ranks, (1..=10).collect::<Vec<_>>());

    // NACE and CPA with their names from the classification lists
    let a = d
        .activities
        .iter()
        .find(|a| a.code == "26.11" && a.kind == "NACE Rev. 2")
        .unwrap();
    assert_eq!(
        a.name.as_deref(),
        Some("Manufacture of electronic components")
    );
    // the segment without a clean code says why
    let s = d.segments.iter().find(|s| s.segment == "design").unwrap();
    assert!(s.no_codes.is_some() && s.hs6 == 0);
    // the bundled national accounts stop at NACE sections: no value added of C26 + C28
    assert!(d.value_added.as_ref().is_none_or(Vec::is_empty));
    assert!(
        d.notes
            .iter()
            .any(|n| n.starts_with("Value added and employment"))
    );
    assert_eq!(d.method, indmon_analytics::markets::METHOD_VERSION);
    assert!(d.sources.iter().any(|s| s.dataset == "baci_hs17"));
}

#[test]
fn the_board_and_the_detail_agree() {
    let b = board();
    let d = detail("Semiconductors").unwrap(); // by name too
    let s = &b.markets[0];
    let nl = d.status.iter().find(|u| u.country == "NL").unwrap();
    assert_eq!((s.rank, s.ranked), (nl.rank, nl.ranked));
    assert_eq!(s.world_share, nl.world_share);
    assert_eq!(s.hs6_in_edition, d.hs6_in_edition);
    for (a, b) in s.indicators.iter().zip(&d.indicators) {
        assert_eq!(
            (a.country.as_str(), a.exports),
            (b.country.as_str(), b.exports)
        );
    }
}

#[test]
fn every_part_has_its_declared_header() {
    let d = detail("semiconductors").unwrap();
    let want: Vec<(Part, &str)> = vec![
        (
            Part::Segments,
            "segment,name_en,name_nl,hs6,nace,cpa,no_codes",
        ),
        (
            Part::Codes,
            "segment,hs6,editions,confidence,name,world_exports_musd,exports_musd,world_share_%,rca,dependency",
        ),
        (
            Part::Activities,
            "segment,kind,code,confidence,name,rationale",
        ),
        (
            Part::Indicators,
            "country,year,exports_musd,imports_musd,balance_musd,world_share_%,rca,export_growth_%,products_rca_ge_1,products,avg_pci",
        ),
        (
            Part::Status,
            "country,year,benchmark,world_share_%,rank,ranked,trend,annual_change_%,p_value,years_in_test,status",
        ),
        (Part::ValueAdded, "geo,year,value_meur,share_of_total_%"),
    ];
    for (part, header) in &want {
        let p = d.part(*part);
        let csv = p.table().csv();
        assert_eq!(csv.lines().next().unwrap(), *header, "{part:?}");
        assert_eq!(part_header(*part).join(","), *header, "{part:?}");
        // JSON is the whole detail whatever the part
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            serde_json::to_value(&d).unwrap()
        );
        assert!(p.file_stem().starts_with("indmon-market-semiconductors-"));
    }
    assert_eq!(d.table().csv(), d.part(Part::Codes).table().csv());
    assert_eq!(d.part(Part::Codes).table().rows.len(), d.codes.len());
    assert_eq!(d.part(Part::Status).table().rows.len(), d.status.len());

    let v = rm::validation(&Reference::bundled().unwrap().taxonomy);
    assert_eq!(
        v.table().csv().lines().next().unwrap(),
        "market,coverage,segments,segments_without_clean_code,hs6,nace,cpa"
    );
}

#[test]
fn a_market_or_a_peer_that_does_not_exist_is_a_usage_error() {
    let e = detail("quantum").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(
        e.to_string().contains("semiconductors, biotechnology"),
        "{e}"
    );

    let f = bundled();
    let r = Reference::bundled().unwrap();
    let e = run(rm::board(
        &f.store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        &r.taxonomy.label,
        r,
        &BoardRequest {
            peers: vec!["XX".into()],
            ..Default::default()
        },
    ))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    let e = run(rm::board(
        &f.store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        &r.taxonomy.label,
        r,
        &BoardRequest {
            year: Some(1990),
            ..Default::default()
        },
    ))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(e.to_string().contains("no trade for 1990"), "{e}");
}
