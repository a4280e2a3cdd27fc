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
}
