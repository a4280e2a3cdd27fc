//! Output files (issue 19, item 3): every command's `--out` refuses a path inside the
//! data directory — a vintage's Parquet file, the ledger, a new file among them — and
//! leaves the store as it was; elsewhere a file is written whole (a temporary file
//! renamed into place). `complexity --out FILE.parquet` writes Parquet.

use std::path::{Path, PathBuf};

use crate::support::*;

fn panel() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/py-ecomplexity/trade_data_sample.csv")
}

/// The commands with an output file, writing to `out`.
fn writers(out: &Path) -> Vec<Vec<String>> {
    let out = out.to_str().unwrap();
    let panel = panel();
    let panel = panel.to_str().unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evaluation");
    let spec = fixtures.join("synth/basque.toml");
    let spec = spec.to_str().unwrap();
    let mpdta = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../indmon-analytics/tests/fixtures/evaluation/mpdta.csv");
    let mpdta = mpdta.to_str().unwrap();
    [
        vec!["sql", "SELECT 1 AS x", "--out", out],
        vec![
            "complexity",
            "--panel",
            panel,
            "--format",
            "csv",
            "--no-save",
            "--out",
            out,
        ],
        vec!["complexity", "--panel", panel, "--no-save", "--out", out],
        vec!["dependencies", "metrics", "--format", "csv", "--out", out],
        vec![
            "evaluate", "synth", "--spec", spec, "--format", "json", "--out", out,
        ],
        vec![
            "evaluate",
            "did",
            "--data",
            mpdta,
            "--outcome",
            "lemp",
            "--time",
            "year",
            "--id",
            "countyreal",
            "--group",
            "first.treat",
            "--format",
            "csv",
            "--out",
            out,
        ],
        vec!["ledger", "export", "--format", "json", "--out", out],
        vec![
            "ledger",
            "export",
            "--format",
            "csv",
            "--entity",
            "programme",
            "--out",
            out,
        ],
    ]
    .into_iter()
    .map(|a| a.into_iter().map(String::from).collect())
    .collect()
}

#[test]
fn no_output_file_lands_in_the_data_directory() {
    let m = Indmon::new();
    // the bundle loaded, the ledger created
    m.run(&["sources"]).ok();
    m.run(&["ledger", "list", "programme"]).ok();
    let parquet = m.vintage_dir("baci_hs17").join("data.parquet");
    let targets = [
        parquet.clone(),
        m.data().join("ledger.sqlite"),
        m.data().join("new.csv"),
        m.data().join("datasets").join("new.parquet"),
    ];
    let before = snapshot(&m.data());
    for target in &targets {
        let mut args = writers(target);
        if target.extension().is_some_and(|e| e == "parquet") {
            args.push(
                [
                    "complexity",
                    "--panel",
                    panel().to_str().unwrap(),
                    "--no-save",
                    "--out",
                ]
                .iter()
                .map(|s| s.to_string())
                .chain([target.to_str().unwrap().to_string()])
                .collect(),
            );
        }
        for a in args {
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let r = m.run(&a);
            assert_eq!(r.code, 2, "{a:?}: {}", r.stderr);
            assert!(
                r.stderr
                    .contains("cannot be written inside the data directory"),
                "{a:?}: {}",
                r.stderr
            );
        }
        // a directory of CSV files inside it too
        let r = m.run(&[
            "ledger",
            "export",
            "--format",
            "csv",
            "--out",
            m.data().join("csv-export").to_str().unwrap(),
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
    }
    assert!(
        diff(&before, &snapshot(&m.data())).is_empty(),
        "the store changed"
    );
    // elsewhere the same commands write their files, whole
    let outside = m.dir.path().join("out");
    std::fs::create_dir(&outside).unwrap();
    for (k, a) in writers(&outside.join("x.csv")).into_iter().enumerate() {
        let out = outside.join(format!("{k}.csv"));
        let a: Vec<String> = a
            .into_iter()
            .map(|s| {
                if s.ends_with("x.csv") {
                    out.display().to_string()
                } else {
                    s
                }
            })
            .collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        m.run(&a).ok();
        assert!(std::fs::metadata(&out).unwrap().len() > 0, "{a:?}");
    }
    let left = partial_files(&outside);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn complexity_writes_parquet_with_the_csv_columns() {
    let m = Indmon::new();
    let out = m.dir.path().join("c.parquet");
    let csv = m.dir.path().join("c.csv");
    let panel = panel();
    let common = [
        "complexity",
        "--panel",
        panel.to_str().unwrap(),
        "--no-save",
        "--out",
    ];
    let r = m
        .command()
        .args(common)
        .arg(&out)
        .env_remove("INDMON_QUIET")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    m.run(&[&common[..], &[csv.to_str().unwrap(), "--format", "csv"]].concat())
        .ok();
    // the Parquet file names the CSV's columns, in order, and has its rows: the
    // footer's schema lists the column names
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let mut at = 0;
    for name in &header {
        let found = bytes[at..]
            .windows(name.len())
            .position(|w| w == name.as_bytes())
            .unwrap_or_else(|| panic!("column {name} not in the Parquet footer after byte {at}"));
        at += found + name.len();
    }
    assert_eq!(header.len(), 13);
    assert_eq!(text.lines().count() - 1, 600);
    assert_eq!(partial_files(m.dir.path()), Vec::<String>::new());
}
