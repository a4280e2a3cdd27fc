//! `indmon markets`: the taxonomy's validation, and the status board on synthetic trade
//! checked against a computation straight from the generated BACI files.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::support::{Indmon, parse_csv};

const TAXONOMY: &str = include_str!("../../../../taxonomy/priority-markets.toml");

/// The taxonomy with one "é" written as Windows-1252 (byte 0xE9).
fn cp1252() -> Vec<u8> {
    let at = TAXONOMY.find("Halfgeleiders").unwrap() + "Halfgeleiders".len();
    let mut b = TAXONOMY.as_bytes().to_vec();
    b.splice(at..at, [b' ', 0xE9]);
    b
}

#[test]
fn the_shipped_taxonomy_validates_and_a_wrong_code_is_named() {
    let m = Indmon::new();
    let r = m.run(&["markets", "validate"]).ok();
    assert!(r.stderr.contains("The taxonomy is valid"), "{}", r.stderr);
    for id in [
        "semiconductors",
        "biotechnology",
        "digital_ai",
        "machine_building",
        "innovative_chemistry",
        "defence_growth",
    ] {
        assert!(r.stdout.contains(id), "{id}: {}", r.stdout);
    }
    // the validation needs no store
    assert!(!m.data().exists());

    // a code that does not exist: exit 3, the entry and its line named
    let bad = TAXONOMY.replacen("code = \"848620\"", "code = \"848699\"", 1);
    assert_ne!(bad, TAXONOMY, "the taxonomy lists 848620");
    let line = bad.lines().position(|l| l.contains("\"848699\"")).unwrap() + 1;
    let path = m.dir.path().join("bad.toml");
    std::fs::write(&path, &bad).unwrap();
    let r = m.run(&["markets", "validate", "--taxonomy", path.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("bad.toml"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("line {line}: semiconductors / ")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hs 848699: not a subheading of HS20"),
        "{}",
        r.stderr
    );
    // the other commands refuse an invalid taxonomy too
    let r = m.run(&["markets", "--taxonomy", path.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);

    // malformed files: empty, not UTF-8, unknown key, syntax error
    for (name, bytes, want) in [
        ("empty.toml", b"".to_vec(), "the file is empty".to_string()),
        ("cp1252.toml", cp1252(), "not UTF-8".to_string()),
        (
            "key.toml",
            TAXONOMY
                .replacen("coverage_note", "coverage_notes", 1)
                .into_bytes(),
            "coverage_notes".to_string(),
        ),
        (
            "syntax.toml",
            TAXONOMY.replacen("schema = 1", "schema = ", 1).into_bytes(),
            "line".to_string(),
        ),
    ] {
        let p = m.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let r = m.run(&["markets", "validate", "--taxonomy", p.to_str().unwrap()]);
        assert_eq!(r.code, 3, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(&want),
            "{name}: {}",
            r.stderr
        );
    }
    // a UTF-8 byte-order mark is fine
    let p = m.dir.path().join("bom.toml");
    std::fs::write(&p, format!("\u{feff}{TAXONOMY}")).unwrap();
    m.run(&["markets", "validate", "--taxonomy", p.to_str().unwrap()])
        .ok();
}

/// Flows of the generated files: (year, exporter, importer, product) → value.
fn read_baci(dir: &Path) -> Vec<(i32, i64, i64, String, f64)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("BACI_") {
            continue;
        }
        let mut r = csv::Reader::from_path(&p).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            out.push((
                rec[0].parse().unwrap(),
                rec[1].parse().unwrap(),
                rec[2].parse().unwrap(),
                format!("{:0>6}", &rec[3]),
                rec[4].parse().unwrap(),
            ));
        }
    }
    out
}

/// Whether `a` equals `b` up to the order of additions (CSV keeps every digit; the table
/// rounds).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-9)
}

/// Checks the codes table of one country against the generated files; returns how many
/// codes had exports.
fn check_against_files(
    flows: &[(i32, i64, i64, String, f64)],
    country: i64,
    rows: &[BTreeMap<String, String>],
    semis: &[String],
) -> usize {
    let y24: Vec<_> = flows.iter().filter(|f| f.0 == 2024).collect();
    let world: f64 = y24.iter().map(|f| f.4).sum();
    let total: f64 = y24.iter().filter(|f| f.1 == country).map(|f| f.4).sum();
    let mut nonzero = 0;
    for row in rows.iter().filter(|r| semis.contains(&r["hs6"])) {
        let k = &row["hs6"];
        let w: f64 = y24.iter().filter(|f| &f.3 == k).map(|f| f.4).sum();
        let x: f64 = y24
            .iter()
            .filter(|f| &f.3 == k && f.1 == country)
            .map(|f| f.4)
            .sum();
        assert!(
            close(
                row["world_exports_musd"].parse::<f64>().unwrap(),
                w / 1000.0
            ),
            "{k}"
        );
        let share = x / w * 100.0;
        assert!(
            close(row["world_share_%"].parse::<f64>().unwrap(), share),
            "{k}: {row:?} vs {share}"
        );
        let rca = (total > 0.0).then(|| (x / total) / (w / world));
        match (row["rca"].parse::<f64>().ok(), rca) {
            (Some(a), Some(b)) => assert!(close(a, b), "{k}: {row:?} vs {b}"),
            (a, b) => assert_eq!(a, b, "{k}: {row:?}"),
        }
        if x > 0.0 {
            nonzero += 1;
        }
    }
    nonzero
}

#[test]
fn the_board_on_synthetic_trade_matches_a_direct_computation() {
    let m = Indmon::new();
    let dir = m.dir.path().join("synth");
    m.run(&[
        "synth",
        "baci",
        "--rows",
        "400000",
        "--years",
        "2022-2024",
        "--out",
        dir.to_str().unwrap(),
    ])
    .ok();
    m.run(&["ingest", "baci", dir.to_str().unwrap()]).ok();

    // the list: six markets, the synthetic data chosen (it holds more of the codes than
    // the bundled extract) and labelled
    let r = m.run(&["markets"]).ok();
    assert!(r.stdout.contains("SYNTHETIC"), "{}", r.stdout);
    assert!(r.stdout.contains("synth_baci_hs12"), "{}", r.stdout);
    let r = m.run(&["markets", "--format", "csv"]).ok();
    let rows = parse_csv(&r.stdout);
    assert_eq!(rows.len(), 6);
    assert!(r.stderr.contains("SYNTHETIC"), "{}", r.stderr);
    for row in &rows {
        assert!(
            row["hs6"].parse::<usize>().unwrap() > 0 || row["market"] == "digital_ai",
            "{row:?}"
        );
        assert_eq!(row["year"], "2024");
    }

    let flows = read_baci(&dir);
    let r = m
        .run(&["markets", "show", "semiconductors", "--format", "csv"])
        .ok();
    assert!(r.stderr.contains("SYNTHETIC"), "{}", r.stderr);
    let codes = parse_csv(&r.stdout);
    for code in [
        "848620", "854110", "854231", "854232", "854233", "854239", "854290",
    ] {
        assert!(codes.iter().any(|c| c["hs6"] == code), "{code} missing");
    }
    // NL (BACI 528), and the country that exports most semiconductor products in the
    // synthetic data, so that non-zero figures are checked too
    let semis: Vec<String> = codes
        .iter()
        .filter(|c| !c["world_exports_musd"].is_empty())
        .map(|c| c["hs6"].clone())
        .collect();
    let mut by_exporter: HashMap<i64, f64> = HashMap::new();
    for f in flows.iter().filter(|f| f.0 == 2024 && semis.contains(&f.3)) {
        *by_exporter.entry(f.1).or_default() += f.4;
    }
    let top = by_exporter
        .iter()
        .filter(|(c, _)| **c != 528)
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(c, _)| *c)
        .unwrap();
    let iso3: HashMap<i64, String> =
        csv::Reader::from_path(dir.join("country_codes_VSYNTHETIC.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].parse().unwrap(), r[3].to_string())
            })
            .collect();
    let mut nonzero = 0;
    for (code, geo) in [(528, "NL".to_string()), (top, iso3[&top].clone())] {
        let r = m
            .run(&[
                "markets",
                "show",
                "semiconductors",
                "--geo",
                &geo,
                "--format",
                "csv",
            ])
            .ok();
        let rows = parse_csv(&r.stdout);
        nonzero += check_against_files(&flows, code, &rows, &semis);
        let r = m
            .run(&[
                "markets",
                "show",
                "semiconductors",
                "--geo",
                &geo,
                "--part",
                "indicators",
                "--format",
                "csv",
            ])
            .ok();
        let ind = parse_csv(&r.stdout);
        let row = ind
            .iter()
            .find(|r| r["country"] == geo.to_uppercase() && r["year"] == "2024")
            .unwrap();
        let y24: Vec<_> = flows.iter().filter(|f| f.0 == 2024).collect();
        let world: f64 = y24.iter().map(|f| f.4).sum();
        let total: f64 = y24.iter().filter(|f| f.1 == code).map(|f| f.4).sum();
        let xm: f64 = y24
            .iter()
            .filter(|f| f.1 == code && semis.contains(&f.3))
            .map(|f| f.4)
            .sum();
        let im: f64 = y24
            .iter()
            .filter(|f| f.2 == code && semis.contains(&f.3))
            .map(|f| f.4)
            .sum();
        let wm: f64 = y24
            .iter()
            .filter(|f| semis.contains(&f.3))
            .map(|f| f.4)
            .sum();
        assert!(
            close(row["exports_musd"].parse::<f64>().unwrap(), xm / 1000.0),
            "{row:?}"
        );
        assert!(
            close(row["imports_musd"].parse::<f64>().unwrap(), im / 1000.0),
            "{row:?}"
        );
        assert!(
            close(
                row["world_share_%"].parse::<f64>().unwrap(),
                xm / wm * 100.0
            ),
            "{row:?}"
        );
        let rca = (xm / total) / (wm / world);
        assert!(
            close(row["rca"].parse::<f64>().unwrap(), rca),
            "{row:?} vs {rca}"
        );
        if geo == "NL" {
            // peers and the semiconductor peers are there, three years each
            for c in [
                "NL", "EU27", "BE", "DK", "DE", "SE", "USA", "CHN", "JPN", "KOR", "TWN",
            ] {
                assert_eq!(ind.iter().filter(|r| r["country"] == c).count(), 3, "{c}");
            }
        }
    }
    assert!(
        nonzero >= 3,
        "too few codes with exports to check ({nonzero})"
    );
    // the status: a trend needs three years; the colour is grey unless significant
    let r = m
        .run(&[
            "markets",
            "show",
            "semiconductors",
            "--part",
            "status",
            "--format",
            "csv",
        ])
        .ok();
    let st = parse_csv(&r.stdout);
    for s in &st {
        let p: Option<f64> = s["p_value"].parse().ok();
        match s["status"].as_str() {
            "grey" => assert!(p.is_none_or(|p| p >= 0.05), "{s:?}"),
            "green" | "red" => assert!(p.unwrap() < 0.05, "{s:?}"),
            other => panic!("status {other}"),
        }
    }
    // EU27 is a benchmark, not ranked against its own member
    let eu = st.iter().find(|s| s["country"] == "EU27").unwrap();
    assert_eq!(eu["rank"], "");

    // value added where the store has the market's A*64 industries: NL C26 + C28 of a
    // new release, total from the bundled one
    let va = m.dir.path().join("va.csv");
    std::fs::write(
        &va,
        "DATAFLOW,LAST UPDATE,freq,unit,nace_r2,na_item,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n\
         ESTAT:NAMA_10_A64(1.0),01/06/26 23:00:00,A,CP_MEUR,C26,B1G,NL,2023,12000.5,,\n\
         ESTAT:NAMA_10_A64(1.0),01/06/26 23:00:00,A,CP_MEUR,C28,B1G,NL,2023,14000,,\n",
    )
    .unwrap();
    m.run(&["ingest", "estat_nama_10_a64", va.to_str().unwrap()])
        .ok();
    let r = m.run(&["markets", "show", "semiconductors"]).ok();
    let share = (12000.5 + 14000.0) / 962084.0 * 100.0;
    let want = format!("NL 2023 26000 million EUR ({share:.1} % of total)");
    assert!(r.stdout.contains(&want), "{want}: {}", r.stdout);
    assert!(r.stdout.contains("release 2025-03-12"), "{}", r.stdout); // the total's release

    // the risky strategic dependencies per market are those of the dependency screen
    let r = m
        .run(&[
            "dependencies",
            "--dataset",
            "synth_baci_hs12",
            "--tier",
            "risky",
            "--format",
            "csv",
        ])
        .ok();
    let risky: Vec<String> = parse_csv(&r.stdout)
        .iter()
        .map(|r| r["hs6"].clone())
        .collect();
    let list = parse_csv(&m.run(&["markets", "--format", "csv"]).ok().stdout);
    let r = m
        .run(&["markets", "show", "semiconductors", "--format", "csv"])
        .ok();
    let codes = parse_csv(&r.stdout);
    let want = codes
        .iter()
        .filter(|c| !c["world_exports_musd"].is_empty() && risky.contains(&c["hs6"]))
        .count();
    let semis = list
        .iter()
        .find(|r| r["market"] == "semiconductors")
        .unwrap();
    assert_eq!(semis["risky_strategic_dependencies"], want.to_string());
    for c in &codes {
        assert_eq!(
            c["dependency"] == "risky strategic dependency",
            risky.contains(&c["hs6"]) && !c["world_exports_musd"].is_empty(),
            "{c:?}"
        );
    }

    // with complexity results of the same data, each market's mean PCI
    let r = m
        .run(&[
            "complexity",
            "--dataset",
            "synth_baci_hs12",
            "--year",
            "2024",
            "--format",
            "csv",
        ])
        .ok();
    let cx = parse_csv(&r.stdout);
    let semis_codes: Vec<String> = codes
        .iter()
        .filter(|c| !c["world_exports_musd"].is_empty())
        .map(|c| c["hs6"].clone())
        .collect();
    let mut pcis: HashMap<String, f64> = HashMap::new();
    for row in &cx {
        if semis_codes.contains(&row["product"])
            && let Ok(p) = row["pci"].parse::<f64>()
        {
            pcis.insert(row["product"].clone(), p);
        }
    }
    assert!(!pcis.is_empty());
    let mean = pcis.values().sum::<f64>() / pcis.len() as f64;
    let r = m
        .run(&[
            "markets",
            "show",
            "semiconductors",
            "--part",
            "indicators",
            "--format",
            "csv",
        ])
        .ok();
    let nl = parse_csv(&r.stdout)
        .into_iter()
        .find(|r| r["country"] == "NL" && r["year"] == "2024")
        .unwrap();
    assert!(
        (nl["avg_pci"].parse::<f64>().unwrap() - (mean * 1000.0).round() / 1000.0).abs() < 1.5e-3,
        "{nl:?} vs {mean}"
    );
    assert!(r.stderr.contains("PCI: "), "{}", r.stderr);

    // a country is not its own peer, whatever its code; groups are not ranked
    let r = m
        .run(&[
            "markets",
            "show",
            "semiconductors",
            "--geo",
            "DEU",
            "--part",
            "status",
            "--format",
            "csv",
        ])
        .ok();
    let st = parse_csv(&r.stdout);
    assert!(st.iter().all(|s| s["country"] != "DE"), "{st:?}");
    assert_eq!(
        st.iter().find(|s| s["country"] == "EU27").unwrap()["rank"],
        ""
    );

    // JSON has every part
    let r = m
        .run(&["markets", "show", "semiconductors", "--format", "json"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for k in [
        "segments",
        "codes",
        "activities",
        "indicators",
        "status",
        "notes",
        "sources",
    ] {
        assert!(v[k].is_array(), "{k}");
    }
    assert_eq!(v["method"], "markets/1");
    // the value added of the A*64 industries ingested above
    let nl = v["value_added"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["geo"] == "NL")
        .unwrap();
    assert_eq!(nl["value_meur"], serde_json::json!(26000.5));
    // a market that does not exist, a peer that does not exist
    let r = m.run(&["markets", "show", "quantum"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("semiconductors, biotechnology"),
        "{}",
        r.stderr
    );
    let r = m.run(&["markets", "--peers", "XX"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn the_board_on_the_bundled_extract_says_what_it_covers() {
    let m = Indmon::new();
    let r = m.run(&["markets"]).ok();
    assert!(!r.stdout.contains("SYNTHETIC"), "{}", r.stdout);
    assert!(r.stdout.contains("only 30 products"), "{}", r.stdout);
    assert!(r.stdout.contains("baci_hs17"), "{}", r.stdout);
}
