//! `indmon complexity` and `indmon opportunities` end to end: the Stata ground truth
//! through the CLI, results stored with their method, opportunities for NL on the
//! bundled data and on synthetic data (labelled), and malformed panels.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::support::*;

fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/py-ecomplexity")
}

fn num(s: &str) -> f64 {
    if s.is_empty() {
        f64::NAN
    } else {
        s.parse().unwrap()
    }
}

/// Joins the CLI's CSV with a reference on (year, location, product) and returns the
/// largest difference per column, failing on any beyond its tolerance.
fn check(
    out: &str,
    reference: &[BTreeMap<String, String>],
    columns: &[(&str, &str, f64)],
) -> BTreeMap<String, f64> {
    let ours: BTreeMap<(String, String, String), BTreeMap<String, String>> = parse_csv(out)
        .into_iter()
        .map(|r| {
            (
                (
                    r["year"].clone(),
                    r["location"].clone(),
                    r["product"].clone(),
                ),
                r,
            )
        })
        .collect();
    assert_eq!(
        ours.len(),
        reference.len(),
        "one output row per reference row"
    );
    let mut worst = BTreeMap::new();
    for row in reference {
        let key = (
            row["year"].clone(),
            row["origin"].clone(),
            row["hs92"].clone(),
        );
        let o = ours
            .get(&key)
            .unwrap_or_else(|| panic!("no output row for {key:?}"));
        for &(ours_col, ref_col, tol) in columns {
            let (a, b) = (num(&o[ours_col]), num(&row[ref_col]));
            let d = (a - b).abs();
            let w = worst.entry(ours_col.to_string()).or_insert(0.0f64);
            *w = w.max(d);
            assert!(
                d <= tol * b.abs().max(1.0),
                "{key:?} {ours_col}: indmon {a}, reference {b}"
            );
        }
    }
    worst
}

#[test]
fn complexity_cli_reproduces_the_stata_ground_truth() {
    let m = Indmon::new();
    let panel = sample_dir().join("trade_data_sample.csv");
    let r = m
        .run(&[
            "complexity",
            "--panel",
            panel.to_str().unwrap(),
            "--convention",
            "stata",
            "--format",
            "csv",
            "--no-save",
        ])
        .ok();
    assert!(
        r.stderr.contains("Method: complexity/1 (stata convention"),
        "{}",
        r.stderr
    );
    let header = r.stdout.lines().next().unwrap();
    assert_eq!(
        header,
        "year,location,product,value,rca,mcp,diversity,ubiquity,eci,pci,density,coi,cog"
    );
    let truth_text = std::fs::read_to_string(sample_dir().join("stata_ground_truth.csv")).unwrap();
    let truth = parse_csv(&truth_text);
    // Stata exported float32: RCA at 1e-6; everything else at 1e-9; integers exact.
    let worst = check(
        &r.stdout,
        &truth,
        &[
            ("rca", "rca", 1e-6),
            ("mcp", "M", 0.0),
            ("diversity", "diversity", 0.0),
            ("ubiquity", "ubiquity", 0.0),
            ("eci", "eci", 1e-9),
            ("pci", "pci", 1e-9),
            ("density", "density", 1e-9),
            ("coi", "coi", 1e-9),
            ("cog", "cog", 1e-9),
        ],
    );
    println!("indmon complexity --convention stata vs stata_ground_truth.csv, largest difference:");
    for (col, d) in &worst {
        println!("  {col:<10} {d:.3e}");
    }
}

#[test]
fn complexity_cli_python_convention_matches_the_package() {
    let m = Indmon::new();
    let panel = sample_dir().join("trade_data_sample.csv");
    let out = m.dir.path().join("out.csv");
    m.run(&[
        "complexity",
        "--panel",
        panel.to_str().unwrap(),
        "--convention",
        "python",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
        "--no-save",
    ])
    .ok();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../indmon-analytics/tests/fixtures/ecomplexity/python_default.csv");
    let reference = parse_csv(&std::fs::read_to_string(fixture).unwrap());
    let cols: Vec<(&str, &str, f64)> = [
        "rca",
        "mcp",
        "diversity",
        "ubiquity",
        "eci",
        "pci",
        "density",
        "coi",
        "cog",
    ]
    .iter()
    .map(|c| (*c, *c, 1e-9))
    .collect();
    check(&std::fs::read_to_string(out).unwrap(), &reference, &cols);
}

#[test]
fn complexity_results_go_back_to_the_store_with_their_method() {
    let m = Indmon::new();
    let r = m
        .run(&[
            "complexity",
            "--dataset",
            "growthlab_trade_sample",
            "--convention",
            "python",
        ])
        .ok();
    assert!(
        r.stdout.contains("Method: complexity/1 (python convention"),
        "{}",
        r.stdout
    );
    let q = m
        .run(&[
            "sql",
            "SELECT convention, COUNT(*) AS n, COUNT(DISTINCT location) AS locations, MIN(method) AS method \
             FROM complexity_growthlab_trade_sample GROUP BY convention",
            "--format",
            "csv",
        ])
        .ok();
    assert!(
        q.stdout.contains("python,600,10,complexity/1"),
        "{}",
        q.stdout
    );
    let cat = m
        .run(&[
            "sql",
            "SELECT source, parser, input, synthetic FROM indmon_catalog WHERE dataset = 'complexity_growthlab_trade_sample'",
            "--format",
            "csv",
        ])
        .ok();
    assert!(
        cat.stdout
            .contains("complexity,complexity/1,dataset:growthlab_trade_sample@"),
        "{}",
        cat.stdout
    );
}

#[test]
fn opportunities_for_nl_run_on_the_bundled_data_with_their_source() {
    let m = Indmon::new();
    let r = m.run(&["opportunities", "--geo", "NL"]).ok();
    assert!(r.stdout.contains("NLD in 2024"), "{}", r.stdout);
    assert!(r.stdout.contains("Source: CEPII"), "{}", r.stdout);
    assert!(
        r.stdout.contains("Method: complexity/1 (stata convention"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Only 30 products"), "{}", r.stdout);
    // names from BACI's own product list of the same release, cited
    assert!(
        r.stdout.contains("critical raw material: bauxite"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Product names: baci_products"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("SYNTHETIC"), "{}", r.stdout);
    // Ranked by COG, none of them already exported with comparative advantage.
    let j = m
        .run(&[
            "opportunities",
            "--geo",
            "NL",
            "--format",
            "json",
            "--top",
            "50",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    let rows = v["rows"]
        .as_array()
        .unwrap_or_else(|| v.as_array().unwrap());
    assert!(!rows.is_empty());
    let cogs: Vec<f64> = rows.iter().map(|r| r["cog"].as_f64().unwrap()).collect();
    assert!(cogs.windows(2).all(|w| w[0] >= w[1]), "{cogs:?}");
    assert!(rows.iter().all(|r| r["rca"].as_f64().unwrap() <= 1.0));
    // The neighbourhood of a product.
    let n = m
        .run(&[
            "opportunities",
            "--geo",
            "NL",
            "--near",
            "850511",
            "--top",
            "5",
        ])
        .ok();
    assert!(
        n.stdout.contains("Nearest products to 850511"),
        "{}",
        n.stdout
    );
    // Unknown country: a usage error that names it.
    let bad = m.run(&["opportunities", "--geo", "XX"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("'XX' is not among"), "{}", bad.stderr);
}

#[test]
fn opportunities_on_synthetic_data_say_so() {
    let m = Indmon::new();
    let dir = m.dir.path().join("synth");
    m.run(&[
        "synth",
        "baci",
        "--rows",
        "60000",
        "--years",
        "2024",
        "--out",
        dir.to_str().unwrap(),
    ])
    .ok();
    m.run(&["ingest", "baci", dir.to_str().unwrap()]).ok();
    let r = m
        .run(&[
            "opportunities",
            "--geo",
            "NL",
            "--dataset",
            "synth_baci_hs12",
            "--hs4",
        ])
        .ok();
    assert!(r.stdout.contains("SYNTHETIC"), "{}", r.stdout);
    // The default stays on real data.
    let real = m.run(&["opportunities", "--geo", "NL"]).ok();
    assert!(!real.stdout.contains("SYNTHETIC"), "{}", real.stdout);
}

#[test]
fn malformed_panels_are_refused_with_file_line_and_field() {
    let m = Indmon::new();
    m.run(&["sources"]).ok(); // the store exists
    let before = snapshot(&m.data());
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        ("empty.csv", b"".to_vec(), &["empty.csv", "empty"]),
        (
            "columns.csv",
            b"jaar,land,waarde\n2020,nl,1\n".to_vec(),
            &["columns.csv", "no year column", "jaar, land, waarde"],
        ),
        (
            "number.csv",
            b"year,origin,hs92,export_val\n2020,nld,0101,12\n2020,nld,0102,1,5\n".to_vec(),
            &["number.csv", "line 3"],
        ),
        (
            "value.csv",
            b"year,origin,hs92,export_val\n2020,nld,0101,12\n2020,nld,0102,twelve\n".to_vec(),
            &["value.csv", "line 3", "export_val", "not a number"],
        ),
        (
            "negative.csv",
            b"year,origin,hs92,export_val\n2020,nld,0101,-3\n".to_vec(),
            &["negative.csv", "line 2", "negative"],
        ),
        (
            "dup.csv",
            b"year,origin,hs92,export_val\n2020,nld,0101,1\n2020,deu,0101,2\n2020,nld,0101,3\n"
                .to_vec(),
            &["dup.csv", "line 4", "appears twice (first on line 2)"],
        ),
        (
            "truncated.csv",
            b"year,origin,hs92,export_val\n2020,nld,0101,1\n2020,deu,01".to_vec(),
            &["truncated.csv", "line 3", "truncated"],
        ),
        (
            "cp1252.csv",
            b"year,origin,hs92,export_val\n2020,cura\xe7ao,0101,1\n".to_vec(),
            &["cp1252.csv", "line 2", "invalid UTF-8", "--encoding cp1252"],
        ),
    ];
    for (name, bytes, wants) in cases {
        let path = m.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let r = m.run(&["complexity", "--panel", path.to_str().unwrap()]);
        assert_eq!(r.code, 3, "{name}: exit {}\n{}", r.code, r.stderr);
        for w in wants {
            assert!(
                r.stderr.contains(w),
                "{name}: expected {w:?} in: {}",
                r.stderr
            );
        }
    }
    // cp1252 is read when declared.
    let cp = m.dir.path().join("cp1252.csv");
    let r = m
        .run(&[
            "complexity",
            "--panel",
            cp.to_str().unwrap(),
            "--encoding",
            "cp1252",
            "--format",
            "csv",
            "--no-save",
        ])
        .ok();
    assert!(r.stdout.contains("2020,curaçao,0101,1,"), "{}", r.stdout);
    // A BOM is fine.
    let bom = m.dir.path().join("bom.csv");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(std::fs::read(sample_dir().join("trade_data_sample.csv")).unwrap());
    std::fs::write(&bom, bytes).unwrap();
    m.run(&["complexity", "--panel", bom.to_str().unwrap(), "--no-save"])
        .ok();
    assert!(
        diff(&before, &snapshot(&m.data())).is_empty(),
        "a refused panel changes nothing in the store"
    );
}
