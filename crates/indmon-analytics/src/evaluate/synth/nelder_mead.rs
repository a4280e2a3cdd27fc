//! Nelder–Mead simplex minimisation, step for step as SciPy's
//! `scipy.optimize.minimize(method="Nelder-Mead")` (non-adaptive): the same initial
//! simplex (each coordinate scaled by 1.05, or set to 0.00025 when zero), reflection
//! ρ = 1, expansion χ = 2, contraction ψ = ½, shrink σ = ½, and the stopping rule
//! `max |x_i − x_0| ≤ xatol` and `max |f_i − f_0| ≤ fatol` (both 1e-4 by default).
//! `pysyncon`'s `Synth.fit` uses it for the outer problem with `maxiter = 1000`.

/// Settings of [`minimize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NelderMead {
    /// Maximum iterations (SciPy's `maxiter`; `pysyncon` passes 1000).
    pub max_iter: usize,
    /// Maximum function evaluations (SciPy: unbounded when `maxiter` is given).
    pub max_evals: usize,
    /// Absolute tolerance on the simplex's spread in x.
    pub xatol: f64,
    /// Absolute tolerance on the spread of the function values.
    pub fatol: f64,
}

impl Default for NelderMead {
    fn default() -> Self {
        Self {
            max_iter: 1000,
            max_evals: usize::MAX,
            xatol: 1e-4,
            fatol: 1e-4,
        }
    }
}

/// Result of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The best point found.
    pub x: Vec<f64>,
    /// The function there.
    pub f: f64,
    /// Iterations made.
    pub iterations: usize,
    /// Function evaluations made.
    pub evaluations: usize,
    /// True when the tolerances were met (not stopped by a limit).
    pub converged: bool,
}

/// Minimises `f` from `x0` (see the module docs).
pub fn minimize(mut f: impl FnMut(&[f64]) -> f64, x0: &[f64], opts: &NelderMead) -> Minimum {
    let n = x0.len();
    let (rho, chi, psi, sigma) = (1.0, 2.0, 0.5, 0.5);
    let mut evals = 0usize;
    let mut call = |x: &[f64], evals: &mut usize| {
        *evals += 1;
        let v = f(x);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut sim: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
    sim.push(x0.to_vec());
    for k in 0..n {
        let mut y = x0.to_vec();
        y[k] = if y[k] != 0.0 { 1.05 * y[k] } else { 0.00025 };
        sim.push(y);
    }
    let mut fsim: Vec<f64> = sim.iter().map(|x| call(x, &mut evals)).collect();
    sort(&mut sim, &mut fsim);
    let mut iterations = 1usize;
    let mut converged = false;
    while evals < opts.max_evals && iterations < opts.max_iter {
        let xspread = sim[1..]
            .iter()
            .flat_map(|x| x.iter().zip(&sim[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0_f64, f64::max);
        let fspread = fsim[1..]
            .iter()
            .map(|v| (v - fsim[0]).abs())
            .fold(0.0_f64, f64::max);
        if xspread <= opts.xatol && fspread <= opts.fatol {
            converged = true;
            break;
        }
        let xbar: Vec<f64> = (0..n)
            .map(|i| sim[..n].iter().map(|x| x[i]).sum::<f64>() / n as f64)
            .collect();
        let worst = sim[n].clone();
        let comb =
            |a: f64, b: f64| -> Vec<f64> { (0..n).map(|i| a * xbar[i] + b * worst[i]).collect() };
        let xr = comb(1.0 + rho, -rho);
        let fxr = call(&xr, &mut evals);
        let mut shrink = false;
        if fxr < fsim[0] {
            let xe = comb(1.0 + rho * chi, -rho * chi);
            let fxe = call(&xe, &mut evals);
            if fxe < fxr {
                sim[n] = xe;
                fsim[n] = fxe;
            } else {
                sim[n] = xr;
                fsim[n] = fxr;
            }
        } else if fxr < fsim[n - 1] {
            sim[n] = xr;
            fsim[n] = fxr;
        } else if fxr < fsim[n] {
            let xc = comb(1.0 + psi * rho, -psi * rho);
            let fxc = call(&xc, &mut evals);
            if fxc <= fxr {
                sim[n] = xc;
                fsim[n] = fxc;
            } else {
                shrink = true;
            }
        } else {
            let xcc = comb(1.0 - psi, psi);
            let fxcc = call(&xcc, &mut evals);
            if fxcc < fsim[n] {
                sim[n] = xcc;
                fsim[n] = fxcc;
            } else {
                shrink = true;
            }
        }
        if shrink {
            for j in 1..=n {
                let s: Vec<f64> = (0..n)
                    .map(|i| sim[0][i] + sigma * (sim[j][i] - sim[0][i]))
                    .collect();
                fsim[j] = call(&s, &mut evals);
                sim[j] = s;
            }
        }
        iterations += 1;
        sort(&mut sim, &mut fsim);
    }
    Minimum {
        x: sim[0].clone(),
        f: fsim[0],
        iterations,
        evaluations: evals,
        converged,
    }
}

fn sort(sim: &mut Vec<Vec<f64>>, fsim: &mut Vec<f64>) {
    let mut idx: Vec<usize> = (0..fsim.len()).collect();
    idx.sort_by(|&a, &b| fsim[a].total_cmp(&fsim[b]));
    *sim = idx.iter().map(|&i| sim[i].clone()).collect();
    *fsim = idx.iter().map(|&i| fsim[i]).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let opts = NelderMead {
            xatol: 1e-8,
            fatol: 1e-12,
            max_iter: 10_000,
            ..NelderMead::default()
        };
        let m = minimize(f, &[-1.2, 1.0], &opts);
        assert!(m.converged);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5,
            "{m:?}"
        );
    }
}
