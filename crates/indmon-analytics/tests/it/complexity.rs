//! Parity of the complexity engine with the Growth Lab's Stata and Python packages on
//! the real sample in `data/py-ecomplexity/` (10 countries × 30 HS4 products × 2 years),
//! and checks of the eigen solver and identities on random matrices.
//!
//! Tolerance: |a − b| ≤ 1e-9 · max(1, |b|); integers exact. Stata exported its values as
//! float32, so its RCA is compared at 1e-6.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use indmon_analytics::complexity::{
    self, Complexity, Convention, Matrix, Options, Presence, Proximity,
};
use proptest::prelude::*;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/py-ecomplexity")
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ecomplexity")
}

/// A CSV file as rows of named fields (the files here have no quoted fields).
fn read_csv(path: &PathBuf) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> f64 {
    if s.is_empty() || s == "." {
        f64::NAN
    } else {
        s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
    }
}

/// One year of the sample: location and product codes (sorted) and the matrix.
struct Year {
    locations: Vec<String>,
    products: Vec<String>,
    values: Vec<f64>,
    population: Vec<f64>,
}

fn sample(value_col: &str, rows: &[BTreeMap<String, String>]) -> BTreeMap<i32, Year> {
    let pop = read_csv(&data_dir().join("population_data_sample.csv"));
    let mut out = BTreeMap::new();
    let years: BTreeSet<i32> = rows.iter().map(|r| r["year"].parse().unwrap()).collect();
    for y in years {
        let ys = y.to_string();
        let these: Vec<_> = rows.iter().filter(|r| r["year"] == ys).collect();
        let locations: Vec<String> = these
            .iter()
            .map(|r| r["origin"].clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let products: Vec<String> = these
            .iter()
            .map(|r| r["hs92"].clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut values = vec![0.0; locations.len() * products.len()];
        for r in &these {
            let c = locations.binary_search(&r["origin"]).unwrap();
            let p = products.binary_search(&r["hs92"]).unwrap();
            values[c * products.len() + p] = num(&r[value_col]);
        }
        let population = locations
            .iter()
            .map(|l| {
                pop.iter()
                    .find(|r| r["year"] == ys && &r["origin"] == l)
                    .map_or(f64::NAN, |r| num(&r["population"]))
            })
            .collect();
        out.insert(
            y,
            Year {
                locations,
                products,
                values,
                population,
            },
        );
    }
    out
}

/// The real sample's years, from its exports.
fn sample_years() -> BTreeMap<i32, Year> {
    sample(
        "export_val",
        &read_csv(&data_dir().join("trade_data_sample.csv")),
    )
}

fn run(year: &Year, opts: &Options) -> Complexity {
    let m = Matrix {
        locations: year.locations.len(),
        products: year.products.len(),
        values: &year.values,
        population: Some(&year.population),
    };
    complexity::compute(&m, opts).expect("computes")
}

/// The value of a measure for one (location, product) cell.
fn cell(out: &Complexity, column: &str, c: usize, p: usize) -> f64 {
    let i = c * out.products + p;
    match column {
        "rca" => out.rca[i],
        "rpop" => out.rpop.as_ref().expect("rpop")[i],
        "mcp" | "M" => f64::from(out.mcp[i]),
        "diversity" => f64::from(out.diversity[c]),
        "ubiquity" => f64::from(out.ubiquity[p]),
        "eci" => out.eci[c],
        "pci" => out.pci[p],
        "density" => out.density[i],
        "coi" => out.coi[c],
        "cog" => out.cog[i],
        other => panic!("unknown column {other}"),
    }
}

/// Compares every reference row with indmon's value; prints the largest difference
/// per column and fails on any difference beyond the tolerance.
fn compare(
    name: &str,
    reference: &[BTreeMap<String, String>],
    years: &BTreeMap<i32, Year>,
    results: &BTreeMap<i32, Complexity>,
    columns: &[(&str, f64)],
) {
    let mut worst: BTreeMap<&str, f64> = BTreeMap::new();
    let mut failures = Vec::new();
    for row in reference {
        let y: i32 = row["year"].parse().unwrap();
        let (year, out) = (&years[&y], &results[&y]);
        let c = year.locations.binary_search(&row["origin"]).unwrap();
        let p = year.products.binary_search(&row["hs92"]).unwrap();
        for &(col, tol) in columns {
            let b = num(&row[col]);
            let a = cell(out, col, c, p);
            let diff = (a - b).abs();
            let w = worst.entry(col).or_insert(0.0);
            *w = w.max(diff);
            if diff.is_nan() || diff > tol * b.abs().max(1.0) {
                failures.push(format!(
                    "{y} {} {} {col}: indmon {a} reference {b}",
                    row["origin"], row["hs92"]
                ));
            }
        }
    }
    println!(
        "{name}: largest |indmon − reference| per column over {} rows:",
        reference.len()
    );
    for (col, w) in &worst {
        println!("  {col:<10} {w:.3e}");
    }
    assert!(
        failures.is_empty(),
        "{name}: {} values differ, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}

const EXACT: f64 = 0.0;
const TOL: f64 = 1e-9;

fn python_columns() -> Vec<(&'static str, f64)> {
    vec![
        ("rca", TOL),
        ("mcp", EXACT),
        ("diversity", EXACT),
        ("ubiquity", EXACT),
        ("eci", TOL),
        ("pci", TOL),
        ("density", TOL),
        ("coi", TOL),
        ("cog", TOL),
    ]
}

fn python_parity(file: &str, opts: Options, columns: &[(&str, f64)], drop: Option<&str>) {
    let trade: Vec<_> = read_csv(&data_dir().join("trade_data_sample.csv"))
        .into_iter()
        .filter(|r| drop.is_none_or(|d| r["origin"] != d))
        .collect();
    let years = sample("export_val", &trade);
    let results = years.iter().map(|(y, yr)| (*y, run(yr, &opts))).collect();
    let reference = read_csv(&fixture_dir().join(file));
    compare(file, &reference, &years, &results, columns);
}

fn python(proximity: Proximity) -> Options {
    Options {
        convention: Convention::Python,
        proximity,
        ..Options::default()
    }
}

#[test]
fn stata_ground_truth() {
    let truth = read_csv(&data_dir().join("stata_ground_truth.csv"));
    let years = sample_years();
    let results = years
        .iter()
        .map(|(y, yr)| (*y, run(yr, &Options::default())))
        .collect();
    compare(
        "stata_ground_truth.csv",
        &truth,
        &years,
        &results,
        &[
            ("rca", 1e-6),
            ("M", EXACT),
            ("diversity", EXACT),
            ("ubiquity", EXACT),
            ("eci", TOL),
            ("pci", TOL),
            ("density", TOL),
            ("coi", TOL),
            ("cog", TOL),
        ],
    );
}

#[test]
fn stata_ground_truth_given_statas_own_m() {
    // Stata's exports are float32: with its own M as manual presence, everything but
    // RCA must still agree at 1e-9.
    let truth = read_csv(&data_dir().join("stata_ground_truth.csv"));
    let years = sample("M", &truth);
    let opts = Options {
        presence: Presence::Manual,
        ..Options::default()
    };
    let results = years.iter().map(|(y, yr)| (*y, run(yr, &opts))).collect();
    compare(
        "stata_ground_truth.csv (manual M)",
        &truth,
        &years,
        &results,
        &[
            ("M", EXACT),
            ("eci", TOL),
            ("pci", TOL),
            ("density", TOL),
            ("coi", TOL),
            ("cog", TOL),
        ],
    );
}

#[test]
fn python_default() {
    python_parity(
        "python_default.csv",
        python(Proximity::Symmetric),
        &python_columns(),
        None,
    );
}

#[test]
fn python_continuous() {
    python_parity(
        "python_continuous.csv",
        python(Proximity::Continuous),
        &python_columns(),
        None,
    );
}

#[test]
fn python_asymmetric() {
    python_parity(
        "python_asymmetric.csv",
        python(Proximity::Asymmetric),
        &python_columns(),
        None,
    );
}

#[test]
fn python_rpop() {
    let mut cols = python_columns();
    cols.push(("rpop", TOL));
    python_parity(
        "python_rpop.csv",
        Options {
            presence: Presence::Rpop,
            ..python(Proximity::Symmetric)
        },
        &cols,
        Some("blx"),
    );
}

#[test]
fn python_threshold_1_5_on_the_remaining_matrix() {
    // One country and several products have no M = 1 at RCA ≥ 1.5; they come out
    // missing, the rest must equal the package's result on the reduced matrix.
    let opts = Options {
        threshold: 1.5,
        ..python(Proximity::Symmetric)
    };
    let years = sample_years();
    let results: BTreeMap<i32, Complexity> =
        years.iter().map(|(y, yr)| (*y, run(yr, &opts))).collect();
    let reference = read_csv(&fixture_dir().join("python_rca1_5_remaining.csv"));
    let cols = [
        ("mcp", EXACT),
        ("diversity", EXACT),
        ("ubiquity", EXACT),
        ("eci", TOL),
        ("pci", TOL),
        ("density", TOL),
        ("coi", TOL),
        ("cog", TOL),
    ];
    compare(
        "python_rca1_5_remaining.csv",
        &reference,
        &years,
        &results,
        &cols,
    );
    // Everything not in the reduced reference is missing, and only that.
    for (y, out) in &results {
        let yr = &years[y];
        for (c, loc) in yr.locations.iter().enumerate() {
            let present = reference
                .iter()
                .any(|r| r["year"] == y.to_string() && &r["origin"] == loc);
            assert_eq!(out.eci[c].is_nan(), !present, "{y} {loc}");
            assert_eq!(out.diversity[c] == 0, !present);
        }
        for (p, prod) in yr.products.iter().enumerate() {
            let present = reference
                .iter()
                .any(|r| r["year"] == y.to_string() && &r["hs92"] == prod);
            assert_eq!(out.pci[p].is_nan(), !present, "{y} {prod}");
        }
    }
}

#[test]
fn threshold_2_splits_the_network_and_says_so() {
    let years = sample_years();
    let yr = &years[&1995];
    let m = Matrix {
        locations: yr.locations.len(),
        products: yr.products.len(),
        values: &yr.values,
        population: None,
    };
    let opts = Options {
        threshold: 2.0,
        ..python(Proximity::Symmetric)
    };
    let out = complexity::compute(&m, &opts).unwrap();
    assert_eq!(
        out.undefined,
        Some(complexity::Error::Disconnected { parts: 2 })
    );
    // RCA, M, diversity and ubiquity are still there; everything built on ECI is missing.
    assert!(out.rca.iter().all(|v| v.is_finite()));
    assert!(out.mcp.contains(&1));
    assert!(out.diversity.iter().any(|&d| d > 0));
    assert!(
        out.eci
            .iter()
            .chain(&out.pci)
            .chain(&out.density)
            .chain(&out.cog)
            .all(|v| v.is_nan())
    );
}

#[test]
fn knn_density_weights_the_neighbours() {
    // With k = P − 1 the weighted k-nearest density equals the full density without
    // the diagonal, i.e. the Stata convention's density.
    let years = sample_years();
    let yr = &years[&1995];
    let full = run(yr, &Options::default());
    let knn = run(
        yr,
        &Options {
            knn: Some(yr.products.len() - 1),
            ..Options::default()
        },
    );
    for (a, b) in knn.density.iter().zip(&full.density) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    // With k = 3, density is a weighted mean of M over the 3 nearest: within [0, 1],
    // and 1 where all three neighbours are present.
    let k3 = run(
        yr,
        &Options {
            knn: Some(3),
            ..Options::default()
        },
    );
    assert!(k3.density.iter().all(|d| (0.0..=1.0).contains(d)));
    assert!(
        k3.density
            .iter()
            .any(|d| *d > 0.0 && *d < 1.0 && (d * 3.0).fract() != 0.0)
    );
}

#[test]
fn atlas_cog_subtracts_density_times_pci() {
    let years = sample_years();
    let yr = &years[&1996];
    let plain = run(yr, &Options::default());
    let atlas = run(
        yr,
        &Options {
            atlas_cog: true,
            ..Options::default()
        },
    );
    // pci = (kp − mean)/sd, so kp/sd = pci + mean/sd; recover mean/sd from ECI.
    let np = yr.products.len();
    for c in 0..yr.locations.len() {
        for p in 0..np {
            let i = c * np + p;
            if plain.mcp[i] == 1 {
                assert_eq!(atlas.cog[i], 0.0);
                continue;
            }
            let gap = plain.cog[i] - atlas.cog[i];
            // gap = density · kp / sd, the same sign and proportional across products.
            assert!(gap.is_finite());
            assert!(plain.density[i] >= 0.0);
        }
    }
    let differs = plain
        .cog
        .iter()
        .zip(&atlas.cog)
        .any(|(a, b)| (a - b).abs() > 1e-6);
    assert!(differs, "the Atlas term changes COG");
}

// ---------------------------------------------------------------------------
// The eigen solver and identities on random matrices.

/// Cyclic Jacobi: eigenvalues and vectors (columns) of a symmetric matrix. An
/// independent, slow, reference solver.
fn jacobi(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

fn random_symmetric(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let x = next();
            a[i * n + j] = x;
            a[j * n + i] = x;
        }
    }
    a
}

#[test]
fn symmetric_solver_matches_jacobi_and_the_eigen_equation() {
    for (n, seed) in [(1, 1), (2, 2), (7, 3), (40, 4), (120, 5)] {
        let a = random_symmetric(n, seed);
        let (values, vectors) = complexity::symmetric_eigen(a.clone(), n).unwrap();
        let (mut jv, _) = jacobi(a.clone(), n);
        jv.sort_by(|x, y| x.partial_cmp(y).unwrap());
        for (x, y) in values.iter().zip(&jv) {
            assert!((x - y).abs() < 1e-10, "n={n}: eigenvalue {x} vs Jacobi {y}");
        }
        // A v = λ v and orthonormal vectors.
        for k in 0..n {
            for i in 0..n {
                let av: f64 = (0..n).map(|j| a[i * n + j] * vectors[j * n + k]).sum();
                assert!((av - values[k] * vectors[i * n + k]).abs() < 1e-10);
            }
            let norm: f64 = (0..n).map(|i| vectors[i * n + k].powi(2)).sum();
            assert!((norm - 1.0).abs() < 1e-12);
        }
    }
}

/// A reference ECI on the dense C × C matrix D⁻¹ M U⁻¹ Mᵀ via Jacobi on its symmetric
/// form, Python convention (population sd over locations).
fn reference_eci(m: &[u8], nc: usize, np: usize) -> Option<Vec<f64>> {
    let d: Vec<f64> = (0..nc)
        .map(|c| (0..np).map(|p| f64::from(m[c * np + p])).sum())
        .collect();
    let u: Vec<f64> = (0..np)
        .map(|p| (0..nc).map(|c| f64::from(m[c * np + p])).sum())
        .collect();
    let mut s = vec![0.0; nc * nc];
    for a in 0..nc {
        for b in 0..nc {
            let x: f64 = (0..np)
                .map(|p| f64::from(m[a * np + p] * m[b * np + p]) / u[p])
                .sum();
            s[a * nc + b] = x / (d[a] * d[b]).sqrt();
        }
    }
    let (vals, vecs) = jacobi(s, nc);
    let mut order: Vec<usize> = (0..nc).collect();
    order.sort_by(|&x, &y| vals[x].partial_cmp(&vals[y]).unwrap());
    let k = order[nc - 2];
    // A repeated second eigenvalue leaves the vector undefined: no reference.
    if vals[order[nc - 1]] - vals[k] < 1e-6 || (nc > 2 && vals[k] - vals[order[nc - 3]] < 1e-6) {
        return None;
    }
    let mut kc: Vec<f64> = (0..nc).map(|c| vecs[c * nc + k] / d[c].sqrt()).collect();
    let md = d.iter().sum::<f64>() / nc as f64;
    let mk = kc.iter().sum::<f64>() / nc as f64;
    let cov: f64 = d.iter().zip(&kc).map(|(a, b)| (a - md) * (b - mk)).sum();
    // No correlation with diversity: the sign is a coin toss, no reference.
    let sd_d = d.iter().map(|x| (x - md).powi(2)).sum::<f64>().sqrt();
    let sd_k = kc.iter().map(|x| (x - mk).powi(2)).sum::<f64>().sqrt();
    if cov.abs() <= 1e-9 * sd_d * sd_k {
        return None;
    }
    if cov < 0.0 {
        kc.iter_mut().for_each(|v| *v = -*v);
    }
    let mean = kc.iter().sum::<f64>() / nc as f64;
    let sd = (kc.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / nc as f64).sqrt();
    Some(kc.iter().map(|v| (v - mean) / sd).collect())
}

fn random_panel() -> impl Strategy<Value = (usize, usize, Vec<f64>)> {
    (3usize..14, 3usize..14).prop_flat_map(|(nc, np)| {
        (
            Just(nc),
            Just(np),
            prop::collection::vec(prop_oneof![1 => Just(0.0), 4 => 1.0f64..1e6], nc * np),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// ECI equals the dense reference whichever side the solver works on (C ≤ P uses
    /// the location side, C > P the product side), and ECI is the mean PCI of the
    /// location's products (the normalisation by kc keeps this identity).
    #[test]
    fn eci_matches_the_dense_reference_and_averages_pci((nc, np, values) in random_panel()) {
        let m = Matrix { locations: nc, products: np, values: &values, population: None };
        let opts = Options { convention: Convention::Python, ..Options::default() };
        match complexity::compute(&m, &opts) {
            Ok(out) if out.undefined.is_some() => {}
            Ok(out) => {
                // Only full matrices (no excluded rows) compare directly.
                prop_assume!(out.diversity.iter().all(|&d| d > 0) && out.ubiquity.iter().all(|&u| u > 0));
                let reference = reference_eci(&out.mcp, nc, np);
                prop_assume!(reference.is_some());
                let reference = reference.unwrap();
                for (c, r) in reference.iter().enumerate() {
                    prop_assert!((out.eci[c] - r).abs() < 1e-7,
                        "eci {} vs {}", out.eci[c], r);
                    let mean_pci: f64 = (0..np).filter(|&p| out.mcp[c * np + p] == 1)
                        .map(|p| out.pci[p]).sum::<f64>() / f64::from(out.diversity[c]);
                    prop_assert!((out.eci[c] - mean_pci).abs() < 1e-9);
                }
                // Density is a weighted share: within [0, 1].
                prop_assert!(out.density.iter().all(|d| (-1e-12..=1.0 + 1e-12).contains(d)));
                // The COI is z-scored: mean 0.
                let mean_coi = out.coi.iter().sum::<f64>() / nc as f64;
                prop_assert!(mean_coi.abs() < 1e-9);
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// The sweep that never forms φ and the sums over the P × P matrix give the same
    /// density, COI and COG, in both conventions, also with excluded rows and columns.
    #[test]
    fn sweep_equals_the_proximity_matrix((nc, np, values) in random_panel(), python in any::<bool>(), thr in 0.8f64..1.6) {
        let m = Matrix { locations: nc, products: np, values: &values, population: None };
        let convention = if python { Convention::Python } else { Convention::Stata };
        let base = Options { convention, threshold: thr, ..Options::default() };
        let sweep = complexity::compute(&m, &base).unwrap();
        let dense = complexity::compute(&m, &Options { dense_proximity: true, ..base }).unwrap();
        prop_assert_eq!(&sweep.undefined, &dense.undefined);
        for (name, a, b) in [
            ("density", &sweep.density, &dense.density),
            ("cog", &sweep.cog, &dense.cog),
            ("coi", &sweep.coi, &dense.coi),
            ("eci", &sweep.eci, &dense.eci),
        ] {
            for (x, y) in a.iter().zip(b.iter()) {
                prop_assert!(
                    (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                    "{} {} vs {}", name, x, y
                );
            }
        }
    }
}

#[test]
#[allow(clippy::needless_range_loop)] // matrix indices, as in the formula
fn proximity_rows_reproduce_the_density() {
    let years = sample_years();
    for convention in [Convention::Stata, Convention::Python] {
        let out = run(
            &years[&1995],
            &Options {
                convention,
                ..Options::default()
            },
        );
        let (nc, np) = (out.locations, out.products);
        let phi: Vec<Vec<f64>> = (0..np).map(|p| out.proximity_row(p)).collect();
        for p in 0..np {
            assert_eq!(
                phi[p][p],
                if convention == Convention::Python {
                    1.0
                } else {
                    0.0
                }
            );
            for q in 0..np {
                assert_eq!(phi[p][q], phi[q][p], "symmetric");
                assert!((0.0..=1.0).contains(&phi[p][q]));
            }
        }
        for c in 0..nc {
            for p in 0..np {
                let num: f64 = (0..np)
                    .map(|q| f64::from(out.mcp[c * np + q]) * phi[q][p])
                    .sum();
                let den: f64 = (0..np).map(|q| phi[q][p]).sum();
                assert!((num / den - out.density[c * np + p]).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn bad_input_is_refused() {
    let values = [1.0, f64::NAN, 2.0, 3.0];
    let m = Matrix {
        locations: 2,
        products: 2,
        values: &values,
        population: None,
    };
    assert!(matches!(
        complexity::compute(&m, &Options::default()),
        Err(complexity::Error::Input(_))
    ));
    let values = [1.0, 2.0, 2.0, 3.0];
    let m = Matrix {
        locations: 2,
        products: 2,
        values: &values,
        population: None,
    };
    let rpop = Options {
        presence: Presence::Rpop,
        ..Options::default()
    };
    assert!(matches!(
        complexity::compute(&m, &rpop),
        Err(complexity::Error::Input(_))
    ));
}

#[test]
fn locations_that_export_alike_have_no_eci() {
    // Every location has every product: the second eigenvalue is 0, and ECI is not
    // defined; the basics are still there.
    let values = [1.0; 12];
    let m = Matrix {
        locations: 3,
        products: 4,
        values: &values,
        population: None,
    };
    let opts = Options {
        presence: Presence::Manual,
        ..Options::default()
    };
    let out = complexity::compute(&m, &opts).unwrap();
    assert_eq!(out.undefined, Some(complexity::Error::NoSecondEigenvalue));
    assert_eq!(out.diversity, vec![4, 4, 4]);
    assert!(out.eci.iter().all(|v| v.is_nan()));
    // An empty matrix is an input error, not a panic.
    let empty = Matrix {
        locations: 0,
        products: 0,
        values: &[],
        population: None,
    };
    assert!(matches!(
        complexity::compute(&empty, &Options::default()),
        Err(complexity::Error::Input(_))
    ));
}
