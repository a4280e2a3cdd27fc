//! Staggered difference-in-differences (Callaway & Sant'Anna 2021).
//!
//! Group-time average treatment effects ATT(g, t) on a balanced panel, their analytic
//! (influence-function) standard errors, the pre-trend Wald test and the aggregations
//! `simple`, `group`, `dynamic` (event time) and `calendar`, as R `did` 2.x defines them
//! (`att_gt(..., panel = TRUE, bstrap = FALSE)` then `aggte(..., bstrap = FALSE)`).
//!
//! Sources: Callaway, B. & Sant'Anna, P. H. C. (2021), "Difference-in-Differences with
//! multiple time periods", *Journal of Econometrics* 225(2), 200–230; the two-period
//! estimators of Sant'Anna, P. H. C. & Zhao, J. (2020), "Doubly robust
//! difference-in-differences estimators", *Journal of Econometrics* 219(1), 101–122,
//! as R `DRDID` implements them (`drdid_panel`, `std_ipw_did_panel`, `reg_did_panel`);
//! `did`'s `pre_process_did`, `compute.att_gt`, `att_gt` and `compute.aggte`.
//!
//! # Definitions
//! Units i = 1…n are observed in every period of `times` (balanced). Gᵢ is the period a
//! unit is first treated (0: never treated). For each treated group g and period t:
//! - the base period b is t − 1 (the previous period) before treatment with the
//!   `Varying` base period, and the last period with b + δ < g (δ the anticipation)
//!   after treatment and always with the `Universal` one (where ATT(g, g−δ−1) = 0);
//! - the comparison units are the never treated (`NeverTreated`), or those with G = 0
//!   or G > t' + δ, G ≠ g, where t' is the later of t and b under the universal base
//!   and t under the varying base (`NotYetTreated`);
//! - with ΔYᵢ = Yᵢₜ − Yᵢ_b and the covariates Xᵢ of the earlier of the two periods,
//!   ATT(g, t) is a two-period DiD on the units of group g (D = 1) and the comparison
//!   units (D = 0): outcome regression (`Reg`), normalised inverse probability weighting
//!   (`Ipw`) or the locally efficient doubly robust estimator (`Dr`) — see
//!   [`two_period`] for the formulas;
//! - the influence function ψ of each ATT(g, t) is the two-period one times n / n₁ (n₁
//!   the units used) on those units and 0 elsewhere; V = ΨᵀΨ / n and
//!   se = √(V_jj / n). A standard error at or below 10·√ε is reported as missing.
//!
//! # Differences from R `did`, stated
//! - Where `did` returns `NA` for an ATT(g, t) whose regression on the comparison units
//!   is singular (`rcond(X'X) < ε`) or whose propensity score reaches 0.999 (overlap),
//!   this returns an error naming the group and the period ([`Error::Singular`],
//!   [`Error::Overlap`]). Sampling weights are not supported (all weights 1).
//! - The event-time window (`min_e`, `max_e`) and the calendar selection compare periods
//!   by value, not by their rank as `did`'s internal re-indexing does; the two agree when
//!   the periods are consecutive integers.

use std::collections::BTreeMap;

use crate::stats::ln_gamma;

/// Method version of the estimator, shown with every result.
pub const METHOD_VERSION: &str = "evaluate-did/1";

/// Errors of the estimator. All are about the input data (usage errors are the
/// caller's), so callers map them to input errors.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// The panel's arrays do not fit together or hold non-finite values.
    #[error("{0}")]
    Input(String),
    /// No treated group remains that can be estimated.
    #[error(
        "no treated group to estimate: the group variable must be the period a unit is first treated (0 if never treated), and at least one group must be treated after the first period"
    )]
    NoGroups,
    /// The never-treated group is missing or too small to serve as comparison.
    #[error("{0}")]
    Control(String),
    /// An ATT(g, t) has no treated or no comparison units.
    #[error("group {group}, period {time}: no {which} units")]
    Empty {
        /// Group (first treated period).
        group: f64,
        /// Period.
        time: f64,
        /// "treated" or "comparison".
        which: &'static str,
    },
    /// The outcome regression on the comparison units (or the logit) has a singular design.
    #[error(
        "group {group}, period {time}: the {what} is singular (collinear covariates, or too few {units} units for the covariates)"
    )]
    Singular {
        /// Group.
        group: f64,
        /// Period.
        time: f64,
        /// Which fit: "outcome regression on the comparison units" or "propensity-score logit".
        what: &'static str,
        /// "comparison" or "treated and comparison".
        units: &'static str,
    },
    /// The propensity score reaches 0.999: the overlap condition fails.
    #[error(
        "group {group}, period {time}: the overlap condition fails (a propensity score reaches {max_ps:.4} ≥ 0.999), so the weighting estimators are not defined; use --method reg or fewer covariates"
    )]
    Overlap {
        /// Group.
        group: f64,
        /// Period.
        time: f64,
        /// The largest fitted propensity score.
        max_ps: f64,
    },
    /// The logit did not converge (separation).
    #[error(
        "group {group}, period {time}: the propensity-score logit did not converge (the covariates separate treated and comparison units)"
    )]
    NoConvergence {
        /// Group.
        group: f64,
        /// Period.
        time: f64,
    },
}

/// Which units serve as comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlGroup {
    /// Units never treated (`control_group = "nevertreated"`).
    NeverTreated,
    /// Units never treated or not yet treated by the period (`"notyettreated"`).
    NotYetTreated,
}

/// The base period of the pre-treatment ATT(g, t).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BasePeriod {
    /// The previous period (`base_period = "varying"`, the default).
    Varying,
    /// The last period before treatment, for all t (`"universal"`).
    Universal,
}

/// The two-period estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Locally efficient doubly robust (`DRDID::drdid_panel`), the default.
    Dr,
    /// Normalised (Hájek) inverse probability weighting (`DRDID::std_ipw_did_panel`).
    Ipw,
    /// Outcome regression (`DRDID::reg_did_panel`).
    Reg,
}

/// Options of [`att_gt`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The comparison units.
    pub control: ControlGroup,
    /// The base period.
    pub base_period: BasePeriod,
    /// The estimator.
    pub method: Method,
    /// Periods of anticipation δ (0 by default), in the units of the time variable.
    pub anticipation: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            control: ControlGroup::NeverTreated,
            base_period: BasePeriod::Varying,
            method: Method::Dr,
            anticipation: 0.0,
        }
    }
}

/// A balanced panel: `units` × `times.len()` outcomes and covariates.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The periods, strictly increasing.
    pub times: Vec<f64>,
    /// Per unit, the period it is first treated; 0 for never treated.
    pub group: Vec<f64>,
    /// Outcomes, unit-major: `y[i * T + s]` is unit i in period `times[s]`.
    pub y: Vec<f64>,
    /// Number of covariates k.
    pub k: usize,
    /// Covariates, unit-major then period then covariate: `x[(i * T + s) * k + j]`.
    pub x: Vec<f64>,
}

/// One group-time average treatment effect.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AttGt {
    /// The group: the period its units are first treated.
    pub group: f64,
    /// The period.
    pub time: f64,
    /// The base period the change is measured from.
    pub base: f64,
    /// ATT(g, t).
    pub att: f64,
    /// Its analytic standard error (missing when zero, as at the universal base period).
    pub se: Option<f64>,
    /// Whether t ≥ g (post-treatment).
    pub post: bool,
    /// Units of group g used.
    pub n_treated: usize,
    /// Comparison units used.
    pub n_control: usize,
}

/// The pre-trend Wald test: all pre-treatment ATT(g, t) jointly zero.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Wald {
    /// W = n · âᵀ V̂⁻¹ â over the pre-treatment ATT(g, t) with a standard error.
    pub statistic: f64,
    /// Number of restrictions q.
    pub df: usize,
    /// 1 − F_χ²(q)(W) (R `did` rounds it to 5 decimals; this does not).
    pub p_value: f64,
}

/// The result of [`att_gt`].
#[derive(Debug, Clone, PartialEq)]
pub struct AttGtResult {
    /// The ATT(g, t), by group then period.
    pub rows: Vec<AttGt>,
    /// Per row, the influence function over the n units (length n each).
    pub influence: Vec<Vec<f64>>,
    /// The group of each unit used (after the units treated in the first period are
    /// dropped, and the last cohort possibly recoded as never treated).
    pub unit_group: Vec<f64>,
    /// The index in the input panel of each unit used.
    pub unit_index: Vec<usize>,
    /// The periods used.
    pub times: Vec<f64>,
    /// The treated groups estimated.
    pub groups: Vec<f64>,
    /// The pre-trend test; `None` with the reason in `notes` when it cannot be computed.
    pub wald: Option<Wald>,
    /// What was dropped or recoded, and why (as `did`'s warnings).
    pub notes: Vec<String>,
    /// The options used.
    pub options: Options,
}

impl AttGtResult {
    /// Number of units n.
    pub fn n(&self) -> usize {
        self.unit_group.len()
    }

    /// Units per group (0 = never treated), ascending by group.
    pub fn units_per_group(&self) -> Vec<(f64, usize)> {
        let mut m: BTreeMap<OrdF64, usize> = BTreeMap::new();
        for &g in &self.unit_group {
            *m.entry(OrdF64(g)).or_default() += 1;
        }
        m.into_iter().map(|(g, c)| (g.0, c)).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
#[allow(clippy::derive_ord_xor_partial_ord)]
impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

fn sorted_unique(v: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = v.into_iter().collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// Standard errors at or below this are reported as missing (`did`: `sqrt(.Machine$double.eps)*10`).
fn se_floor() -> f64 {
    f64::EPSILON.sqrt() * 10.0
}

/// The analytic standard error of an influence function: √(mean(ψ²) / n) (`did::getSE`).
pub fn se_of(psi: &[f64]) -> Option<f64> {
    let n = psi.len() as f64;
    let se = (psi.iter().map(|v| v * v).sum::<f64>() / n / n).sqrt();
    (se > se_floor()).then_some(se)
}

/// Group-time average treatment effects ATT(g, t) with their influence functions,
/// analytic standard errors and the pre-trend Wald test, as `did::att_gt` (panel data,
/// `bstrap = FALSE`).
///
/// Pre-processing as `did::pre_process_did`: without never-treated units, periods from
/// the last cohort's first period − δ on are dropped and that cohort is recoded as never
/// treated (`NeverTreated`) or kept only as comparison (`NotYetTreated`); units treated
/// in the first period (G ≤ t₁ + δ) are dropped; a group smaller than k + 5 units gets a
/// note, and a never-treated comparison group that small is an error.
pub fn att_gt(panel: &Panel, options: &Options) -> Result<AttGtResult, Error> {
    let t_all = panel.times.len();
    let n_all = panel.group.len();
    let k = panel.k;
    if t_all < 2 {
        return Err(Error::Input(format!(
            "{t_all} period(s): at least two are needed"
        )));
    }
    if panel.times.iter().any(|t| !t.is_finite()) || panel.times.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::Input(
            "the periods must be finite and strictly increasing".into(),
        ));
    }
    if panel.y.len() != n_all * t_all || panel.x.len() != n_all * t_all * k {
        return Err(Error::Input(format!(
            "{} outcomes and {} covariate values for {n_all} units × {t_all} periods × {k} covariates",
            panel.y.len(),
            panel.x.len()
        )));
    }
    if panel.group.iter().any(|g| !g.is_finite() || *g < 0.0) {
        return Err(Error::Input("a group is negative or not finite".into()));
    }
    if panel.y.iter().chain(&panel.x).any(|v| !v.is_finite()) {
        return Err(Error::Input(
            "an outcome or covariate value is missing or not finite".into(),
        ));
    }
    let delta = options.anticipation;
    let mut notes = Vec::new();

    // Periods and groups, as pre_process_did.
    let mut tidx: Vec<usize> = (0..t_all).collect();
    let mut ugroup: Vec<f64> = panel.group.clone();
    // Units first treated after the last period (allowing for anticipation) are never
    // treated within the data, as did::pre_process_did recodes them.
    let last = panel.times[t_all - 1];
    let late: Vec<f64> = sorted_unique(ugroup.iter().copied().filter(|g| *g > last + delta));
    if !late.is_empty() {
        let n = ugroup.iter().filter(|g| **g > last + delta).count();
        for g in &mut ugroup {
            if *g > last + delta {
                *g = 0.0;
            }
        }
        notes.push(format!(
            "{n} unit(s) first treated after the last period {last} (in {}) count as never treated, as in did",
            late.iter().map(|g| g.to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut glist: Vec<f64> = sorted_unique(ugroup.iter().copied().filter(|g| *g > 0.0));
    if !ugroup.contains(&0.0) {
        let Some(&latest) = glist.last() else {
            return Err(Error::NoGroups);
        };
        let cutoff = latest - delta;
        tidx.retain(|&s| panel.times[s] < cutoff);
        match options.control {
            ControlGroup::NeverTreated => {
                for g in &mut ugroup {
                    if *g == latest {
                        *g = 0.0;
                    }
                }
                notes.push(format!(
                    "no never-treated units: the last cohort (first treated in {latest}) is used as never treated, and the periods from {cutoff} on are dropped"
                ));
            }
            ControlGroup::NotYetTreated => notes.push(format!(
                "no never-treated units: the last cohort (first treated in {latest}) serves only as comparison, and the periods from {cutoff} on are dropped"
            )),
        }
        glist.retain(|g| *g < latest);
    }
    if tidx.len() < 2 {
        return Err(Error::Input(
            "fewer than two periods remain before the last cohort is treated".into(),
        ));
    }
    let times: Vec<f64> = tidx.iter().map(|&s| panel.times[s]).collect();
    let first = times[0];
    glist.retain(|g| *g > first + delta);
    // Units treated in the first period (or before).
    let keep: Vec<usize> = (0..n_all)
        .filter(|&i| ugroup[i] == 0.0 || ugroup[i] > first + delta)
        .collect();
    let dropped = n_all - keep.len();
    if dropped > 0 {
        notes.push(format!(
            "dropped {dropped} units that were already treated in the first period ({first})"
        ));
    }
    let unit_group: Vec<f64> = keep.iter().map(|&i| ugroup[i]).collect();
    let n = keep.len();
    if glist.is_empty() {
        return Err(Error::NoGroups);
    }
    // Small groups.
    let reqsize = k + 5;
    let mut sizes: BTreeMap<OrdF64, usize> = BTreeMap::new();
    for &g in &unit_group {
        *sizes.entry(OrdF64(g)).or_default() += 1;
    }
    let small: Vec<String> = sizes
        .iter()
        .filter(|(_, c)| **c < reqsize)
        .map(|(g, c)| format!("{} ({c} units)", g.0))
        .collect();
    if !small.is_empty() {
        notes.push(format!(
            "some groups have fewer than {reqsize} units (number of covariates + 5), which may make the estimates unreliable: {}",
            small.join(", ")
        ));
        if options.control == ControlGroup::NeverTreated
            && sizes.get(&OrdF64(0.0)).is_some_and(|c| *c < reqsize)
        {
            return Err(Error::Control(format!(
                "the never-treated group has {} units, fewer than {reqsize} (number of covariates + 5): too small to serve as comparison; use the not-yet-treated units (--control notyet)",
                sizes[&OrdF64(0.0)]
            )));
        }
    }
    if options.control == ControlGroup::NeverTreated && !sizes.contains_key(&OrdF64(0.0)) {
        return Err(Error::Control("there are no never-treated units".into()));
    }

    let nt = times.len();
    let (tlen, tfac) = match options.base_period {
        BasePeriod::Varying => (nt - 1, 1),
        BasePeriod::Universal => (nt, 0),
    };
    let mut rows = Vec::new();
    let mut influence = Vec::new();
    let y_at = |unit: usize, s: usize| panel.y[keep[unit] * t_all + tidx[s]];
    let x_at = |unit: usize, s: usize, j: usize| panel.x[(keep[unit] * t_all + tidx[s]) * k + j];

    for &g in &glist {
        // The last period before treatment (minus anticipation).
        let last_pre = times.iter().rposition(|&t| t + delta < g);
        for ti in 0..tlen {
            let cur = ti + tfac;
            let mut pret = ti;
            if options.base_period == BasePeriod::Universal {
                match last_pre {
                    Some(p) => pret = p,
                    None => break,
                }
            }
            // Comparison units of this cell (before pret moves to g − δ − 1).
            let ctime = times[pret.max(ti) + tfac];
            let is_control = |gi: f64| match options.control {
                ControlGroup::NeverTreated => gi == 0.0,
                ControlGroup::NotYetTreated => gi == 0.0 || (gi > ctime + delta && gi != g),
            };
            if g <= times[cur] {
                match last_pre {
                    Some(p) => pret = p,
                    None => {
                        notes.push(format!(
                            "group {g} has no pre-treatment period and is not estimated"
                        ));
                        break;
                    }
                }
            }
            if options.base_period == BasePeriod::Universal && pret == cur {
                rows.push(AttGt {
                    group: g,
                    time: times[cur],
                    base: times[pret],
                    att: 0.0,
                    se: None,
                    post: false,
                    n_treated: unit_group.iter().filter(|&&u| u == g).count(),
                    n_control: 0,
                });
                influence.push(vec![0.0; n]);
                continue;
            }
            let post = g <= times[cur];
            let early = cur.min(pret);
            let mut idx = Vec::new();
            let mut d = Vec::new();
            let mut dy = Vec::new();
            let mut xs = Vec::new();
            for (i, &gi) in unit_group.iter().enumerate() {
                let treated = gi == g;
                if !(treated || is_control(gi)) {
                    continue;
                }
                idx.push(i);
                d.push(if treated { 1.0 } else { 0.0 });
                dy.push(y_at(i, cur) - y_at(i, pret));
                xs.push(1.0);
                for j in 0..k {
                    xs.push(x_at(i, early, j));
                }
            }
            let n1 = idx.len();
            let n_treated = d.iter().filter(|v| **v == 1.0).count();
            let cell = Cell {
                group: g,
                time: times[cur],
            };
            if n_treated == 0 {
                return Err(cell.empty("treated"));
            }
            if n_treated == n1 {
                return Err(cell.empty("comparison"));
            }
            let est = two_period(options.method, &dy, &d, &xs, k + 1, cell)?;
            let scale = n as f64 / n1 as f64;
            let mut psi = vec![0.0; n];
            for (&i, v) in idx.iter().zip(&est.influence) {
                psi[i] = v * scale;
            }
            rows.push(AttGt {
                group: g,
                time: times[cur],
                base: times[pret],
                att: est.att,
                se: se_of(&psi),
                post,
                n_treated,
                n_control: n1 - n_treated,
            });
            influence.push(psi);
        }
    }

    let wald = wald_pretest(&rows, &influence, n, &mut notes);
    Ok(AttGtResult {
        rows,
        influence,
        unit_group,
        unit_index: keep,
        times,
        groups: glist,
        wald,
        notes,
        options: *options,
    })
}

/// The pre-trend Wald test of `did::att_gt`: over the pre-treatment ATT(g, t) (g > t)
/// with a standard error, W = n · aᵀ V⁻¹ a with V = ΨᵀΨ / n, χ² with q = dim(a) degrees
/// of freedom. Not computed (a note says why) when there is no such ATT, or when V is
/// numerically singular — reciprocal 1-norm condition number ≤ ε, as `did` checks with
/// `rcond` — which happens when pre-treatment effects are linear combinations of one
/// another.
fn wald_pretest(
    rows: &[AttGt],
    influence: &[Vec<f64>],
    n: usize,
    notes: &mut Vec<String>,
) -> Option<Wald> {
    let pre: Vec<usize> = (0..rows.len())
        .filter(|&j| rows[j].group > rows[j].time && rows[j].se.is_some())
        .collect();
    let q = pre.len();
    if q == 0 {
        notes.push(
            "no pre-treatment periods to test: the pre-trend Wald test is not computed".into(),
        );
        return None;
    }
    let nf = n as f64;
    let mut v = vec![0.0; q * q];
    for a in 0..q {
        for b in a..q {
            let s: f64 = influence[pre[a]]
                .iter()
                .zip(&influence[pre[b]])
                .map(|(x, y)| x * y)
                .sum::<f64>()
                / nf;
            v[a * q + b] = s;
            v[b * q + a] = s;
        }
    }
    let inv = linalg::invert(&v, q);
    let singular = match &inv {
        None => true,
        Some(inv) => linalg::rcond(&v, inv, q) <= f64::EPSILON,
    };
    if singular {
        notes.push(
            "the covariance of the pre-treatment ATT(g,t) is singular: the pre-trend Wald test is not computed"
                .into(),
        );
        return None;
    }
    let inv = inv?;
    let a: Vec<f64> = pre.iter().map(|&j| rows[j].att).collect();
    let mut w = 0.0;
    for r in 0..q {
        for c in 0..q {
            w += a[r] * inv[r * q + c] * a[c];
        }
    }
    let w = nf * w;
    Some(Wald {
        statistic: w,
        df: q,
        p_value: chi2_upper(w, q as f64),
    })
}

#[derive(Debug, Clone, Copy)]
struct Cell {
    group: f64,
    time: f64,
}

impl Cell {
    fn empty(self, which: &'static str) -> Error {
        Error::Empty {
            group: self.group,
            time: self.time,
            which,
        }
    }
}

/// A two-period estimate: the ATT and its influence function over the units used.
#[derive(Debug, Clone, PartialEq)]
struct TwoPeriod {
    att: f64,
    influence: Vec<f64>,
}

/// The two-period panel DiD estimators of `DRDID`, with unit weights 1. Inputs: ΔY, the
/// treatment indicator D, the design X (n₁ × p, first column 1). With n₁ units:
///
/// - `Reg` (`reg_did_panel`): β̂ = OLS of ΔY on X over D = 0; ATT = mean_{D=1}(ΔY − Xβ̂).
///   ψ = [D(ΔY − η₁)]/p̄ − [D(Xβ̂ − η₀) + (1−D)(ΔY − Xβ̂) Xᵀ (X'(1−D)X/n₁)⁻¹ M₁]/p̄,
///   p̄ = mean(D), M₁ = mean(D·X).
/// - `Ipw` (`std_ipw_did_panel`): π̂ from a logit of D on X; w₁ = D, w₀ = π̂(1−D)/(1−π̂);
///   ATT = Σw₁ΔY/Σw₁ − Σw₀ΔY/Σw₀, with the logit's estimation effect in ψ.
/// - `Dr` (`drdid_panel`): w₁, w₀ as `Ipw` applied to ΔY − Xβ̂ (β̂ the OLS on the
///   comparison units), with the estimation effects of both β̂ and π̂ in ψ.
///
/// π̂ is clipped at 1 − 10⁻⁶ and comparison units with π̂ ≥ 0.995 are trimmed (`DRDID`'s
/// `trim.level`). Errors: a singular regression on the comparison units (rcond(X'X) < ε,
/// `did`'s check), a logit that does not converge or is singular, or overlap failure
/// (max π̂ ≥ 0.999, `did`'s check).
#[allow(clippy::needless_range_loop)] // the formulas index several vectors by unit
fn two_period(
    method: Method,
    dy: &[f64],
    d: &[f64],
    x: &[f64],
    p: usize,
    cell: Cell,
) -> Result<TwoPeriod, Error> {
    let n1 = dy.len();
    let nf = n1 as f64;
    let row = |i: usize| &x[i * p..(i + 1) * p];

    // Outcome regression on the comparison units.
    let ols = || -> Result<Ols, Error> {
        let mut xtx = vec![0.0; p * p];
        let mut xty = vec![0.0; p];
        for i in (0..n1).filter(|&i| d[i] == 0.0) {
            let r = row(i);
            for a in 0..p {
                xty[a] += r[a] * dy[i];
                for b in 0..p {
                    xtx[a * p + b] += r[a] * r[b];
                }
            }
        }
        let singular = || Error::Singular {
            group: cell.group,
            time: cell.time,
            what: "outcome regression on the comparison units",
            units: "comparison",
        };
        let inv = linalg::invert(&xtx, p).ok_or_else(singular)?;
        if linalg::rcond(&xtx, &inv, p) < f64::EPSILON {
            return Err(singular());
        }
        let beta = linalg::mat_vec(&inv, &xty, p);
        let fitted: Vec<f64> = (0..n1).map(|i| linalg::dot(row(i), &beta)).collect();
        // (X'(1−D)X / n₁)⁻¹ = n₁ (X'(1−D)X)⁻¹
        let xpx_inv: Vec<f64> = inv.iter().map(|v| v * nf).collect();
        Ok((beta, fitted, xpx_inv))
    };
    // Asymptotic linear representation of the OLS: (1−D)(ΔY − Xβ̂) Xᵀ (X'X/n₁)⁻¹ · M.
    let ols_effect = |fitted: &[f64], xpx_inv: &[f64], m: &[f64]| -> Vec<f64> {
        let a = linalg::mat_vec(xpx_inv, m, p);
        (0..n1)
            .map(|i| (1.0 - d[i]) * (dy[i] - fitted[i]) * linalg::dot(row(i), &a))
            .collect()
    };

    match method {
        Method::Reg => {
            let (_, fitted, xpx_inv) = ols()?;
            let mean_d = d.iter().sum::<f64>() / nf;
            let eta1 = (0..n1).map(|i| d[i] * dy[i]).sum::<f64>() / nf / mean_d;
            let eta0 = (0..n1).map(|i| d[i] * fitted[i]).sum::<f64>() / nf / mean_d;
            let mut m1 = vec![0.0; p];
            for i in 0..n1 {
                for (a, v) in row(i).iter().enumerate() {
                    m1[a] += d[i] * v / nf;
                }
            }
            let e = ols_effect(&fitted, &xpx_inv, &m1);
            let influence = (0..n1)
                .map(|i| {
                    let treat = (d[i] * dy[i] - d[i] * eta1) / mean_d;
                    let cont = (d[i] * fitted[i] - d[i] * eta0 + e[i]) / mean_d;
                    treat - cont
                })
                .collect();
            Ok(TwoPeriod {
                att: eta1 - eta0,
                influence,
            })
        }
        Method::Ipw | Method::Dr => {
            let logit = logit_fit(d, x, p, cell)?;
            let max_ps = logit.p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if max_ps >= 0.999 {
                return Err(Error::Overlap {
                    group: cell.group,
                    time: cell.time,
                    max_ps,
                });
            }
            let ps: Vec<f64> = logit.p.iter().map(|v| v.min(1.0 - 1e-6)).collect();
            let trim: Vec<f64> = (0..n1)
                .map(|i| {
                    if d[i] == 1.0 || ps[i] < 0.995 {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            let w1: Vec<f64> = (0..n1).map(|i| trim[i] * d[i]).collect();
            let w0: Vec<f64> = (0..n1)
                .map(|i| trim[i] * ps[i] * (1.0 - d[i]) / (1.0 - ps[i]))
                .collect();
            let (resid, ols_parts) = if method == Method::Dr {
                let (_, fitted, xpx_inv) = ols()?;
                let r: Vec<f64> = (0..n1).map(|i| dy[i] - fitted[i]).collect();
                (r, Some((fitted, xpx_inv)))
            } else {
                (dy.to_vec(), None)
            };
            let mw1 = w1.iter().sum::<f64>() / nf;
            let mw0 = w0.iter().sum::<f64>() / nf;
            let eta1 = (0..n1).map(|i| w1[i] * resid[i]).sum::<f64>() / nf / mw1;
            let eta0 = (0..n1).map(|i| w0[i] * resid[i]).sum::<f64>() / nf / mw0;
            // Logit's linear representation: (D − π̂) Xᵀ (n₁ H⁻¹) · M₂.
            let mut m2 = vec![0.0; p];
            for i in 0..n1 {
                for (a, v) in row(i).iter().enumerate() {
                    m2[a] += w0[i] * (resid[i] - eta0) * v / nf;
                }
            }
            let hm2 = linalg::mat_vec(&logit.cov, &m2, p);
            let ps_effect: Vec<f64> = (0..n1)
                .map(|i| (d[i] - ps[i]) * linalg::dot(row(i), &hm2) * nf)
                .collect();
            let (treat_ols, cont_ols) = match &ols_parts {
                Some((fitted, xpx_inv)) => {
                    let mut m1 = vec![0.0; p];
                    let mut m3 = vec![0.0; p];
                    for i in 0..n1 {
                        for (a, v) in row(i).iter().enumerate() {
                            m1[a] += w1[i] * v / nf;
                            m3[a] += w0[i] * v / nf;
                        }
                    }
                    (
                        ols_effect(fitted, xpx_inv, &m1),
                        ols_effect(fitted, xpx_inv, &m3),
                    )
                }
                None => (vec![0.0; n1], vec![0.0; n1]),
            };
            let influence = (0..n1)
                .map(|i| {
                    let treat = (w1[i] * resid[i] - w1[i] * eta1 - treat_ols[i]) / mw1;
                    let cont = (w0[i] * resid[i] - w0[i] * eta0 + ps_effect[i] - cont_ols[i]) / mw0;
                    treat - cont
                })
                .collect();
            Ok(TwoPeriod {
                att: eta1 - eta0,
                influence,
            })
        }
    }
}

/// An OLS fit on the comparison units: β̂, the fitted values Xβ̂ of all units, and
/// (X'(1−D)X / n₁)⁻¹.
type Ols = (Vec<f64>, Vec<f64>, Vec<f64>);

/// A fitted logit: the probabilities and (X'WX)⁻¹ (R's `vcov` of the `glm`).
struct Logit {
    p: Vec<f64>,
    cov: Vec<f64>,
}

/// Maximum-likelihood logit of D on X by Newton–Raphson (equivalently IRLS, as R's
/// `glm(family = binomial)`), from β = 0, until the largest step is below 10⁻¹⁰ (at most
/// 100 iterations). The covariance is (X' diag(π̂(1−π̂)) X)⁻¹ at the estimate.
#[allow(clippy::needless_range_loop)]
fn logit_fit(d: &[f64], x: &[f64], p: usize, cell: Cell) -> Result<Logit, Error> {
    let n1 = d.len();
    let row = |i: usize| &x[i * p..(i + 1) * p];
    let singular = || Error::Singular {
        group: cell.group,
        time: cell.time,
        what: "propensity-score logit",
        units: "treated and comparison",
    };
    let mut beta = vec![0.0; p];
    let mut probs = vec![0.5; n1];
    for _ in 0..100 {
        let mut h = vec![0.0; p * p];
        let mut grad = vec![0.0; p];
        for i in 0..n1 {
            let r = row(i);
            let pi = crate::stats::inv_logit(linalg::dot(r, &beta));
            probs[i] = pi;
            let w = pi * (1.0 - pi);
            for a in 0..p {
                grad[a] += (d[i] - pi) * r[a];
                for b in 0..p {
                    h[a * p + b] += w * r[a] * r[b];
                }
            }
        }
        let inv = linalg::invert(&h, p).ok_or_else(singular)?;
        let step = linalg::mat_vec(&inv, &grad, p);
        let max_step = step.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
        }
        if !max_step.is_finite() {
            return Err(Error::NoConvergence {
                group: cell.group,
                time: cell.time,
            });
        }
        if max_step < 1e-10 {
            let mut h = vec![0.0; p * p];
            for i in 0..n1 {
                let r = row(i);
                let pi = crate::stats::inv_logit(linalg::dot(r, &beta));
                probs[i] = pi;
                let w = pi * (1.0 - pi);
                for a in 0..p {
                    for b in 0..p {
                        h[a * p + b] += w * r[a] * r[b];
                    }
                }
            }
            let cov = linalg::invert(&h, p).ok_or_else(singular)?;
            if linalg::rcond(&h, &cov, p) < f64::EPSILON {
                return Err(singular());
            }
            return Ok(Logit { p: probs, cov });
        }
    }
    Err(Error::NoConvergence {
        group: cell.group,
        time: cell.time,
    })
}

/// Upper tail of the χ² distribution with `df` degrees of freedom: Q(df/2, w/2), the
/// regularised upper incomplete gamma function (series below a + 1, Lentz continued
/// fraction above; Numerical Recipes 3rd ed. §6.2).
pub fn chi2_upper(w: f64, df: f64) -> f64 {
    if w.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if w <= 0.0 {
        return 1.0;
    }
    let a = df / 2.0;
    let x = w / 2.0;
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // P(a, x) by its series.
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut dd = 1.0 / b;
        let mut h = dd;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            dd = an * dd + b;
            if dd.abs() < tiny {
                dd = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            dd = 1.0 / dd;
            let del = dd * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        ln_front.exp() * h
    }
}

/// The aggregation of ATT(g, t) (`did::aggte`'s `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregationType {
    /// One number: post-treatment ATT(g, t) weighted by group size.
    Simple,
    /// Per group, the mean of its post-treatment ATT(g, t); overall, weighted by group size.
    Group,
    /// Per event time e = t − g, weighted by group size; overall, the mean over e ≥ 0.
    Dynamic,
    /// Per period, post-treatment ATT(g, t) weighted by group size; overall, the mean.
    Calendar,
}

impl AggregationType {
    /// The name `did` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Group => "group",
            Self::Dynamic => "dynamic",
            Self::Calendar => "calendar",
        }
    }
}

/// Options of [`aggregate`]: the event-time window of `dynamic` (`min_e`, `max_e`, which
/// also bounds the post-treatment periods of `simple` and `group`) and `balance_e`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AggOptions {
    /// Smallest event time shown (`dynamic`); −∞ by default.
    pub min_e: f64,
    /// Largest event time used; +∞ by default.
    pub max_e: f64,
    /// Keep only groups observed for at least this many periods after treatment, and
    /// event times up to it (`dynamic`); none by default.
    pub balance_e: Option<f64>,
}

impl Default for AggOptions {
    fn default() -> Self {
        Self {
            min_e: f64::NEG_INFINITY,
            max_e: f64::INFINITY,
            balance_e: None,
        }
    }
}

/// One row of an aggregation: the group, event time or period, its ATT and standard error.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AggRow {
    /// The group (`group`), the event time (`dynamic`) or the period (`calendar`).
    pub egt: f64,
    /// The aggregated ATT.
    pub att: f64,
    /// Its analytic standard error.
    pub se: Option<f64>,
}

/// An aggregation of the ATT(g, t).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Aggregation {
    /// Which aggregation.
    #[serde(rename = "type")]
    pub kind: AggregationType,
    /// The rows (none for `simple`).
    pub rows: Vec<AggRow>,
    /// The overall ATT.
    pub overall_att: f64,
    /// Its analytic standard error.
    pub overall_se: Option<f64>,
}

/// Aggregates the ATT(g, t) as `did::aggte` (`bstrap = FALSE`). With P(G = g) = the share
/// of units in group g (pg):
///
/// - `simple`: θ = Σ_{post} pg·ATT(g,t) / Σ_{post} pg, post = {g ≤ t ≤ g + max_e};
/// - `group`: θ(g) = mean of ATT(g, t) over t ∈ [g, g + max_e]; overall Σ pg·θ(g) / Σ pg;
/// - `dynamic`: θ(e) = Σ_{t−g=e} pg·ATT(g,t) / Σ pg for min_e ≤ e ≤ max_e; overall, the
///   mean of θ(e) over e ≥ 0;
/// - `calendar`: θ(t) = Σ_{g ≤ t} pg·ATT(g,t) / Σ pg for t ≥ min g; overall, the mean.
///
/// Each standard error comes from the aggregated influence function Σ w·ψ plus, where
/// the weights are estimated group shares, their own influence function (`did`'s `wif`):
/// for weights w_k = pg_k / Σ pg, ψ_w,k = (1{G=g_k} − pg_k)/Σpg − Σ_l(1{G=g_l} − pg_l) ·
/// pg_k/(Σpg)², added as Σ_k ψ_w,k·ATT_k. The overall `group`, `dynamic` and `calendar`
/// errors combine the per-row influence functions the same way (with the group-share
/// term for `group`).
pub fn aggregate(res: &AttGtResult, kind: AggregationType, opt: &AggOptions) -> Aggregation {
    let n = res.n();
    let nf = n as f64;
    let rows = &res.rows;
    let pg_of = |g: f64| res.unit_group.iter().filter(|&&u| u == g).count() as f64 / nf;
    let pg: Vec<f64> = rows.iter().map(|r| pg_of(r.group)).collect();
    let group_of_row: Vec<f64> = rows.iter().map(|r| r.group).collect();
    let keepers: Vec<usize> = (0..rows.len())
        .filter(|&j| rows[j].group <= rows[j].time && rows[j].time - rows[j].group <= opt.max_e)
        .collect();
    let att: Vec<f64> = rows.iter().map(|r| r.att).collect();

    match kind {
        AggregationType::Simple => {
            let (theta, psi) = combine(
                &att,
                &res.influence,
                &keepers,
                &pg,
                Some((&group_of_row, &res.unit_group)),
            );
            Aggregation {
                kind,
                rows: vec![],
                overall_att: theta,
                overall_se: se_of(&psi),
            }
        }
        AggregationType::Group => {
            let (out, thetas, psis) = by_key(&res.groups, |g| {
                let which: Vec<usize> = keepers
                    .iter()
                    .copied()
                    .filter(|&j| rows[j].group == g)
                    .collect();
                if which.is_empty() {
                    (f64::NAN, vec![0.0; n])
                } else {
                    combine(&att, &res.influence, &which, &pg, None)
                }
            });
            let gpg: Vec<f64> = res.groups.iter().map(|&g| pg_of(g)).collect();
            let all: Vec<usize> = (0..res.groups.len())
                .filter(|&j| thetas[j].is_finite())
                .collect();
            let (theta, psi) = combine(
                &thetas,
                &psis,
                &all,
                &gpg,
                Some((&res.groups, &res.unit_group)),
            );
            Aggregation {
                kind,
                rows: out,
                overall_att: theta,
                overall_se: se_of(&psi),
            }
        }
        AggregationType::Dynamic => {
            let mut include = vec![true; rows.len()];
            let mut eseq = sorted_unique(rows.iter().map(|r| r.time - r.group));
            if let Some(be) = opt.balance_e {
                let max_t = *res.times.last().unwrap_or(&0.0);
                let min_gt = res
                    .times
                    .iter()
                    .chain(&res.groups)
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                for (j, r) in rows.iter().enumerate() {
                    include[j] = max_t - r.group >= be;
                }
                eseq = sorted_unique(
                    rows.iter()
                        .zip(&include)
                        .filter(|(_, i)| **i)
                        .map(|(r, _)| r.time - r.group),
                );
                eseq.retain(|&e| e <= be && e >= be - max_t + min_gt);
            }
            eseq.retain(|&e| e >= opt.min_e && e <= opt.max_e);
            let (out, thetas, psis) = by_key(&eseq, |e| {
                let which: Vec<usize> = (0..rows.len())
                    .filter(|&j| include[j] && rows[j].time - rows[j].group == e)
                    .collect();
                combine(
                    &att,
                    &res.influence,
                    &which,
                    &pg,
                    Some((&group_of_row, &res.unit_group)),
                )
            });
            let epos: Vec<usize> = (0..eseq.len()).filter(|&j| eseq[j] >= 0.0).collect();
            let (theta, psi) = mean_of(&thetas, &psis, &epos, n);
            Aggregation {
                kind,
                rows: out,
                overall_att: theta,
                overall_se: se_of(&psi),
            }
        }
        AggregationType::Calendar => {
            let min_g = rows.iter().map(|r| r.group).fold(f64::INFINITY, f64::min);
            let tlist = sorted_unique(rows.iter().map(|r| r.time).filter(|&t| t >= min_g));
            let (out, thetas, psis) = by_key(&tlist, |t| {
                let which: Vec<usize> = (0..rows.len())
                    .filter(|&j| rows[j].time == t && rows[j].group <= t)
                    .collect();
                combine(
                    &att,
                    &res.influence,
                    &which,
                    &pg,
                    Some((&group_of_row, &res.unit_group)),
                )
            });
            let all: Vec<usize> = (0..tlist.len()).collect();
            let (theta, psi) = mean_of(&thetas, &psis, &all, n);
            Aggregation {
                kind,
                rows: out,
                overall_att: theta,
                overall_se: se_of(&psi),
            }
        }
    }
}

/// One row per key (a group, an event time, a period) with the estimate and influence
/// function `cell` gives for it; also the estimates and influence functions, for the
/// overall figure.
fn by_key(
    keys: &[f64],
    mut cell: impl FnMut(f64) -> (f64, Vec<f64>),
) -> (Vec<AggRow>, Vec<f64>, Vec<Vec<f64>>) {
    let mut out = Vec::with_capacity(keys.len());
    let mut thetas = Vec::with_capacity(keys.len());
    let mut psis = Vec::with_capacity(keys.len());
    for &k in keys {
        let (theta, psi) = cell(k);
        out.push(AggRow {
            egt: k,
            att: theta,
            se: se_of(&psi),
        });
        thetas.push(theta);
        psis.push(psi);
    }
    (out, thetas, psis)
}

/// θ = Σ_k w_k ATT_k with w_k = pg_k / Σ pg over `which`, and its influence function
/// Σ_k w_k ψ_k, plus the weights' influence function (`wif`) when `groups` gives the
/// group of each entry and the group of each unit.
fn combine(
    att: &[f64],
    psi: &[Vec<f64>],
    which: &[usize],
    pg: &[f64],
    groups: Option<(&[f64], &[f64])>,
) -> (f64, Vec<f64>) {
    let n = psi.first().map_or(0, Vec::len);
    let sum_pg: f64 = which.iter().map(|&j| pg[j]).sum();
    if which.is_empty() || sum_pg == 0.0 {
        return (f64::NAN, vec![0.0; n]);
    }
    let theta = which.iter().map(|&j| pg[j] * att[j]).sum::<f64>() / sum_pg;
    let mut out = vec![0.0; n];
    for &j in which {
        let w = pg[j] / sum_pg;
        for (o, v) in out.iter_mut().zip(&psi[j]) {
            *o += w * v;
        }
    }
    if let Some((entry_group, unit_group)) = groups {
        // wif: if1[i,k] = (1{G_i = g_k} − pg_k)/S; if2[i,k] = (Σ_l (1{G_i = g_l} − pg_l)) · pg_k/S²
        let s2 = sum_pg * sum_pg;
        let att_pg: f64 = which.iter().map(|&j| att[j] * pg[j]).sum::<f64>() / s2;
        for (i, o) in out.iter_mut().enumerate() {
            let gi = unit_group[i];
            let mut if1 = 0.0;
            let mut total = 0.0;
            for &j in which {
                let dev = if gi == entry_group[j] { 1.0 } else { 0.0 } - pg[j];
                if1 += dev / sum_pg * att[j];
                total += dev;
            }
            *o += if1 - total * att_pg;
        }
    }
    (theta, out)
}

/// The unweighted mean of `theta` over `which`, with the mean of their influence functions.
fn mean_of(theta: &[f64], psi: &[Vec<f64>], which: &[usize], n: usize) -> (f64, Vec<f64>) {
    if which.is_empty() {
        return (f64::NAN, vec![0.0; n]);
    }
    let m = which.len() as f64;
    let t = which.iter().map(|&j| theta[j]).sum::<f64>() / m;
    let mut out = vec![0.0; n];
    for &j in which {
        for (o, v) in out.iter_mut().zip(&psi[j]) {
            *o += v / m;
        }
    }
    (t, out)
}

/// Small dense linear algebra (row-major p × p).
mod linalg {
    pub fn dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    pub fn mat_vec(m: &[f64], v: &[f64], p: usize) -> Vec<f64> {
        (0..p).map(|r| dot(&m[r * p..(r + 1) * p], v)).collect()
    }

    /// The inverse by Gauss–Jordan elimination with partial pivoting; `None` when a pivot
    /// is zero or the result is not finite.
    pub fn invert(a: &[f64], p: usize) -> Option<Vec<f64>> {
        let mut m = a.to_vec();
        let mut inv = vec![0.0; p * p];
        for i in 0..p {
            inv[i * p + i] = 1.0;
        }
        for col in 0..p {
            let piv = (col..p)
                .max_by(|&r1, &r2| m[r1 * p + col].abs().total_cmp(&m[r2 * p + col].abs()))?;
            if m[piv * p + col] == 0.0 {
                return None;
            }
            if piv != col {
                for c in 0..p {
                    m.swap(piv * p + c, col * p + c);
                    inv.swap(piv * p + c, col * p + c);
                }
            }
            let d = m[col * p + col];
            for c in 0..p {
                m[col * p + c] /= d;
                inv[col * p + c] /= d;
            }
            for r in 0..p {
                if r != col {
                    let f = m[r * p + col];
                    if f != 0.0 {
                        for c in 0..p {
                            m[r * p + c] -= f * m[col * p + c];
                            inv[r * p + c] -= f * inv[col * p + c];
                        }
                    }
                }
            }
        }
        inv.iter().all(|v| v.is_finite()).then_some(inv)
    }

    fn norm1(a: &[f64], p: usize) -> f64 {
        (0..p)
            .map(|c| (0..p).map(|r| a[r * p + c].abs()).sum::<f64>())
            .fold(0.0, f64::max)
    }

    /// The reciprocal 1-norm condition number 1 / (‖A‖₁ ‖A⁻¹‖₁) (what R's `rcond`
    /// estimates).
    pub fn rcond(a: &[f64], inv: &[f64], p: usize) -> f64 {
        let r = 1.0 / (norm1(a, p) * norm1(inv, p));
        if r.is_finite() { r } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi2_upper_against_tables() {
        // χ²(1) 0.95 quantile 3.841459, χ²(5) 0.99 quantile 15.08627, χ²(10) 0.5 quantile 9.341818
        assert!((chi2_upper(3.841_459, 1.0) - 0.05).abs() < 1e-7);
        assert!((chi2_upper(15.086_27, 5.0) - 0.01).abs() < 1e-7);
        assert!((chi2_upper(9.341_818, 10.0) - 0.5).abs() < 1e-7);
        assert_eq!(chi2_upper(0.0, 3.0), 1.0);
    }

    #[test]
    fn invert_and_rcond() {
        let a = [4.0, 1.0, 1.0, 3.0];
        let inv = linalg::invert(&a, 2).unwrap();
        let id = [
            a[0] * inv[0] + a[1] * inv[2],
            a[0] * inv[1] + a[1] * inv[3],
            a[2] * inv[0] + a[3] * inv[2],
            a[2] * inv[1] + a[3] * inv[3],
        ];
        for (v, e) in id.iter().zip([1.0, 0.0, 0.0, 1.0]) {
            assert!((v - e).abs() < 1e-14);
        }
        assert!(
            linalg::invert(&[1.0, 2.0, 2.0, 4.0], 2).is_none_or(|i| linalg::rcond(
                &[1.0, 2.0, 2.0, 4.0],
                &i,
                2
            ) < f64::EPSILON)
        );
    }
}
