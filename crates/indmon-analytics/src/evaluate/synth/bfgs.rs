//! BFGS quasi-Newton minimisation as SciPy's `scipy.optimize.minimize(method="BFGS")`
//! (`_minimize_bfgs`) with its defaults: the inverse Hessian starts as the identity and is
//! updated by `H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ`, `ρ = 1 / yᵀs` (1000 when `yᵀs = 0`);
//! it stops when `‖g‖_∞ ≤ gtol` (1e-5) or after `maxiter = 200·n` iterations. The gradient is
//! SciPy's forward difference (`approx_derivative`, '2-point', with BFGS's absolute step
//! `eps = √ε`): `h_i = (x_i + √ε) − x_i`, or `√ε · sign(x_i) · max(1, |x_i|)` where that
//! is zero (sign of 0 taken as +). The step length comes from
//! MINPACK-2's `dcsrch` (Moré & Thuente 1994, "Line search algorithms with guaranteed
//! sufficient decrease", ACM TOMS 20(3)), as SciPy's `line_search_wolfe1`: `c1 = 1e-4`,
//! `c2 = 0.9`, `xtol = 1e-14`, at most 100 trials, first trial
//! `min(1, 2.02 (f_k − f_{k−1}) / ∇fᵀp)` with `f_{−1} = f_0 + ‖g_0‖₂ / 2`. Where `dcsrch`
//! fails, SciPy's fallback `line_search_wolfe2` ([`wolfe2`]); where that fails too the
//! search stops (`converged = false`).

/// Settings of [`minimize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bfgs {
    /// Gradient tolerance on `‖g‖_∞` (SciPy's `gtol`).
    pub gtol: f64,
    /// Maximum iterations; `None` is SciPy's `200 · n`.
    pub max_iter: Option<usize>,
}

impl Default for Bfgs {
    fn default() -> Self {
        Self {
            gtol: 1e-5,
            max_iter: None,
        }
    }
}

/// Result of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The point reached.
    pub x: Vec<f64>,
    /// The function there.
    pub f: f64,
    /// Iterations made.
    pub iterations: usize,
    /// Function evaluations made (gradients included).
    pub evaluations: usize,
    /// True when `‖g‖_∞ ≤ gtol` was met.
    pub converged: bool,
}

struct Counted<F> {
    f: F,
    evals: usize,
}

impl<F: FnMut(&[f64]) -> f64> Counted<F> {
    fn value(&mut self, x: &[f64]) -> f64 {
        self.evals += 1;
        (self.f)(x)
    }

    /// SciPy's '2-point' `approx_derivative` at `x` with `f(x) = f0`.
    fn grad(&mut self, x: &[f64], f0: f64) -> Vec<f64> {
        let eps = f64::EPSILON.sqrt();
        let mut g = vec![0.0; x.len()];
        let mut y = x.to_vec();
        for i in 0..x.len() {
            y[i] = x[i] + eps;
            if y[i] == x[i] {
                let sign = if x[i] >= 0.0 { 1.0 } else { -1.0 };
                y[i] = x[i] + eps * sign * x[i].abs().max(1.0);
            }
            let h = y[i] - x[i];
            g[i] = (self.value(&y) - f0) / h;
            y[i] = x[i];
        }
        g
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm_inf(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Minimises `f` from `x0` (see the module docs).
pub fn minimize(f: impl FnMut(&[f64]) -> f64, x0: &[f64], opts: &Bfgs) -> Minimum {
    let n = x0.len();
    let max_iter = opts.max_iter.unwrap_or(200 * n);
    let mut fun = Counted { f, evals: 0 };
    let mut xk = x0.to_vec();
    let mut old_fval = fun.value(&xk);
    let mut gfk = fun.grad(&xk, old_fval);
    let mut old_old_fval = old_fval + dot(&gfk, &gfk).sqrt() / 2.0;
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    let mut k = 0;
    let mut gnorm = norm_inf(&gfk);
    let mut converged = gnorm <= opts.gtol;
    while gnorm > opts.gtol && k < max_iter {
        let pk: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i * n + j] * gfk[j]).sum::<f64>())
            .collect();
        let Some(ls) = line_search(&mut fun, &xk, &pk, &gfk, old_fval, old_old_fval) else {
            break;
        };
        old_old_fval = old_fval;
        old_fval = ls.f;
        let sk: Vec<f64> = pk.iter().map(|p| ls.alpha * p).collect();
        let xkp1: Vec<f64> = xk.iter().zip(&sk).map(|(x, s)| x + s).collect();
        let yk: Vec<f64> = ls.g.iter().zip(&gfk).map(|(a, b)| a - b).collect();
        gfk = ls.g;
        xk = xkp1;
        k += 1;
        gnorm = norm_inf(&gfk);
        if gnorm <= opts.gtol {
            converged = true;
            break;
        }
        if !old_fval.is_finite() {
            break;
        }
        let rhok_inv = dot(&yk, &sk);
        let rhok = if rhok_inv == 0.0 {
            1000.0
        } else {
            1.0 / rhok_inv
        };
        // A1 = I − ρ s yᵀ, A2 = I − ρ y sᵀ; H ← A1 H A2 + ρ s sᵀ.
        let a1 = |i: usize, j: usize| f64::from(u8::from(i == j)) - rhok * sk[i] * yk[j];
        let a2 = |i: usize, j: usize| f64::from(u8::from(i == j)) - rhok * yk[i] * sk[j];
        let mut ha2 = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                ha2[i * n + j] = (0..n).map(|l| h[i * n + l] * a2(l, j)).sum();
            }
        }
        for i in 0..n {
            for j in 0..n {
                h[i * n + j] =
                    (0..n).map(|l| a1(i, l) * ha2[l * n + j]).sum::<f64>() + rhok * sk[i] * sk[j];
            }
        }
    }
    Minimum {
        f: old_fval,
        x: xk,
        iterations: k,
        evaluations: fun.evals,
        converged,
    }
}

struct Step {
    alpha: f64,
    f: f64,
    g: Vec<f64>,
}

/// SciPy's `line_search_wolfe1` / `scalar_search_wolfe1` around MINPACK-2's `dcsrch`.
fn line_search<F: FnMut(&[f64]) -> f64>(
    fun: &mut Counted<F>,
    xk: &[f64],
    pk: &[f64],
    gfk: &[f64],
    phi0: f64,
    old_phi0: f64,
) -> Option<Step> {
    let derphi0 = dot(gfk, pk);
    let mut alpha1 = if derphi0 != 0.0 {
        let a = (1.01 * 2.0 * (phi0 - old_phi0) / derphi0).min(1.0);
        if a < 0.0 { 1.0 } else { a }
    } else {
        1.0
    };
    let mut search = Dcsrch::new(1e-4, 0.9, 1e-14, 1e-100, 1e100);
    let mut phi1 = phi0;
    let mut derphi1 = derphi0;
    let mut g = gfk.to_vec();
    let mut task = Task::Start;
    for _ in 0..100 {
        let (stp, t) = search.iterate(alpha1, phi1, derphi1, task);
        task = t;
        if !stp.is_finite() {
            return wolfe2(fun, xk, pk, gfk, phi0, old_phi0);
        }
        match task {
            Task::Fg => {
                alpha1 = stp;
                let x: Vec<f64> = xk.iter().zip(pk).map(|(x, p)| x + stp * p).collect();
                phi1 = fun.value(&x);
                g = fun.grad(&x, phi1);
                derphi1 = dot(&g, pk);
            }
            Task::Convergence => {
                return Some(Step {
                    alpha: stp,
                    f: phi1,
                    g,
                });
            }
            Task::Start | Task::Stop => return wolfe2(fun, xk, pk, gfk, phi0, old_phi0),
        }
    }
    wolfe2(fun, xk, pk, gfk, phi0, old_phi0)
}

/// SciPy's fallback `line_search_wolfe2` / `scalar_search_wolfe2` (Nocedal & Wright,
/// *Numerical Optimization*, algorithms 3.5 and 3.6: bracketing by doubling, then `_zoom`
/// by cubic, quadratic or bisection steps), `c1 = 1e-4`, `c2 = 0.9`, 10 iterations each.
fn wolfe2<F: FnMut(&[f64]) -> f64>(
    fun: &mut Counted<F>,
    xk: &[f64],
    pk: &[f64],
    gfk: &[f64],
    phi0: f64,
    old_phi0: f64,
) -> Option<Step> {
    let mut ls = Line {
        fun,
        xk,
        pk,
        g: None,
    };
    let derphi0 = dot(gfk, pk);
    let mut alpha0 = 0.0;
    let mut alpha1 = if derphi0 != 0.0 {
        (1.01 * 2.0 * (phi0 - old_phi0) / derphi0).min(1.0)
    } else {
        1.0
    };
    if alpha1 < 0.0 {
        alpha1 = 1.0;
    }
    alpha1 = alpha1.min(1e100);
    let mut phi_a1 = ls.phi(alpha1);
    let mut phi_a0 = phi0;
    let mut derphi_a0 = derphi0;
    let mut star: Option<(f64, f64)> = None;
    let mut ended = false;
    for i in 0..10 {
        if alpha1 == 0.0 || alpha0 > 1e100 {
            return None;
        }
        if phi_a1 > phi0 + C1 * alpha1 * derphi0 || (phi_a1 >= phi_a0 && i > 0) {
            star = ls.zoom(alpha0, alpha1, phi_a0, phi_a1, derphi_a0, phi0, derphi0);
            ended = true;
            break;
        }
        let derphi_a1 = ls.derphi(alpha1);
        if derphi_a1.abs() <= -C2 * derphi0 {
            star = Some((alpha1, phi_a1));
            ended = true;
            break;
        }
        if derphi_a1 >= 0.0 {
            star = ls.zoom(alpha1, alpha0, phi_a1, phi_a0, derphi_a1, phi0, derphi0);
            ended = true;
            break;
        }
        let alpha2 = (2.0 * alpha1).min(1e100);
        alpha0 = alpha1;
        alpha1 = alpha2;
        phi_a0 = phi_a1;
        phi_a1 = ls.phi(alpha1);
        derphi_a0 = derphi_a1;
    }
    let (alpha, f, g) = if ended {
        let (a, f) = star?;
        (a, f, ls.g.take())
    } else {
        // SciPy returns the last trial without its gradient.
        (alpha1, phi_a1, None)
    };
    let g = match g {
        Some(g) => g,
        None => {
            let x: Vec<f64> = xk.iter().zip(pk).map(|(x, p)| x + alpha * p).collect();
            let f0 = ls.fun.value(&x);
            ls.fun.grad(&x, f0)
        }
    };
    Some(Step { alpha, f, g })
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;

struct Line<'a, F> {
    fun: &'a mut Counted<F>,
    xk: &'a [f64],
    pk: &'a [f64],
    g: Option<Vec<f64>>,
}

impl<F: FnMut(&[f64]) -> f64> Line<'_, F> {
    fn at(&self, a: f64) -> Vec<f64> {
        self.xk
            .iter()
            .zip(self.pk)
            .map(|(x, p)| x + a * p)
            .collect()
    }

    fn phi(&mut self, a: f64) -> f64 {
        let x = self.at(a);
        self.fun.value(&x)
    }

    fn derphi(&mut self, a: f64) -> f64 {
        let x = self.at(a);
        let f0 = self.fun.value(&x);
        let g = self.fun.grad(&x, f0);
        let d = dot(&g, self.pk);
        self.g = Some(g);
        d
    }

    /// SciPy's `_zoom`: `(alpha, phi)` meeting the strong Wolfe conditions, or `None`.
    #[allow(clippy::too_many_arguments)]
    fn zoom(
        &mut self,
        mut a_lo: f64,
        mut a_hi: f64,
        mut phi_lo: f64,
        mut phi_hi: f64,
        mut derphi_lo: f64,
        phi0: f64,
        derphi0: f64,
    ) -> Option<(f64, f64)> {
        let (delta1, delta2) = (0.2, 0.1);
        let mut phi_rec = phi0;
        let mut a_rec = 0.0;
        let mut i = 0;
        loop {
            let dalpha = a_hi - a_lo;
            let (a, b) = if dalpha < 0.0 {
                (a_hi, a_lo)
            } else {
                (a_lo, a_hi)
            };
            let mut a_j = None;
            let mut cchk = 0.0;
            if i > 0 {
                cchk = delta1 * dalpha;
                a_j = cubicmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi, a_rec, phi_rec);
            }
            let a_j = match a_j {
                Some(x) if i > 0 && !(x > b - cchk || x < a + cchk) => x,
                _ => {
                    let qchk = delta2 * dalpha;
                    match quadmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi) {
                        Some(x) if !(x > b - qchk || x < a + qchk) => x,
                        _ => a_lo + 0.5 * dalpha,
                    }
                }
            };
            let phi_aj = self.phi(a_j);
            if phi_aj > phi0 + C1 * a_j * derphi0 || phi_aj >= phi_lo {
                phi_rec = phi_hi;
                a_rec = a_hi;
                a_hi = a_j;
                phi_hi = phi_aj;
            } else {
                let derphi_aj = self.derphi(a_j);
                if derphi_aj.abs() <= -C2 * derphi0 {
                    return Some((a_j, phi_aj));
                }
                if derphi_aj * (a_hi - a_lo) >= 0.0 {
                    phi_rec = phi_hi;
                    a_rec = a_hi;
                    a_hi = a_lo;
                    phi_hi = phi_lo;
                } else {
                    phi_rec = phi_lo;
                    a_rec = a_lo;
                }
                a_lo = a_j;
                phi_lo = phi_aj;
                derphi_lo = derphi_aj;
            }
            i += 1;
            if i > 10 {
                return None;
            }
        }
    }
}

/// SciPy's `_cubicmin`: the minimiser of the cubic through `(a, fa)` with slope `fpa`,
/// `(b, fb)` and `(c, fc)`; `None` where NumPy would raise (division by zero, a
/// negative radical, overflow) or the result is not finite.
fn cubicmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64, c: f64, fc: f64) -> Option<f64> {
    let cc = fpa;
    let db = b - a;
    let dc = c - a;
    let denom = (db * dc).powi(2) * (db - dc);
    if denom == 0.0 || !denom.is_finite() {
        return None;
    }
    let u = fb - fa - cc * db;
    let v = fc - fa - cc * dc;
    let aa = (dc * dc * u - db * db * v) / denom;
    let bb = (-dc.powi(3) * u + db.powi(3) * v) / denom;
    let radical = bb * bb - 3.0 * aa * cc;
    if radical < 0.0 || aa == 0.0 {
        return None;
    }
    let x = a + (-bb + radical.sqrt()) / (3.0 * aa);
    x.is_finite().then_some(x)
}

/// SciPy's `_quadmin`: the minimiser of the quadratic through `(a, fa)` with slope `fpa`
/// and `(b, fb)`; `None` where NumPy would raise or the result is not finite.
fn quadmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64) -> Option<f64> {
    let db = b - a;
    if db == 0.0 {
        return None;
    }
    let bb = (fb - fa - fpa * db) / (db * db);
    if bb == 0.0 {
        return None;
    }
    let x = a - fpa / (2.0 * bb);
    x.is_finite().then_some(x)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Task {
    Start,
    Fg,
    Convergence,
    /// An error or a warning: SciPy treats both as a failed search.
    Stop,
}

/// State of MINPACK-2's `dcsrch` (Moré–Thuente), as SciPy's `DCSRCH._iterate`.
struct Dcsrch {
    ftol: f64,
    gtol: f64,
    xtol: f64,
    stpmin: f64,
    stpmax: f64,
    brackt: bool,
    stage: u8,
    finit: f64,
    ginit: f64,
    gtest: f64,
    width: f64,
    width1: f64,
    stx: f64,
    fx: f64,
    gx: f64,
    sty: f64,
    fy: f64,
    gy: f64,
    stmin: f64,
    stmax: f64,
}

impl Dcsrch {
    fn new(ftol: f64, gtol: f64, xtol: f64, stpmin: f64, stpmax: f64) -> Self {
        Self {
            ftol,
            gtol,
            xtol,
            stpmin,
            stpmax,
            brackt: false,
            stage: 1,
            finit: 0.0,
            ginit: 0.0,
            gtest: 0.0,
            width: 0.0,
            width1: 0.0,
            stx: 0.0,
            fx: 0.0,
            gx: 0.0,
            sty: 0.0,
            fy: 0.0,
            gy: 0.0,
            stmin: 0.0,
            stmax: 0.0,
        }
    }

    fn iterate(&mut self, mut stp: f64, f: f64, g: f64, task: Task) -> (f64, Task) {
        const XTRAPL: f64 = 1.1;
        const XTRAPU: f64 = 4.0;
        if task == Task::Start {
            if stp < self.stpmin || stp > self.stpmax || g >= 0.0 {
                return (stp, Task::Stop);
            }
            self.brackt = false;
            self.stage = 1;
            self.finit = f;
            self.ginit = g;
            self.gtest = self.ftol * self.ginit;
            self.width = self.stpmax - self.stpmin;
            self.width1 = self.width / 0.5;
            self.stx = 0.0;
            self.fx = self.finit;
            self.gx = self.ginit;
            self.sty = 0.0;
            self.fy = self.finit;
            self.gy = self.ginit;
            self.stmin = 0.0;
            self.stmax = stp + XTRAPU * stp;
            return (stp, Task::Fg);
        }
        let ftest = self.finit + stp * self.gtest;
        if self.stage == 1 && f <= ftest && g >= 0.0 {
            self.stage = 2;
        }
        let mut warn = false;
        if self.brackt && (stp <= self.stmin || stp >= self.stmax) {
            warn = true;
        }
        if self.brackt && self.stmax - self.stmin <= self.xtol * self.stmax {
            warn = true;
        }
        if stp == self.stpmax && f <= ftest && g <= self.gtest {
            warn = true;
        }
        if stp == self.stpmin && (f > ftest || g >= self.gtest) {
            warn = true;
        }
        // SciPy checks convergence after the warnings, so it overrides them.
        if f <= ftest && g.abs() <= self.gtol * (-self.ginit) {
            return (stp, Task::Convergence);
        }
        if warn {
            return (stp, Task::Stop);
        }
        if self.stage == 1 && f <= self.fx && f > ftest {
            let gt = self.gtest;
            let mut s = StepState {
                stx: self.stx,
                fx: self.fx - self.stx * gt,
                dx: self.gx - gt,
                sty: self.sty,
                fy: self.fy - self.sty * gt,
                dy: self.gy - gt,
                brackt: self.brackt,
            };
            stp = dcstep(&mut s, stp, f - stp * gt, g - gt, self.stmin, self.stmax);
            self.stx = s.stx;
            self.sty = s.sty;
            self.brackt = s.brackt;
            self.fx = s.fx + s.stx * gt;
            self.fy = s.fy + s.sty * gt;
            self.gx = s.dx + gt;
            self.gy = s.dy + gt;
        } else {
            let mut s = StepState {
                stx: self.stx,
                fx: self.fx,
                dx: self.gx,
                sty: self.sty,
                fy: self.fy,
                dy: self.gy,
                brackt: self.brackt,
            };
            stp = dcstep(&mut s, stp, f, g, self.stmin, self.stmax);
            self.stx = s.stx;
            self.fx = s.fx;
            self.gx = s.dx;
            self.sty = s.sty;
            self.fy = s.fy;
            self.gy = s.dy;
            self.brackt = s.brackt;
        }
        if self.brackt {
            if (self.sty - self.stx).abs() >= 0.66 * self.width1 {
                stp = self.stx + 0.5 * (self.sty - self.stx);
            }
            self.width1 = self.width;
            self.width = (self.sty - self.stx).abs();
            self.stmin = self.stx.min(self.sty);
            self.stmax = self.stx.max(self.sty);
        } else {
            self.stmin = stp + XTRAPL * (stp - self.stx);
            self.stmax = stp + XTRAPU * (stp - self.stx);
        }
        stp = stp.max(self.stpmin).min(self.stpmax);
        if self.brackt
            && (stp <= self.stmin
                || stp >= self.stmax
                || self.stmax - self.stmin <= self.xtol * self.stmax)
        {
            stp = self.stx;
        }
        (stp, Task::Fg)
    }
}

struct StepState {
    stx: f64,
    fx: f64,
    dx: f64,
    sty: f64,
    fy: f64,
    dy: f64,
    brackt: bool,
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// MINPACK-2's `dcstep`: the safeguarded cubic/quadratic step of the Moré–Thuente search.
fn dcstep(s: &mut StepState, stp: f64, fp: f64, dp: f64, stpmin: f64, stpmax: f64) -> f64 {
    let (stx, fx, dx, sty, fy, dy) = (s.stx, s.fx, s.dx, s.sty, s.fy, s.dy);
    let sgn = sign(dp) * sign(dx);
    let stpf;
    if fp > fx {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let sm = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = sm * ((theta / sm).powi(2) - (dx / sm) * (dp / sm)).sqrt();
        if stp < stx {
            gamma = -gamma;
        }
        let p = (gamma - dx) + theta;
        let q = ((gamma - dx) + gamma) + dp;
        let r = p / q;
        let stpc = stx + r * (stp - stx);
        let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        stpf = if (stpc - stx).abs() <= (stpq - stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        s.brackt = true;
    } else if sgn < 0.0 {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let sm = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = sm * ((theta / sm).powi(2) - (dx / sm) * (dp / sm)).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dx;
        let r = p / q;
        let stpc = stp + r * (stx - stp);
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
            stpc
        } else {
            stpq
        };
        s.brackt = true;
    } else if dp.abs() < dx.abs() {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let sm = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = sm
            * ((theta / sm).powi(2) - (dx / sm) * (dp / sm))
                .max(0.0)
                .sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = (gamma + (dx - dp)) + gamma;
        let r = p / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (stx - stp)
        } else if stp > stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if s.brackt {
            let t = if (stpc - stp).abs() < (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = if stp > stx {
                (stp + 0.66 * (sty - stp)).min(t)
            } else {
                (stp + 0.66 * (sty - stp)).max(t)
            };
        } else {
            let t = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = t.min(stpmax).max(stpmin);
        }
    } else if s.brackt {
        let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
        let sm = theta.abs().max(dy.abs()).max(dp.abs());
        let mut gamma = sm * ((theta / sm).powi(2) - (dy / sm) * (dp / sm)).sqrt();
        if stp > sty {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dy;
        let r = p / q;
        stpf = stp + r * (sty - stp);
    } else if stp > stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    if fp > fx {
        s.sty = stp;
        s.fy = fp;
        s.dy = dp;
    } else {
        if sgn < 0.0 {
            s.sty = stx;
            s.fy = fx;
            s.dy = dx;
        }
        s.stx = stp;
        s.fx = fp;
        s.dx = dp;
    }
    stpf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosen(x: &[f64]) -> f64 {
        x.windows(2)
            .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
            .sum()
    }

    /// SciPy 1.17.1: `minimize(rosen, [1.3, 0.7, 0.8, 1.9, 1.2], method="BFGS")` gives
    /// x = [0.9999992455666011, 0.9999985167720701, 0.9999970646687498,
    /// 0.9999941558874608, 0.9999883336310859], fun 4.58196127523792e-11, nit 25, nfev 180.
    #[test]
    fn evaluate_bfgs_rosenbrock_matches_scipy() {
        let m = minimize(rosen, &[1.3, 0.7, 0.8, 1.9, 1.2], &Bfgs::default());
        let expected = [
            0.9999992455666011,
            0.9999985167720701,
            0.9999970646687498,
            0.9999941558874608,
            0.9999883336310859,
        ];
        assert!(m.converged, "{m:?}");
        for (a, b) in m.x.iter().zip(expected) {
            assert!((a - b).abs() < 1e-9, "{m:?}");
        }
        assert!((m.f - 4.58196127523792e-11).abs() < 1e-14, "{m:?}");
        assert_eq!((m.iterations, m.evaluations), (25, 180), "{m:?}");
    }

    #[test]
    fn evaluate_bfgs_quadratic_from_the_minimum_stops_at_once() {
        let m = minimize(|x| x[0] * x[0] + x[1] * x[1], &[0.0, 0.0], &Bfgs::default());
        assert!(m.converged);
        assert_eq!(m.iterations, 0);
    }
}
