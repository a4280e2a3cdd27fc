//! The target results on the bundled Eurostat release, checked against the published
//! figures (NL 2023: manufacturing 115,740 and total 962,084 million EUR).

use indmon_core::Settings;
use indmon_report::Tabular;
use indmon_report::target::{self, DecompositionRequest, OverviewRequest, PeersRequest, Scope};

use crate::support::{bundled, run};

#[test]
fn the_overview_is_the_published_share() {
    let f = bundled();
    let t = Settings::default().target;
    let o = run(target::overview(
        &f.store,
        &f.catalog,
        &OverviewRequest::from_settings(&t, None),
    ))
    .unwrap();
    assert_eq!(o.latest.year, 2023);
    assert_eq!(
        (o.latest.industry, o.latest.denominator),
        (115740.0, 962084.0)
    );
    assert!((o.path.gap_pp - (15.0 - 100.0 * 115740.0 / 962084.0)).abs() < 1e-9);
    // the chart's table: one row a year from the first observation to 2030, the
    // observed share where there is one
    let table = o.table();
    let first = o.series.first().unwrap().year;
    assert_eq!(table.rows.len() as i32, 2030 - first + 1);
    assert_eq!(table.header()[..2], ["year", "observed_%"]);
    assert!(o.sources.iter().any(|s| s.dataset == "estat_nama_10_a64"));
}

#[test]
fn a_decomposition_adds_up_and_its_csv_has_the_declared_columns() {
    let f = bundled();
    let t = Settings::default().target;
    let d = run(target::decomposition(
        &f.store,
        &f.catalog,
        &DecompositionRequest {
            geo: "NL".into(),
            from: Some(2013),
            to: Some(2023),
            scope: Scope::of(&t),
        },
    ))
    .unwrap();
    assert_eq!(d.rows.len(), 11);
    for r in &d.rows {
        let s = &r.split;
        assert!((s.industry_pp + s.rest_pp - s.delta_pp).abs() < 1e-9);
    }
    let csv = d.table().csv();
    let head = csv.lines().next().unwrap();
    assert_eq!(
        head,
        "from,to,share_from_%,share_to_%,change_pp,industry_growth_%,rest_growth_%,industry_contrib_pp,rest_contrib_pp,volume_contrib_pp,price_contrib_pp"
    );
    assert_eq!(csv.lines().count(), 12);
}

#[test]
fn a_year_backwards_or_missing_is_a_usage_error() {
    let f = bundled();
    let t = Settings::default().target;
    let req = |from, to| DecompositionRequest {
        geo: "NL".into(),
        from: Some(from),
        to: Some(to),
        scope: Scope::of(&t),
    };
    for (from, to) in [(2023, 2013), (1800, 2023)] {
        let e = run(target::decomposition(&f.store, &f.catalog, &req(from, to))).unwrap_err();
        assert_eq!(e.kind(), indmon_core::ErrorKind::Usage, "{e}");
    }
}

#[test]
fn peers_rank_the_panel() {
    let f = bundled();
    let t = Settings::default().target;
    let p = run(target::peers(
        &f.store,
        &f.catalog,
        &PeersRequest::from_settings(&t, None, Some(2023)),
    ))
    .unwrap();
    let order: Vec<&str> = p.rows.iter().map(|r| r.geo.as_str()).collect();
    assert_eq!(order, ["DE", "DK", "EU27_2020", "SE", "BE", "NL"]);
    assert_eq!(p.table().rows.len(), 6);
}

#[test]
fn revisions_are_ordered_by_release_then_by_a_stated_rule() {
    let f = bundled();
    let t = Settings::default().target;
    let r = run(target::revisions(
        &f.store,
        &f.catalog,
        "NL",
        Some(2023),
        &target::Definition::of(&t),
    ))
    .unwrap();
    assert!(r.rows.len() >= 2, "{:?}", r.rows);
    // the same order every time (the flaky order of undated releases, issue 19)
    for _ in 0..5 {
        let again = run(target::revisions(
            &f.store,
            &f.catalog,
            "NL",
            Some(2023),
            &target::Definition::of(&t),
        ))
        .unwrap();
        let key = |x: &target::RevisionsReport| {
            x.rows
                .iter()
                .map(|r| (r.dataset.clone(), r.vintage.clone(), r.how.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&r), key(&again));
    }
}
