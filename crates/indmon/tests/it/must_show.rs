//! The "must show" commands of the foundation issue, on the bundled data.

use crate::support::*;

#[test]
fn sources_lists_the_bundled_datasets_with_release_dates_and_licences() {
    let m = Indmon::new();
    let r = m.run(&["sources"]).ok();
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("estat_nama_10_a64"))
        .expect("Eurostat listed");
    assert!(
        line.contains("2025-03-12") && line.contains("CC BY 4.0"),
        "{line}"
    );
    let baci = r
        .stdout
        .lines()
        .find(|l| l.starts_with("baci_hs17"))
        .expect("BACI listed");
    assert!(
        baci.contains("2026-01-01") && baci.contains("21723") && baci.contains("Etalab"),
        "{baci}"
    );
    for ds in [
        "un_sna_2_4",
        "oecd_naag_iv",
        "wdi_macro",
        "hs92",
        "nace_r2",
        "cn2022_cpa21",
        "eucrm_scores",
    ] {
        assert!(
            r.stdout.lines().any(|l| l.starts_with(ds)),
            "{ds} missing:\n{}",
            r.stdout
        );
    }
    // the detail view cites provenance
    let d = m.run(&["sources", "estat_nama_10_a64"]).ok();
    assert!(
        d.stdout.contains("12/03/25 23:00:00") && d.stdout.contains("LAST UPDATE"),
        "{}",
        d.stdout
    );
}

#[test]
fn series_prints_nl_manufacturing_and_total_value_added_2023() {
    let m = Indmon::new();
    let r = m
        .run(&[
            "series", "va", "--geo", "NL", "--nace", "C", "--year", "2023",
        ])
        .ok();
    let row = r.stdout.lines().find(|l| l.starts_with("NL")).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells[..5],
        ["NL", "C", "2023", "115740", "CP_MEUR"],
        "{row}"
    );
    assert!(
        r.stdout.contains("Eurostat") && r.stdout.contains("release 2025-03-12"),
        "{}",
        r.stdout
    );
    let r = m
        .run(&[
            "series", "va", "--geo", "NL", "--nace", "TOTAL", "--year", "2023", "--format", "json",
        ])
        .ok();
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["rows"][0]["value"], serde_json::json!(962084.0));
    assert_eq!(j["rows"][0]["dataset"], "estat_nama_10_a64");
}

#[test]
fn vintages_show_the_revision_between_undata_and_eurostat() {
    let m = Indmon::new();
    let r = m
        .run(&[
            "vintages", "va", "--geo", "NL", "--nace", "TOTAL", "--year", "2023", "--format", "csv",
        ])
        .ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "dataset,release,vintage,geo,nace,year,value,unit,flag,series"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("estat_nama_10_a64,2025-03-12,") && l.contains(",962084,")),
        "{}",
        r.stdout
    );
    assert!(
        lines.iter().any(|l| l.starts_with("un_sna_2_4,")
            && l.contains(",932664,")
            && l.ends_with(",1000")),
        "{}",
        r.stdout
    );
}

#[test]
fn sql_answers_a_select_and_refuses_writes() {
    let m = Indmon::new();
    let r = m
        .run(&[
            "sql",
            "SELECT value FROM estat_nama_10_a64 WHERE geo = 'NL' AND nace = 'C' AND time = 2023",
            "--format",
            "csv",
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "value\n115740.0");
    let before = snapshot(&m.data());
    for (sql, word) in [
        ("INSERT INTO hs92 SELECT * FROM hs92", "INSERT"),
        ("DROP TABLE estat_nama_10_a64", "DROP"),
        ("COPY (SELECT 1) TO '/tmp/indmon-test-copy.csv'", "COPY"),
        (
            "CREATE EXTERNAL TABLE x STORED AS CSV LOCATION '/etc/passwd'",
            "CREATE EXTERNAL TABLE",
        ),
    ] {
        let r = m.run(&["sql", sql]);
        assert_eq!(r.code, 5, "{sql}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("read-only: {word} is refused")),
            "{}",
            r.stderr
        );
    }
    assert!(!std::path::Path::new("/tmp/indmon-test-copy.csv").exists());
    assert!(diff(&before, &snapshot(&m.data())).is_empty());
    // the result can be exported to Parquet instead
    let out = m.dir.path().join("nl.parquet");
    m.run(&[
        "sql",
        "SELECT * FROM na_obs WHERE geo = 'NL'",
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
        "not a Parquet file"
    );
    assert_eq!(partial_files(m.dir.path()), Vec::<String>::new());
}

#[test]
fn as_of_reads_the_release_current_on_a_date() {
    let m = Indmon::new();
    // before Eurostat's 2025-03-12 release the store has no Eurostat vintage
    let r = m.run(&[
        "series",
        "va",
        "--geo",
        "NL",
        "--nace",
        "C",
        "--year",
        "2023",
        "--source",
        "estat_nama_10_a64",
        "--as-of",
        "2025-01-01",
    ]);
    assert!(
        r.code == 2 || r.stdout.contains("(no rows)"),
        "{} {}",
        r.stdout,
        r.stderr
    );
    let r = m
        .run(&[
            "series",
            "va",
            "--geo",
            "NL",
            "--nace",
            "C",
            "--year",
            "2023",
            "--as-of",
            "2025-06-30",
        ])
        .ok();
    assert!(r.stdout.contains("115740"), "{}", r.stdout);
}
