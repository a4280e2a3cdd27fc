//! The policy page's claims, computed from the bundled Eurostat figures (nama_10_a64,
//! release 2025-03-12, million EUR, current prices).

use indmon_analytics::peers::peers;
use indmon_analytics::target::{Target, decompose, share, target_path};

const NL_C: [(i32, f64); 3] = [(2021, 95886.0), (2022, 102836.0), (2023, 115740.0)];
const NL_TOTAL: [(i32, f64); 3] = [(2021, 791730.0), (2022, 888174.0), (2023, 962084.0)];

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

#[test]
fn nl_2023_share_gap_and_required_relative_growth() {
    let s = share(NL_C[2].1, NL_TOTAL[2].1).unwrap();
    assert_eq!(round(100.0 * s, 2), 12.03); // Eurostat NL manufacturing share 2023
    let p = target_path(
        2023,
        s,
        Target {
            share: 0.15,
            year: 2030,
        },
    )
    .unwrap();
    assert_eq!(round(p.gap_pp, 2), 2.97);
    assert_eq!(round(100.0 * p.relative_growth, 2), 3.71);
}

#[test]
fn nl_2021_2022_the_rest_grew_faster() {
    let d = decompose(
        2021,
        2022,
        NL_C[0].1,
        NL_TOTAL[0].1 - NL_C[0].1,
        NL_C[1].1,
        NL_TOTAL[1].1 - NL_C[1].1,
    )
    .unwrap();
    assert_eq!(round(d.delta_pp, 2), -0.53);
    assert_eq!(round(100.0 * d.industry_growth, 1), 7.2);
    assert_eq!(round(100.0 * d.rest_growth, 1), 12.9);
    assert_eq!(round(d.industry_pp, 2), 0.73);
    assert_eq!(round(d.rest_pp, 2), -1.26);
    assert!((d.industry_pp + d.rest_pp - d.delta_pp).abs() < 1e-12);
}

#[test]
fn peers_2023_in_the_published_order() {
    // manufacturing / total GVA 2023 of the bundled Eurostat file (PROVENANCE: DE 20.1, BE 12.5,
    // DK 18.0, SE 15.9, EU27 16.3, NL 12.03 %)
    let panel: Vec<(String, f64)> = [
        ("NL", 0.120301),
        ("EU27_2020", 0.1630),
        ("BE", 0.1250),
        ("DK", 0.1800),
        ("DE", 0.2010),
        ("SE", 0.1590),
    ]
    .iter()
    .map(|(g, s)| (g.to_string(), *s))
    .collect();
    let rows = peers(&panel, "NL", "EU27_2020", &[]);
    let order: Vec<&str> = rows.iter().map(|r| r.geo.as_str()).collect();
    assert_eq!(order, ["DE", "DK", "EU27_2020", "SE", "BE", "NL"]);
    assert_eq!(rows[5].rank, 6);
    assert_eq!(round(rows[0].gap_to_focus_pp.unwrap(), 2), 8.07);
    assert_eq!(round(rows[5].gap_to_eu_pp.unwrap(), 2), -4.27);
    assert_eq!(rows[0].eu_quartile, None);
    // quartiles among members: type-7 cuts of these 8 values are 0.1175, 0.135, 0.1525
    let members = [0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.20];
    let rows = peers(&panel, "NL", "EU27_2020", &members);
    let q = |g: &str| {
        rows.iter()
            .find(|r| r.geo == g)
            .unwrap()
            .eu_quartile
            .unwrap()
    };
    assert_eq!((q("DE"), q("SE"), q("NL"), q("BE")), (4, 4, 2, 2));
    let low = peers(&[("XX".to_string(), 0.105)], "XX", "EU27_2020", &members);
    assert_eq!(low[0].eu_quartile, Some(1));
}
