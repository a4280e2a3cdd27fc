//! Synthetic control (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010,
//! 2015) and its ridge-augmented form (Ben-Michael, Feller & Rothstein 2021).
//!
//! The method as `pysyncon` (`Dataprep`, `Synth`, `PlaceboTest`) defines it:
//!
//! - **Predictors** ([`matrices`]): for each predictor, the operation (mean, sample
//!   standard deviation, median) of a variable over a set of years, per unit, skipping
//!   missing values (pandas' `agg`). `X₁` holds the treated unit's, `X₀` the donors'.
//!   The outcome matrices `Z₁`, `Z₀` hold the outcome in the `optimize_years`.
//! - **Normalisation** ([`fit`]): each predictor row is divided by its sample standard
//!   deviation (ddof 1) across the donors and the treated unit. A row with no spread
//!   (all units equal) carries no information and is set to zero.
//! - **Inner problem**: `W = argmin (X₁ − X₀W)ᵀ V (X₁ − X₀W)` on the simplex, solved
//!   exactly ([`qp::simplex_qp`]). When several W attain the minimum (the treated
//!   unit's predictors inside the donors' hull), the one with the smallest outcome loss
//!   over the optimise years among them is taken ([`tiebreak::break_tie`]), inside the
//!   V search too.
//! - **Outer problem**: `V = diag(|x|)/Σ|x|` minimising the outcome loss
//!   `L(V) = ‖Z₁ − Z₀ W(V)‖² / T` over the optimise years, by Nelder–Mead from equal
//!   weights `x₀ = (1/k, …)` with SciPy's settings and `maxiter = 1000`
//!   ([`nelder_mead`]). A custom V (e.g. from a training fit, Abadie, Diamond &
//!   Hainmueller 2015, §4: fit V on a training period, then reuse it with the
//!   validation-period predictors) skips the outer problem.
//! - **Gaps** `Y₁ₜ − Σⱼ wⱼ Yⱼₜ` in every period of the panel; RMSPE before and from
//!   the treatment year; **ATT** = mean of the gaps over `att_years`, its standard
//!   error `sd(gaps, ddof 1)/√n` (`pysyncon`'s `att()`).
//! - **Placebo in space** ([`placebo_in_space`]): every donor in turn as if treated,
//!   the other donors as its donors (the treated unit left out), the same procedure
//!   (including the training fit of V); the ratio post/pre RMSPE per unit; the
//!   permutation p-value.
//! - **Placebo in time** ([`placebo_in_time`]): the same fit with every year set cut to
//!   the years before a fake treatment year.
//!
//! Missing data: a predictor without values for a unit, or a missing outcome of the
//! treated unit or of a donor in any period of the panel, is an error naming the unit,
//! variable and year(s) ([`SynthError`]).

pub mod bfgs;
pub mod linalg;
pub mod nelder_mead;
pub mod qp;
pub mod ridge;
pub mod tiebreak;

use nelder_mead::{NelderMead, minimize};
use serde::Serialize;

/// What can be wrong with a synthetic-control design or its data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    /// A unit has no usable value for a predictor.
    #[error(
        "unit `{unit}` has no value of `{variable}` in the years {years} for the predictor `{predictor}` ({need})"
    )]
    MissingPredictor {
        /// The unit.
        unit: String,
        /// The predictor's label.
        predictor: String,
        /// The variable.
        variable: String,
        /// The years, as text.
        years: String,
        /// What the operation needs.
        need: &'static str,
    },
    /// A unit lacks the outcome in a period.
    #[error(
        "unit `{unit}` has no value of the outcome `{variable}` in {year} (the synthetic control needs the outcome of the treated unit and of every donor in every period)"
    )]
    MissingOutcome {
        /// The unit.
        unit: String,
        /// The outcome variable.
        variable: String,
        /// The period.
        year: i64,
    },
    /// The design does not make sense (names the problem).
    #[error("{0}")]
    Design(String),
}

/// The statistic of a predictor over its years (`pysyncon`'s `predictors_op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Arithmetic mean of the available values.
    Mean,
    /// Sample standard deviation (ddof 1) of the available values (needs two).
    Std,
    /// Median of the available values.
    Median,
}

impl Op {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Op::Mean => "mean",
            Op::Std => "std",
            Op::Median => "median",
        }
    }

    /// The statistic of `xs` (`None` when not defined: no values, or one for `Std`).
    pub fn apply(self, xs: &[f64]) -> Option<f64> {
        let n = xs.len();
        match self {
            Op::Mean if n > 0 => Some(xs.iter().sum::<f64>() / n as f64),
            Op::Std if n > 1 => {
                let m = xs.iter().sum::<f64>() / n as f64;
                Some((xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64).sqrt())
            }
            Op::Median if n > 0 => {
                let mut s = xs.to_vec();
                s.sort_by(f64::total_cmp);
                Some(if n % 2 == 1 {
                    s[n / 2]
                } else {
                    0.5 * (s[n / 2 - 1] + s[n / 2])
                })
            }
            _ => None,
        }
    }
}

/// One predictor: an operation of a variable over a set of years.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Predictor {
    /// Its label (`pysyncon`: the variable for ordinary predictors,
    /// `special.{i}.{variable}` for the i-th special predictor).
    pub label: String,
    /// The variable (a column of the panel).
    pub variable: String,
    /// The years.
    pub years: Vec<i64>,
    /// The operation.
    pub op: Op,
}

/// A balanced-by-construction panel: units × periods × variables, each value optional.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    units: Vec<String>,
    times: Vec<i64>,
    variables: Vec<String>,
    values: Vec<Option<f64>>,
}

impl Panel {
    /// An empty panel (every value missing) of these units, periods (sorted here) and
    /// variables.
    pub fn new(units: Vec<String>, mut times: Vec<i64>, variables: Vec<String>) -> Self {
        times.sort_unstable();
        times.dedup();
        let n = units.len() * times.len() * variables.len();
        Self {
            units,
            times,
            variables,
            values: vec![None; n],
        }
    }

    /// The units.
    pub fn units(&self) -> &[String] {
        &self.units
    }

    /// The periods, ascending.
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    /// The variables.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// Index of a unit.
    pub fn unit(&self, name: &str) -> Option<usize> {
        self.units.iter().position(|u| u == name)
    }

    /// Index of a variable.
    pub fn variable(&self, name: &str) -> Option<usize> {
        self.variables.iter().position(|u| u == name)
    }

    fn idx(&self, var: usize, unit: usize, t: usize) -> usize {
        (var * self.units.len() + unit) * self.times.len() + t
    }

    /// Sets a value (indices of variable, unit and period).
    pub fn set(&mut self, var: usize, unit: usize, t: usize, value: Option<f64>) {
        let i = self.idx(var, unit, t);
        self.values[i] = value;
    }

    /// A value (indices of variable, unit and period).
    pub fn get(&self, var: usize, unit: usize, t: usize) -> Option<f64> {
        self.values[self.idx(var, unit, t)]
    }
}

/// A synthetic-control design on a [`Panel`] (`pysyncon`'s `Dataprep` plus the
/// treatment year and the ATT years).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The outcome variable.
    pub outcome: String,
    /// The treated unit.
    pub treated: String,
    /// The donors.
    pub controls: Vec<String>,
    /// The predictors (ordinary ones first, then the special ones).
    pub predictors: Vec<Predictor>,
    /// The years whose outcome loss V minimises.
    pub optimize_years: Vec<i64>,
    /// The first treated period: RMSPE "pre" is before it, "post" from it on.
    pub treatment_year: i64,
    /// The years of the ATT.
    pub att_years: Vec<i64>,
    /// A training fit whose V is reused (Abadie, Diamond & Hainmueller 2015).
    pub training: Option<Training>,
    /// A V given by the user (skips the outer optimisation; one entry per predictor).
    pub custom_v: Option<Vec<f64>>,
    /// How the outer problem (V) is searched.
    pub outer: Outer,
}

/// The outer search of V (`pysyncon`'s `optim_method` and `optim_initial`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outer {
    /// The minimiser.
    pub method: OptimMethod,
    /// The starting V.
    pub initial: OptimInitial,
}

/// The minimiser of the outer problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptimMethod {
    /// SciPy's Nelder–Mead ([`nelder_mead`]), `pysyncon`'s default.
    #[default]
    NelderMead,
    /// SciPy's BFGS ([`bfgs`]).
    Bfgs,
}

/// The starting V of the outer problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptimInitial {
    /// Every predictor `1/k`, `pysyncon`'s default.
    #[default]
    Equal,
    /// [`ols_start`].
    Ols,
}

/// `pysyncon`'s `optim_initial="ols"` start (`Synth.fit`): regress each optimise-year
/// outcome on an intercept and the scaled predictors across all units (donors, then the
/// treated unit), `β = (XᵀX)⁻¹ Xᵀ Zᵀ` with `X` the units × (1 + k) design and `Z` the
/// T × units outcomes; drop the intercept row and take `x0_r = Σ_t β_rt²`, normalised to
/// sum 1. `x0`/`x1` are the scaled predictors of [`scale_predictors`]. An error (as
/// `pysyncon` raises) when `XᵀX` is singular, e.g. with fewer units than predictors + 1 or
/// collinear predictors.
pub fn ols_start(
    x0: &[Vec<f64>],
    x1: &[f64],
    z0: &[Vec<f64>],
    z1: &[f64],
) -> Result<Vec<f64>, SynthError> {
    let k = x1.len();
    let p = k + 1;
    let rows: Vec<Vec<f64>> = x0
        .iter()
        .chain(std::iter::once(&x1.to_vec()))
        .map(|c| std::iter::once(1.0).chain(c.iter().copied()).collect())
        .collect();
    let outcomes: Vec<&[f64]> = z0
        .iter()
        .map(Vec::as_slice)
        .chain(std::iter::once(z1))
        .collect();
    let mut xtx = vec![0.0; p * p];
    for r in &rows {
        for i in 0..p {
            for j in 0..p {
                xtx[i * p + j] += r[i] * r[j];
            }
        }
    }
    let singular = || {
        SynthError::Design(
            "optim_initial = \"ols\" cannot invert XᵀX of the scaled predictors with an intercept (collinear predictors, or fewer units than predictors + 1)".into(),
        )
    };
    let mut x0v = vec![0.0; k];
    for t in 0..z1.len() {
        let xtz: Vec<f64> = (0..p)
            .map(|i| rows.iter().zip(&outcomes).map(|(r, z)| r[i] * z[t]).sum())
            .collect();
        let beta = linalg::solve(&xtx, &xtz, p).ok_or_else(singular)?;
        for r in 0..k {
            x0v[r] += beta[r + 1] * beta[r + 1];
        }
    }
    let total: f64 = x0v.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(singular());
    }
    Ok(x0v.iter().map(|v| v / total).collect())
}

/// The training stage of the cross-validated V: its own predictors (as many, in the
/// same order, as the main ones) and optimise years.
#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    /// The predictors over the training years.
    pub predictors: Vec<Predictor>,
    /// The training years whose outcome loss V minimises.
    pub optimize_years: Vec<i64>,
}

/// The matrices of one fit: raw (unscaled) predictors and the optimise-year outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrices {
    /// Treated unit's predictors (k).
    pub x1: Vec<f64>,
    /// Each donor's predictors (J × k).
    pub x0: Vec<Vec<f64>>,
    /// Treated unit's outcome in the optimise years (T).
    pub z1: Vec<f64>,
    /// Each donor's outcome in the optimise years (J × T).
    pub z0: Vec<Vec<f64>>,
}

fn years_text(years: &[i64]) -> String {
    match years {
        [] => "(none)".into(),
        [y] => y.to_string(),
        _ if years.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("{}–{}", years[0], years[years.len() - 1])
        }
        _ => years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn predictor_value(panel: &Panel, unit: usize, p: &Predictor) -> Result<f64, SynthError> {
    let var = panel
        .variable(&p.variable)
        .ok_or_else(|| SynthError::Design(format!("the panel has no variable `{}`", p.variable)))?;
    let xs: Vec<f64> = panel
        .times
        .iter()
        .enumerate()
        .filter(|(_, y)| p.years.contains(y))
        .filter_map(|(t, _)| panel.get(var, unit, t))
        .filter(|v| v.is_finite())
        .collect();
    p.op.apply(&xs).ok_or_else(|| SynthError::MissingPredictor {
        unit: panel.units[unit].clone(),
        predictor: p.label.clone(),
        variable: p.variable.clone(),
        years: years_text(&p.years),
        need: if p.op == Op::Std {
            "the standard deviation needs two values"
        } else {
            "at least one value is needed"
        },
    })
}

fn outcome_series(
    panel: &Panel,
    outcome: usize,
    unit: usize,
    years: &[i64],
) -> Result<Vec<f64>, SynthError> {
    years
        .iter()
        .map(|y| {
            panel
                .times
                .binary_search(y)
                .ok()
                .and_then(|t| panel.get(outcome, unit, t))
                .filter(|v| v.is_finite())
                .ok_or_else(|| SynthError::MissingOutcome {
                    unit: panel.units[unit].clone(),
                    variable: panel.variables[outcome].clone(),
                    year: *y,
                })
        })
        .collect()
}

/// Builds `X₀, X₁, Z₀, Z₁` (`pysyncon`'s `make_covariate_mats` and
/// `make_outcome_mats`) for a treated unit and donors (indices into the panel).
pub fn matrices(
    panel: &Panel,
    outcome: &str,
    treated: usize,
    controls: &[usize],
    predictors: &[Predictor],
    optimize_years: &[i64],
) -> Result<Matrices, SynthError> {
    let out = panel.variable(outcome).ok_or_else(|| {
        SynthError::Design(format!("the panel has no outcome variable `{outcome}`"))
    })?;
    let row = |u: usize| {
        predictors
            .iter()
            .map(|p| predictor_value(panel, u, p))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(Matrices {
        x1: row(treated)?,
        x0: controls.iter().map(|&c| row(c)).collect::<Result<_, _>>()?,
        z1: outcome_series(panel, out, treated, optimize_years)?,
        z0: controls
            .iter()
            .map(|&c| outcome_series(panel, out, c, optimize_years))
            .collect::<Result<_, _>>()?,
    })
}

/// One fit of the nested problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// Donor weights (on the simplex), in the order of the donors.
    pub weights: Vec<f64>,
    /// Predictor weights V (non-negative, summing to one), in predictor order.
    pub v: Vec<f64>,
    /// The outcome loss ‖Z₁ − Z₀W‖²/T over the optimise years (`pysyncon`'s `loss_V`).
    pub loss_v: f64,
    /// The inner objective ½WᵀPW − qᵀW at the solution (`pysyncon`'s `loss_W`).
    pub loss_w: f64,
    /// Iterations of the outer search (0 with a custom V).
    pub iterations: usize,
    /// Whether the outer search met its tolerances (true with a custom V).
    pub converged: bool,
    /// Whether several weightings minimise the predictor distance at this V (the one
    /// kept fits the optimise years' outcome best, [`tiebreak::break_tie`]).
    pub several_optima: bool,
}

/// Scales each predictor row by its sample standard deviation across donors and the
/// treated unit (rows without spread become zero).
pub fn scale_predictors(m: &Matrices) -> (Vec<Vec<f64>>, Vec<f64>) {
    let k = m.x1.len();
    let n = m.x0.len() + 1;
    let mut x0 = m.x0.clone();
    let mut x1 = m.x1.clone();
    for r in 0..k {
        let vals: Vec<f64> =
            m.x0.iter()
                .map(|c| c[r])
                .chain(std::iter::once(m.x1[r]))
                .collect();
        let sd = if n > 1 {
            Op::Std.apply(&vals).unwrap_or(0.0)
        } else {
            0.0
        };
        let f = if sd > 0.0 && sd.is_finite() {
            1.0 / sd
        } else {
            0.0
        };
        for c in &mut x0 {
            c[r] *= f;
        }
        x1[r] *= f;
    }
    (x0, x1)
}

/// The donor weights for a given V on scaled predictors.
pub fn weights_for(x0: &[Vec<f64>], x1: &[f64], v: &[f64]) -> qp::QpSolution {
    let (p, q) = qp::normal_equations(x0, x1, v);
    qp::simplex_qp(&p, &q, x0.len())
}

/// [`weights_for`] followed by the tie-break among equal predictor fits (outcome loss
/// over the optimise years `z0`, `z1`); the flag tells whether it changed the weights.
fn weights_tiebroken(
    x0: &[Vec<f64>],
    x1: &[f64],
    v: &[f64],
    z0: &[Vec<f64>],
    z1: &[f64],
) -> (qp::QpSolution, bool) {
    let mut s = weights_for(x0, x1, v);
    let t = tiebreak::break_tie(x0, x1, v, z0, z1, &s.w);
    if t.several {
        let (p, q) = qp::normal_equations(x0, x1, v);
        let n = t.w.len();
        s.objective = (0..n)
            .map(|i| t.w[i] * (0.5 * (0..n).map(|j| p[i * n + j] * t.w[j]).sum::<f64>() - q[i]))
            .sum();
        s.w = t.w;
    }
    (s, t.several)
}

fn loss_v(w: &[f64], z0: &[Vec<f64>], z1: &[f64]) -> f64 {
    let t = z1.len();
    (0..t)
        .map(|i| {
            let e = z1[i] - w.iter().zip(z0).map(|(wj, zj)| wj * zj[i]).sum::<f64>();
            e * e
        })
        .sum::<f64>()
        / t as f64
}

/// Fits the nested problem (see the module docs): V by the `outer` search (Nelder–Mead
/// from equal weights by default), or `custom_v` as given.
pub fn fit(
    m: &Matrices,
    custom_v: Option<&[f64]>,
    nm: &NelderMead,
    outer: Outer,
) -> Result<Fit, SynthError> {
    let k = m.x1.len();
    if m.x0.is_empty() {
        return Err(SynthError::Design("there are no donors".into()));
    }
    if k == 0 {
        return Err(SynthError::Design("there are no predictors".into()));
    }
    if m.z1.is_empty() {
        return Err(SynthError::Design("there are no optimise years".into()));
    }
    let (x0, x1) = scale_predictors(m);
    // a predictor without spread across the units is scaled to zero (pysyncon divides by
    // zero): with none left the weights would be arbitrary
    if (0..k).all(|r| x1[r] == 0.0 && x0.iter().all(|c| c[r] == 0.0)) {
        return Err(SynthError::Design(
            "no predictor varies across the units (each has the same value for the treated unit and every donor): the predictors cannot tell the donors apart".into(),
        ));
    }
    if let Some(v) = custom_v {
        if v.len() != k {
            return Err(SynthError::Design(format!(
                "the custom V has {} entries but there are {k} predictors",
                v.len()
            )));
        }
        if v.iter().any(|x| !x.is_finite() || *x < 0.0) || v.iter().sum::<f64>() <= 0.0 {
            return Err(SynthError::Design(
                "the custom V must be non-negative and not all zero".into(),
            ));
        }
        let total: f64 = v.iter().sum();
        let (s, several_optima) = weights_tiebroken(&x0, &x1, v, &m.z0, &m.z1);
        return Ok(Fit {
            loss_v: loss_v(&s.w, &m.z0, &m.z1),
            loss_w: s.objective,
            weights: s.w,
            v: v.iter().map(|x| x / total).collect(),
            iterations: 0,
            converged: true,
            several_optima,
        });
    }
    let normalise = |x: &[f64]| -> Option<Vec<f64>> {
        let total: f64 = x.iter().map(|v| v.abs()).sum();
        (total > 0.0 && total.is_finite()).then(|| x.iter().map(|v| v.abs() / total).collect())
    };
    let objective = |x: &[f64]| match normalise(x) {
        Some(v) => loss_v(
            &weights_tiebroken(&x0, &x1, &v, &m.z0, &m.z1).0.w,
            &m.z0,
            &m.z1,
        ),
        None => f64::INFINITY,
    };
    let start = match outer.initial {
        OptimInitial::Equal => vec![1.0 / k as f64; k],
        OptimInitial::Ols => ols_start(&x0, &x1, &m.z0, &m.z1)?,
    };
    let min = match outer.method {
        OptimMethod::NelderMead => minimize(objective, &start, nm),
        OptimMethod::Bfgs => {
            let b = bfgs::minimize(objective, &start, &bfgs::Bfgs::default());
            nelder_mead::Minimum {
                x: b.x,
                f: b.f,
                iterations: b.iterations,
                evaluations: b.evaluations,
                converged: b.converged,
            }
        }
    };
    let v = normalise(&min.x).unwrap_or(start);
    let (s, several_optima) = weights_tiebroken(&x0, &x1, &v, &m.z0, &m.z1);
    Ok(Fit {
        loss_v: loss_v(&s.w, &m.z0, &m.z1),
        loss_w: s.objective,
        weights: s.w,
        v,
        iterations: min.iterations,
        converged: min.converged,
        several_optima,
    })
}

/// One row of the predictor balance: the treated unit, the synthetic unit and the donor
/// mean (unscaled), with V (`pysyncon`'s `summary()`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Balance {
    /// The predictor's label.
    pub predictor: String,
    /// Its weight in V.
    pub v: f64,
    /// The treated unit's value.
    pub treated: f64,
    /// The synthetic unit's value Σ wⱼ X₀ⱼ.
    pub synthetic: f64,
    /// The mean over the donors.
    pub sample_mean: f64,
}

/// A fitted synthetic control and what follows from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The treated unit.
    pub treated: String,
    /// The donors, in the order of `fit.weights`.
    pub donors: Vec<String>,
    /// The fit.
    pub fit: Fit,
    /// The V of the training fit, when there was one (it is `fit.v`).
    pub training: Option<Fit>,
    /// The predictor balance.
    pub balance: Vec<Balance>,
    /// Periods of the panel.
    pub periods: Vec<i64>,
    /// Treated unit's outcome per period.
    pub treated_path: Vec<f64>,
    /// Synthetic unit's outcome per period.
    pub synthetic_path: Vec<f64>,
    /// The first treated period.
    pub treatment_year: i64,
    /// Root mean squared gap before the treatment year.
    pub rmspe_pre: f64,
    /// Root mean squared gap from the treatment year on (NaN when no such period).
    pub rmspe_post: f64,
    /// Mean gap over the ATT years.
    pub att: f64,
    /// Its standard error sd(gaps, ddof 1)/√n (NaN with one year).
    pub att_se: f64,
    /// The ATT years.
    pub att_years: Vec<i64>,
}

impl Estimate {
    /// The gap per period.
    pub fn gaps(&self) -> Vec<f64> {
        self.treated_path
            .iter()
            .zip(&self.synthetic_path)
            .map(|(a, b)| a - b)
            .collect()
    }

    /// Ratio of post- to pre-treatment RMSPE.
    pub fn ratio(&self) -> f64 {
        self.rmspe_post / self.rmspe_pre
    }
}

fn indices(panel: &Panel, design: &Design) -> Result<(usize, Vec<usize>), SynthError> {
    let treated = panel.unit(&design.treated).ok_or_else(|| {
        SynthError::Design(format!(
            "the treated unit `{}` is not in the panel",
            design.treated
        ))
    })?;
    let mut controls = Vec::new();
    for c in &design.controls {
        if *c == design.treated {
            return Err(SynthError::Design(format!(
                "the treated unit `{c}` is also among the controls"
            )));
        }
        let i = panel
            .unit(c)
            .ok_or_else(|| SynthError::Design(format!("the control `{c}` is not in the panel")))?;
        if controls.contains(&i) {
            return Err(SynthError::Design(format!(
                "the control `{c}` is listed twice"
            )));
        }
        controls.push(i);
    }
    if controls.is_empty() {
        return Err(SynthError::Design("there are no controls (donors)".into()));
    }
    Ok((treated, controls))
}

fn check_years(panel: &Panel, design: &Design) -> Result<(), SynthError> {
    let pre: Vec<i64> = panel
        .times
        .iter()
        .copied()
        .filter(|t| *t < design.treatment_year)
        .collect();
    if pre.len() < 2 {
        return Err(SynthError::Design(format!(
            "too few pre-treatment periods: the panel has {} period(s) before the treatment year {} (at least 2 are needed)",
            pre.len(),
            design.treatment_year
        )));
    }
    if design.optimize_years.is_empty() {
        return Err(SynthError::Design("`optimize_years` is empty".into()));
    }
    if let Some(y) = design
        .optimize_years
        .iter()
        .find(|y| **y >= design.treatment_year)
    {
        return Err(SynthError::Design(format!(
            "the optimise year {y} is not before the treatment year {}",
            design.treatment_year
        )));
    }
    for y in design.optimize_years.iter().chain(&design.att_years) {
        if panel.times.binary_search(y).is_err() {
            return Err(SynthError::Design(format!(
                "the year {y} is not in the panel"
            )));
        }
    }
    Ok(())
}

/// Fits the design for a treated unit (index) and donors (indices) and computes the
/// paths, RMSPEs and ATT.
fn estimate_for(
    panel: &Panel,
    design: &Design,
    treated: usize,
    controls: &[usize],
    nm: &NelderMead,
) -> Result<Estimate, SynthError> {
    let outcome = panel.variable(&design.outcome).ok_or_else(|| {
        SynthError::Design(format!(
            "the panel has no outcome variable `{}`",
            design.outcome
        ))
    })?;
    let training = match &design.training {
        Some(t) => {
            if t.predictors.len() != design.predictors.len() {
                return Err(SynthError::Design(format!(
                    "the training stage has {} predictors but the main fit has {}: V is reused, so they must correspond one to one",
                    t.predictors.len(),
                    design.predictors.len()
                )));
            }
            let m = matrices(
                panel,
                &design.outcome,
                treated,
                controls,
                &t.predictors,
                &t.optimize_years,
            )?;
            Some(fit(&m, design.custom_v.as_deref(), nm, design.outer)?)
        }
        None => None,
    };
    let m = matrices(
        panel,
        &design.outcome,
        treated,
        controls,
        &design.predictors,
        &design.optimize_years,
    )?;
    let custom = training
        .as_ref()
        .map(|t| t.v.clone())
        .or_else(|| design.custom_v.clone());
    let f = fit(&m, custom.as_deref(), nm, design.outer)?;
    let periods = panel.times.clone();
    let treated_path = outcome_series(panel, outcome, treated, &periods)?;
    let donor_paths: Vec<Vec<f64>> = controls
        .iter()
        .map(|&c| outcome_series(panel, outcome, c, &periods))
        .collect::<Result<_, _>>()?;
    let synthetic_path: Vec<f64> = (0..periods.len())
        .map(|t| {
            f.weights
                .iter()
                .zip(&donor_paths)
                .map(|(w, p)| w * p[t])
                .sum()
        })
        .collect();
    let gaps: Vec<f64> = treated_path
        .iter()
        .zip(&synthetic_path)
        .map(|(a, b)| a - b)
        .collect();
    let rms = |sel: &dyn Fn(i64) -> bool| -> f64 {
        let g: Vec<f64> = periods
            .iter()
            .zip(&gaps)
            .filter(|(p, _)| sel(**p))
            .map(|(_, g)| g * g)
            .collect();
        if g.is_empty() {
            f64::NAN
        } else {
            (g.iter().sum::<f64>() / g.len() as f64).sqrt()
        }
    };
    let ty = design.treatment_year;
    let att_gaps: Vec<f64> = design
        .att_years
        .iter()
        .filter_map(|y| periods.binary_search(y).ok().map(|t| gaps[t]))
        .collect();
    let n = att_gaps.len();
    let att = if n > 0 {
        att_gaps.iter().sum::<f64>() / n as f64
    } else {
        f64::NAN
    };
    let att_se = Op::Std
        .apply(&att_gaps)
        .map_or(f64::NAN, |s| s / (n as f64).sqrt());
    let balance = design
        .predictors
        .iter()
        .enumerate()
        .map(|(r, p)| Balance {
            predictor: p.label.clone(),
            v: f.v[r],
            treated: m.x1[r],
            synthetic: f.weights.iter().zip(&m.x0).map(|(w, c)| w * c[r]).sum(),
            sample_mean: m.x0.iter().map(|c| c[r]).sum::<f64>() / m.x0.len() as f64,
        })
        .collect();
    Ok(Estimate {
        treated: panel.units[treated].clone(),
        donors: controls.iter().map(|&c| panel.units[c].clone()).collect(),
        fit: f,
        training,
        balance,
        rmspe_pre: rms(&|p| p < ty),
        rmspe_post: rms(&|p| p >= ty),
        periods,
        treated_path,
        synthetic_path,
        treatment_year: ty,
        att,
        att_se,
        att_years: design.att_years.clone(),
    })
}

/// Fits a synthetic control for the design (see the module docs).
pub fn estimate(panel: &Panel, design: &Design, nm: &NelderMead) -> Result<Estimate, SynthError> {
    let (treated, controls) = indices(panel, design)?;
    check_years(panel, design)?;
    estimate_for(panel, design, treated, &controls, nm)
}

/// One unit of the placebo test in space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceboUnit {
    /// The unit (the treated unit, or a donor refitted as if treated).
    pub unit: String,
    /// Whether it is the treated unit.
    pub treated: bool,
    /// RMSPE before the treatment year.
    pub rmspe_pre: f64,
    /// RMSPE from the treatment year on.
    pub rmspe_post: f64,
    /// `rmspe_post / rmspe_pre`.
    pub ratio: f64,
    /// The gap per period (the periods of the estimate).
    pub gaps: Vec<f64>,
}

/// The placebo test in space (Abadie, Diamond & Hainmueller 2010, §2.4; 2015, §4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceboSpace {
    /// The treated unit first, then every donor refitted as if treated.
    pub units: Vec<PlaceboUnit>,
    /// The rank of the treated unit's ratio among all J + 1 ratios (1 = largest; ties
    /// count against the treated unit).
    pub rank: usize,
    /// Permutation p-value `rank / (J + 1)`: the share of units whose post/pre RMSPE
    /// ratio is at least the treated unit's. The smallest attainable value is 1/(J + 1).
    /// (`pysyncon`'s `PlaceboTest.pvalue` counts only the donors at or above the
    /// treated unit's ratio of mean squared gaps, with the treatment year in both
    /// windows, so it can be 0 and is one unit's share lower when the treated unit
    /// counts itself. On the Basque case this rank gives the published 1/6 (3 of 18);
    /// pysyncon's formula applied to these fits gives 2/18, to pysyncon's own 3/18.)
    pub p_value: f64,
}

/// Runs the placebo test in space: the treated unit's fit, then each donor as if
/// treated with the other donors as its donors (the treated unit excluded), each with
/// the whole procedure of the design (training fit of V included).
pub fn placebo_in_space(
    panel: &Panel,
    design: &Design,
    nm: &NelderMead,
) -> Result<PlaceboSpace, SynthError> {
    let (treated, controls) = indices(panel, design)?;
    check_years(panel, design)?;
    if controls.len() < 2 {
        return Err(SynthError::Design(
            "the placebo test in space needs at least two donors (each is refitted from the others)".into(),
        ));
    }
    let mut units = Vec::with_capacity(controls.len() + 1);
    let main = estimate_for(panel, design, treated, &controls, nm)?;
    let row = |e: &Estimate, is_treated: bool| PlaceboUnit {
        unit: e.treated.clone(),
        treated: is_treated,
        rmspe_pre: e.rmspe_pre,
        rmspe_post: e.rmspe_post,
        ratio: e.ratio(),
        gaps: e.gaps(),
    };
    units.push(row(&main, true));
    for (i, &c) in controls.iter().enumerate() {
        let others: Vec<usize> = controls
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, &u)| u)
            .collect();
        let e = estimate_for(panel, design, c, &others, nm)?;
        units.push(row(&e, false));
    }
    let r0 = units[0].ratio;
    let at_least = units[1..]
        .iter()
        .filter(|u| u.ratio >= r0 || u.ratio.is_nan())
        .count();
    let rank = 1 + at_least;
    let n = units.len() as f64;
    Ok(PlaceboSpace {
        rank,
        p_value: rank as f64 / n,
        units,
    })
}

/// The placebo test in time: the design refitted as if treatment had begun in
/// `fake_year` — every year set (optimise years, predictor years, training years)
/// cut to the years before it, the treatment year set to it and the ATT taken over
/// the years from it to the real treatment year (exclusive). An empty year set after
/// the cut is an error.
pub fn placebo_in_time(
    panel: &Panel,
    design: &Design,
    fake_year: i64,
    nm: &NelderMead,
) -> Result<Estimate, SynthError> {
    if fake_year >= design.treatment_year {
        return Err(SynthError::Design(format!(
            "the placebo year {fake_year} must be before the treatment year {}",
            design.treatment_year
        )));
    }
    let cut = |ys: &[i64], what: &str| -> Result<Vec<i64>, SynthError> {
        let v: Vec<i64> = ys.iter().copied().filter(|y| *y < fake_year).collect();
        if v.is_empty() {
            Err(SynthError::Design(format!(
                "with the placebo year {fake_year}, {what} has no year left before it"
            )))
        } else {
            Ok(v)
        }
    };
    let cut_preds = |ps: &[Predictor]| -> Result<Vec<Predictor>, SynthError> {
        ps.iter()
            .map(|p| {
                Ok(Predictor {
                    years: cut(&p.years, &format!("the predictor `{}`", p.label))?,
                    ..p.clone()
                })
            })
            .collect()
    };
    let mut d = design.clone();
    d.optimize_years = cut(&design.optimize_years, "`optimize_years`")?;
    d.predictors = cut_preds(&design.predictors)?;
    if let Some(t) = &design.training {
        d.training = Some(Training {
            predictors: cut_preds(&t.predictors)?,
            optimize_years: cut(&t.optimize_years, "the training `optimize_years`")?,
        });
    }
    d.treatment_year = fake_year;
    d.att_years = panel
        .times
        .iter()
        .copied()
        .filter(|y| *y >= fake_year && *y < design.treatment_year)
        .collect();
    estimate(panel, &d, nm)
}
