//! Economic complexity: RCA, presence, diversity and ubiquity, ECI and PCI,
//! proximity, density, the complexity outlook index (COI) and outlook gain (COG),
//! for one year of a location × product export matrix.
//!
//! **Formulas** (Hidalgo & Hausmann 2009; Hidalgo et al. 2007; Hausmann et al., *The
//! Atlas of Economic Complexity*), with x the exports of location c in product p:
//! - RCA_cp = (x_cp / Σ_p x_cp) / (Σ_c x_cp / Σ_cp x_cp) (Balassa);
//!   RPOP_cp = (x_cp / pop_c) / (Σ_c x_cp / Σ_c pop_c).
//! - M_cp = 1 when RCA (or RPOP) passes the threshold, or given (`Presence::Manual`).
//!   Diversity d_c = Σ_p M_cp, ubiquity u_p = Σ_c M_cp.
//! - ECI is the eigenvector of the second-largest eigenvalue λ of
//!   M̃ = D⁻¹ M U⁻¹ Mᵀ (C × C); PCI is kp = U⁻¹ Mᵀ kc / λ, the matching eigenvector of the
//!   product side. The sign is chosen so that ECI correlates positively with diversity.
//! - Proximity φ from the co-occurrence N = MᵀM: symmetric φ_pq = N_pq / max(u_p, u_q);
//!   asymmetric φ_pq = N_pq / u_q (Stata; the Python package stores the transpose,
//!   N_pq / u_p, and reads it transposed, so densities agree); continuous φ_pq = (1 + corr(RCA_·p, RCA_·q)) / 2.
//! - Density ω_cp, COI_c = Σ_p ω_cp (1 − M_cp) kp_p and
//!   COG_cq = (1 − M_cq) Σ_p (1 − M_cp) φ_pq kp_p / Σ_r φ_pr, divided by sd(kc).
//!
//! **Conventions.** The two Growth Lab implementations differ; both are reproduced
//! exactly ([`Convention`]). *Stata* (`ecomplexity` for Stata, behind the Atlas):
//! M = RCA > threshold; φ diagonal 0; ω_cp = Σ_q M_cq φ_qp / Σ_q φ_qp; ECI and PCI
//! standardised by the mean and sample standard deviation (n − 1) of kc over all
//! location × product rows; COI z-scored the same way. *Python* (`ecomplexity` 0.5.3):
//! M = RCA ≥ threshold; φ diagonal 1; ω_cp = Σ_q M_cq φ_pq / Σ_q φ_pq; standardised with
//! the population standard deviation (n) over locations; COI z-scored likewise. With
//! continuous proximity both weight the density by RCA (RPOP with `Presence::Rpop`)
//! instead of M. The Stata package centres PCI on its mean over the M = 1 cells before
//! COI and COG; that mean is Σ_c d_c kc_c / Σ d = 0 (kc is orthogonal to d), so the
//! step changes nothing and is not repeated here.
//!
//! **Edge cases.** Locations with zero diversity and products with zero ubiquity get
//! missing (NaN) ECI/PCI, density, COI and COG for themselves only; everything else is
//! computed on the remaining matrix (the Python package returns NaN for the whole year
//! then). When the remaining location–product network falls apart into disconnected
//! parts, eigenvalue 1 repeats and ECI is not defined: RCA, M, diversity and ubiquity
//! are returned, the rest is missing, and [`Complexity::undefined`] says why.
//!
//! **Speed.** The eigenproblem is solved on the smaller side (C × C when C ≤ P) in the
//! symmetric similarity form D^{-1/2} M U⁻¹ Mᵀ D^{-1/2} with a dense symmetric solver
//! (Householder tridiagonalisation and implicit QL), never on the dense non-symmetric
//! P × P matrix. For symmetric proximity, density and COG come from a sweep that
//! never forms φ either (`symmetric_sums`); the other options form φ and walk it in
//! cache-sized strips. Both split the work over the available cores.

use std::cmp::Ordering;

use serde::Serialize;

/// Version of the complexity methods, stored with every result.
pub const METHOD_VERSION: &str = "complexity/1";

/// Which reference implementation's conventions to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Convention {
    /// The Stata `ecomplexity` package (the Atlas of Economic Complexity).
    Stata,
    /// The Python `ecomplexity` package, version 0.5.3.
    Python,
}

/// How presence M is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// RCA against the threshold.
    Rca,
    /// RPOP (exports per head against the world's) against the threshold.
    Rpop,
    /// The values are M itself (any non-zero value counts as present).
    Manual,
}

/// Which product proximity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proximity {
    /// min of the two conditional probabilities of co-export.
    Symmetric,
    /// the conditional probability of co-export, N_pq / u_q (Stata orientation; the
    /// Python convention stores the transpose).
    Asymmetric,
    /// (1 + correlation of the RCA columns) / 2.
    Continuous,
}

/// The options of a complexity run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Options {
    /// Conventions to reproduce.
    pub convention: Convention,
    /// Presence test.
    pub presence: Presence,
    /// Threshold for RCA or RPOP.
    pub threshold: f64,
    /// Proximity measure.
    pub proximity: Proximity,
    /// Density over the k nearest products only (by proximity, weighted), or all.
    pub knn: Option<usize>,
    /// Subtract the Atlas book's (1 − distance) · PCI term from COG.
    pub atlas_cog: bool,
    /// Form the P × P proximity matrix even where the sweep does without it (slower;
    /// for checking one way of computing against the other).
    pub dense_proximity: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            convention: Convention::Stata,
            presence: Presence::Rca,
            threshold: 1.0,
            proximity: Proximity::Symmetric,
            knn: None,
            atlas_cog: false,
            dense_proximity: false,
        }
    }
}

/// Why a year cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The input is unusable (negative or non-finite values, missing population …).
    #[error("{0}")]
    Input(String),
    /// Fewer than two locations or products with M = 1 remain.
    #[error(
        "too few locations ({locations}) or products ({products}) with any M = 1 to compute complexity"
    )]
    TooSmall {
        /// Locations left.
        locations: usize,
        /// Products left.
        products: usize,
    },
    /// The location–product network has disconnected parts: ECI is not defined.
    #[error(
        "the location–product network falls apart into {parts} disconnected parts, so eigenvalue 1 repeats and ECI is not defined (lower the threshold or restrict the panel)"
    )]
    Disconnected {
        /// Number of connected parts.
        parts: usize,
    },
    /// The second eigenvalue is zero (or the resulting ECI does not vary): the
    /// locations cannot be told apart by what they export.
    #[error(
        "the second eigenvalue is zero, so the locations cannot be ranked by what they export and ECI is not defined"
    )]
    NoSecondEigenvalue,
    /// The eigen solver did not converge.
    #[error("the eigenvalue solver did not converge")]
    NoConvergence,
}

/// Result type of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One year of exports: `values[c * products + p]`, zero where nothing was exported.
#[derive(Debug, Clone)]
pub struct Matrix<'a> {
    /// Number of locations (rows).
    pub locations: usize,
    /// Number of products (columns).
    pub products: usize,
    /// Row-major values, locations × products.
    pub values: &'a [f64],
    /// Population per location (for RPOP).
    pub population: Option<&'a [f64]>,
}

/// The measures of one year. Matrices are row-major locations × products; NaN marks
/// a value that is missing (excluded location or product, or RCA with manual M).
#[derive(Debug, Clone, PartialEq)]
pub struct Complexity {
    /// Number of locations.
    pub locations: usize,
    /// Number of products.
    pub products: usize,
    /// Balassa RCA (NaN with manual presence).
    pub rca: Vec<f64>,
    /// RPOP (with `Presence::Rpop`).
    pub rpop: Option<Vec<f64>>,
    /// Presence.
    pub mcp: Vec<u8>,
    /// Diversity per location.
    pub diversity: Vec<u32>,
    /// Ubiquity per product.
    pub ubiquity: Vec<u32>,
    /// Standardised ECI per location.
    pub eci: Vec<f64>,
    /// Standardised PCI per product.
    pub pci: Vec<f64>,
    /// Density.
    pub density: Vec<f64>,
    /// Standardised COI per location.
    pub coi: Vec<f64>,
    /// COG.
    pub cog: Vec<f64>,
    /// The eigenvalue λ behind ECI (NaN when undefined).
    pub eigenvalue: f64,
    /// Why ECI, PCI, density, COI and COG are missing for the whole year, when they
    /// are ([`Error::TooSmall`] or [`Error::Disconnected`]); RCA, M, diversity and
    /// ubiquity are still given.
    pub undefined: Option<Error>,
    /// The convention the measures follow.
    pub convention: Convention,
    /// The proximity measure used.
    pub proximity_kind: Proximity,
}

impl Complexity {
    /// Row p of the proximity φ used (the convention's orientation and diagonal):
    /// φ_pq for every product q, NaN for products with zero ubiquity (and for all q
    /// when p has zero ubiquity). Computed from M (or RCA/RPOP for continuous
    /// proximity) on demand, so no P × P matrix is kept.
    #[allow(clippy::needless_range_loop)] // q indexes M's columns, the ubiquities and the row
    pub fn proximity_row(&self, p: usize) -> Vec<f64> {
        let (nc, np) = (self.locations, self.products);
        let mut row = vec![f64::NAN; np];
        if p >= np || self.ubiquity[p] == 0 {
            return row;
        }
        let python = self.convention == Convention::Python;
        let u = |q: usize| f64::from(self.ubiquity[q]);
        match self.proximity_kind {
            Proximity::Symmetric | Proximity::Asymmetric => {
                let mut n = vec![0.0; np];
                for c in 0..nc {
                    if self.mcp[c * np + p] == 1 {
                        for (q, v) in n.iter_mut().enumerate() {
                            *v += f64::from(self.mcp[c * np + q]);
                        }
                    }
                }
                for q in 0..np {
                    if self.ubiquity[q] == 0 {
                        continue;
                    }
                    row[q] = n[q]
                        / match (self.proximity_kind, python) {
                            (Proximity::Symmetric, _) => u(p).max(u(q)),
                            (_, false) => u(q),
                            (_, true) => u(p),
                        };
                }
            }
            Proximity::Continuous => {
                let x = self.rpop.as_ref().unwrap_or(&self.rca);
                let locs: Vec<usize> = (0..nc).filter(|&c| self.diversity[c] > 0).collect();
                let col = |q: usize| -> Vec<f64> { locs.iter().map(|&c| x[c * np + q]).collect() };
                let xp = col(p);
                for q in 0..np {
                    if self.ubiquity[q] > 0 {
                        row[q] = (1.0 + pearson(&xp, &col(q))) / 2.0;
                    }
                }
            }
        }
        row[p] = if python { 1.0 } else { 0.0 };
        row
    }
}

/// Largest number of locations for the φ-free sweep (it keeps six locations ×
/// locations tables).
const SWEEP_MAX_LOCATIONS: usize = 2048;

/// What [`symmetric_sums`] computes, on the remaining matrix.
struct Sums {
    density: Vec<f64>,
    cog_sums: Vec<f64>,
    totals: Vec<f64>,
}

/// Density, the COG sums and their totals for symmetric discrete proximity
/// φ_pq = N_pq / max(u_p, u_q), without forming φ.
///
/// With products ranked by falling ubiquity, max(u_p, u_q) is u_q for the q ranked
/// at or before p and u_p after it, and N_pq = Σ_{c' : M_c'p = 1} M_c'q. So
///   Σ_{q : M_cq = 1} g_q φ_qp = Σ_{c' : M_c'p = 1} [ A_cc'(p) + (K_cc' − B_cc'(p)) / u_p ]
/// where, over the products q exported by both c and c', K_cc' = Σ g_q, A_cc'(p) = Σ g_q / u_q
/// and B_cc'(p) = Σ g_q over the q ranked up to p. Sweeping the products in rank order
/// keeps A and B current; the cost is Σ_p u_p² updates and C reads per (location,
/// product) with M = 1, instead of P² · C for the sums over φ. g = 1 gives the density
/// numerators, g = w the COG sums, and a location exporting everything the row sums and
/// totals. The diagonal (φ_pp = 1 in this form) is taken out again for the Stata
/// convention.
#[allow(clippy::needless_range_loop)] // the same index runs over several tables
fn symmetric_sums(r: &Reduced, kp: &[f64], convention: Convention) -> Sums {
    let (nc, np) = (r.rows.len(), r.cols.len());
    let u: Vec<f64> = r.cols.iter().map(|l| l.len() as f64).collect();
    let d: Vec<f64> = r.rows.iter().map(|l| l.len() as f64).collect();
    let mut order: Vec<usize> = (0..np).collect();
    order.sort_by(|&a, &b| r.cols[b].len().cmp(&r.cols[a].len()).then(a.cmp(&b)));
    let diag = match convention {
        Convention::Stata => 1.0,
        Convention::Python => 0.0,
    };

    // Row sums of φ (= column sums, φ is symmetric): per-location prefix sums.
    let mut rowsum = vec![0.0; np];
    {
        let (mut a, mut b) = (vec![0.0; nc], vec![0.0; nc]);
        for &p in &order {
            for &c in &r.cols[p] {
                a[c as usize] += 1.0 / u[p];
                b[c as usize] += 1.0;
            }
            let s: f64 = r.cols[p]
                .iter()
                .map(|&c| a[c as usize] + (d[c as usize] - b[c as usize]) / u[p])
                .sum();
            rowsum[p] = s - diag;
        }
    }
    let w = cog_weights(kp, &rowsum);

    // Totals over all products q: a location exporting everything.
    let mut totals = vec![0.0; np];
    {
        let (mut aw1, mut bw1) = (vec![0.0; nc], vec![0.0; nc]);
        let mut kw1 = vec![0.0; nc];
        for p in 0..np {
            for &c in &r.cols[p] {
                kw1[c as usize] += w[p];
            }
        }
        for &p in &order {
            for &c in &r.cols[p] {
                aw1[c as usize] += w[p] / u[p];
                bw1[c as usize] += w[p];
            }
            let t: f64 = r.cols[p]
                .iter()
                .map(|&c| aw1[c as usize] + (kw1[c as usize] - bw1[c as usize]) / u[p])
                .sum();
            totals[p] = t - diag * w[p];
        }
    }

    // The sweep, for the density numerators (g = 1) and the COG sums (g = w) together.
    // Each core takes a range of locations c (rows of the result) and keeps, for every
    // c' and its c, A = Σ g/u and K − B = Σ g over the shared products not yet swept.
    let mut density = vec![0.0; nc * np];
    let mut cog_sums = vec![0.0; nc * np];
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(nc.div_ceil(16))
        .max(1);
    let per = nc.div_ceil(threads);
    let order = &order;
    let (u, w) = (&u, &w);
    let part = |lo: usize, dens: &mut [f64], cogs: &mut [f64]| {
        let hi = (lo + per).min(nc);
        let width = hi - lo;
        // [c'][c − lo]: A, K − B for g = 1, and the same for g = w
        let (mut a, mut kb) = (vec![0.0; nc * width], vec![0.0; nc * width]);
        let (mut aw, mut kbw) = (vec![0.0; nc * width], vec![0.0; nc * width]);
        let in_range = |list: &[u32]| {
            let from = list.partition_point(|&c| (c as usize) < lo);
            let to = list.partition_point(|&c| (c as usize) < hi);
            from..to
        };
        for (p, list) in r.cols.iter().enumerate() {
            for &c in &list[in_range(list)] {
                let c = c as usize - lo;
                for &c2 in list {
                    kb[c2 as usize * width + c] += 1.0;
                    kbw[c2 as usize * width + c] += w[p];
                }
            }
        }
        let (mut col, mut colw) = (vec![0.0; width], vec![0.0; width]);
        for &p in order {
            let list = &r.cols[p];
            let inv = 1.0 / u[p];
            let (wp, wpu) = (w[p], w[p] / u[p]);
            for &c in &list[in_range(list)] {
                let c = c as usize - lo;
                for &c2 in list {
                    let i = c2 as usize * width + c;
                    a[i] += inv;
                    kb[i] -= 1.0;
                    aw[i] += wpu;
                    kbw[i] -= wp;
                }
            }
            col.fill(0.0);
            colw.fill(0.0);
            for &c2 in list {
                let at = c2 as usize * width;
                let (ar, kbr) = (&a[at..at + width], &kb[at..at + width]);
                let (awr, kbwr) = (&aw[at..at + width], &kbw[at..at + width]);
                for c in 0..width {
                    col[c] += ar[c] + kbr[c] * inv;
                    colw[c] += awr[c] + kbwr[c] * inv;
                }
            }
            for c in 0..width {
                dens[c * np + p] = col[c];
                cogs[c * np + p] = colw[c];
            }
        }
    };
    if threads == 1 {
        part(0, &mut density, &mut cog_sums);
    } else {
        std::thread::scope(|s| {
            for (t, (dens, cogs)) in density
                .chunks_mut(per * np)
                .zip(cog_sums.chunks_mut(per * np))
                .enumerate()
            {
                let part = &part;
                s.spawn(move || part(t * per, dens, cogs));
            }
        });
    }
    for (c, row) in r.rows.iter().enumerate() {
        for &p in row {
            density[c * np + p as usize] -= diag;
            cog_sums[c * np + p as usize] -= diag * w[p as usize];
        }
    }
    for row in density.chunks_mut(np) {
        for (v, s) in row.iter_mut().zip(&rowsum) {
            *v /= s;
        }
    }
    Sums {
        density,
        cog_sums,
        totals,
    }
}

/// Computes every measure for one year. Errors are for unusable input; a year whose
/// ECI is not defined comes back with [`Complexity::undefined`] set.
pub fn compute(m: &Matrix<'_>, opts: &Options) -> Result<Complexity> {
    let (nc, np) = (m.locations, m.products);
    if nc == 0 || np == 0 {
        return Err(Error::Input(format!(
            "an empty matrix ({nc} locations × {np} products)"
        )));
    }
    if m.values.len() != nc * np {
        return Err(Error::Input(format!(
            "the matrix has {} values, expected {nc} × {np}",
            m.values.len()
        )));
    }
    if let Some(i) = m.values.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return Err(Error::Input(format!(
            "value {} at location {} product {} is not a finite non-negative number",
            m.values[i],
            i / np,
            i % np
        )));
    }
    if opts.presence != Presence::Manual && !(opts.threshold.is_finite() && opts.threshold > 0.0) {
        return Err(Error::Input(format!(
            "the threshold must be a positive number, got {}",
            opts.threshold
        )));
    }
    if opts.proximity == Proximity::Continuous && opts.presence == Presence::Manual {
        return Err(Error::Input(
            "continuous proximity needs RCA or RPOP; it is not defined for a given M".into(),
        ));
    }
    if opts.knn == Some(0) {
        return Err(Error::Input("knn must be at least 1".into()));
    }

    // RCA, RPOP and M.
    let rca = if opts.presence == Presence::Manual {
        vec![f64::NAN; nc * np]
    } else {
        balassa(m)
    };
    let rpop = match opts.presence {
        Presence::Rpop => Some(rpop(m)?),
        _ => None,
    };
    let passes = |v: f64| match opts.convention {
        Convention::Stata => v > opts.threshold,
        Convention::Python => v >= opts.threshold,
    };
    let mcp: Vec<u8> = match opts.presence {
        Presence::Manual => m.values.iter().map(|&v| u8::from(v != 0.0)).collect(),
        Presence::Rca => rca.iter().map(|&v| u8::from(passes(v))).collect(),
        Presence::Rpop => rpop
            .as_ref()
            .expect("rpop computed")
            .iter()
            .map(|&v| u8::from(passes(v)))
            .collect(),
    };
    let mut diversity = vec![0u32; nc];
    let mut ubiquity = vec![0u32; np];
    for c in 0..nc {
        for p in 0..np {
            if mcp[c * np + p] == 1 {
                diversity[c] += 1;
                ubiquity[p] += 1;
            }
        }
    }

    // The remaining matrix.
    let locs: Vec<usize> = (0..nc).filter(|&c| diversity[c] > 0).collect();
    let prods: Vec<usize> = (0..np).filter(|&p| ubiquity[p] > 0).collect();
    let (c2, p2) = (locs.len(), prods.len());
    let r = Reduced::new(&mcp, np, &locs, &prods);
    let undefined = if c2 < 2 || p2 < 2 {
        Some(Error::TooSmall {
            locations: c2,
            products: p2,
        })
    } else {
        let parts = r.components();
        (parts > 1).then_some(Error::Disconnected { parts })
    };
    let basics = Basics {
        rca,
        rpop,
        mcp,
        diversity,
        ubiquity,
    };
    if let Some(why) = undefined {
        return Ok(basics.undefined(why, opts));
    }

    // ECI and PCI (raw eigenvectors, sign fixed).
    let (mut kc, mut kp, lambda) = eigen(&r)?;
    if lambda.is_nan() || lambda <= 1e-10 {
        return Ok(basics.undefined(Error::NoSecondEigenvalue, opts));
    }
    let d: Vec<f64> = r.rows.iter().map(|l| l.len() as f64).collect();
    if pearson(&d, &kc) < 0.0 {
        kc.iter_mut().for_each(|v| *v = -*v);
        kp.iter_mut().for_each(|v| *v = -*v);
    }
    // Standardisation of kc: Python over locations with ddof 0; Stata over the
    // location × product rows (each location repeated once per product of the year).
    let (mean_kc, sd_kc) = spread(&kc, np, opts.convention);
    if sd_kc.is_nan() || sd_kc <= 1e-12 * kc.iter().fold(0.0f64, |a, v| a.max(v.abs())) {
        return Ok(basics.undefined(Error::NoSecondEigenvalue, opts));
    }

    // Proximity on the remaining products.
    let weights: Option<Vec<f64>> = if opts.proximity == Proximity::Continuous {
        let src = basics.rpop.as_ref().unwrap_or(&basics.rca);
        Some(
            locs.iter()
                .flat_map(|&c| prods.iter().map(move |&p| src[c * np + p]))
                .collect(),
        )
    } else {
        None
    };
    // Density ω, the COG sums Σ_{p : M_cp = 1} w_p φ_pq and their totals over all p, with
    // w_p = kp_p / Σ_q φ_pq. Symmetric discrete proximity (the default of both packages)
    // has a sweep that never forms φ; the other options go through the P × P matrix.
    let fast = opts.proximity == Proximity::Symmetric
        && opts.knn.is_none()
        && !opts.dense_proximity
        && c2 <= SWEEP_MAX_LOCATIONS;
    let (dens, mut cog, total) = if fast {
        let s = symmetric_sums(&r, &kp, opts.convention);
        (s.density, s.cog_sums, s.totals)
    } else {
        let phi = proximity(&r, opts, weights.as_deref());
        let rowsum: Vec<f64> = phi.chunks(p2).map(|row| row.iter().sum()).collect();
        let w = cog_weights(&kp, &rowsum);
        // ω_cp = Σ_q X_cq A_qp / Σ_q A_qp with A = φ (Stata) or φᵀ (Python).
        let python_asym =
            opts.convention == Convention::Python && opts.proximity == Proximity::Asymmetric;
        let (dens, cog) = if !python_asym && weights.is_none() && opts.knn.is_none() {
            let (sums, cog) = gather::<_, true, true>(c2, p2, &phi, &r.rows, |_, _| 1.0, &w);
            (normalise_columns(sums, &phi, p2), cog)
        } else {
            let transposed;
            let a: &[f64] = if python_asym {
                transposed = transpose(&phi, p2);
                &transposed
            } else {
                &phi
            };
            let dens = density(&r, a, weights.as_deref(), opts.knn);
            let (cog, _) = gather::<_, false, false>(c2, p2, &phi, &r.rows, |_, q| w[q], &[]);
            (dens, cog)
        };
        let mut total = vec![0.0; p2];
        for (p, row) in phi.chunks(p2).enumerate() {
            for (t, v) in total.iter_mut().zip(row) {
                *t += w[p] * v;
            }
        }
        (dens, cog, total)
    };

    // COI from the raw kp.
    let mut coi = vec![0.0; c2];
    for (i, row) in r.rows.iter().enumerate() {
        let mut s = 0.0;
        let mut it = row.iter().peekable();
        for p in 0..p2 {
            if it.peek() == Some(&&(p as u32)) {
                it.next();
                continue;
            }
            s += dens[i * p2 + p] * kp[p];
        }
        coi[i] = s;
    }
    for (i, row) in r.rows.iter().enumerate() {
        let out = &mut cog[i * p2..(i + 1) * p2];
        for (o, t) in out.iter_mut().zip(&total) {
            *o = t - *o;
        }
        if opts.atlas_cog {
            for (p, o) in out.iter_mut().enumerate() {
                *o -= dens[i * p2 + p] * kp[p];
            }
        }
        for &p in row {
            out[p as usize] = 0.0;
        }
        for o in out.iter_mut() {
            *o /= sd_kc;
        }
    }
    let (mean_coi, sd_coi) = spread(&coi, np, opts.convention);

    // Back to the full index space.
    let mut eci = vec![f64::NAN; nc];
    let mut pci = vec![f64::NAN; np];
    let mut coi_full = vec![f64::NAN; nc];
    for (i, &c) in locs.iter().enumerate() {
        eci[c] = (kc[i] - mean_kc) / sd_kc;
        coi_full[c] = if sd_coi > 0.0 {
            (coi[i] - mean_coi) / sd_coi
        } else {
            f64::NAN
        };
    }
    for (j, &p) in prods.iter().enumerate() {
        pci[p] = (kp[j] - mean_kc) / sd_kc;
    }
    let full = c2 == nc && p2 == np;
    let (density_full, cog_full) = if full {
        // Nothing was left out: the reduced matrices are the full ones.
        (dens, cog)
    } else {
        let mut density_full = vec![f64::NAN; nc * np];
        let mut cog_full = vec![f64::NAN; nc * np];
        for (i, &c) in locs.iter().enumerate() {
            for (j, &p) in prods.iter().enumerate() {
                density_full[c * np + p] = dens[i * p2 + j];
                cog_full[c * np + p] = cog[i * p2 + j];
            }
        }
        (density_full, cog_full)
    };
    let Basics {
        rca,
        rpop,
        mcp,
        diversity,
        ubiquity,
    } = basics;
    Ok(Complexity {
        locations: nc,
        products: np,
        rca,
        rpop,
        mcp,
        diversity,
        ubiquity,
        eci,
        pci,
        density: density_full,
        coi: coi_full,
        cog: cog_full,
        eigenvalue: lambda,
        undefined: None,
        convention: opts.convention,
        proximity_kind: opts.proximity,
    })
}

/// What is defined whatever the eigenvector: RCA, RPOP, M, diversity, ubiquity.
struct Basics {
    rca: Vec<f64>,
    rpop: Option<Vec<f64>>,
    mcp: Vec<u8>,
    diversity: Vec<u32>,
    ubiquity: Vec<u32>,
}

impl Basics {
    /// The result of a year whose ECI is not defined: the basics, the rest missing.
    fn undefined(self, why: Error, opts: &Options) -> Complexity {
        let (nc, np) = (self.diversity.len(), self.ubiquity.len());
        let missing = |n: usize| vec![f64::NAN; n];
        Complexity {
            locations: nc,
            products: np,
            rca: self.rca,
            rpop: self.rpop,
            mcp: self.mcp,
            diversity: self.diversity,
            ubiquity: self.ubiquity,
            eci: missing(nc),
            pci: missing(np),
            density: missing(nc * np),
            coi: missing(nc),
            cog: missing(nc * np),
            eigenvalue: f64::NAN,
            undefined: Some(why),
            convention: opts.convention,
            proximity_kind: opts.proximity,
        }
    }
}

/// Balassa RCA; NaN where a location or product exports nothing.
fn balassa(m: &Matrix<'_>) -> Vec<f64> {
    let (nc, np) = (m.locations, m.products);
    let row: Vec<f64> = m.values.chunks(np).map(|r| r.iter().sum()).collect();
    let mut col = vec![0.0; np];
    for r in m.values.chunks(np) {
        for (c, v) in col.iter_mut().zip(r) {
            *c += v;
        }
    }
    let total: f64 = col.iter().sum();
    let mut out = vec![0.0; nc * np];
    for c in 0..nc {
        for p in 0..np {
            out[c * np + p] = (m.values[c * np + p] / row[c]) / (col[p] / total);
        }
    }
    out
}

/// RPOP = (x_cp / pop_c) / (Σ_c x_cp / Σ_c pop_c).
fn rpop(m: &Matrix<'_>) -> Result<Vec<f64>> {
    let (nc, np) = (m.locations, m.products);
    let pop = m
        .population
        .ok_or_else(|| Error::Input("RPOP needs the population of every location".into()))?;
    if pop.len() != nc {
        return Err(Error::Input(format!(
            "{} population values for {nc} locations",
            pop.len()
        )));
    }
    if let Some(c) = pop.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(Error::Input(format!(
            "the population of location {c} is missing or not positive"
        )));
    }
    let world: f64 = pop.iter().sum();
    let mut col = vec![0.0; np];
    for r in m.values.chunks(np) {
        for (c, v) in col.iter_mut().zip(r) {
            *c += v;
        }
    }
    Ok((0..nc * np)
        .map(|i| (m.values[i] / pop[i / np]) / (col[i % np] / world))
        .collect())
}

/// M restricted to the locations and products with any M = 1, as sparse rows and
/// columns (indices into the remaining products and locations, ascending).
struct Reduced {
    rows: Vec<Vec<u32>>,
    cols: Vec<Vec<u32>>,
}

impl Reduced {
    fn new(mcp: &[u8], np: usize, locs: &[usize], prods: &[usize]) -> Self {
        let mut rows = vec![Vec::new(); locs.len()];
        let mut cols = vec![Vec::new(); prods.len()];
        for (i, &c) in locs.iter().enumerate() {
            for (j, &p) in prods.iter().enumerate() {
                if mcp[c * np + p] == 1 {
                    rows[i].push(j as u32);
                    cols[j].push(i as u32);
                }
            }
        }
        Self { rows, cols }
    }

    /// Connected parts of the bipartite location–product graph.
    fn components(&self) -> usize {
        let (nc, np) = (self.rows.len(), self.cols.len());
        let mut seen_c = vec![false; nc];
        let mut seen_p = vec![false; np];
        let mut parts = 0;
        let mut stack = Vec::new();
        for start in 0..nc {
            if seen_c[start] {
                continue;
            }
            parts += 1;
            seen_c[start] = true;
            stack.push(start);
            while let Some(c) = stack.pop() {
                for &p in &self.rows[c] {
                    if !std::mem::replace(&mut seen_p[p as usize], true) {
                        for &c2 in &self.cols[p as usize] {
                            if !std::mem::replace(&mut seen_c[c2 as usize], true) {
                                stack.push(c2 as usize);
                            }
                        }
                    }
                }
            }
        }
        parts
    }
}

/// The raw eigenvectors (kc, kp) of the second-largest eigenvalue, on the same scale
/// as the Python package (kc = D⁻¹ M kp), and the eigenvalue.
fn eigen(r: &Reduced) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let (nc, np) = (r.rows.len(), r.cols.len());
    // Solve on the smaller side: S = A^{-1/2} M_AB B⁻¹ M_BA A^{-1/2}.
    let country_side = nc <= np;
    let (a_lists, b_lists) = if country_side {
        (&r.rows, &r.cols)
    } else {
        (&r.cols, &r.rows)
    };
    let n = a_lists.len();
    let mut s = vec![0.0; n * n];
    par_rows(&mut s, n, |i, out| {
        for &b in &a_lists[i] {
            let via = &b_lists[b as usize];
            let w = 1.0 / via.len() as f64;
            for &j in via {
                out[j as usize] += w;
            }
        }
    });
    let deg: Vec<f64> = a_lists.iter().map(|l| l.len() as f64).collect();
    for i in 0..n {
        for j in 0..n {
            s[i * n + j] /= (deg[i] * deg[j]).sqrt();
        }
    }
    let (values, vectors) = symmetric_eigen(s, n)?;
    // Ascending order: the second-largest is at n − 2.
    let lambda = values[n - 2];
    let v: Vec<f64> = (0..n).map(|i| vectors[i * n + (n - 2)]).collect();
    let ka: Vec<f64> = v.iter().zip(&deg).map(|(x, d)| x / d.sqrt()).collect();
    if country_side {
        // kp = U⁻¹ Mᵀ kc / λ (the caller discards a zero λ)
        let kp = r
            .cols
            .iter()
            .map(|l| l.iter().map(|&c| ka[c as usize]).sum::<f64>() / l.len() as f64 / lambda)
            .collect();
        Ok((ka, kp, lambda))
    } else {
        // kc = D⁻¹ M kp
        let kc = r
            .rows
            .iter()
            .map(|l| l.iter().map(|&p| ka[p as usize]).sum::<f64>() / l.len() as f64)
            .collect();
        Ok((kc, ka, lambda))
    }
}

/// Mean and standard deviation of a per-location vector under a convention: Python
/// over the locations with ddof 0; Stata over the location × product rows (each
/// location counted `products` times) with ddof 1.
fn spread(x: &[f64], products: usize, convention: Convention) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let ss: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = match convention {
        Convention::Python => (ss / n).sqrt(),
        Convention::Stata => {
            let rows = n * products as f64;
            (ss * products as f64 / (rows - 1.0)).sqrt()
        }
    };
    (mean, sd)
}

/// The COG weights w_p = kp_p / Σ_q φ_pq (0 for a product without neighbours).
fn cog_weights(kp: &[f64], rowsum: &[f64]) -> Vec<f64> {
    kp.iter()
        .zip(rowsum)
        .map(|(k, s)| if *s != 0.0 { k / s } else { 0.0 })
        .collect()
}

/// Pearson correlation (0 when either side is constant, as the standardised columns
/// of the continuous proximity).
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// Proximity on the remaining products, in the convention's orientation and diagonal.
/// `weights` is the remaining RCA (or RPOP) matrix for continuous proximity.
fn proximity(r: &Reduced, opts: &Options, weights: Option<&[f64]>) -> Vec<f64> {
    let np = r.cols.len();
    let u: Vec<f64> = r.cols.iter().map(|l| l.len() as f64).collect();
    let mut phi = vec![0.0; np * np];
    match opts.proximity {
        Proximity::Symmetric | Proximity::Asymmetric => {
            // Co-occurrence row p = Σ over the locations with p of their (dense, 16-bit)
            // M row: short integer additions the compiler vectorises.
            let asym = opts.proximity == Proximity::Asymmetric;
            let python = opts.convention == Convention::Python;
            let nc = r.rows.len();
            // (Counts fit 16 bits when there are fewer than 65,536 locations; beyond
            // that, the sparse rows are added one by one.)
            let small = nc <= usize::from(u16::MAX);
            let mut dense = vec![0u16; if small { nc * np } else { 0 }];
            if small {
                for (c, row) in r.rows.iter().enumerate() {
                    for &q in row {
                        dense[c * np + q as usize] = 1;
                    }
                }
            }
            par_rows(&mut phi, np, |p, out| {
                if small {
                    let mut count = vec![0u16; np];
                    for &c in &r.cols[p] {
                        let row = &dense[c as usize * np..(c as usize + 1) * np];
                        for (n, m) in count.iter_mut().zip(row) {
                            *n += m;
                        }
                    }
                    for (v, n) in out.iter_mut().zip(&count) {
                        *v = f64::from(*n);
                    }
                } else {
                    for &c in &r.cols[p] {
                        for &q in &r.rows[c as usize] {
                            out[q as usize] += 1.0;
                        }
                    }
                }
                for (q, v) in out.iter_mut().enumerate() {
                    if *v != 0.0 {
                        *v /= match (asym, python) {
                            (false, _) => u[p].max(u[q]),
                            (true, false) => u[q],
                            (true, true) => u[p],
                        };
                    }
                }
            });
        }
        Proximity::Continuous => {
            let x = weights.expect("continuous proximity has weights");
            let nc = r.rows.len();
            // Standardised columns, then φ = (1 + ZᵀZ) / 2.
            let mut z = vec![0.0; nc * np];
            for q in 0..np {
                let mean = (0..nc).map(|c| x[c * np + q]).sum::<f64>() / nc as f64;
                let ss: f64 = (0..nc).map(|c| (x[c * np + q] - mean).powi(2)).sum();
                let norm = ss.sqrt();
                for c in 0..nc {
                    z[c * np + q] = if norm > 0.0 {
                        (x[c * np + q] - mean) / norm
                    } else {
                        0.0
                    };
                }
            }
            par_rows(&mut phi, np, |p, out| {
                for c in 0..nc {
                    let zp = z[c * np + p];
                    if zp != 0.0 {
                        for (o, zq) in out.iter_mut().zip(&z[c * np..(c + 1) * np]) {
                            *o += zp * zq;
                        }
                    }
                }
                for v in out.iter_mut() {
                    *v = (1.0 + *v) / 2.0;
                }
            });
        }
    }
    let diag = match opts.convention {
        Convention::Stata => 0.0,
        Convention::Python => 1.0,
    };
    for p in 0..np {
        phi[p * np + p] = diag;
    }
    phi
}

fn transpose(a: &[f64], n: usize) -> Vec<f64> {
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            t[j * n + i] = a[i * n + j];
        }
    }
    t
}

/// ω_cp = Σ_q X_cq A_qp / Σ_q A_qp, X = M (or the continuous weights); with `knn`, the
/// sums run over the k products q ≠ p with the largest A_qp only.
fn density(r: &Reduced, a: &[f64], weights: Option<&[f64]>, knn: Option<usize>) -> Vec<f64> {
    let (nc, np) = (r.rows.len(), r.cols.len());
    let x = |c: usize, q: usize| -> f64 {
        match weights {
            Some(w) => w[c * np + q],
            None => f64::from(u8::from(r.rows[c].binary_search(&(q as u32)).is_ok())),
        }
    };
    match knn {
        None => {
            let sums = match weights {
                Some(w) => {
                    let by_c: Vec<Vec<u32>> = (0..nc)
                        .map(|c| {
                            (0..np as u32)
                                .filter(|&q| w[c * np + q as usize] != 0.0)
                                .collect()
                        })
                        .collect();
                    gather::<_, false, false>(nc, np, a, &by_c, |c, q| w[c * np + q], &[]).0
                }
                None => gather::<_, true, false>(nc, np, a, &r.rows, |_, _| 1.0, &[]).0,
            };
            normalise_columns(sums, a, np)
        }
        Some(k) => {
            let k = k.min(np - 1);
            // Row p of Aᵀ holds the weights A_qp of the products q around p.
            let at = transpose(a, np);
            // Neighbours of each product p: the k largest A_qp, q ≠ p (ties: lower q).
            let nbrs: Vec<Vec<usize>> = (0..np)
                .map(|p| {
                    let row = &at[p * np..(p + 1) * np];
                    let order = |x: &usize, y: &usize| {
                        row[*y]
                            .partial_cmp(&row[*x])
                            .unwrap_or(Ordering::Equal)
                            .then(x.cmp(y))
                    };
                    let mut cand: Vec<usize> = (0..np).filter(|&q| q != p).collect();
                    if k > 0 && k < cand.len() {
                        cand.select_nth_unstable_by(k - 1, order);
                        cand.truncate(k);
                    }
                    cand.sort_by(order);
                    cand
                })
                .collect();
            let den: Vec<f64> = (0..np)
                .map(|p| nbrs[p].iter().map(|&q| at[p * np + q]).sum())
                .collect();
            let mut out = vec![0.0; nc * np];
            par_rows(&mut out, np, |c, row| {
                let xc: Vec<f64> = (0..np).map(|q| x(c, q)).collect();
                for (p, o) in row.iter_mut().enumerate() {
                    let num: f64 = nbrs[p].iter().map(|&q| xc[q] * at[p * np + q]).sum();
                    *o = num / den[p];
                }
            });
            out
        }
    }
}

/// out[c, :] = Σ_{q ∈ by_c[c]} x(c, q) · A[q, :]: for each location, a weighted sum of
/// the rows of A it lists (its products).
///
/// Memory decides the speed here (A is P × P). A is processed in blocks of 64 columns;
/// each block is first copied into strips of 8 columns stored contiguously (P × 64
/// bytes each, so a strip sits in the core's cache without a page walk per row), and
/// every location's 8 sums of a strip are accumulated in registers. Blocks are shared
/// among the cores.
///
/// `UNIT`: x is 1 (no multiplication). `SECOND`: also returns Σ_{q ∈ by_c[c]} w_q · A[q, :]
/// from the same pass (empty otherwise).
fn gather<X, const UNIT: bool, const SECOND: bool>(
    nc: usize,
    np: usize,
    a: &[f64],
    by_c: &[Vec<u32>],
    x: X,
    w: &[f64],
) -> (Vec<f64>, Vec<f64>)
where
    X: Fn(usize, usize) -> f64 + Sync,
{
    const W: usize = 8;
    const BLOCK: usize = 64;
    let blocks = np.div_ceil(BLOCK);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(blocks)
        .max(1);
    let x = &x;
    let work = |first: usize| -> Vec<(usize, Vec<f64>, Vec<f64>)> {
        let mut strips = vec![0.0; np * BLOCK];
        (first..blocks)
            .step_by(threads)
            .map(|b| {
                let (lo, hi) = (b * BLOCK, (b * BLOCK + BLOCK).min(np));
                let width = hi - lo;
                let n_strips = width.div_ceil(W);
                // strips[s][q][k] = A[q, lo + s·W + k] (zero beyond the last column)
                strips[..n_strips * np * W].fill(0.0);
                for q in 0..np {
                    let row = &a[q * np + lo..q * np + hi];
                    for (s, chunk) in row.chunks(W).enumerate() {
                        let at = (s * np + q) * W;
                        strips[at..at + chunk.len()].copy_from_slice(chunk);
                    }
                }
                let mut buf = vec![0.0; nc * width];
                let mut buf2 = vec![0.0; if SECOND { nc * width } else { 0 }];
                for s in 0..n_strips {
                    let strip = &strips[s * np * W..(s + 1) * np * W];
                    let cols = (width - s * W).min(W);
                    for (c, qs) in by_c.iter().enumerate() {
                        let mut acc = [0.0f64; W];
                        let mut acc2 = [0.0f64; W];
                        for &q in qs {
                            let q = q as usize;
                            let v: &[f64; W] =
                                strip[q * W..(q + 1) * W].try_into().expect("a strip row");
                            if UNIT {
                                for k in 0..W {
                                    acc[k] += v[k];
                                }
                            } else {
                                let xq = x(c, q);
                                for k in 0..W {
                                    acc[k] += xq * v[k];
                                }
                            }
                            if SECOND {
                                let wq = w[q];
                                for k in 0..W {
                                    acc2[k] += wq * v[k];
                                }
                            }
                        }
                        let at = c * width + s * W;
                        buf[at..at + cols].copy_from_slice(&acc[..cols]);
                        if SECOND {
                            buf2[at..at + cols].copy_from_slice(&acc2[..cols]);
                        }
                    }
                }
                (lo, buf, buf2)
            })
            .collect()
    };
    let parts: Vec<(usize, Vec<f64>, Vec<f64>)> = if threads == 1 || nc * np < 65_536 {
        (0..threads).flat_map(work).collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|t| s.spawn(move || work(t))).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a complexity worker panicked"))
                .collect()
        })
    };
    let mut out = vec![0.0; nc * np];
    let mut out2 = vec![0.0; if SECOND { nc * np } else { 0 }];
    for (lo, buf, buf2) in parts {
        let width = buf.len() / nc.max(1);
        for c in 0..nc {
            out[c * np + lo..c * np + lo + width].copy_from_slice(&buf[c * width..(c + 1) * width]);
            if SECOND {
                out2[c * np + lo..c * np + lo + width]
                    .copy_from_slice(&buf2[c * width..(c + 1) * width]);
            }
        }
    }
    (out, out2)
}

/// Divides each column of the sums by the column sum of A (the density denominator).
fn normalise_columns(mut sums: Vec<f64>, a: &[f64], np: usize) -> Vec<f64> {
    let mut colsum = vec![0.0; np];
    for row in a.chunks(np) {
        for (s, v) in colsum.iter_mut().zip(row) {
            *s += v;
        }
    }
    for row in sums.chunks_mut(np) {
        for (o, s) in row.iter_mut().zip(&colsum) {
            *o /= s;
        }
    }
    sums
}

/// Fills the rows of a row-major matrix (`row_len` columns) in parallel: `f(i, row)`.
fn par_rows<F>(out: &mut [f64], row_len: usize, f: F)
where
    F: Fn(usize, &mut [f64]) + Sync,
{
    let rows = out.len() / row_len.max(1);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || out.len() < 65_536 {
        for (i, row) in out.chunks_mut(row_len).enumerate() {
            f(i, row);
        }
        return;
    }
    // Interleaved blocks of rows keep the threads evenly loaded when rows differ in cost.
    let block = 16usize;
    let blocks: Vec<(usize, &mut [f64])> = out
        .chunks_mut(row_len * block)
        .enumerate()
        .map(|(b, chunk)| (b * block, chunk))
        .collect();
    let mut per_thread: Vec<Vec<(usize, &mut [f64])>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, b) in blocks.into_iter().enumerate() {
        per_thread[i % threads].push(b);
    }
    let f = &f;
    std::thread::scope(|s| {
        for work in per_thread {
            s.spawn(move || {
                for (first, chunk) in work {
                    for (k, row) in chunk.chunks_mut(row_len).enumerate() {
                        f(first + k, row);
                    }
                }
            });
        }
    });
    debug_assert!(rows * row_len == out.len());
}

/// Eigenvalues (ascending) and eigenvectors (columns of the row-major n × n result) of
/// a symmetric matrix: Householder reduction to tridiagonal form, then the implicit
/// QL method (Wilkinson & Reinsch, *Handbook for Automatic Computation* II, the
/// EISPACK routines tred2 and tql2).
pub fn symmetric_eigen(a: Vec<f64>, n: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    assert_eq!(a.len(), n * n, "a square matrix");
    let mut v = a;
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    if n == 0 {
        return Ok((d, v));
    }
    tred2(&mut v, &mut d, &mut e, n);
    // tql2 rotates pairs of columns of V; it works on Vᵀ, whose rows are contiguous.
    let mut vt = transpose(&v, n);
    tql2(&mut vt, &mut d, &mut e, n)?;
    Ok((d, transpose(&vt, n)))
}

// Index loops as in the published algorithm, for checking against it.
#[allow(clippy::needless_range_loop)]
fn tred2(v: &mut [f64], d: &mut [f64], e: &mut [f64], n: usize) {
    let ix = |i: usize, j: usize| i * n + j;
    for j in 0..n {
        d[j] = v[ix(n - 1, j)];
    }
    for i in (1..n).rev() {
        let mut scale = 0.0;
        let mut h = 0.0;
        for k in 0..i {
            scale += d[k].abs();
        }
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[ix(i - 1, j)];
                v[ix(i, j)] = 0.0;
                v[ix(j, i)] = 0.0;
            }
        } else {
            for k in 0..i {
                d[k] /= scale;
                h += d[k] * d[k];
            }
            let mut f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            for ej in e.iter_mut().take(i) {
                *ej = 0.0;
            }
            for j in 0..i {
                f = d[j];
                v[ix(j, i)] = f;
                g = e[j] + v[ix(j, j)] * f;
                for k in j + 1..i {
                    g += v[ix(k, j)] * d[k];
                    e[k] += v[ix(k, j)] * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                f = d[j];
                g = e[j];
                for k in j..i {
                    v[ix(k, j)] -= f * e[k] + g * d[k];
                }
                d[j] = v[ix(i - 1, j)];
                v[ix(i, j)] = 0.0;
            }
        }
        d[i] = h;
    }
    for i in 0..n - 1 {
        v[ix(n - 1, i)] = v[ix(i, i)];
        v[ix(i, i)] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = v[ix(k, i + 1)] / h;
            }
            for j in 0..=i {
                let mut g = 0.0;
                for k in 0..=i {
                    g += v[ix(k, i + 1)] * v[ix(k, j)];
                }
                for k in 0..=i {
                    v[ix(k, j)] -= g * d[k];
                }
            }
        }
        for k in 0..=i {
            v[ix(k, i + 1)] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[ix(n - 1, j)];
        v[ix(n - 1, j)] = 0.0;
    }
    v[ix(n - 1, n - 1)] = 1.0;
    e[0] = 0.0;
}

#[allow(clippy::needless_range_loop)]
/// `vt` is Vᵀ: its row i is column i of V.
fn tql2(vt: &mut [f64], d: &mut [f64], e: &mut [f64], n: usize) -> Result<()> {
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1: f64 = 0.0;
    let eps = f64::EPSILON;
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n {
            if e[m].abs() <= eps * tst1 {
                break;
            }
            m += 1;
        }
        if m > l {
            let mut iterations = 0;
            loop {
                iterations += 1;
                if iterations > 60 {
                    return Err(Error::NoConvergence);
                }
                let mut g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for di in d.iter_mut().take(n).skip(l + 2) {
                    *di -= h;
                }
                f += h;
                p = d[m];
                let mut c = 1.0;
                let mut c2 = c;
                let mut c3 = c;
                let el1 = e[l + 1];
                let mut s = 0.0;
                let mut s2 = 0.0;
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    let (head, tail) = vt.split_at_mut((i + 1) * n);
                    let (vi, vi1) = (&mut head[i * n..], &mut tail[..n]);
                    for (x, y) in vi.iter_mut().zip(vi1.iter_mut()) {
                        h = *y;
                        *y = s * *x + c * h;
                        *x = c * *x - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
    // Sort ascending, with the vectors (rows of Vᵀ).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| d[a].partial_cmp(&d[b]).unwrap_or(Ordering::Equal));
    let d_sorted: Vec<f64> = order.iter().map(|&i| d[i]).collect();
    let mut sorted = vec![0.0; n * n];
    for (new, &old) in order.iter().enumerate() {
        sorted[new * n..(new + 1) * n].copy_from_slice(&vt[old * n..(old + 1) * n]);
    }
    d.copy_from_slice(&d_sorted);
    vt.copy_from_slice(&sorted);
    Ok(())
}
