//! Synthetic trade data: reproducible, BACI-shaped, and labelled synthetic wherever
//! it is shown.

use crate::support::*;

#[test]
fn synthetic_baci_is_reproducible_shaped_and_labelled() {
    let m = Indmon::new();
    let a = m.dir.path().join("a");
    let b = m.dir.path().join("b");
    for d in [&a, &b] {
        m.run(&[
            "synth",
            "baci",
            "--rows",
            "30000",
            "--seed",
            "7",
            "--out",
            d.to_str().unwrap(),
        ])
        .ok();
    }
    for f in [
        "BACI_HS12_Y2022_VSYNTHETIC.csv",
        "BACI_HS12_Y2024_VSYNTHETIC.csv",
        "country_codes_VSYNTHETIC.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    assert!(
        std::fs::read_to_string(a.join("SYNTHETIC.md"))
            .unwrap()
            .contains("not statistics")
    );
    let r = m.run(&["ingest", "baci", a.to_str().unwrap()]).ok();
    assert!(r.stdout.contains("[SYNTHETIC DATA]"), "{}", r.stdout);
    let s = m.run(&["sources"]).ok().stdout;
    let line = s
        .lines()
        .find(|l| l.starts_with("synth_baci_hs12"))
        .unwrap();
    assert!(line.contains("SYNTHETIC"), "{line}");
    let shape = m
        .run(&[
            "sql",
            "SELECT COUNT(*) AS n, COUNT(DISTINCT t) AS years, COUNT(DISTINCT i) AS exporters, COUNT(DISTINCT k) AS products, \
             MIN(LENGTH(k)) AS kmin, MAX(LENGTH(k)) AS kmax, SUM(CASE WHEN q IS NULL THEN 1 ELSE 0 END) AS q_na \
             FROM synth_baci_hs12",
            "--format",
            "json",
        ])
        .ok()
        .stdout;
    let j: serde_json::Value = serde_json::from_str(&shape).unwrap();
    let row = &j[0];
    assert_eq!(row["n"], 30000);
    assert_eq!(row["years"], 3);
    assert!(row["exporters"].as_i64().unwrap() > 100, "{row}");
    assert!(row["products"].as_i64().unwrap() > 1000, "{row}");
    assert_eq!(
        (row["kmin"].as_i64(), row["kmax"].as_i64()),
        (Some(6), Some(6))
    );
    let na = row["q_na"].as_i64().unwrap();
    assert!(
        (300..=900).contains(&na),
        "about 2 % of quantities are NA: {na}"
    );
    let cat = m
        .run(&[
            "sql",
            "SELECT synthetic, publisher FROM indmon_catalog WHERE dataset = 'synth_baci_hs12'",
            "--format",
            "csv",
        ])
        .ok()
        .stdout;
    assert!(
        cat.contains("true,") && cat.contains("not statistics"),
        "{cat}"
    );
}
