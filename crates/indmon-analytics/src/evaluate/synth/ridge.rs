//! Ridge-augmented synthetic control (Ben-Michael, Feller & Rothstein 2021, "The
//! Augmented Synthetic Control Method", JASA), as R `augsynth` computes it with
//! `progfunc = "Ridge"`, `scm = TRUE`, no covariates, no fixed effects
//! (`fit_ridgeaug_formatted`, `cv_lambda`, `get_lambda_errors`, `choose_lambda`):
//!
//! - `X` = the pre-treatment outcomes (J donors × T₀ periods), centred by the donor
//!   mean of each period: `X_c`, and the treated unit's `X₁` centred the same way.
//! - SCM weights `γ` on the simplex minimising ‖X₁ − X_cᵀγ‖² (uniform V over the
//!   pre-periods; centring does not change them since Σγ = 1).
//! - Ridge correction: `w = γ + X_c (X_cᵀX_c + λI)⁻¹ (X₁ − X_cᵀγ)` (weights still sum
//!   to one because the columns of `X_c` sum to zero over the donors).
//! - λ by cross-validation: `λ_max` = largest squared singular value of `X_c`; the grid
//!   `λ_max · s^k`, k = 0…n_λ (21 values with n_λ = 20), `s = ratio^{1/n_λ}`,
//!   `ratio = 1e-8`; for each period i = 1 … T₀ − 1 held out in turn (holdout length
//!   1; the last period is never held out, as in `augsynth`), SCM and ridge are refitted
//!   on the other periods and the held-out squared error recorded; λ is the largest
//!   value whose mean error is within one standard error (sd/√folds) of the minimum
//!   (`min_1se = TRUE`).
//! - L2 imbalance ‖X₀ᵀw − X₁‖ of the raw pre-period outcomes, and scaled by that of
//!   uniform weights; estimated bias of the SCM estimate = the ridge correction's
//!   effect on the counterfactual, i.e. ATT(SCM) − ATT(augmented).

use super::linalg::{solve, symmetric_eigen};
use super::qp;
use serde::Serialize;

/// Result of [`ridge_augment`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RidgeFit {
    /// The SCM weights γ (simplex).
    pub scm_weights: Vec<f64>,
    /// The augmented weights (sum to one; can be negative).
    pub weights: Vec<f64>,
    /// The λ used.
    pub lambda: f64,
    /// The λ grid (empty when λ was given).
    pub lambdas: Vec<f64>,
    /// Mean held-out squared error per λ.
    pub cv_errors: Vec<f64>,
    /// Its standard error per λ.
    pub cv_errors_se: Vec<f64>,
    /// ‖X₀ᵀγ − X₁‖ over the pre-periods.
    pub l2_imbalance_scm: f64,
    /// ‖X₀ᵀw − X₁‖ over the pre-periods.
    pub l2_imbalance: f64,
    /// ‖X₀ᵀγ − X₁‖ / ‖X₀ᵀū − X₁‖ (ū uniform weights).
    pub scaled_l2_imbalance_scm: f64,
    /// ‖X₀ᵀw − X₁‖ / ‖X₀ᵀū − X₁‖.
    pub scaled_l2_imbalance: f64,
}

fn scm(x0: &[Vec<f64>], x1: &[f64]) -> Vec<f64> {
    let v = vec![1.0; x1.len()];
    let (p, q) = qp::normal_equations(x0, x1, &v);
    qp::simplex_qp(&p, &q, x0.len()).w
}

/// γ + X_c (X_cᵀX_c + λI)⁻¹ (X₁ − X_cᵀγ), with donors' rows `xc[j]` over T periods.
fn ridge_weights(xc: &[Vec<f64>], x1: &[f64], gamma: &[f64], lambda: f64) -> Option<Vec<f64>> {
    let t = x1.len();
    let j = xc.len();
    let mut a = vec![0.0; t * t];
    for r in 0..t {
        for c in 0..t {
            a[r * t + c] =
                xc.iter().map(|x| x[r] * x[c]).sum::<f64>() + if r == c { lambda } else { 0.0 };
        }
    }
    let resid: Vec<f64> = (0..t)
        .map(|r| x1[r] - (0..j).map(|k| gamma[k] * xc[k][r]).sum::<f64>())
        .collect();
    let z = solve(&a, &resid, t)?;
    Some(
        (0..j)
            .map(|k| gamma[k] + xc[k].iter().zip(&z).map(|(a, b)| a * b).sum::<f64>())
            .collect(),
    )
}

fn l2(x0: &[Vec<f64>], x1: &[f64], w: &[f64]) -> f64 {
    (0..x1.len())
        .map(|r| {
            let e = w.iter().zip(x0).map(|(wk, x)| wk * x[r]).sum::<f64>() - x1[r];
            e * e
        })
        .sum::<f64>()
        .sqrt()
}

/// Ridge-augmented SCM on the pre-period outcomes: donors' rows `x0[j]` (T₀ periods)
/// and the treated unit's `x1`. `lambda`: a fixed λ, or `None` for the
/// cross-validation rule (module docs). Needs T₀ ≥ 2 for the cross-validation.
pub fn ridge_augment(x0: &[Vec<f64>], x1: &[f64], lambda: Option<f64>) -> Option<RidgeFit> {
    let t = x1.len();
    let j = x0.len();
    if j == 0 || t == 0 {
        return None;
    }
    let means: Vec<f64> = (0..t)
        .map(|r| x0.iter().map(|x| x[r]).sum::<f64>() / j as f64)
        .collect();
    let xc: Vec<Vec<f64>> = x0
        .iter()
        .map(|x| x.iter().zip(&means).map(|(a, m)| a - m).collect())
        .collect();
    let x1c: Vec<f64> = x1.iter().zip(&means).map(|(a, m)| a - m).collect();
    let gamma = scm(&xc, &x1c);
    let (lambda, lambdas, errs, ses) = match lambda {
        Some(l) => (l, vec![], vec![], vec![]),
        None => {
            if t < 2 {
                return None;
            }
            // λ_max: the largest eigenvalue of X_cᵀX_c.
            let mut g = vec![0.0; t * t];
            for r in 0..t {
                for c in 0..t {
                    g[r * t + c] = xc.iter().map(|x| x[r] * x[c]).sum();
                }
            }
            let lmax = symmetric_eigen(&g, t).0.into_iter().fold(0.0_f64, f64::max);
            let n_lambda = 20;
            let s = 1e-8_f64.powf(1.0 / n_lambda as f64);
            let lambdas: Vec<f64> = (0..=n_lambda).map(|k| lmax * s.powi(k)).collect();
            let folds = t - 1;
            let mut errors = vec![vec![0.0; lambdas.len()]; folds];
            for (i, row) in errors.iter_mut().enumerate() {
                let keep: Vec<usize> = (0..t).filter(|r| *r != i).collect();
                let xt: Vec<Vec<f64>> = xc
                    .iter()
                    .map(|x| keep.iter().map(|&r| x[r]).collect())
                    .collect();
                let x1t: Vec<f64> = keep.iter().map(|&r| x1c[r]).collect();
                let syn = scm(&xt, &x1t);
                for (li, &l) in lambdas.iter().enumerate() {
                    let w = ridge_weights(&xt, &x1t, &syn, l)?;
                    let e = x1c[i] - w.iter().zip(&xc).map(|(wk, x)| wk * x[i]).sum::<f64>();
                    row[li] = e * e;
                }
            }
            let nf = folds as f64;
            let errs: Vec<f64> = (0..lambdas.len())
                .map(|li| errors.iter().map(|r| r[li]).sum::<f64>() / nf)
                .collect();
            let ses: Vec<f64> = (0..lambdas.len())
                .map(|li| {
                    let m = errs[li];
                    if folds < 2 {
                        return 0.0;
                    }
                    let var = errors.iter().map(|r| (r[li] - m).powi(2)).sum::<f64>() / (nf - 1.0);
                    var.sqrt() / nf.sqrt()
                })
                .collect();
            let min_idx = (0..errs.len())
                .min_by(|&a, &b| errs[a].total_cmp(&errs[b]))
                .unwrap_or(0);
            let bound = errs[min_idx] + ses[min_idx];
            let chosen = lambdas
                .iter()
                .zip(&errs)
                .filter(|(_, e)| **e <= bound)
                .map(|(l, _)| *l)
                .fold(f64::NEG_INFINITY, f64::max);
            (chosen, lambdas, errs, ses)
        }
    };
    let weights = ridge_weights(&xc, &x1c, &gamma, lambda)?;
    let uniform = vec![1.0 / j as f64; j];
    let unif = l2(x0, x1, &uniform);
    let l2_scm = l2(x0, x1, &gamma);
    let l2_aug = l2(x0, x1, &weights);
    Some(RidgeFit {
        scm_weights: gamma,
        weights,
        lambda,
        lambdas,
        cv_errors: errs,
        cv_errors_se: ses,
        l2_imbalance_scm: l2_scm,
        l2_imbalance: l2_aug,
        scaled_l2_imbalance_scm: l2_scm / unif,
        scaled_l2_imbalance: l2_aug / unif,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_lambda_is_plain_scm() {
        let x0 = vec![
            vec![1.0, 2.0, 3.0],
            vec![2.0, 2.5, 4.0],
            vec![0.5, 1.0, 1.0],
            vec![3.0, 3.0, 3.5],
        ];
        let x1 = vec![1.8, 2.4, 3.3];
        let f = ridge_augment(&x0, &x1, Some(1e15)).unwrap();
        for (a, b) in f.weights.iter().zip(&f.scm_weights) {
            assert!((a - b).abs() < 1e-9);
        }
        let cv = ridge_augment(&x0, &x1, None).unwrap();
        assert_eq!(cv.lambdas.len(), 21);
        assert!((cv.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(cv.l2_imbalance <= cv.l2_imbalance_scm + 1e-12);
    }
}
