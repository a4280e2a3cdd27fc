//! The industry share of value added against a target (the Dutch goal: at least 15 %
//! of total value added in 2030).
//!
//! With I the value added of industry and R that of the rest of the economy (current
//! prices), the share is s = I / (I + R). Growth rates are annual and written as
//! fractions (0.0371 = 3.71 % a year).

use serde::Serialize;

/// The share of `industry` in `total`; `None` when the total is not positive or a
/// value is not finite.
pub fn share(industry: f64, total: f64) -> Option<f64> {
    (total > 0.0 && industry.is_finite() && total.is_finite()).then(|| industry / total)
}

/// A target: `share` (a fraction, 0.15) to be reached in `year`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// The share to reach, as a fraction.
    pub share: f64,
    /// The year to reach it in.
    pub year: i32,
}

/// The way from the last observed share to the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetPath {
    /// Last observed year.
    pub from_year: i32,
    /// Share in that year.
    pub from_share: f64,
    /// The target.
    pub target: Target,
    /// Target minus the last share, in percentage points (positive: below target).
    pub gap_pp: f64,
    /// Years from the last observation to the target year.
    pub years: i32,
    /// Straight line: s_t = s₀ + (S − s₀)(t − t₀)/(T − t₀), one point per year t₀..T.
    pub linear: Vec<(i32, f64)>,
    /// Constant growth of the share: s_t = s₀ (S/s₀)^((t − t₀)/(T − t₀)).
    pub constant_growth: Vec<(i32, f64)>,
    /// Yearly growth of the share itself on the constant-growth path: (S/s₀)^(1/n) − 1.
    pub share_growth: f64,
    /// Yearly growth of industry value added relative to the rest that reaches the
    /// target: g = (o_S / o₀)^(1/n) − 1 with odds o = s / (1 − s), since the odds I/R
    /// grow each year by (1 + g_I)/(1 + g_R).
    pub relative_growth: f64,
}

/// The paths from (`from_year`, `from_share`) to the target. `None` when the target
/// year is not after the last observation or a share is outside (0, 1).
pub fn target_path(from_year: i32, from_share: f64, target: Target) -> Option<TargetPath> {
    let n = target.year - from_year;
    let ok = |s: f64| s > 0.0 && s < 1.0;
    if n <= 0 || !ok(from_share) || !ok(target.share) {
        return None;
    }
    let nf = n as f64;
    let odds = |s: f64| s / (1.0 - s);
    let relative_growth = (odds(target.share) / odds(from_share)).powf(1.0 / nf) - 1.0;
    let share_growth = (target.share / from_share).powf(1.0 / nf) - 1.0;
    let years = from_year..=target.year;
    let linear = years
        .clone()
        .map(|t| {
            (
                t,
                from_share + (target.share - from_share) * (t - from_year) as f64 / nf,
            )
        })
        .collect();
    let constant_growth = years
        .map(|t| {
            (
                t,
                from_share * (target.share / from_share).powf((t - from_year) as f64 / nf),
            )
        })
        .collect();
    Some(TargetPath {
        from_year,
        from_share,
        target,
        gap_pp: 100.0 * (target.share - from_share),
        years: n,
        linear,
        constant_growth,
        share_growth,
        relative_growth,
    })
}

/// The yearly growth of industry value added that reaches the target when the rest
/// grows by `rest_growth`: (1 + g_rel)(1 + g_R) − 1.
pub fn required_industry_growth(relative_growth: f64, rest_growth: f64) -> f64 {
    (1.0 + relative_growth) * (1.0 + rest_growth) - 1.0
}

/// The reverse: the largest yearly growth of the rest that still lets the target be
/// reached when industry grows by `industry_growth`: (1 + g_I)/(1 + g_rel) − 1.
pub fn allowed_rest_growth(relative_growth: f64, industry_growth: f64) -> f64 {
    (1.0 + industry_growth) / (1.0 + relative_growth) - 1.0
}

/// Average yearly (geometric) growth over the last `years` years of a yearly series
/// sorted by year: (x_T / x_{T−years})^(1/years) − 1. `None` when the series does not
/// reach that far back, is not consecutive there, or a value is not positive.
pub fn average_growth(series: &[(i32, f64)], years: usize) -> Option<f64> {
    if years == 0 || series.len() <= years {
        return None;
    }
    let tail = &series[series.len() - years - 1..];
    let consecutive = tail.windows(2).all(|w| w[1].0 == w[0].0 + 1);
    let (first, last) = (tail[0].1, tail[years].1);
    (consecutive && first > 0.0 && last > 0.0)
        .then(|| (last / first).powf(1.0 / years as f64) - 1.0)
}

/// The change of the share between two years, split into the part due to industry
/// growth and the part due to the rest's growth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decomposition {
    /// First year.
    pub from: i32,
    /// Second year.
    pub to: i32,
    /// Share in the first year (fraction).
    pub share_from: f64,
    /// Share in the second year (fraction).
    pub share_to: f64,
    /// Change of the share, percentage points.
    pub delta_pp: f64,
    /// Growth of industry value added over the span (fraction).
    pub industry_growth: f64,
    /// Growth of the rest's value added over the span (fraction).
    pub rest_growth: f64,
    /// Contribution of industry's growth to the change, percentage points.
    pub industry_pp: f64,
    /// Contribution of the rest's growth, percentage points.
    pub rest_pp: f64,
}

/// Splits the change of s = I/(I+R) from (i0, r0) in `from` to (i1, r1) in `to` by the
/// two-factor Shapley decomposition: each factor's contribution is the average of its
/// effect over the two orders of change,
///
/// C_I = ½ [(f(I₁,R₀) − f(I₀,R₀)) + (f(I₁,R₁) − f(I₀,R₁))],
/// C_R = ½ [(f(I₀,R₁) − f(I₀,R₀)) + (f(I₁,R₁) − f(I₁,R₀))],
///
/// with f(I,R) = I/(I+R). C_I + C_R = f(I₁,R₁) − f(I₀,R₀) exactly (the cross terms
/// cancel). Shapley (1953); for index decompositions see Ang (2004). `None` when a
/// value is not positive.
pub fn decompose(from: i32, to: i32, i0: f64, r0: f64, i1: f64, r1: f64) -> Option<Decomposition> {
    if [i0, r0, i1, r1]
        .iter()
        .any(|v| !(v.is_finite() && *v > 0.0))
    {
        return None;
    }
    let f = |i: f64, r: f64| i / (i + r);
    let (s0, s1) = (f(i0, r0), f(i1, r1));
    let ci = 0.5 * ((f(i1, r0) - f(i0, r0)) + (f(i1, r1) - f(i0, r1)));
    let cr = 0.5 * ((f(i0, r1) - f(i0, r0)) + (f(i1, r1) - f(i1, r0)));
    Some(Decomposition {
        from,
        to,
        share_from: s0,
        share_to: s1,
        delta_pp: 100.0 * (s1 - s0),
        industry_growth: i1 / i0 - 1.0,
        rest_growth: r1 / r0 - 1.0,
        industry_pp: 100.0 * ci,
        rest_pp: 100.0 * cr,
    })
}

/// Year-by-year decompositions of a span, from (year, industry, total) rows sorted by
/// year; pairs of years that are not consecutive or not positive are skipped.
pub fn decompose_years(rows: &[(i32, f64, f64)]) -> Vec<Decomposition> {
    rows.windows(2)
        .filter(|w| w[1].0 == w[0].0 + 1)
        .filter_map(|w| {
            decompose(
                w[0].0,
                w[1].0,
                w[0].1,
                w[0].2 - w[0].1,
                w[1].1,
                w[1].2 - w[1].1,
            )
        })
        .collect()
}

/// The split of a share change into the part due to relative real growth (volumes) and
/// the part due to relative price change (deflators).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumePrice {
    /// Volume growth of industry over the span (fraction), chain-linked.
    pub industry_volume: f64,
    /// Volume growth of the rest (fraction), chain-linked.
    pub rest_volume: f64,
    /// Price (deflator) growth of industry (fraction): nominal growth / volume growth.
    pub industry_price: f64,
    /// Price growth of the rest (fraction).
    pub rest_price: f64,
    /// Contribution of relative volume growth to the change, percentage points.
    pub volume_pp: f64,
    /// Contribution of relative price change, percentage points.
    pub price_pp: f64,
}

/// One year of the volume/price input: current-price values of industry and the rest,
/// and the same at the previous year's prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PypYear {
    /// The year.
    pub year: i32,
    /// Industry at current prices.
    pub industry: f64,
    /// The rest at current prices.
    pub rest: f64,
    /// Industry at the previous year's prices.
    pub industry_pyp: f64,
    /// The rest at the previous year's prices (total − industry: previous-year-price
    /// values add up within a year, unlike chain-linked levels).
    pub rest_pyp: f64,
}

/// Splits the change of s = I/(I+R) between the first and the last year of `years`
/// (consecutive years, the first one's previous-year-price values unused) into
/// relative volume growth and relative price change.
///
/// Volumes are chain-linked: the volume growth of a year is its value at the previous
/// year's prices over the previous year's value at current prices, and the growth over
/// the span is the product. Prices are nominal growth over volume growth. The odds
/// s/(1−s) = I/R move by the factor (g_I/g_R) = V · P with V the relative volume and P
/// the relative price factor, and the change splits by the same two-factor Shapley rule
/// as [`decompose`], over f(x) = s₀x / (s₀x + 1 − s₀):
/// C_V = ½[(f(V) − f(1)) + (f(VP) − f(P))], C_P = ½[(f(P) − f(1)) + (f(VP) − f(V))],
/// which add up to the change exactly. `None` when the years are not consecutive or a
/// value is not positive.
pub fn volume_price(years: &[PypYear]) -> Option<VolumePrice> {
    if years.len() < 2
        || years.windows(2).any(|w| w[1].year != w[0].year + 1)
        || years.iter().any(|y| {
            [y.industry, y.rest, y.industry_pyp, y.rest_pyp]
                .iter()
                .any(|v| !(v.is_finite() && *v > 0.0))
        })
    {
        return None;
    }
    let (mut vi, mut vr) = (1.0, 1.0);
    for w in years.windows(2) {
        vi *= w[1].industry_pyp / w[0].industry;
        vr *= w[1].rest_pyp / w[0].rest;
    }
    let (a, b) = (years[0], years[years.len() - 1]);
    let (gi, gr) = (b.industry / a.industry, b.rest / a.rest);
    let (pi, pr) = (gi / vi, gr / vr);
    let (v, p) = (vi / vr, pi / pr);
    let s0 = a.industry / (a.industry + a.rest);
    let f = |x: f64| s0 * x / (s0 * x + 1.0 - s0);
    let cv = 0.5 * ((f(v) - f(1.0)) + (f(v * p) - f(p)));
    let cp = 0.5 * ((f(p) - f(1.0)) + (f(v * p) - f(v)));
    Some(VolumePrice {
        industry_volume: vi - 1.0,
        rest_volume: vr - 1.0,
        industry_price: pi - 1.0,
        rest_price: pr - 1.0,
        volume_pp: 100.0 * cv,
        price_pp: 100.0 * cp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relative_growth_reaches_the_target() {
        let p = target_path(
            2023,
            0.12,
            Target {
                share: 0.15,
                year: 2030,
            },
        )
        .unwrap();
        let mut odds = 0.12 / 0.88;
        for _ in 0..7 {
            odds *= 1.0 + p.relative_growth;
        }
        assert!((odds / (1.0 + odds) - 0.15).abs() < 1e-12);
        assert_eq!(p.linear.len(), 8);
        assert!(
            (p.linear[7].1 - 0.15).abs() < 1e-15 && (p.constant_growth[7].1 - 0.15).abs() < 1e-15
        );
        assert!(
            target_path(
                2030,
                0.12,
                Target {
                    share: 0.15,
                    year: 2030
                }
            )
            .is_none()
        );
    }

    #[test]
    fn growth_needed_and_allowed_are_inverse() {
        let g = required_industry_growth(0.0371, 0.04);
        assert!((allowed_rest_growth(0.0371, g) - 0.04).abs() < 1e-15);
    }

    #[test]
    fn average_growth_needs_consecutive_years() {
        let s = [(2020, 100.0), (2021, 110.0), (2022, 121.0)];
        assert!((average_growth(&s, 2).unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(average_growth(&s, 3), None);
        assert_eq!(average_growth(&[(2020, 100.0), (2022, 121.0)], 1), None);
    }

    #[test]
    fn volume_and_price_add_up_to_the_change() {
        // 2021: I 100, R 400 (s = 0.2); 2022 at 2021 prices: I 110, R 404; current: I 121, R 420
        let years = [
            PypYear {
                year: 2021,
                industry: 100.0,
                rest: 400.0,
                industry_pyp: 1.0,
                rest_pyp: 1.0,
            },
            PypYear {
                year: 2022,
                industry: 121.0,
                rest: 420.0,
                industry_pyp: 110.0,
                rest_pyp: 404.0,
            },
        ];
        let vp = volume_price(&years).unwrap();
        assert!((vp.industry_volume - 0.10).abs() < 1e-12 && (vp.rest_volume - 0.01).abs() < 1e-12);
        assert!((vp.industry_price - 0.10).abs() < 1e-12);
        assert!((vp.rest_price - (420.0 / 404.0 - 1.0)).abs() < 1e-12);
        let delta = 100.0 * (121.0 / 541.0 - 0.2);
        assert!((vp.volume_pp + vp.price_pp - delta).abs() < 1e-12);
        // the volume part alone: odds × (1.1/1.01) from s = 0.2
        let v: f64 = 1.1 / 1.01;
        let p: f64 = (1.1) / (420.0 / 404.0);
        let f = |x: f64| 0.2 * x / (0.2 * x + 0.8);
        let cv = 50.0 * ((f(v) - 0.2) + (f(v * p) - f(p)));
        assert!((vp.volume_pp - cv).abs() < 1e-12);
        // prices that move alike: no price effect; volumes alike: no volume effect
        let same_price = [
            years[0],
            PypYear {
                year: 2022,
                industry: 110.0 * 1.05,
                rest: 404.0 * 1.05,
                industry_pyp: 110.0,
                rest_pyp: 404.0,
            },
        ];
        assert!(volume_price(&same_price).unwrap().price_pp.abs() < 1e-12);
        let same_volume = [
            years[0],
            PypYear {
                year: 2022,
                industry: 121.0,
                rest: 420.0,
                industry_pyp: 105.0,
                rest_pyp: 420.0,
            },
        ];
        assert!(volume_price(&same_volume).unwrap().volume_pp.abs() < 1e-12);
        // gaps and non-positive values
        assert!(
            volume_price(&[
                years[0],
                PypYear {
                    year: 2023,
                    ..years[1]
                }
            ])
            .is_none()
        );
        assert!(volume_price(&years[..1]).is_none());
    }

    #[test]
    fn volumes_chain_over_several_years() {
        let y = |year, i, r, ip, rp| PypYear {
            year,
            industry: i,
            rest: r,
            industry_pyp: ip,
            rest_pyp: rp,
        };
        let years = [
            y(2020, 100.0, 300.0, 1.0, 1.0),
            y(2021, 104.0, 309.0, 102.0, 303.0),
            y(2022, 110.0, 320.0, 106.0, 312.0),
        ];
        let vp = volume_price(&years).unwrap();
        let vi = (102.0 / 100.0) * (106.0 / 104.0);
        let vr = (303.0 / 300.0) * (312.0 / 309.0);
        assert!(
            (vp.industry_volume - (vi - 1.0)).abs() < 1e-12
                && (vp.rest_volume - (vr - 1.0)).abs() < 1e-12
        );
        let delta = 100.0 * (110.0 / 430.0 - 0.25);
        assert!((vp.volume_pp + vp.price_pp - delta).abs() < 1e-12);
    }
}
