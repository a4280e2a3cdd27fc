//! Integrity (issue 19, item 4): a damaged stored file is found by `indmon verify`
//! (exit 3, the file named), makes only its own dataset unavailable — queries of it fail
//! naming the file, every other command keeps working — and `indmon sources` says so.

use std::path::{Path, PathBuf};

use crate::support::*;

fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_flipped_byte_is_named_by_verify_and_only_its_dataset_fails() {
    let m = Indmon::new();
    m.run(&["sources"]).ok(); // the first run loads the bundled snapshot
    let clean = m.run(&["verify"]).ok();
    assert!(
        clean.stdout.contains("datasets/baci_hs17/"),
        "{}",
        clean.stdout
    );
    assert!(!clean.stdout.contains("mismatch"), "{}", clean.stdout);

    let file = m.vintage_dir("baci_hs17").join("data.parquet");
    flip_a_byte(&file);

    let r = m.run(&["verify"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&file.display().to_string()),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("checksum mismatch"), "{}", r.stderr);
    let bad: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("mismatch"))
        .collect();
    assert_eq!(bad.len(), 1, "{}", r.stdout);
    assert!(bad[0].contains("baci_hs17"), "{}", bad[0]);
    // one dataset at a time
    m.run(&["verify", "estat_nama_10_a64"]).ok();
    assert_eq!(m.run(&["verify", "baci_hs17"]).code, 3);
    assert_eq!(m.run(&["verify", "no_such_dataset"]).code, 2);

    // queries of the damaged dataset fail clearly, naming the file
    let r = m.run(&["sql", "SELECT COUNT(*) FROM baci_hs17"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("dataset baci_hs17 is unavailable"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&file.display().to_string()),
        "{}",
        r.stderr
    );
    let r = m.run(&["dependencies", "metrics", "--reporter", "NL"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("baci_hs17"), "{}", r.stderr);

    // everything else works
    m.run(&["target"]).ok();
    m.run(&["sql", "SELECT COUNT(*) FROM estat_nama_10_a64"])
        .ok();
    m.run(&["sources"]).ok();

    // ingesting the release again replaces the damaged vintage
    let trade = repo().join("data/baci-crm-2024/BACI_HS17_Y2024_V202601_crm.csv");
    m.run(&["ingest", "baci", trade.to_str().unwrap(), "--force"])
        .ok();
    m.run(&["verify"]).ok();
    m.run(&["sql", "SELECT COUNT(*) FROM baci_hs17"]).ok();
}

#[test]
fn a_truncated_record_hides_only_its_dataset() {
    let m = Indmon::new();
    m.run(&["sources"]).ok();
    let record = m.vintage_dir("baci_countries").join("meta.json");
    let text = std::fs::read(&record).unwrap();
    std::fs::write(&record, &text[..text.len() / 3]).unwrap();

    // the catalog is read; sources lists the others and says which one is missing and why
    let r = m.run(&["sources"]).ok();
    assert!(r.stdout.contains("estat_nama_10_a64"), "{}", r.stdout);
    let note = r
        .stdout
        .lines()
        .find(|l| l.contains("UNAVAILABLE"))
        .unwrap_or_else(|| panic!("no note in {}", r.stdout));
    assert!(note.contains("baci_countries"), "{note}");
    assert!(note.contains("meta.json"), "{note}");
    assert!(!r.stdout.lines().any(|l| l.starts_with("baci_countries ")));
    let json = m.run(&["sources", "--format", "json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["unavailable"][0]["dataset"], "baci_countries");

    // other commands work
    m.run(&["target"]).ok();
    m.run(&["vintages", "estat_nama_10_a64"]).ok();
    m.run(&["sql", "SELECT COUNT(*) FROM baci_hs17"]).ok();

    // the dataset itself: a clear error naming the file
    for args in [
        &["sql", "SELECT COUNT(*) FROM baci_countries"][..],
        &["vintages", "baci_countries"],
        &["sources", "baci_countries"],
        &["verify"],
    ] {
        let r = m.run(args);
        assert_eq!(r.code, 3, "{args:?}\n{}\n{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(&record.display().to_string()),
            "{args:?}: {}",
            r.stderr
        );
    }
}
