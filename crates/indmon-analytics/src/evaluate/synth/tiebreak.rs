//! The tie-break for non-unique donor weights.
//!
//! The inner problem `min_W ½‖X₁ − X₀W‖²_V` on the simplex is convex but not strictly
//! so: when the treated unit's predictors lie inside the donors' convex hull (or the
//! donors are collinear in the V-weighted predictor space), a whole face of weightings
//! attains the minimum, and which one a solver returns then decides the outcome fit.
//! All minimisers share the fitted predictors `A W` (`A = V^½ X₀`): if two had different
//! `A W`, their midpoint would be strictly better, by strict convexity of `‖·‖²`. So the
//! set of minimisers is exactly
//!
//! `S = { W ≥ 0, 1ᵀW = 1, A W = A W* }`
//!
//! for any minimiser `W*`. The tie-break chooses, within `S`, the W with the smallest
//! pre-period outcome loss `‖Z₁ − Z₀W‖²` over the optimise years — the criterion the
//! method's own outer problem uses for V (Abadie, Diamond & Hainmueller 2010, §2.3), so
//! the choice is the one the method would make between equally good predictor fits.
//! It is a second quadratic programme on `S`, solved exactly by a primal active-set
//! method (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §16.5) started at `W*`
//! (which is feasible): the equality constraints `E = [1ᵀ; A]` restricted to the free
//! weights define the face, whose null space (from the eigen-decomposition of `E_Fᵀ E_F`)
//! carries the step; the multipliers come from the least-squares solution of
//! `E_Fᵀ λ = −g_F`.
//!
//! When `S` is a single point the method cannot move and `W*` is returned unchanged (bit
//! for bit); a result is only used when it lowers the outcome loss by more than a relative
//! `1e-9` and keeps the inner objective at its minimum (to `1e-10` of its scale), so a
//! unique solution is never replaced.

use super::linalg::symmetric_eigen;

/// The outcome of [`break_tie`].
#[derive(Debug, Clone, PartialEq)]
pub struct TieBreak {
    /// The chosen weights (`W*` itself when the minimiser is unique).
    pub w: Vec<f64>,
    /// Whether another minimiser with a lower outcome loss was found (the predictors are
    /// matched by several weightings).
    pub several: bool,
}

/// Null-space basis (columns, `k × r`, row-major `k` rows) of the `m × k` matrix `e`
/// (row-major), from the eigenvectors of `eᵀe` with eigenvalue ≤ `1e-12 · max`.
fn null_space(e: &[f64], m: usize, k: usize) -> Vec<Vec<f64>> {
    let mut g = vec![0.0; k * k];
    for a in 0..k {
        for b in a..k {
            let s: f64 = (0..m).map(|r| e[r * k + a] * e[r * k + b]).sum();
            g[a * k + b] = s;
            g[b * k + a] = s;
        }
    }
    let (vals, vecs) = symmetric_eigen(&g, k);
    let vmax = vals.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    let tol = 1e-12 * vmax.max(1e-300);
    (0..k)
        .filter(|&c| vals[c] <= tol)
        .map(|c| (0..k).map(|i| vecs[i * k + c]).collect())
        .collect()
}

/// Among the minimisers of ½‖X₁ − X₀W‖²_V on the simplex, the one with the smallest
/// outcome loss ‖Z₁ − Z₀W‖² (see the module docs). `x0[j]`, `z0[j]` are donor `j`'s
/// (scaled) predictors and optimise-year outcomes, `v` the predictor weights, `w_star`
/// a minimiser (from [`super::qp::simplex_qp`]).
pub fn break_tie(
    x0: &[Vec<f64>],
    x1: &[f64],
    v: &[f64],
    z0: &[Vec<f64>],
    z1: &[f64],
    w_star: &[f64],
) -> TieBreak {
    let n = x0.len();
    let unchanged = TieBreak {
        w: w_star.to_vec(),
        several: false,
    };
    if n < 2 {
        return unchanged;
    }
    let k = x1.len();
    // Equality rows: 1ᵀ and √v_k X₀[k, ·], each scaled to unit length.
    let mut rows: Vec<Vec<f64>> = vec![vec![1.0; n]];
    for r in 0..k {
        if v[r] > 0.0 {
            let row: Vec<f64> = (0..n).map(|j| v[r].sqrt() * x0[j][r]).collect();
            let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                rows.push(row.iter().map(|x| x / norm).collect());
            }
        }
    }
    let m = rows.len();
    // The outcome loss ½‖Z₁ − Z₀W‖² as ½ WᵀP W − qᵀW.
    let t = z1.len();
    let mut p = vec![0.0; n * n];
    let mut q = vec![0.0; n];
    for i in 0..n {
        for j in i..n {
            let s: f64 = (0..t).map(|s| z0[i][s] * z0[j][s]).sum();
            p[i * n + j] = s;
            p[j * n + i] = s;
        }
        q[i] = (0..t).map(|s| z0[i][s] * z1[s]).sum();
    }
    let loss = |w: &[f64]| -> f64 {
        (0..t)
            .map(|s| {
                let e = z1[s] - (0..n).map(|j| w[j] * z0[j][s]).sum::<f64>();
                e * e
            })
            .sum()
    };
    let inner = |w: &[f64]| -> f64 {
        (0..k)
            .map(|r| {
                let e = x1[r] - (0..n).map(|j| w[j] * x0[j][r]).sum::<f64>();
                v[r] * e * e
            })
            .sum::<f64>()
    };
    let scale = (0..n).map(|i| p[i * n + i].abs()).fold(0.0_f64, f64::max)
        + q.iter().map(|x| x.abs()).fold(0.0_f64, f64::max);
    let scale = if scale > 0.0 { scale } else { 1.0 };

    let mut w = w_star.to_vec();
    let mut free: Vec<usize> = (0..n).filter(|&j| w[j] > 0.0).collect();
    let mut last_released: Option<usize> = None;
    let mut at_face_minimum = false;
    for _ in 0..(50 * n + 100) {
        let g: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| p[i * n + j] * w[j]).sum::<f64>() - q[i])
            .collect();
        let kf = free.len();
        let ef: Vec<f64> = (0..m)
            .flat_map(|r| free.iter().map(move |&j| (r, j)))
            .map(|(r, j)| rows[r][j])
            .collect();
        let step = if at_face_minimum {
            None
        } else {
            face_step(&p, &g, &free, n, &null_space(&ef, m, kf), scale)
        };
        at_face_minimum = false;
        let Some((dir, ray)) = step else {
            // Stationary on this face: multipliers by least squares, E_Fᵀ λ = −g_F.
            let mut a = vec![0.0; m * m];
            let mut b = vec![0.0; m];
            for r in 0..m {
                for s in 0..m {
                    a[r * m + s] = free.iter().map(|&j| rows[r][j] * rows[s][j]).sum();
                }
                b[r] = -free.iter().map(|&j| rows[r][j] * g[j]).sum::<f64>();
            }
            let (vals, vecs) = symmetric_eigen(&a, m);
            let vmax = vals.iter().map(|x| x.abs()).fold(0.0_f64, f64::max);
            let mut lambda = vec![0.0; m];
            for c in 0..m {
                if vals[c] > 1e-12 * vmax.max(1e-300) {
                    let proj: f64 = (0..m).map(|i| vecs[i * m + c] * b[i]).sum();
                    for i in 0..m {
                        lambda[i] += proj / vals[c] * vecs[i * m + c];
                    }
                }
            }
            let candidate = (0..n)
                .filter(|i| !free.contains(i))
                .map(|i| {
                    (
                        i,
                        g[i] + (0..m).map(|r| rows[r][i] * lambda[r]).sum::<f64>(),
                    )
                })
                .min_by(|a, b| a.1.total_cmp(&b.1));
            match candidate {
                Some((i, c)) if c < -1e-11 * scale && last_released != Some(i) => {
                    free.push(i);
                    last_released = Some(i);
                    continue;
                }
                _ => break,
            }
        };
        let mut alpha = if ray { f64::INFINITY } else { 1.0 };
        let mut blocking = None;
        for (a, &j) in free.iter().enumerate() {
            if dir[a] < 0.0 {
                let s = -w[j] / dir[a];
                if s < alpha {
                    alpha = s;
                    blocking = Some(a);
                }
            }
        }
        if !alpha.is_finite() {
            break;
        }
        for (a, &j) in free.iter().enumerate() {
            w[j] = (w[j] + alpha * dir[a]).max(0.0);
        }
        if let Some(a) = blocking {
            let j = free.remove(a);
            w[j] = 0.0;
        } else if !ray {
            at_face_minimum = true;
        }
        if alpha > 0.0 {
            last_released = None;
        }
    }
    let total: f64 = w.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return unchanged;
    }
    for x in &mut w {
        *x /= total;
    }
    // Keep W* unless the outcome loss falls clearly and the predictor fit is unchanged.
    let (l0, l1) = (loss(w_star), loss(&w));
    let inner_scale = (0..k)
        .map(|r| v[r] * (x1[r] * x1[r] + x0.iter().map(|c| c[r] * c[r]).fold(0.0, f64::max)))
        .sum::<f64>()
        .max(1e-300);
    let better = l1 < l0 - 1e-9 * l0.max(1e-300);
    let same_fit = inner(&w) <= inner(w_star) + 1e-10 * inner_scale;
    if better && same_fit {
        TieBreak { w, several: true }
    } else {
        unchanged
    }
}

/// The step on the face: minimise ½ dᵀ P_FF d + g_Fᵀ d over d = N y (N the null space
/// of the face's equality rows). `None` when there is no direction or it is negligible;
/// otherwise the direction on the free weights and whether it is a descent ray of zero
/// curvature (followed to the nearest bound) rather than a Newton step.
fn face_step(
    p: &[f64],
    g: &[f64],
    free: &[usize],
    n: usize,
    basis: &[Vec<f64>],
    scale: f64,
) -> Option<(Vec<f64>, bool)> {
    let r = basis.len();
    let kf = free.len();
    if r == 0 {
        return None;
    }
    let mut h = vec![0.0; r * r];
    let mut rhs = vec![0.0; r];
    for a in 0..r {
        rhs[a] = -(0..kf).map(|i| basis[a][i] * g[free[i]]).sum::<f64>();
        for b in a..r {
            let mut s = 0.0;
            for i in 0..kf {
                for j in 0..kf {
                    s += basis[a][i] * p[free[i] * n + free[j]] * basis[b][j];
                }
            }
            h[a * r + b] = s;
            h[b * r + a] = s;
        }
    }
    let (vals, vecs) = symmetric_eigen(&h, r);
    let vmax = vals.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    let tol = 1e-10 * vmax.max(1e-300);
    let mut y = vec![0.0; r];
    let mut ray = vec![0.0; r];
    let mut ray_size = 0.0_f64;
    for c in 0..r {
        let proj: f64 = (0..r).map(|i| vecs[i * r + c] * rhs[i]).sum();
        for i in 0..r {
            if vals[c] > tol {
                y[i] += proj / vals[c] * vecs[i * r + c];
            } else {
                ray[i] += proj * vecs[i * r + c];
            }
        }
        if vals[c] <= tol {
            ray_size = ray_size.max(proj.abs());
        }
    }
    let rnorm = rhs.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    let (coef, is_ray) = if ray_size > 1e-11 * scale.max(rnorm) && ray_size > 1e-300 {
        let norm = ray.iter().map(|v| v * v).sum::<f64>().sqrt();
        (ray.iter().map(|v| v / norm).collect::<Vec<_>>(), true)
    } else {
        (y, false)
    };
    let dir: Vec<f64> = (0..kf)
        .map(|i| (0..r).map(|a| coef[a] * basis[a][i]).sum())
        .collect();
    let dnorm = dir.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    (dnorm > 1e-13).then_some((dir, is_ray))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_solution_is_returned_unchanged() {
        // Treated at 0.3 between two donors: W* = (0.7, 0.3) is the only minimiser.
        let x0 = vec![vec![0.0], vec![1.0]];
        let z0 = vec![vec![5.0, 6.0], vec![1.0, 0.0]];
        let w = [0.7, 0.3];
        let t = break_tie(&x0, &[0.3], &[1.0], &z0, &[1.0, 0.0], &w);
        assert!(!t.several);
        assert_eq!(t.w, w);
    }

    #[test]
    fn a_face_of_minimisers_gives_the_best_outcome_fit() {
        // Donors at 0, 0 and 1 on one predictor, treated at 0.5: every W with
        // w₀ + w₁ = 0.5, w₂ = 0.5 matches. The outcome favours donor 1.
        let x0 = vec![vec![0.0], vec![0.0], vec![1.0]];
        let z0 = vec![vec![0.0], vec![2.0], vec![2.0]];
        let t = break_tie(&x0, &[0.5], &[1.0], &z0, &[2.0], &[0.5, 0.0, 0.5]);
        assert!(t.several);
        assert!(
            (t.w[0]).abs() < 1e-12 && (t.w[1] - 0.5).abs() < 1e-12,
            "{:?}",
            t.w
        );
    }
}
