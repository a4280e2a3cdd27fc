//! Synthetic BACI-format trade data for tests and benchmarks.
//!
//! **Not statistics.** Every file it writes says so in its name (`VSYNTHETIC`), the
//! folder gets a `SYNTHETIC.md`, and ingesting the files marks the vintage synthetic,
//! which every display repeats.
//!
//! The generator is deterministic for a given seed (its own xoshiro256** generator,
//! seeded through SplitMix64, so the output never changes with a dependency update)
//! and gives the data the shape of real trade:
//!
//! - the real BACI country list and HS6 product list passed in (about 220 countries,
//!   about 5,000 products);
//! - country sizes are the countries' real goods exports and imports where the caller
//!   knows them (`indmon synth` passes the World Bank figures of the bundled WDI
//!   extract), so the large traders are the real large traders; countries without a
//!   figure, or all of them when none is given, follow a Zipf law (exponent 1.1 for
//!   exporters, 0.9 for importers) below the smallest known size;
//! - products differ in how many flows they have (lognormal popularity), so the
//!   matrix is sparse;
//! - values are lognormal around exporter size × importer size (heavy-tailed,
//!   σ = 2), in thousand USD with three decimals; quantities follow from a lognormal
//!   unit value, and 2 % are `NA`;
//! - about 5 % of products have one dominant supplier (values × 40), the pattern
//!   dependency screens look for;
//! - the structure of each product (its exporters and their destinations) is the same
//!   every year, with values varying by ±30 %: concentrated suppliers persist.
//!
//! Rows are split evenly over the years; each (t, i, j, k) appears once; rows are
//! sorted by exporter, importer and product within a year, and `k` is written as an
//! integer, as BACI does, so leading zeros are dropped and must be restored.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::{Error, Result};

/// The xoshiro256** generator (Blackman & Vigna), seeded with SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

/// A country of the generated data.
#[derive(Debug, Clone)]
pub struct Country {
    /// BACI numeric code.
    pub code: u16,
    /// Name.
    pub name: String,
    /// ISO alpha-2 (may be empty).
    pub iso2: String,
    /// ISO alpha-3.
    pub iso3: String,
    /// The country's real yearly goods exports, if known (any currency, any scale):
    /// sets its size as an exporter, so that the large traders are the real ones.
    pub exports: Option<f64>,
    /// The country's real yearly goods imports, if known: sets its size as an importer.
    pub imports: Option<f64>,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// Total rows over all years.
    pub rows: u64,
    /// Seed.
    pub seed: u64,
    /// Years, each getting an equal share of rows.
    pub years: Vec<i32>,
    /// Nomenclature label in file names, e.g. `HS12`.
    pub hs: String,
}

/// What was generated.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSummary {
    /// Rows written.
    pub rows: u64,
    /// Files written.
    pub files: Vec<String>,
    /// Distinct exporters used.
    pub countries: usize,
    /// Products used.
    pub products: usize,
}

/// Sizes from real figures where known (relative to the largest), and for the
/// countries without one a Zipf tail below half the smallest known size; all Zipf when
/// no figure is known. The Zipf draw is made either way, so the random stream after
/// it does not depend on which figures are known.
fn sizes(real: &[Option<f64>], exponent: f64, rng: &mut Rng) -> Vec<f64> {
    let zipf = zipf_weights(real.len(), exponent, rng);
    let known: Vec<f64> = real
        .iter()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0)
        .collect();
    let Some(max) = known.iter().copied().reduce(f64::max) else {
        return zipf;
    };
    let min = known.iter().copied().fold(f64::INFINITY, f64::min) / max;
    real.iter()
        .zip(&zipf)
        .map(|(r, z)| match r {
            Some(v) if *v > 0.0 => v / max,
            _ => 0.5 * min * z,
        })
        .collect()
}

fn zipf_weights(n: usize, exponent: f64, rng: &mut Rng) -> Vec<f64> {
    // ranks shuffled so that size is not tied to the order of the code list
    let mut ranks: Vec<usize> = (1..=n).collect();
    for i in (1..n).rev() {
        ranks.swap(i, rng.below(i + 1));
    }
    ranks
        .iter()
        .map(|&r| 1.0 / (r as f64).powf(exponent))
        .collect()
}

/// Draws `k` distinct indices with probability proportional to `w` (k ≤ number of
/// positive weights), by repeated weighted draws with rejection.
fn weighted_distinct(
    w: &[f64],
    cum: &[f64],
    k: usize,
    rng: &mut Rng,
    exclude: Option<usize>,
    out: &mut Vec<usize>,
) {
    out.clear();
    let total = *cum.last().unwrap_or(&0.0);
    let mut taken = vec![false; w.len()];
    if let Some(e) = exclude {
        taken[e] = true;
    }
    let available = taken.iter().filter(|t| !**t).count();
    let k = k.min(available);
    let mut tries = 0usize;
    while out.len() < k {
        tries += 1;
        let idx = if tries < 50 * k + 100 {
            let x = rng.uniform() * total;
            cum.partition_point(|&c| c <= x).min(w.len() - 1)
        } else {
            // after many rejections (nearly all heavy weights taken) fall back to uniform
            rng.below(w.len())
        };
        if !taken[idx] {
            taken[idx] = true;
            out.push(idx);
        }
    }
}

fn cumulative(w: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

/// Writes the synthetic BACI files for `cfg` into `out_dir`: one trade file per
/// year, the country and product code files, and `SYNTHETIC.md`. `progress` gets the
/// number of rows written so far.
pub fn generate_baci(
    cfg: &SynthConfig,
    countries: &[Country],
    products: &[(String, String)],
    out_dir: &Path,
    progress: &dyn Fn(u64),
) -> Result<SynthSummary> {
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |e: std::io::Error| Error::Io {
            path: p.clone(),
            source: e,
        }
    };
    if countries.len() < 3 || products.is_empty() || cfg.years.is_empty() {
        return Err(Error::Sink(
            "synthetic data needs at least 3 countries, 1 product and 1 year".into(),
        ));
    }
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let nc = countries.len();
    let np = products.len();
    let max_pairs = (nc * (nc - 1)) as u64;
    let per_year = cfg.rows / cfg.years.len() as u64;
    if per_year > max_pairs * np as u64 / 2 {
        return Err(Error::Sink(format!(
            "{} rows a year is more than half of all {} country pairs × {np} products; ask for fewer rows",
            per_year, max_pairs
        )));
    }
    let mut rng = Rng::new(cfg.seed);
    let exports: Vec<Option<f64>> = countries.iter().map(|c| c.exports).collect();
    let imports: Vec<Option<f64>> = countries.iter().map(|c| c.imports).collect();
    let size = sizes(&exports, 1.1, &mut rng);
    let size_cum = cumulative(&size);
    let appetite = sizes(&imports, 0.9, &mut rng);
    let appetite_cum = cumulative(&appetite);
    // product popularity (lognormal) → flows per product, by largest remainder,
    // capped at the number of country pairs
    let popularity: Vec<f64> = (0..np).map(|_| (1.2 * rng.normal()).exp()).collect();
    let total_pop: f64 = popularity.iter().sum();
    let allot = |rows: u64| -> Vec<u64> {
        let mut f: Vec<u64> = popularity
            .iter()
            .map(|p| ((p / total_pop) * rows as f64).floor() as u64)
            .collect();
        for x in f.iter_mut() {
            *x = (*x).min(max_pairs);
        }
        let mut missing = rows - f.iter().sum::<u64>();
        let mut k = 0usize;
        while missing > 0 {
            if f[k % np] < max_pairs {
                f[k % np] += 1;
                missing -= 1;
            }
            k += 1;
        }
        f
    };
    let dominant: Vec<bool> = (0..np).map(|_| rng.uniform() < 0.05).collect();
    let unit_value: Vec<f64> = (0..np).map(|_| (1.0 + 1.5 * rng.normal()).exp()).collect();
    let product_seeds: Vec<u64> = (0..np).map(|_| rng.next_u64()).collect();

    let mut files = Vec::new();
    let mut written = 0u64;
    let mut used_exporters = vec![false; nc];
    for (yi, &year) in cfg.years.iter().enumerate() {
        let rows_this_year = if yi + 1 == cfg.years.len() {
            cfg.rows - per_year * (cfg.years.len() as u64 - 1)
        } else {
            per_year
        };
        let flows = allot(rows_this_year);
        let name = format!("BACI_{}_Y{year}_VSYNTHETIC.csv", cfg.hs);
        let path = out_dir.join(&name);
        let mut year_rng = Rng::new(cfg.seed ^ (year as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut exporters = Vec::new();
        let mut importers = Vec::new();
        // the year's flows, then written sorted by (exporter, importer, product) as BACI is
        let mut flows_out: Vec<Flow> = Vec::with_capacity(rows_this_year as usize);
        for p in 0..np {
            let f = flows[p] as usize;
            if f == 0 {
                continue;
            }
            // the product's structure comes from its own generator: the same every year
            let mut prng = Rng::new(product_seeds[p]);
            let n_exp = ((f as f64).sqrt() * 1.5).ceil().clamp(1.0, nc as f64) as usize;
            let n_exp = n_exp.max(f.div_ceil(nc - 1));
            weighted_distinct(&size, &size_cum, n_exp, &mut prng, None, &mut exporters);
            // flows per exporter, proportional to size, each at most nc - 1
            let ew: Vec<f64> = exporters.iter().map(|&e| size[e]).collect();
            let ew_total: f64 = ew.iter().sum();
            let mut per_exp: Vec<usize> = ew
                .iter()
                .map(|x| ((x / ew_total) * f as f64).floor() as usize)
                .collect();
            for x in per_exp.iter_mut() {
                *x = (*x).min(nc - 1);
            }
            let mut missing = f - per_exp.iter().sum::<usize>();
            let mut idx = 0usize;
            while missing > 0 {
                let e = idx % per_exp.len();
                if per_exp[e] < nc - 1 {
                    per_exp[e] += 1;
                    missing -= 1;
                }
                idx += 1;
            }
            let code: u32 = products[p].0.parse().unwrap_or(0);
            for (ei, &e) in exporters.iter().enumerate() {
                if per_exp[ei] == 0 {
                    continue;
                }
                used_exporters[e] = true;
                weighted_distinct(
                    &appetite,
                    &appetite_cum,
                    per_exp[ei],
                    &mut prng,
                    Some(e),
                    &mut importers,
                );
                let boost = if dominant[p] && ei == 0 { 40.0 } else { 1.0 };
                for &j in &importers {
                    let base = 1.0e4 * size[e].sqrt() * appetite[j].sqrt();
                    let v = base
                        * boost
                        * (2.0 * prng.normal()).exp()
                        * (1.0 + 0.3 * (2.0 * year_rng.uniform() - 1.0));
                    let v = (v * 1000.0).round().max(1.0) / 1000.0;
                    let q = if year_rng.uniform() < 0.02 {
                        None
                    } else {
                        let q = v / (unit_value[p] * (0.5 * year_rng.normal()).exp());
                        Some((q * 1000.0).round().max(1.0) / 1000.0)
                    };
                    flows_out.push(Flow {
                        i: countries[e].code,
                        j: countries[j].code,
                        k: code,
                        v,
                        q,
                    });
                }
                written += per_exp[ei] as u64;
                if written % 262_144 < per_exp[ei] as u64 {
                    progress(written);
                }
            }
        }
        flows_out.sort_unstable_by_key(|f| (f.i, f.j, f.k));
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        writeln!(w, "t,i,j,k,v,q").map_err(io(&path))?;
        for f in &flows_out {
            match f.q {
                Some(q) => writeln!(w, "{year},{},{},{},{:.3},{q:.3}", f.i, f.j, f.k, f.v),
                None => writeln!(w, "{year},{},{},{},{:.3},NA", f.i, f.j, f.k, f.v),
            }
            .map_err(io(&path))?;
        }
        w.flush().map_err(io(&path))?;
        w.into_inner().map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e.into_error(),
        })?;
        files.push(name);
    }
    progress(written);
    // code files
    let cpath = out_dir.join("country_codes_VSYNTHETIC.csv");
    let mut w = BufWriter::new(std::fs::File::create(&cpath).map_err(io(&cpath))?);
    writeln!(w, "country_code,country_name,country_iso2,country_iso3").map_err(io(&cpath))?;
    for c in countries {
        writeln!(w, "{},{},{},{}", c.code, csv_field(&c.name), c.iso2, c.iso3)
            .map_err(io(&cpath))?;
    }
    w.flush().map_err(io(&cpath))?;
    files.push("country_codes_VSYNTHETIC.csv".into());
    let pname = format!("product_codes_{}_VSYNTHETIC.csv", cfg.hs);
    let ppath = out_dir.join(&pname);
    let mut w = BufWriter::new(std::fs::File::create(&ppath).map_err(io(&ppath))?);
    writeln!(w, "code,description").map_err(io(&ppath))?;
    for (code, name) in products {
        writeln!(w, "{code},{}", csv_field(name)).map_err(io(&ppath))?;
    }
    w.flush().map_err(io(&ppath))?;
    files.push(pname);
    let readme = out_dir.join("SYNTHETIC.md");
    std::fs::write(
        &readme,
        format!(
            "# SYNTHETIC trade data — not statistics\n\n\
             Generated by `indmon synth baci --rows {} --seed {} --years {}` (indmon {}, generator version {}).\n\
             BACI file layout (t,i,j,k,v,q) with real country and HS product codes, but every flow, value and\n\
             quantity is made up. See the documentation of `indmon_sources::synth` for how. Use it for tests\n\
             and benchmarks only; indmon labels it synthetic wherever it is shown.\n",
            cfg.rows,
            cfg.seed,
            cfg.years.iter().map(i32::to_string).collect::<Vec<_>>().join(","),
            indmon_core::INDMON_VERSION,
            GENERATOR_VERSION
        ),
    )
    .map_err(io(&readme))?;
    files.push("SYNTHETIC.md".into());
    Ok(SynthSummary {
        rows: written,
        files,
        countries: used_exporters.iter().filter(|u| **u).count(),
        products: products.len(),
    })
}

/// Version of the generator; bumped whenever the same seed would give other data.
pub const GENERATOR_VERSION: u32 = 2;

/// One generated flow.
struct Flow {
    i: u16,
    j: u16,
    k: u32,
    v: f64,
    q: Option<f64>,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_reproducible_and_uniform_enough() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(43).next_u64(), xs[0]);
        let mut r = Rng::new(7);
        let n = 100_000;
        let mean: f64 = (0..n).map(|_| r.uniform()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let normals: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let m = normals.iter().sum::<f64>() / n as f64;
        let sd = (normals.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64).sqrt();
        assert!(m.abs() < 0.02 && (sd - 1.0).abs() < 0.02, "{m} {sd}");
        assert!((0..1000).all(|_| r.below(7) < 7));
    }

    #[test]
    fn sizes_follow_the_real_figures_and_put_the_unknown_below_them() {
        let real = [Some(50.0), None, Some(200.0), Some(100.0), None];
        let mut r = Rng::new(3);
        let s = sizes(&real, 1.1, &mut r);
        assert_eq!(&[s[0], s[2], s[3]], &[0.25, 1.0, 0.5]);
        assert!(
            s[1] > 0.0 && s[1] <= 0.125 && s[4] > 0.0 && s[4] <= 0.125,
            "{s:?}"
        );
        // no figures: the Zipf weights, the same stream either way
        let mut a = Rng::new(3);
        let z = sizes(&[None; 5], 1.1, &mut a);
        let mut b = Rng::new(3);
        assert_eq!(z, zipf_weights(5, 1.1, &mut b));
        assert_eq!(a.next_u64(), r.next_u64());
    }

    #[test]
    fn weighted_draws_are_distinct_and_exclude() {
        let w = vec![5.0, 1.0, 1.0, 1.0, 0.5];
        let cum = cumulative(&w);
        let mut r = Rng::new(1);
        let mut out = Vec::new();
        weighted_distinct(&w, &cum, 4, &mut r, Some(0), &mut out);
        let mut s = out.clone();
        s.sort();
        assert_eq!(s, vec![1, 2, 3, 4]);
    }
}
