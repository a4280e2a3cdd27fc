//! Summary statistics and the standard normal distribution.

/// Arithmetic mean; `None` for no values.
pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Sample standard deviation (n − 1 in the denominator); `None` for fewer than two values.
pub fn sd(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    Some((x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt())
}

/// Quantile of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy). `p` in [0, 1].
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The complementary error function, erfc(x), by the Chebyshev fit of Numerical
/// Recipes (2nd ed., §6.2, `erfcc`; fractional error below 1.2e-7 everywhere).
#[allow(clippy::excessive_precision)]
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Standard normal cumulative distribution function Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile Φ⁻¹(p), by P. J. Acklam's rational approximation
/// (relative error below 1.15e-9), for p in (0, 1).
#[allow(clippy::excessive_precision)] // the published coefficients, as published
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383577518672690e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let low = 0.02425;
    if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    }
}

/// log(p / (1 − p)).
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// 1 / (1 + e^−x).
pub fn inv_logit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_distribution_against_tabulated_values() {
        // Φ(1.959964) = 0.975, Φ(1.281552) = 0.9, Φ(0) = 0.5 (standard tables)
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.281_552) - 0.1).abs() < 1e-6);
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((normal_quantile(0.1) + 1.281_551_566).abs() < 1e-8);
        assert!((normal_quantile(0.001) + 3.090_232_306).abs() < 1e-8);
        for p in [0.001, 0.02, 0.3, 0.5, 0.77, 0.99] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 2e-7, "{p}");
        }
        assert!(normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn summary_statistics() {
        assert_eq!(mean(&[1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(
            sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).map(|s| (s * 1e6).round() / 1e6),
            Some(2.13809)
        );
        assert_eq!(sd(&[1.0]), None);
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.25), Some(1.75));
        assert_eq!(quantile_sorted(&s, 0.5), Some(2.5));
        assert!((inv_logit(logit(0.12)) - 0.12).abs() < 1e-15);
    }
}

/// ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, nine coefficients, as in
/// Numerical Recipes 3rd ed. §6.1 and Boost; relative error about 1e-15), with the
/// reflection formula below ½.
#[allow(clippy::excessive_precision)]
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_93,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_13,
        -176.615_029_162_140_59,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_571_6e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised incomplete beta function I_x(a, b), by the continued fraction
/// of Numerical Recipes (3rd ed. §6.4) evaluated with the modified Lentz method, using
/// the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges faster.
pub fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x.is_nan() || a <= 0.0 || b <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    // one step of the modified Lentz method for the coefficient `aa`; returns the factor
    let step = |aa: f64, c: &mut f64, d: &mut f64| {
        *d = 1.0 / guard(1.0 + aa * *d);
        *c = guard(1.0 + aa / *c);
        *d * *c
    };
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let del = step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Two-sided p-value of Student's t statistic with `df` degrees of freedom:
/// P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½).
pub fn student_t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    incomplete_beta(df / (df + t * t), df / 2.0, 0.5)
}

/// A least-squares line y = a + b·x with the t test of the slope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineFit {
    /// Number of points.
    pub n: usize,
    /// Slope b.
    pub slope: f64,
    /// Standard error of the slope (NaN with fewer than three points).
    pub se: f64,
    /// t statistic b / se.
    pub t: f64,
    /// Two-sided p-value of b = 0 with n − 2 degrees of freedom (NaN with fewer than
    /// three points; 0 for a perfect fit with non-zero slope).
    pub p: f64,
}

/// Ordinary least squares of `y` on `x`; `None` with fewer than two points or when all
/// `x` are equal.
pub fn line_fit(x: &[f64], y: &[f64]) -> Option<LineFit> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let (mx, my) = (mean(&x[..n])?, mean(&y[..n])?);
    let sxx: f64 = x[..n].iter().map(|v| (v - mx) * (v - mx)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = (0..n).map(|i| (x[i] - mx) * (y[i] - my)).sum();
    let slope = sxy / sxx;
    if n < 3 {
        return Some(LineFit {
            n,
            slope,
            se: f64::NAN,
            t: f64::NAN,
            p: f64::NAN,
        });
    }
    let a = my - slope * mx;
    let sse: f64 = (0..n)
        .map(|i| {
            let r = y[i] - a - slope * x[i];
            r * r
        })
        .sum();
    let df = (n - 2) as f64;
    let se = (sse / df / sxx).sqrt();
    let t = if se > 0.0 {
        slope / se
    } else if slope == 0.0 {
        0.0
    } else {
        f64::INFINITY.copysign(slope)
    };
    let p = if se > 0.0 {
        student_t_two_sided_p(t, df)
    } else if slope == 0.0 {
        1.0
    } else {
        0.0
    };
    Some(LineFit { n, slope, se, t, p })
}

#[cfg(test)]
mod t_tests {
    use super::*;
    use std::f64::consts::PI;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn ln_gamma_matches_factorials_and_half_integers() {
        let mut f = 1.0f64;
        for n in 1..=20 {
            assert!(close(ln_gamma(f64::from(n)), f.ln(), 1e-13), "{n}");
            f *= f64::from(n);
        }
        assert!(close(ln_gamma(0.5), PI.sqrt().ln(), 1e-14));
        assert!(close(ln_gamma(1.5), (PI.sqrt() / 2.0).ln(), 1e-14));
        assert!(close(ln_gamma(0.1), 9.513_507_698_668_732_f64.ln(), 1e-13));
    }

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        for &x in &[0.01, 0.2, 0.5, 0.77, 0.999] {
            assert!(close(incomplete_beta(x, 1.0, 1.0), x, 1e-13));
            assert!(close(incomplete_beta(x, 3.5, 1.0), x.powf(3.5), 1e-13));
            assert!(close(
                incomplete_beta(x, 1.0, 2.0),
                1.0 - (1.0 - x).powi(2),
                1e-13
            ));
            // symmetry
            let s = incomplete_beta(x, 2.5, 4.0) + incomplete_beta(1.0 - x, 4.0, 2.5);
            assert!(close(s, 1.0, 1e-13));
        }
    }

    #[test]
    fn t_p_values_match_the_closed_forms_for_one_to_four_degrees_of_freedom() {
        for &t in &[0.0, 0.3, 1.0, 2.0, 4.5, 30.0] {
            let p1 = 1.0 - 2.0 / PI * f64::atan(t);
            let p2 = 1.0 - t / (2.0 + t * t).sqrt();
            let u = t / 3f64.sqrt();
            let p3 = 1.0 - 2.0 / PI * (u / (1.0 + u * u) + u.atan());
            let p4 = 1.0
                - 0.75 * t / (1.0 + t * t / 4.0).sqrt()
                    * (1.0 - t * t / (12.0 * (1.0 + t * t / 4.0)));
            for (df, want) in [(1.0, p1), (2.0, p2), (3.0, p3), (4.0, p4)] {
                let got = student_t_two_sided_p(t, df);
                assert!((got - want).abs() < 1e-12, "t {t} df {df}: {got} vs {want}");
                assert!(close(student_t_two_sided_p(-t, df), want, 1e-12));
            }
        }
        // published critical values: t(0.975; 10) = 2.228139, t(0.975; 30) = 2.042272
        assert!((student_t_two_sided_p(2.228_138_852, 10.0) - 0.05).abs() < 1e-8);
        assert!((student_t_two_sided_p(2.042_272_456, 30.0) - 0.05).abs() < 1e-8);
        // many degrees of freedom: the normal distribution
        assert!((student_t_two_sided_p(1.959_963_985, 1e7) - 0.05).abs() < 1e-6);
    }

    #[test]
    fn line_fit_gives_slope_standard_error_and_p() {
        // y = 2, 4, 5, 4, 5 on x = 1..5: b = 0.6, residual SS 2.4, se = sqrt(2.4 / 3 / 10)
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let f = line_fit(&x, &[2.0, 4.0, 5.0, 4.0, 5.0]).unwrap();
        assert!(close(f.slope, 0.6, 1e-14));
        assert!(close(f.se, 0.08f64.sqrt(), 1e-14));
        assert!(close(f.t, 0.6 / 0.08f64.sqrt(), 1e-13));
        let u = f.t / 3f64.sqrt();
        assert!(close(
            f.p,
            1.0 - 2.0 / PI * (u / (1.0 + u * u) + u.atan()),
            1e-12
        ));
        // an exact line: p = 0; a flat one: p = 1; two points: no test
        assert_eq!(line_fit(&x, &[1.0, 3.0, 5.0, 7.0, 9.0]).unwrap().p, 0.0);
        assert_eq!(line_fit(&x, &[3.0; 5]).unwrap().p, 1.0);
        assert!(line_fit(&x[..2], &[1.0, 2.0]).unwrap().p.is_nan());
        assert!(line_fit(&[1.0, 1.0], &[1.0, 2.0]).is_none());
    }
}
