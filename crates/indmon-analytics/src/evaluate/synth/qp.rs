//! The inner problem of the synthetic control: donor weights on the simplex.
//!
//! minimise ½ wᵀ P w − qᵀ w  subject to  w ≥ 0, Σ w = 1,
//!
//! with `P` symmetric positive semi-definite (`P = X₀ᵀ V X₀`, `q = X₀ᵀ V X₁`, so the
//! objective is ½‖X₁ − X₀ w‖²_V up to a constant). Solved exactly by a primal
//! active-set method (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §16.5):
//! the working set holds the weights fixed at zero; on the face of the free weights the
//! equality-constrained step is computed in the null space of `1ᵀ` (basis
//! `e_j − e_last`); when the reduced Hessian is singular the step is its minimum-norm
//! Newton step, or — if the gradient has a component in its null space — a direction of
//! zero curvature and linear descent followed to the nearest bound. The method starts at
//! the best vertex, so the free set stays small (the solution has at most
//! `rank(P) + 1` positive weights in general position). At the end the KKT conditions
//! hold: `g = P w − q`, `g_j = −μ` for every positive weight, `g_i + μ ≥ 0` for the zeros.
//!
//! `pysyncon` solves the same problem with SLSQP from equal weights (an iterative,
//! approximate solver); the exact solution here can differ from it in the last digits.

use super::linalg::{cholesky_solve, symmetric_eigen};

/// Result of [`simplex_qp`].
#[derive(Debug, Clone, PartialEq)]
pub struct QpSolution {
    /// The weights: non-negative, summing to one.
    pub w: Vec<f64>,
    /// The objective ½ wᵀ P w − qᵀ w at `w`.
    pub objective: f64,
    /// The multiplier μ of Σ w = 1 (so that `g_j + μ = 0` on the free weights).
    pub mu: f64,
    /// Active-set iterations used.
    pub iterations: usize,
}

/// Solves min ½ wᵀ P w − qᵀ w on the unit simplex (see the module docs). `p` is
/// row-major `n × n`, `q` has `n` entries; `n ≥ 1`.
pub fn simplex_qp(p: &[f64], q: &[f64], n: usize) -> QpSolution {
    assert!(n >= 1 && p.len() == n * n && q.len() == n);
    let obj = |w: &[f64]| -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            if w[i] == 0.0 {
                continue;
            }
            let mut pi = 0.0;
            for j in 0..n {
                pi += p[i * n + j] * w[j];
            }
            s += w[i] * (0.5 * pi - q[i]);
        }
        s
    };
    // Start at the best vertex.
    let start = (0..n)
        .min_by(|&a, &b| (0.5 * p[a * n + a] - q[a]).total_cmp(&(0.5 * p[b * n + b] - q[b])))
        .unwrap_or(0);
    let mut w = vec![0.0; n];
    w[start] = 1.0;
    let mut free = vec![start];
    let scale = (0..n).map(|i| p[i * n + i].abs()).fold(0.0_f64, f64::max)
        + q.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let max_iter = 50 * n + 100;
    let mut iterations = 0;
    let mut mu = 0.0;
    let mut last_released: Option<usize> = None;
    let mut at_face_minimum = false;
    while iterations < max_iter {
        iterations += 1;
        let g: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| p[i * n + j] * w[j]).sum::<f64>() - q[i])
            .collect();
        // After a full Newton step the point minimises the objective on its face: go
        // to the multipliers (computing the step again would only give rounding noise).
        let step = if at_face_minimum {
            None
        } else {
            let s = face_step(p, &g, &free, n, scale);
            let pnorm = s.dir.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
            (pnorm > 1e-13).then_some(s)
        };
        at_face_minimum = false;
        let Some(step) = step else {
            // Stationary on this face: check the multipliers of the zero weights.
            mu = -free.iter().map(|&j| g[j]).sum::<f64>() / free.len() as f64;
            let candidate = (0..n)
                .filter(|i| !free.contains(i))
                .map(|i| (i, g[i] + mu))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            match candidate {
                Some((i, lambda)) if lambda < -1e-11 * scale && last_released != Some(i) => {
                    free.push(i);
                    last_released = Some(i);
                }
                _ => break,
            }
            continue;
        };
        // Step length: 1 for a Newton step, unbounded for a descent ray; cut at the
        // first weight that reaches zero.
        let mut alpha = if step.ray { f64::INFINITY } else { 1.0 };
        let mut blocking = None;
        for (k, &j) in free.iter().enumerate() {
            let d = step.dir[k];
            if d < 0.0 {
                let a = -w[j] / d;
                if a < alpha {
                    alpha = a;
                    blocking = Some(k);
                }
            }
        }
        if !alpha.is_finite() {
            break; // cannot happen on the simplex (a non-zero direction summing to 0 has a negative entry)
        }
        for (k, &j) in free.iter().enumerate() {
            w[j] += alpha * step.dir[k];
            if w[j] < 0.0 {
                w[j] = 0.0;
            }
        }
        if let Some(k) = blocking {
            let j = free.remove(k);
            w[j] = 0.0;
        } else if !step.ray {
            at_face_minimum = true;
        }
        // A step of positive length ends the guard against releasing the same
        // weight again; a zero step that blocks on the weight just released keeps it
        // (degenerate case), so the method stops there instead of cycling.
        if alpha > 0.0 {
            last_released = None;
        }
    }
    // Remove rounding: weights summing to exactly one.
    let total: f64 = w.iter().sum();
    for v in &mut w {
        *v /= total;
    }
    QpSolution {
        objective: obj(&w),
        w,
        mu,
        iterations,
    }
}

struct Step {
    /// Direction on the free weights (in the order of `free`).
    dir: Vec<f64>,
    /// True when `dir` is a zero-curvature descent ray rather than a Newton step.
    ray: bool,
}

/// The equality-constrained step on the face of the free weights: minimise
/// ½ dᵀ P_FF d + g_Fᵀ d subject to Σ d = 0, with d = Z y, Z = [e_j − e_last].
fn face_step(p: &[f64], g: &[f64], free: &[usize], n: usize, scale: f64) -> Step {
    let k = free.len();
    if k <= 1 {
        return Step {
            dir: vec![0.0; k],
            ray: false,
        };
    }
    let m = k - 1;
    let last = free[k - 1];
    let pf = |a: usize, b: usize| p[a * n + b];
    let mut h = vec![0.0; m * m];
    let mut r = vec![0.0; m];
    for a in 0..m {
        let ia = free[a];
        r[a] = -(g[ia] - g[last]);
        for b in 0..m {
            let ib = free[b];
            h[a * m + b] = pf(ia, ib) - pf(ia, last) - pf(last, ib) + pf(last, last);
        }
    }
    let expand = |y: &[f64]| -> Vec<f64> {
        let mut d = y.to_vec();
        d.push(-y.iter().sum::<f64>());
        d
    };
    if let Some(y) = cholesky_solve(&h, &r, m, 1e-10) {
        return Step {
            dir: expand(&y),
            ray: false,
        };
    }
    // Singular reduced Hessian: eigen-decomposition.
    let (vals, vecs) = symmetric_eigen(&h, m);
    let vmax = vals.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    let tol = 1e-10 * vmax.max(1e-300);
    let mut y = vec![0.0; m];
    let mut ray = vec![0.0; m];
    let mut ray_size = 0.0_f64;
    for c in 0..m {
        let uc: Vec<f64> = (0..m).map(|i| vecs[i * m + c]).collect();
        let proj: f64 = uc.iter().zip(&r).map(|(u, v)| u * v).sum();
        if vals[c] > tol {
            for i in 0..m {
                y[i] += proj / vals[c] * uc[i];
            }
        } else {
            for i in 0..m {
                ray[i] += proj * uc[i];
            }
            ray_size = ray_size.max(proj.abs());
        }
    }
    let rnorm = r.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    if ray_size > 1e-11 * scale.max(rnorm) && ray_size > 1e-300 {
        // A direction of zero curvature along which the objective falls linearly.
        let norm = ray.iter().map(|v| v * v).sum::<f64>().sqrt();
        let y: Vec<f64> = ray.iter().map(|v| v / norm).collect();
        return Step {
            dir: expand(&y),
            ray: true,
        };
    }
    Step {
        dir: expand(&y),
        ray: false,
    }
}

/// `P = X₀ᵀ diag(v) X₀` and `q = X₀ᵀ diag(v) X₁` for donors given as columns
/// `x0[j]` (each of the `k` predictors) and the treated unit's predictors `x1`.
pub fn normal_equations(x0: &[Vec<f64>], x1: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x0.len();
    let mut p = vec![0.0; n * n];
    let mut q = vec![0.0; n];
    for i in 0..n {
        for j in i..n {
            let s: f64 = (0..v.len()).map(|k| v[k] * x0[i][k] * x0[j][k]).sum();
            p[i * n + j] = s;
            p[j * n + i] = s;
        }
        q[i] = (0..v.len()).map(|k| v[k] * x0[i][k] * x1[k]).sum();
    }
    (p, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_points() {
        // Treated at 0.3 between donors at 0 and 1: weights 0.7, 0.3.
        let x0 = vec![vec![0.0], vec![1.0]];
        let (p, q) = normal_equations(&x0, &[0.3], &[1.0]);
        let s = simplex_qp(&p, &q, 2);
        assert!((s.w[0] - 0.7).abs() < 1e-12 && (s.w[1] - 0.3).abs() < 1e-12);
    }

    #[test]
    fn outside_hull_goes_to_the_nearest_face() {
        let x0 = vec![vec![0.0, 0.0], vec![1.0, 0.0], vec![0.0, 1.0]];
        let (p, q) = normal_equations(&x0, &[2.0, 2.0], &[1.0, 1.0]);
        let s = simplex_qp(&p, &q, 3);
        assert!(s.w[0].abs() < 1e-12);
        assert!((s.w[1] - 0.5).abs() < 1e-12 && (s.w[2] - 0.5).abs() < 1e-12);
    }
}
