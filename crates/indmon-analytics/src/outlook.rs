//! An honest outlook for the share: a projection to the target year with an
//! uncertainty band, the probability of reaching the target, and how well the same
//! model would have done on history.
//!
//! **Model** (stated with every result): a random walk with drift on the log-odds of
//! the share, x_t = ln(s_t / (1 − s_t)), x_t = x_{t−1} + μ + ε_t, ε_t ~ N(0, σ²). μ and σ
//! are the mean and sample standard deviation of the observed yearly changes (n of
//! them). The h-year-ahead forecast is x_{T+h} ~ N(x_T + hμ, hσ² + h²σ²/n): the second
//! term is the uncertainty of the estimated drift. Bands and the probability
//! P(s_{T+h} ≥ target) follow from the normal distribution and the logistic transform,
//! which keeps the share in (0, 1). The log-odds make the model symmetric in "share
//! up" and "share down" and keep the band within (0, 1).
//!
//! **Backtest**: from every year with at least `min_changes` changes before it, the
//! model is fitted on the data up to that year only and forecasts each later observed
//! year up to the target horizon; the coverage is the fraction of those observations
//! inside the 80 % and 95 % bands. A well-calibrated model covers about 80 % and 95 %.
//!
//! **Calibration**: industry shares move in longer swings than yearly changes suggest,
//! so the plain model's bands are usually too narrow (for NL 1995–2023 its 80 % band
//! covered under half of the past outcomes). The spread is therefore widened by a
//! factor c, the ratio of the 80th percentile of the backtest's standardised errors
//! |z| to the normal's 1.2816 (empirical prediction intervals, Williams & Goodman
//! 1971), clamped to [0.5, 5]. The calibrated method is itself checked out of sample:
//! each backtest forecast is judged with a factor computed only from the errors that
//! were known in its origin year (at least `min_backtest` of them), and that coverage
//! is reported next to the probability.
//!
//! **Too little evidence**: with fewer than `min_changes` yearly changes, fewer than
//! `min_backtest` backtest forecasts at the target horizon, or too few errors to
//! calibrate, no probability is given, and the result says why.

use serde::Serialize;

use crate::stats::{inv_logit, logit, mean, normal_cdf, normal_quantile, sd};
use crate::target::Target;

/// Thresholds of the outlook.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutlookOptions {
    /// Fewest yearly changes to fit the model (and for each backtest origin).
    pub min_changes: usize,
    /// Fewest backtest forecasts at the target horizon for a probability to be given.
    pub min_backtest: usize,
}

impl Default for OutlookOptions {
    fn default() -> Self {
        Self {
            min_changes: 10,
            min_backtest: 5,
        }
    }
}

/// The projection for one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// Year.
    pub year: i32,
    /// Median share (fraction).
    pub median: f64,
    /// 80 % band, lower and upper.
    pub lo80: f64,
    /// 80 % band upper end.
    pub hi80: f64,
    /// 95 % band lower end.
    pub lo95: f64,
    /// 95 % band upper end.
    pub hi95: f64,
}

/// How the model did on history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// Forecasts checked (all origins and horizons up to the target horizon).
    pub forecasts: usize,
    /// Fraction of observations inside the 80 % band.
    pub coverage80: f64,
    /// Fraction inside the 95 % band.
    pub coverage95: f64,
    /// Forecasts checked at exactly the target horizon.
    pub at_horizon: usize,
    /// Coverage of the 80 % band at the target horizon (`None` without forecasts there).
    pub coverage80_at_horizon: Option<f64>,
    /// Mean absolute error of the median, percentage points of the share.
    pub mean_abs_error_pp: f64,
    /// Forecasts judged with an out-of-sample calibration factor.
    pub calibrated_forecasts: usize,
    /// Coverage of the calibrated 80 % band, out of sample (`None` without forecasts).
    pub calibrated_coverage80: Option<f64>,
    /// Coverage of the calibrated 95 % band, out of sample.
    pub calibrated_coverage95: Option<f64>,
}

/// The outlook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlook {
    /// The model, in words.
    pub model: String,
    /// Last observed year and share.
    pub base_year: i32,
    /// Last observed share.
    pub base_share: f64,
    /// Estimated yearly drift of the log-odds.
    pub drift: f64,
    /// Estimated standard deviation of the yearly change of the log-odds.
    pub sigma: f64,
    /// First year of the series the model was fitted on (the number of yearly
    /// changes is in `changes`).
    pub fitted_from: i32,
    /// Number of yearly changes.
    pub changes: usize,
    /// The factor the model's spread is widened by (1 = no calibration possible or needed).
    pub calibration: f64,
    /// Whether the bands and probability are calibrated.
    pub calibrated: bool,
    /// Projection from the year after the last observation to the target year.
    pub bands: Vec<Band>,
    /// Probability that the share is at or above the target in the target year.
    pub probability: Option<f64>,
    /// Why there is no probability, when there is none.
    pub no_probability_because: Option<String>,
    /// The backtest.
    pub backtest: Backtest,
}

/// One backtest forecast: its origin (index), horizon, standardised error |z| and
/// absolute error in share points.
struct Case {
    origin: usize,
    h: usize,
    z: f64,
    err: f64,
}

struct Fit {
    x_last: f64,
    mu: f64,
    sigma: f64,
    n: usize,
}

/// The model fitted on a log-odds series; `None` with fewer than two changes or
/// when the changes do not vary (a zero spread gives no band and no probability).
fn fit(x: &[f64]) -> Option<Fit> {
    let d: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let (sigma, mu) = (sd(&d)?, mean(&d)?);
    // rounding noise of constant changes is no spread either
    if !(sigma.is_finite() && sigma > 1e-12 * mu.abs().max(1.0)) {
        return None;
    }
    Some(Fit {
        x_last: *x.last()?,
        mu,
        sigma,
        n: d.len(),
    })
}

impl Fit {
    /// Mean and standard deviation of the log-odds h years ahead.
    fn forecast(&self, h: usize) -> (f64, f64) {
        let hf = h as f64;
        let var = hf * self.sigma * self.sigma + hf * hf * self.sigma * self.sigma / self.n as f64;
        (self.x_last + hf * self.mu, var.sqrt())
    }
}

/// The longest run of consecutive years at the end of a series sorted by year,
/// with shares strictly between 0 and 1.
fn consecutive_tail(series: &[(i32, f64)]) -> &[(i32, f64)] {
    let mut start = series.len();
    while start > 0 {
        let (y, s) = series[start - 1];
        let ok = s > 0.0 && s < 1.0 && (start == series.len() || series[start].0 == y + 1);
        if !ok {
            break;
        }
        start -= 1;
    }
    &series[start..]
}

/// The outlook for a yearly share series (sorted by year) against a target.
/// Errors (as text) when the series is too short to fit the model at all or the
/// target year is not after the last observation.
pub fn outlook(
    series: &[(i32, f64)],
    target: Target,
    opts: OutlookOptions,
) -> Result<Outlook, String> {
    let s = consecutive_tail(series);
    if s.len() < 3 {
        return Err(format!(
            "{} consecutive yearly observations: too few to fit a model",
            s.len()
        ));
    }
    let (base_year, base_share) = *s.last().expect("non-empty");
    let horizon = target.year - base_year;
    if horizon <= 0 {
        return Err(format!(
            "the target year {} is not after the last observation {base_year}",
            target.year
        ));
    }
    let h = horizon as usize;
    let x: Vec<f64> = s.iter().map(|(_, v)| logit(*v)).collect();
    let f = fit(&x).ok_or("too few observations, or yearly changes that do not vary")?;
    let z80 = normal_quantile(0.9);
    let z95 = normal_quantile(0.975);
    let mut cases: Vec<Case> = Vec::new();
    for origin in opts.min_changes..x.len() - 1 {
        let Some(fo) = fit(&x[..=origin]) else {
            continue;
        };
        for k in 1..=h {
            let Some(&obs) = x.get(origin + k) else { break };
            let (m, sdv) = fo.forecast(k);
            cases.push(Case {
                origin,
                h: k,
                z: (obs - m).abs() / sdv,
                err: (inv_logit(obs) - inv_logit(m)).abs(),
            });
        }
    }
    let n = cases.len();
    let share_in = |pred: &dyn Fn(&Case) -> bool| -> f64 {
        cases.iter().filter(|c| pred(c)).count() as f64 / n as f64
    };
    let at_h: Vec<&Case> = cases.iter().filter(|c| c.h == h).collect();
    // the calibration factor from a set of |z|
    let factor = |zs: &mut Vec<f64>| -> f64 {
        zs.sort_by(f64::total_cmp);
        crate::stats::quantile_sorted(zs, 0.8).map_or(1.0, |q| (q / z80).clamp(0.5, 5.0))
    };
    // out of sample: judge each forecast with the factor known at its origin
    let (mut cal_n, mut cal80, mut cal95) = (0usize, 0usize, 0usize);
    for c in &cases {
        let mut known: Vec<f64> = cases
            .iter()
            .filter(|p| p.origin + p.h <= c.origin)
            .map(|p| p.z)
            .collect();
        if known.len() < opts.min_backtest.max(1) {
            continue;
        }
        let f = factor(&mut known);
        cal_n += 1;
        cal80 += usize::from(c.z <= z80 * f);
        cal95 += usize::from(c.z <= z95 * f);
    }
    let backtest = Backtest {
        forecasts: n,
        coverage80: if n > 0 {
            share_in(&|c| c.z <= z80)
        } else {
            f64::NAN
        },
        coverage95: if n > 0 {
            share_in(&|c| c.z <= z95)
        } else {
            f64::NAN
        },
        at_horizon: at_h.len(),
        coverage80_at_horizon: (!at_h.is_empty())
            .then(|| at_h.iter().filter(|c| c.z <= z80).count() as f64 / at_h.len() as f64),
        mean_abs_error_pp: if n > 0 {
            100.0 * cases.iter().map(|c| c.err).sum::<f64>() / n as f64
        } else {
            f64::NAN
        },
        calibrated_forecasts: cal_n,
        calibrated_coverage80: (cal_n > 0).then(|| cal80 as f64 / cal_n as f64),
        calibrated_coverage95: (cal_n > 0).then(|| cal95 as f64 / cal_n as f64),
    };
    let calibrated = n >= opts.min_backtest.max(1);
    let c = if calibrated {
        factor(&mut cases.iter().map(|c| c.z).collect())
    } else {
        1.0
    };
    let bands = (1..=h)
        .map(|k| {
            let (m, sdv) = f.forecast(k);
            let sdv = sdv * c;
            Band {
                year: base_year + k as i32,
                median: inv_logit(m),
                lo80: inv_logit(m - z80 * sdv),
                hi80: inv_logit(m + z80 * sdv),
                lo95: inv_logit(m - z95 * sdv),
                hi95: inv_logit(m + z95 * sdv),
            }
        })
        .collect();
    let (m, sdv) = f.forecast(h);
    let p = 1.0 - normal_cdf((logit(target.share) - m) / (sdv * c));
    let why = if f.n < opts.min_changes {
        Some(format!(
            "only {} yearly changes observed (at least {} needed)",
            f.n, opts.min_changes
        ))
    } else if at_h.len() < opts.min_backtest {
        Some(format!(
            "only {} backtest forecasts {h} years ahead (at least {} needed to judge the model at that horizon)",
            at_h.len(),
            opts.min_backtest
        ))
    } else if backtest.calibrated_forecasts < opts.min_backtest {
        Some(format!(
            "too few backtest forecasts ({}) to check the calibrated model out of sample",
            backtest.calibrated_forecasts
        ))
    } else {
        None
    };
    Ok(Outlook {
        model: format!(
            "random walk with drift on the log-odds of the share, normal errors, drift uncertainty included, {}",
            if calibrated {
                "spread calibrated on the backtest errors"
            } else {
                "spread not calibrated (too few backtest forecasts)"
            }
        ),
        base_year,
        base_share,
        drift: f.mu,
        sigma: f.sigma,
        fitted_from: s[0].0,
        changes: f.n,
        calibration: c,
        calibrated,
        bands,
        probability: why.is_none().then_some(p),
        no_probability_because: why,
        backtest,
    })
}
