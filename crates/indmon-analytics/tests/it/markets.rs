//! Market indicators against figures worked out by hand, and identities on random trade.

use indmon_analytics::markets::{Direction, TradeCube, indicators, rank, trend};
use proptest::prelude::*;

/// Builds a cube from bilateral flows (year, exporter, importer, product, value); a unit
/// is a set of countries.
fn cube(
    flows: &[(i32, &str, &str, &str, f64)],
    years: &[i32],
    units: &[(&str, &[&str])],
    products: &[&str],
) -> TradeCube {
    let mut c = TradeCube::zeros(
        years.to_vec(),
        units.iter().map(|u| u.0.to_string()).collect(),
        products.iter().map(|p| p.to_string()).collect(),
    );
    let (nu, np) = (units.len(), products.len());
    for &(t, i, j, k, v) in flows {
        let y = years.iter().position(|&x| x == t).unwrap();
        c.world_total[y] += v;
        let p = products.iter().position(|&x| x == k);
        if let Some(p) = p {
            c.world_product[y * np + p] += v;
        }
        for (u, (_, members)) in units.iter().enumerate() {
            if members.contains(&i) {
                c.unit_total[y * nu + u] += v;
                if let Some(p) = p {
                    let at = c.at(y, u, p);
                    c.exports[at] += v;
                }
            }
            if members.contains(&j)
                && let Some(p) = p
            {
                let at = c.at(y, u, p);
                c.imports[at] += v;
            }
        }
    }
    c
}

const FLOWS_2024: [(&str, &str, &str, f64); 7] = [
    ("A", "B", "p1", 10.0),
    ("A", "C", "p2", 5.0),
    ("A", "B", "p3", 85.0),
    ("B", "A", "p1", 30.0),
    ("B", "C", "p3", 70.0),
    ("C", "A", "p2", 20.0),
    ("C", "B", "p3", 180.0),
];

fn fixture() -> TradeCube {
    let mut flows: Vec<(i32, &str, &str, &str, f64)> = FLOWS_2024
        .iter()
        .map(|&(i, j, k, v)| (2024, i, j, k, v))
        .collect();
    flows.extend(
        FLOWS_2024
            .iter()
            .map(|&(i, j, k, v)| (2023, i, j, k, v / 2.0)),
    );
    cube(
        &flows,
        &[2023, 2024],
        &[
            ("A", &["A"]),
            ("B", &["B"]),
            ("C", &["C"]),
            ("AB", &["A", "B"]),
        ],
        &["p1", "p2", "p3"],
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn indicators_match_the_hand_computation() {
    let c = fixture();
    // market = p1, p2; world: all 400, market 65 (p1 40, p2 25)
    let pci = vec![Some(1.0), Some(2.0), Some(-3.0), Some(1.5), None, Some(0.0)];
    let ind = indicators(&c, &[0, 1], Some(&pci));
    assert_eq!(ind.len(), 8);
    let get = |year: i32, unit: usize| {
        ind.iter()
            .find(|i| i.year == year && i.unit == unit)
            .unwrap()
    };
    // A exports 15 of 100, imports p1 30 + p2 20
    let a = get(2024, 0);
    assert!(close(a.exports, 15.0) && close(a.imports, 50.0) && close(a.balance, -35.0));
    assert!(close(a.world_share.unwrap(), 15.0 / 65.0));
    assert!(close(a.rca.unwrap(), (15.0 / 100.0) / (65.0 / 400.0)));
    // RCA p1 = (10/100)/(40/400) = 1.0 counts, p2 = (5/100)/(25/400) = 0.8 does not
    assert_eq!((a.products, a.products_rca1), (2, 1));
    assert!(close(a.growth.unwrap(), 1.0));
    // the PCI mean is over the market's products with a PCI: 2024 has only p1's 1.5
    assert_eq!(a.avg_pci, Some(1.5));
    assert_eq!(get(2023, 0).avg_pci, Some(1.5));
    assert_eq!(get(2023, 0).growth, None);
    let b = get(2024, 1);
    assert!(close(b.rca.unwrap(), 0.3 / 0.1625) && close(b.imports, 10.0));
    assert_eq!(b.products_rca1, 1);
    let cc = get(2024, 2);
    assert!(close(cc.rca.unwrap(), 0.1 / 0.1625) && close(cc.world_share.unwrap(), 20.0 / 65.0));
    assert_eq!(cc.products_rca1, 1); // p2: (20/200)/(25/400) = 1.6
    // the group is the sum of its members, trade between them included
    let ab = get(2024, 3);
    assert!(close(ab.exports, 45.0) && close(ab.imports, 60.0));
    assert!(close(ab.rca.unwrap(), (45.0 / 200.0) / 0.1625));
    assert_eq!(ab.products_rca1, 1); // p1 (40/200)/(0.1) = 2; p2 (5/200)/(0.0625) = 0.4
    // halving every flow changes no share or RCA
    let a23 = get(2023, 0);
    assert!(close(a23.world_share.unwrap(), a.world_share.unwrap()));
    assert!(close(a23.rca.unwrap(), a.rca.unwrap()));
}

#[test]
fn a_unit_that_exports_nothing_has_no_rca_and_an_empty_market_no_share() {
    let c = cube(
        &[(2024, "A", "B", "p3", 10.0)],
        &[2024],
        &[("A", &["A"]), ("B", &["B"])],
        &["p1", "p3"],
    );
    let ind = indicators(&c, &[0], None);
    assert_eq!(ind[0].world_share, None);
    assert_eq!(ind[0].rca, None);
    assert_eq!(ind[1].rca, None);
    assert_eq!(ind[0].products, 0);
    assert_eq!(ind[0].avg_pci, None);
}

#[test]
fn trends_are_called_only_when_significant() {
    let years = [2019, 2020, 2021, 2022, 2023];
    let growing: Vec<Option<f64>> = (0..5).map(|i| Some(2.0 * 1.1f64.powi(i))).collect();
    let t = trend(&years, &growing, 0.05);
    assert_eq!(t.direction, Direction::Rising);
    assert!((t.annual_change.unwrap() - 0.1).abs() < 1e-12);
    let falling: Vec<Option<f64>> = growing.iter().rev().copied().collect();
    assert_eq!(trend(&years, &falling, 0.05).direction, Direction::Falling);
    let noisy = [Some(1.0), Some(1.3), Some(0.9), Some(1.2), Some(1.0)];
    let t = trend(&years, &noisy, 0.05);
    assert_eq!(t.direction, Direction::NoSignificantTrend);
    assert!(t.fit.unwrap().p > 0.05);
    assert_eq!(
        trend(&years[..2], &growing[..2], 0.05).direction,
        Direction::TooFewYears
    );
    // zero and missing values are left out
    let gaps = [Some(1.0), None, Some(0.0), Some(1.21), Some(1.331)];
    assert_eq!(trend(&years, &gaps, 0.05).fit.unwrap().n, 3);
    assert_eq!(Direction::NoSignificantTrend.colour(), "grey");
}

#[test]
fn ranks_count_only_present_values() {
    let v = [Some(0.2), None, Some(0.5), Some(0.2), Some(f64::NAN)];
    assert_eq!(rank(&v, 2), Some((1, 3)));
    assert_eq!(rank(&v, 0), Some((2, 3)));
    assert_eq!(rank(&v, 3), Some((2, 3)));
    assert_eq!(rank(&v, 1), None);
}

proptest! {
    /// When the units are all the exporters one by one, world shares add up to one and
    /// the export-weighted mean RCA is one; scaling all flows changes neither.
    #[test]
    fn shares_and_rca_obey_their_identities(
        flows in prop::collection::vec((0usize..4, 0usize..4, 0usize..5, 0.01f64..1e6), 1..60),
        scale in 0.001f64..1000.0,
    ) {
        let names = ["A", "B", "C", "D"];
        let prods = ["p0", "p1", "p2", "p3", "p4"];
        let f: Vec<(i32, &str, &str, &str, f64)> = flows
            .iter()
            .map(|&(i, j, k, v)| (2024, names[i], names[j], prods[k], v))
            .collect();
        let units: Vec<(&str, &[&str])> = vec![("A", &["A"]), ("B", &["B"]), ("C", &["C"]), ("D", &["D"])];
        let c = cube(&f, &[2024], &units, &prods);
        let market = [0, 2, 3];
        let ind = indicators(&c, &market, None);
        let world_m: f64 = market.iter().map(|&p| c.world_product[p]).sum();
        if world_m > 0.0 {
            let shares: f64 = ind.iter().map(|i| i.world_share.unwrap()).sum();
            prop_assert!((shares - 1.0).abs() < 1e-9);
            let weighted: f64 = ind
                .iter()
                .filter_map(|i| i.rca.map(|r| r * c.unit_total[i.unit] / c.world_total[0]))
                .sum();
            prop_assert!((weighted - 1.0).abs() < 1e-9);
            // exports of the world equal its imports
            let ex: f64 = ind.iter().map(|i| i.exports).sum();
            let im: f64 = ind.iter().map(|i| i.imports).sum();
            prop_assert!((ex - im).abs() <= 1e-9 * ex.max(1.0));
        }
        let scaled: Vec<_> = f.iter().map(|&(t, i, j, k, v)| (t, i, j, k, v * scale)).collect();
        let c2 = cube(&scaled, &[2024], &units, &prods);
        for (a, b) in ind.iter().zip(indicators(&c2, &market, None)) {
            prop_assert_eq!(a.world_share.is_some(), b.world_share.is_some());
            if let (Some(x), Some(y)) = (a.world_share, b.world_share) { prop_assert!((x - y).abs() < 1e-9); }
            if let (Some(x), Some(y)) = (a.rca, b.rca) { prop_assert!((x - y).abs() < 1e-9 * x.max(1.0)); }
            prop_assert_eq!(a.products_rca1, b.products_rca1);
        }
    }
}
