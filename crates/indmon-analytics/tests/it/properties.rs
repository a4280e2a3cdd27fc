//! Identities checked for random inputs.

use indmon_analytics::outlook::{OutlookOptions, outlook};
use indmon_analytics::target::{
    PypYear, Target, decompose, required_industry_growth, target_path, volume_price,
};
use proptest::prelude::*;

proptest! {
    /// Volume and price effects add up to the change of the share, whatever the years.
    #[test]
    fn the_volume_price_split_adds_up(
        i0 in 1.0f64..1e6, r0 in 1.0f64..1e7,
        steps in prop::collection::vec((-0.3f64..0.5, -0.3f64..0.5, -0.2f64..0.3, -0.2f64..0.3), 1..6),
    ) {
        let mut years = vec![PypYear { year: 2000, industry: i0, rest: r0, industry_pyp: 1.0, rest_pyp: 1.0 }];
        for (n, &(vi, vr, pi, pr)) in steps.iter().enumerate() {
            let prev = years[n];
            let (ip, rp) = (prev.industry * (1.0 + vi), prev.rest * (1.0 + vr));
            years.push(PypYear { year: 2001 + n as i32, industry: ip * (1.0 + pi), rest: rp * (1.0 + pr), industry_pyp: ip, rest_pyp: rp });
        }
        let vp = volume_price(&years).unwrap();
        let last = years[years.len() - 1];
        let delta = 100.0 * (last.industry / (last.industry + last.rest) - i0 / (i0 + r0));
        prop_assert!((vp.volume_pp + vp.price_pp - delta).abs() < 1e-9);
        // with one step, the growth rates are the ones put in
        if steps.len() == 1 {
            prop_assert!((vp.industry_volume - steps[0].0).abs() < 1e-9);
            prop_assert!((vp.rest_price - steps[0].3).abs() < 1e-9);
        }
    }

    #[test]
    fn the_decomposition_adds_up(i0 in 1.0f64..1e6, r0 in 1.0f64..1e7, gi in -0.5f64..1.0, gr in -0.5f64..1.0) {
        let (i1, r1) = (i0 * (1.0 + gi), r0 * (1.0 + gr));
        let d = decompose(2000, 2001, i0, r0, i1, r1).unwrap();
        prop_assert!((d.industry_pp + d.rest_pp - d.delta_pp).abs() < 1e-9);
        // industry growth alone can only raise the share, the rest's only lower it
        if gi > 0.0 { prop_assert!(d.industry_pp > 0.0); }
        if gr > 0.0 { prop_assert!(d.rest_pp < 0.0); }
    }

    #[test]
    fn applying_the_required_growth_reaches_the_target(
        s0 in 0.02f64..0.6, target in 0.02f64..0.6, years in 1i32..30, rest in -0.05f64..0.1, i0 in 1.0f64..1e6,
    ) {
        let p = target_path(2023, s0, Target { share: target, year: 2023 + years }).unwrap();
        let g = required_industry_growth(p.relative_growth, rest);
        let r0 = i0 * (1.0 - s0) / s0;
        let (mut i, mut r) = (i0, r0);
        for _ in 0..years {
            i *= 1.0 + g;
            r *= 1.0 + rest;
        }
        prop_assert!((i / (i + r) - target).abs() < 1e-9);
        let last = p.constant_growth.last().unwrap().1;
        prop_assert!((last - target).abs() < 1e-12);
    }

    #[test]
    fn the_outlook_band_widens_with_the_horizon(
        start in 0.08f64..0.2, steps in proptest::collection::vec(-0.03f64..0.03, 12..30),
    ) {
        let mut s = start;
        let series: Vec<(i32, f64)> = steps.iter().enumerate().map(|(k, d)| { s = (s * (1.0 + d)).clamp(0.01, 0.9); (1990 + k as i32, s) }).collect();
        let last = series.last().unwrap().0;
        let o = outlook(&series, Target { share: 0.15, year: last + 10 }, OutlookOptions::default()).unwrap();
        let logit = |p: f64| (p / (1.0 - p)).ln();
        for w in o.bands.windows(2) {
            prop_assert!(logit(w[1].hi80) - logit(w[1].lo80) > logit(w[0].hi80) - logit(w[0].lo80));
            prop_assert!(logit(w[1].hi95) - logit(w[1].lo95) > logit(w[0].hi95) - logit(w[0].lo95));
        }
        for b in &o.bands {
            prop_assert!(b.lo95 <= b.lo80 && b.lo80 <= b.median && b.median <= b.hi80 && b.hi80 <= b.hi95);
        }
    }
}

/// Standard normal draws from a fixed 64-bit LCG (Knuth's MMIX constants) and Box-Muller.
fn normals(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    move || {
        let (u1, u2) = (uniform(), uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[test]
fn thin_evidence_gives_no_probability() {
    let series: Vec<(i32, f64)> = (2015..=2023)
        .map(|y| (y, 0.12 + 0.001 * (y - 2015) as f64))
        .collect();
    let o = outlook(
        &series,
        Target {
            share: 0.15,
            year: 2030,
        },
        OutlookOptions::default(),
    )
    .unwrap();
    assert!(o.probability.is_none());
    assert!(
        o.no_probability_because
            .unwrap()
            .contains("only 8 yearly changes")
    );
    assert_eq!(o.bands.len(), 7);
}

#[test]
fn a_calibrated_model_covers_about_as_promised() {
    // a long random walk with drift on the log-odds, generated with a fixed LCG:
    // the backtest coverage of the 80 % band should be near 0.8
    let mut normal = normals(42);
    let mut x = (0.12f64 / 0.88).ln();
    let mut series = Vec::new();
    for year in 1800..2024 {
        x += 0.002 + 0.03 * normal();
        series.push((year, 1.0 / (1.0 + (-x).exp())));
    }
    let o = outlook(
        &series,
        Target {
            share: 0.15,
            year: 2030,
        },
        OutlookOptions::default(),
    )
    .unwrap();
    assert!(
        (o.backtest.coverage80 - 0.8).abs() < 0.06,
        "{:?}",
        o.backtest
    );
    assert!(
        (o.backtest.coverage95 - 0.95).abs() < 0.04,
        "{:?}",
        o.backtest
    );
    // a model that is right needs (almost) no widening, and stays calibrated out of sample
    assert!((o.calibration - 1.0).abs() < 0.15, "{}", o.calibration);
    assert!(
        (o.backtest.calibrated_coverage80.unwrap() - 0.8).abs() < 0.06,
        "{:?}",
        o.backtest
    );
    assert!(o.probability.is_some());
}

#[test]
fn a_model_with_too_narrow_bands_is_widened() {
    // yearly changes that come in swings (strong positive autocorrelation): the plain
    // random walk understates multi-year spread, the calibration widens it
    let mut normal = normals(7);
    let (mut x, mut d) = ((0.12f64 / 0.88).ln(), 0.0f64);
    let mut series = Vec::new();
    for year in 1900..2024 {
        d = 0.85 * d + 0.01 * normal();
        x += d;
        series.push((year, 1.0 / (1.0 + (-x).exp())));
    }
    let o = outlook(
        &series,
        Target {
            share: 0.15,
            year: 2030,
        },
        OutlookOptions::default(),
    )
    .unwrap();
    assert!(o.backtest.coverage80 < 0.7, "{:?}", o.backtest);
    assert!(o.calibration > 1.3, "{}", o.calibration);
    assert!(
        o.backtest.calibrated_coverage80.unwrap() > o.backtest.coverage80 + 0.1,
        "{:?}",
        o.backtest
    );
}

#[test]
fn a_series_whose_changes_do_not_vary_gets_no_outlook() {
    // Constant yearly changes of the log-odds: zero spread, no band, no probability.
    let series: Vec<(i32, f64)> = (1995..2024)
        .map(|y| {
            let x = (0.12f64 / 0.88).ln() + 0.01 * f64::from(y - 1995);
            (y, 1.0 / (1.0 + (-x).exp()))
        })
        .collect();
    let flat: Vec<(i32, f64)> = (1995..2024).map(|y| (y, 0.12)).collect();
    for s in [&series, &flat] {
        let r = outlook(
            s,
            Target {
                share: 0.15,
                year: 2030,
            },
            OutlookOptions::default(),
        );
        assert!(r.is_err(), "{r:?}");
    }
}
