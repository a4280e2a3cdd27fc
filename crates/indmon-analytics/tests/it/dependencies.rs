//! The dependency screen against figures worked out by hand, and identities on random
//! trade.

use indmon_analytics::dependencies::{
    Accumulator, Metric, ReExport, Relation, RiskRule, Thresholds, corrected_ratio, criteria, hhi,
    own_exports, persistence, retained_share, risk,
};
use proptest::prelude::*;

// Countries: NL 528 (reporter), DE 276 and FR 251 (EU), CN 156, US 842, RU 643.
const NL: u16 = 528;
const EU: [u16; 3] = [528, 276, 251];

/// 2024 flows of product 280461 and 10110 (a chapter-01 code, leading zero lost).
fn fixture() -> Accumulator {
    let mut a = Accumulator::new(&[NL], &EU);
    let flows: &[(i32, u16, u16, u32, f64)] = &[
        // imports of NL, 280461: CN 60, US 20, DE 20 (EU)
        (2024, 156, NL, 280461, 60.0),
        (2024, 842, NL, 280461, 20.0),
        (2024, 276, NL, 280461, 20.0),
        // NL exports 280461: to DE 10, to US 5
        (2024, NL, 276, 280461, 10.0),
        (2024, NL, 842, 280461, 5.0),
        // other world trade in 280461: CN → US 100, DE → FR 30
        (2024, 156, 842, 280461, 100.0),
        (2024, 276, 251, 280461, 30.0),
        // 010110: NL imports only from DE, exports more than it imports
        (2024, 276, NL, 10110, 5.0),
        (2024, NL, 251, 10110, 50.0),
    ];
    for &(t, i, j, k, v) in flows {
        a.add(t, i, j, k, v);
    }
    a
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn metrics_match_the_hand_computation() {
    let a = fixture();
    let ms = a.metrics();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0].product, 10110, "sorted by code");
    let m = &ms[1];
    assert_eq!((m.year, m.product), (2024, 280461));
    assert!(
        close(m.imports, 100.0) && close(m.imports_outside_bloc, 80.0) && close(m.exports, 15.0)
    );
    assert!(close(m.import_hhi, 0.6 * 0.6 + 0.2 * 0.2 + 0.2 * 0.2));
    assert!(close(m.outside_hhi.unwrap(), 0.75 * 0.75 + 0.25 * 0.25));
    assert!(close(m.outside_share, 0.8));
    assert!(close(m.import_export_ratio.unwrap(), 80.0 / 15.0));
    // world exports: CN 160, US 20, DE 50, NL 15 → 245
    let w = 245.0;
    let want = (160.0f64 / w).powi(2)
        + (20.0f64 / w).powi(2)
        + (50.0f64 / w).powi(2)
        + (15.0f64 / w).powi(2);
    assert!(close(m.world_hhi, want) && close(m.world_exports, w));
    assert!(close(m.reporter_world_share.unwrap(), 15.0 / 245.0));
    assert_eq!(m.top_origin, 156);
    assert!(close(m.top_origin_share, 0.6));
    // 010110 comes only from the EU: no outside HHI, outside share 0
    let e = &ms[0];
    assert_eq!(e.outside_hhi, None);
    assert_eq!(e.outside_share, 0.0);
    let th = Thresholds::default();
    assert!(criteria(m, &th, ReExport::None).all());
    assert!(!criteria(e, &th, ReExport::None).all());
    // origins and destinations, largest first
    assert_eq!(
        a.origins(2024, 280461),
        vec![(156, 60.0), (276, 20.0), (842, 20.0)]
    );
    assert_eq!(a.destinations(2024, 280461), vec![(276, 10.0), (842, 5.0)]);
}

#[test]
fn the_eu_as_a_bloc_counts_trade_between_members_in_imports_and_exports() {
    let mut a = Accumulator::new(&EU, &EU);
    for &(t, i, j, k, v) in &[
        (2024, 156u16, 528u16, 850511u32, 60.0),
        (2024, 156, 276, 850511, 30.0),
        (2024, 842, 251, 850511, 10.0),
        (2024, 276, 528, 850511, 500.0), // intra-EU: an import and an export of the EU
        (2024, 528, 842, 850511, 20.0),
        (2024, 251, 276, 850511, 7.0), // intra-EU
    ] {
        a.add(t, i, j, k, v);
    }
    let m = &a.metrics()[0];
    assert!(
        close(m.imports, 607.0)
            && close(m.imports_outside_bloc, 100.0)
            && close(m.within_reporter, 507.0)
            && close(m.exports, 527.0)
    );
    assert!(close(m.outside_share, 100.0 / 607.0));
    assert!(close(m.import_export_ratio.unwrap(), 100.0 / 527.0));
    assert!(close(m.outside_hhi.unwrap(), 0.9 * 0.9 + 0.1 * 0.1));
    // Germany's 500 to the Netherlands make it the largest origin of EU imports
    assert_eq!(m.top_origin, 276);
    // world 627, of which 507 within the EU: the EU's share of the rest is 20 / 120
    assert!(close(m.world_exports, 627.0));
    assert!(close(m.reporter_world_share.unwrap(), 20.0 / 120.0));
}

/// Flows where trade between EU members matters (EU27 = DE 276, FR 251, NL 528 here):
/// imports from outside, trade between members, members' exports, other world trade, a
/// product the EU trades only internally, and one it mostly re-exports.
const INTRA_FLOWS: &[(u16, u16, u32, f64)] = &[
    // 850511: from outside CN → NL 60, CN → DE 30, US → FR 10, RU → DE 5
    (156, 528, 850511, 60.0),
    (156, 276, 850511, 30.0),
    (842, 251, 850511, 10.0),
    (643, 276, 850511, 5.0),
    // between members DE → NL 40, FR → DE 25, NL → FR 15
    (276, 528, 850511, 40.0),
    (251, 276, 850511, 25.0),
    (528, 251, 850511, 15.0),
    // members' exports NL → US 20, DE → CN 10; other trade CN → US 100
    (528, 842, 850511, 20.0),
    (276, 156, 850511, 10.0),
    (156, 842, 850511, 100.0),
    // 280461: CN → DE 10 from outside, DE → FR 50 inside, FR → US 70 out
    (156, 276, 280461, 10.0),
    (276, 251, 280461, 50.0),
    (251, 842, 280461, 70.0),
    // 720260: traded only between members
    (276, 251, 720260, 12.0),
    // 10110: NL imports from CN 8 and DE 2, sells 9 to US
    (156, 528, 10110, 8.0),
    (276, 528, 10110, 2.0),
    (528, 842, 10110, 9.0),
];

/// The inputs of the three criteria straight from the flows, with plain sums: imports
/// are every flow into a member from anywhere but itself, exports every flow out of a
/// member to anywhere but itself.
struct Plain {
    imports: f64,
    outside: f64,
    exports: f64,
    import_hhi: f64,
    outside_hhi: Option<f64>,
    share: f64,
    ratio: Option<f64>,
    retained: f64,
    ratio_net: Option<f64>,
    top: u16,
}

fn plain(flows: &[(u16, u16, u32, f64)], reporter: &[u16], bloc: &[u16], k: u32) -> Plain {
    let flows = flows.iter().filter(|f| f.2 == k && f.0 != f.1);
    let mut by_origin: std::collections::BTreeMap<u16, f64> = Default::default();
    let (mut imports, mut outside, mut exports) = (0.0, 0.0, 0.0);
    for &(i, j, _, v) in flows {
        if reporter.contains(&j) {
            imports += v;
            *by_origin.entry(i).or_default() += v;
            if !bloc.contains(&i) && !reporter.contains(&i) {
                outside += v;
            }
        }
        if reporter.contains(&i) {
            exports += v;
        }
    }
    let import_hhi = by_origin.values().map(|v| (v / imports).powi(2)).sum();
    let outside_hhi = (outside > 0.0).then(|| {
        by_origin
            .iter()
            .filter(|(o, _)| !bloc.contains(o) && !reporter.contains(o))
            .map(|(_, v)| (v / outside).powi(2))
            .sum()
    });
    let retained = ((imports - exports) / imports).max(0.0);
    let own = (exports - imports).max(0.0);
    let top = by_origin
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
        .map(|x| *x.0)
        .unwrap();
    Plain {
        imports,
        outside,
        exports,
        import_hhi,
        outside_hhi,
        share: outside / imports,
        ratio: (exports > 0.0).then(|| outside / exports),
        retained,
        ratio_net: (own > 0.0).then(|| outside * retained / own),
        top,
    }
}

#[test]
fn eu27_follows_the_commission_method_against_a_plain_computation() {
    let th = Thresholds::default();
    for reporter in [&EU[..], &[NL][..]] {
        let mut a = Accumulator::new(reporter, &EU);
        for &(i, j, k, v) in INTRA_FLOWS {
            a.add(2024, i, j, k, v);
        }
        let ms = a.metrics();
        // every product with imports into the reporter, including what the EU trades
        // only between its members
        let want: Vec<u32> = if reporter.len() > 1 {
            vec![10110, 280461, 720260, 850511]
        } else {
            vec![10110, 850511]
        };
        assert_eq!(ms.iter().map(|m| m.product).collect::<Vec<_>>(), want);
        for m in &ms {
            let p = plain(INTRA_FLOWS, reporter, &EU, m.product);
            let what = format!("{reporter:?} {}", m.product);
            assert!(close(m.imports, p.imports), "{what} imports");
            assert!(close(m.imports_outside_bloc, p.outside), "{what} outside");
            assert!(close(m.exports, p.exports), "{what} exports");
            assert!(close(m.import_hhi, p.import_hhi), "{what} import HHI");
            match (m.outside_hhi, p.outside_hhi) {
                (Some(x), Some(y)) => assert!(close(x, y), "{what} outside HHI"),
                (x, y) => assert_eq!(x, y, "{what} outside HHI"),
            }
            assert!(close(m.outside_share, p.share), "{what} share");
            match (m.import_export_ratio, p.ratio) {
                (Some(x), Some(y)) => assert!(close(x, y), "{what} ratio"),
                (x, y) => assert_eq!(x, y, "{what} ratio"),
            }
            assert!(
                close(retained_share(m, ReExport::Net), p.retained),
                "{what} retained"
            );
            match (corrected_ratio(m, ReExport::Net), p.ratio_net) {
                (Some(x), Some(y)) => assert!(close(x, y), "{what} ratio net"),
                (x, y) => assert_eq!(x, y, "{what} ratio net"),
            }
            assert_eq!(m.top_origin, p.top, "{what} top origin");
        }
    }

    // the EU's magnets by hand: 105 from outside of 185 imports (80 between members);
    // exports 30 out and 80 between members
    let mut a = Accumulator::new(&EU, &EU);
    for &(i, j, k, v) in INTRA_FLOWS {
        a.add(2024, i, j, k, v);
    }
    let ms = a.metrics();
    let m = ms.iter().find(|m| m.product == 850511).unwrap();
    assert!(close(m.imports, 185.0) && close(m.within_reporter, 80.0));
    assert!(close(m.outside_share, 105.0 / 185.0) && m.outside_share < 1.0);
    assert!(close(m.exports, 110.0));
    assert!(close(m.import_export_ratio.unwrap(), 105.0 / 110.0));
    let h = (90.0f64 / 105.0).powi(2) + (10.0f64 / 105.0).powi(2) + (5.0f64 / 105.0).powi(2);
    assert!(close(m.outside_hhi.unwrap(), h));
    // concentrated and mostly from outside, but EU exports (intra-EU included) exceed
    // the extra-EU imports: not a dependency on all imports; with the re-export
    // correction the 80 between members cancel, 75 of 185 are retained and nothing is
    // the EU's own export: the ratio is met
    let raw = criteria(m, &th, ReExport::None);
    assert!(raw.concentration && raw.outside && !raw.ratio, "{raw:?}");
    assert!(close(retained_share(m, ReExport::Net), 75.0 / 185.0));
    assert_eq!(own_exports(m, ReExport::Net), 0.0);
    assert!(criteria(m, &th, ReExport::Net).all());
    // the EU's share of world exports leaves out its own trade: 30 / (315 − 80)
    assert!(close(m.reporter_world_share.unwrap(), 30.0 / 235.0));
    // 720260, traded only between members: imported, nothing from outside
    let only = ms.iter().find(|m| m.product == 720260).unwrap();
    assert_eq!((only.outside_share, only.outside_hhi), (0.0, None));
    assert!(!criteria(only, &th, ReExport::None).outside);
    // 280461: a net exporter once the trade between members counts on both sides
    let si = ms.iter().find(|m| m.product == 280461).unwrap();
    assert!(close(si.outside_share, 10.0 / 60.0) && close(si.exports, 120.0));
    assert_eq!(corrected_ratio(si, ReExport::Net), Some(0.0));
    // the members are origins of the EU's imports, with their sales to each other
    assert_eq!(
        a.origins(2024, 850511),
        vec![
            (156, 90.0),
            (276, 40.0),
            (251, 25.0),
            (528, 15.0),
            (842, 10.0),
            (643, 5.0)
        ]
    );
    // … and the destinations are outside the EU
    assert_eq!(a.destinations(2024, 850511), vec![(842, 20.0), (156, 10.0)]);
}

fn metric(year: i32, hhi: f64) -> Metric {
    Metric {
        year,
        product: 1,
        imports: 100.0,
        imports_outside_bloc: 90.0,
        within_reporter: 0.0,
        exports: 10.0,
        import_hhi: hhi,
        outside_hhi: Some(hhi),
        outside_share: 0.9,
        import_export_ratio: Some(9.0),
        world_hhi: 0.5,
        world_exports: 1000.0,
        reporter_world_share: Some(0.01),
        top_origin: 156,
        top_origin_share: 0.7,
    }
}

#[test]
fn persistence_needs_two_of_three_years_and_all_three_years_in_the_data() {
    let th = Thresholds::default();
    let ms = vec![metric(2022, 0.5), metric(2023, 0.3), metric(2024, 0.6)];
    let p = persistence(&ms, &th, ReExport::None);
    assert_eq!(p, vec![None, None, Some(2)]);
    let ms = vec![metric(2022, 0.3), metric(2023, 0.3), metric(2024, 0.6)];
    assert_eq!(persistence(&ms, &th, ReExport::None)[2], Some(1));
}

#[test]
fn the_re_export_correction_takes_re_exports_out_of_both_sides() {
    let th = Thresholds::default();
    let mut m = metric(2024, 0.6);
    // imports 100 (90 from outside), exports 95: 0.95 without the correction; with it,
    // re-exports 95, domestic use 5 (r = 0.05), own exports 0 → met
    m.exports = 95.0;
    m.import_export_ratio = Some(90.0 / 95.0);
    assert!(!criteria(&m, &th, ReExport::None).ratio);
    assert!(criteria(&m, &th, ReExport::Net).ratio);
    assert_eq!(corrected_ratio(&m, ReExport::Net), None);
    assert!((retained_share(&m, ReExport::Net) - 0.05).abs() < 1e-12);
    // exports 150 > imports 100: nothing retained, own exports 50 → not met
    m.exports = 150.0;
    m.import_export_ratio = Some(0.6);
    assert!(!criteria(&m, &th, ReExport::Net).ratio);
    assert_eq!(own_exports(&m, ReExport::Net), 50.0);
    assert_eq!(corrected_ratio(&m, ReExport::Net), Some(0.0));
    // without the correction the ratio is the plain one
    m.exports = 20.0;
    m.import_export_ratio = Some(4.5);
    assert_eq!(corrected_ratio(&m, ReExport::None), Some(4.5));
    assert!(criteria(&m, &th, ReExport::None).ratio);
}

#[test]
fn risk_is_high_for_high_risk_suppliers_or_concentrated_non_aligned_supply() {
    let rel = |c: u16| match c {
        643 => Relation::HighRisk,
        156 => Relation::Other,
        842 => Relation::LikeMinded,
        _ => Relation::Eu,
    };
    let name = |c: u16| format!("#{c}");
    let (th, rule) = (Thresholds::default(), RiskRule::default());
    // largest outside supplier high-risk
    let r = risk(
        &[(643, 50.0), (842, 40.0), (276, 500.0)],
        rel,
        name,
        "the EU",
        0.1,
        &th,
        &rule,
    );
    assert!(r.high && r.reasons.len() == 2, "{r:?}");
    assert!(close(r.high_risk_share, 50.0 / 90.0));
    assert!(r.reasons[0].contains("#643"));
    // 20 % high-risk, like-minded largest, world not concentrated: not high
    let r = risk(
        &[(643, 20.0), (842, 80.0)],
        rel,
        name,
        "the EU",
        0.1,
        &th,
        &rule,
    );
    assert!(!r.high, "{r:?}");
    // concentrated world supply, 60 % from "other": high
    let r = risk(
        &[(156, 60.0), (842, 40.0)],
        rel,
        name,
        "the EU",
        0.5,
        &th,
        &rule,
    );
    assert!(r.high && r.reasons[0].contains("concentrated"), "{r:?}");
    // the same with unconcentrated world supply: not high
    assert!(
        !risk(
            &[(156, 60.0), (842, 40.0)],
            rel,
            name,
            "the EU",
            0.3,
            &th,
            &rule
        )
        .high
    );
}

proptest! {
    /// HHIs lie between 1/n and 1; the metrics do not depend on the order of the
    /// flows, and scaling all values changes no share or HHI.
    #[test]
    fn hhi_bounds_order_and_scale(
        flows in prop::collection::vec((0usize..6, 0usize..6, 0usize..3, 0.01f64..1e6), 1..80),
        scale in 0.001f64..1000.0,
        seed in any::<u64>(),
    ) {
        let codes: [u16; 6] = [528, 276, 156, 842, 643, 4];
        let prods: [u32; 3] = [10110, 280461, 854231];
        let build = |order: &[usize], s: f64| {
            let mut a = Accumulator::new(&[528], &[528, 276]);
            for &x in order {
                let (i, j, k, v) = flows[x];
                if i != j {
                    a.add(2024, codes[i], codes[j], prods[k], v * s);
                }
            }
            a.metrics()
        };
        let order: Vec<usize> = (0..flows.len()).collect();
        let mut shuffled = order.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let a = build(&order, 1.0);
        let b = build(&shuffled, 1.0);
        let c = build(&order, scale);
        prop_assert_eq!(a.len(), b.len());
        prop_assert_eq!(a.len(), c.len());
        for ((m, n), o) in a.iter().zip(&b).zip(&c) {
            let origins = (1..6).count() as f64;
            prop_assert!(m.import_hhi >= 1.0 / origins - 1e-12 && m.import_hhi <= 1.0 + 1e-12);
            prop_assert!(m.world_hhi > 0.0 && m.world_hhi <= 1.0 + 1e-12);
            if let Some(h) = m.outside_hhi { prop_assert!(h > 0.0 && h <= 1.0 + 1e-12); }
            for (x, y) in [(m.import_hhi, n.import_hhi), (m.world_hhi, n.world_hhi), (m.outside_share, n.outside_share),
                           (m.import_hhi, o.import_hhi), (m.world_hhi, o.world_hhi), (m.outside_share, o.outside_share),
                           (m.top_origin_share, o.top_origin_share)] {
                prop_assert!((x - y).abs() < 1e-9, "{} vs {}", x, y);
            }
            prop_assert_eq!(m.top_origin, n.top_origin);
            prop_assert!((m.imports - n.imports).abs() <= 1e-9 * m.imports);
        }
    }

    /// A bloc's metrics are the plain sums over its members' flows, whatever the flows
    /// (a country's trade with itself included, which counts for nobody).
    #[test]
    fn a_blocs_metrics_are_plain_sums(
        flows in prop::collection::vec((0usize..6, 0usize..6, 0usize..2, 0.01f64..1e6), 1..80),
    ) {
        let codes: [u16; 6] = [528, 276, 251, 156, 842, 643];
        let prods: [u32; 2] = [280461, 854231];
        let flows: Vec<(u16, u16, u32, f64)> =
            flows.iter().map(|&(i, j, k, v)| (codes[i], codes[j], prods[k], v)).collect();
        let (reporter, bloc) = (&codes[..3], &codes[..3]);
        let mut a = Accumulator::new(reporter, bloc);
        for &(i, j, k, v) in &flows {
            a.add(2024, i, j, k, v);
        }
        for m in a.metrics() {
            let p = plain(&flows, reporter, bloc, m.product);
            let near = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
            prop_assert!(near(m.imports, p.imports) && near(m.exports, p.exports));
            prop_assert!(near(m.imports_outside_bloc, p.outside));
            prop_assert!(near(m.import_hhi, p.import_hhi) && near(m.outside_share, p.share));
            prop_assert_eq!(m.outside_hhi.is_some(), p.outside_hhi.is_some());
            if let (Some(x), Some(y)) = (m.outside_hhi, p.outside_hhi) { prop_assert!(near(x, y)); }
            prop_assert_eq!(m.import_export_ratio.is_some(), p.ratio.is_some());
            if let (Some(x), Some(y)) = (m.import_export_ratio, p.ratio) { prop_assert!(near(x, y)); }
            prop_assert!(near(retained_share(&m, ReExport::Net), p.retained));
        }
    }

    /// The HHI of n equal values is 1/n; of one value 1.
    #[test]
    fn hhi_of_equal_values(n in 1usize..50, v in 0.1f64..1e6) {
        let h = hhi(&vec![v; n]).unwrap();
        prop_assert!((h - 1.0 / n as f64).abs() < 1e-12);
    }
}

proptest! {
    /// Splitting the flows over two accumulators and merging gives the same metrics as
    /// one accumulator (how parallel readers combine).
    #[test]
    fn merging_split_accumulators_changes_nothing(
        flows in prop::collection::vec((0usize..6, 0usize..6, 0usize..3, 0usize..2, 0.01f64..1e6), 1..80),
        cut in 0usize..80,
    ) {
        let codes: [u16; 6] = [528, 276, 156, 842, 643, 4];
        let prods: [u32; 3] = [10110, 280461, 854231];
        let add = |a: &mut Accumulator, f: &[(usize, usize, usize, usize, f64)]| {
            for &(i, j, k, y, v) in f {
                if i != j {
                    a.add(2023 + y as i32, codes[i], codes[j], prods[k], v);
                }
            }
        };
        let mut one = Accumulator::new(&[528], &[528, 276]);
        add(&mut one, &flows);
        let cut = cut.min(flows.len());
        let mut a = Accumulator::new(&[528], &[528, 276]);
        let mut b = Accumulator::new(&[528], &[528, 276]);
        add(&mut a, &flows[..cut]);
        add(&mut b, &flows[cut..]);
        a.merge(&b);
        let (x, y) = (one.metrics(), a.metrics());
        prop_assert_eq!(x.len(), y.len());
        for (m, n) in x.iter().zip(&y) {
            prop_assert_eq!((m.year, m.product, m.top_origin), (n.year, n.product, n.top_origin));
            for (p, q) in [(m.imports, n.imports), (m.exports, n.exports), (m.import_hhi, n.import_hhi), (m.world_hhi, n.world_hhi), (m.world_exports, n.world_exports)] {
                prop_assert!((p - q).abs() <= 1e-9 * p.abs().max(1.0), "{} vs {}", p, q);
            }
        }
    }
}
