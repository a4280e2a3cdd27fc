//! An ingest killed half-way (SIGKILL) leaves the previous vintage intact and no
//! partial file visible; the next writer clears the leftovers.

use std::time::{Duration, Instant};

use crate::support::*;

fn staging_has_data(data: &std::path::Path) -> bool {
    std::fs::read_dir(data.join("tmp"))
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| std::fs::metadata(e.path().join("data.parquet")).is_ok_and(|m| m.len() > 0))
}

#[test]
fn sigkill_during_ingest_keeps_the_previous_vintage() {
    let m = Indmon::new();
    let a = m.dir.path().join("a");
    let b = m.dir.path().join("b");
    m.run(&[
        "synth",
        "baci",
        "--rows",
        "200000",
        "--seed",
        "1",
        "--years",
        "2024",
        "--out",
        a.to_str().unwrap(),
    ])
    .ok();
    m.run(&["ingest", "baci", a.to_str().unwrap()]).ok();
    let q = "SELECT COUNT(*) AS n, CAST(SUM(v) AS BIGINT) AS s FROM synth_baci_hs12";
    let before_rows = m.run(&["sql", q, "--format", "csv"]).ok().stdout;
    let datasets_before = snapshot(&m.data().join("datasets"));

    // a second, bigger release: kill the ingest once it has written Parquet data
    m.run(&[
        "synth",
        "baci",
        "--rows",
        "3000000",
        "--seed",
        "2",
        "--years",
        "2024",
        "--out",
        b.to_str().unwrap(),
    ])
    .ok();
    let mut child = m
        .command()
        .args(["ingest", "baci", b.to_str().unwrap(), "--force"])
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !staging_has_data(&m.data()) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the ingest never started writing"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the ingest finished ({status}) before it could be killed; make the input bigger"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // nothing of the killed ingest is visible: the committed vintages are byte-for-byte as before
    assert!(diff(&datasets_before, &snapshot(&m.data().join("datasets"))).is_empty());
    let after_rows = m.run(&["sql", q, "--format", "csv"]).ok().stdout;
    assert_eq!(before_rows, after_rows);
    let vintages = m.run(&["vintages", "synth_baci_hs12"]).ok().stdout;
    assert_eq!(
        vintages
            .lines()
            .filter(|l| l.contains("VSYNTHETIC")
                || l.contains("a/")
                || l.trim_end().ends_with(" true"))
            .count(),
        1,
        "{vintages}"
    );

    // the next ingest clears the leftover staging folder and completes
    m.run(&["ingest", "baci", b.to_str().unwrap()]).ok();
    let leftovers: Vec<_> = std::fs::read_dir(m.data().join("tmp"))
        .unwrap()
        .flatten()
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let n = m
        .run(&[
            "sql",
            "SELECT COUNT(*) FROM synth_baci_hs12",
            "--format",
            "csv",
        ])
        .ok()
        .stdout;
    assert_eq!(n.lines().nth(1), Some("3000000"));
}
