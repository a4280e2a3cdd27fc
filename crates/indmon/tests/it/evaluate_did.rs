//! `indmon evaluate did` end to end: the must-show on `mpdta` (R `did`: −0.0400, SE
//! 0.0120), the ATT(g,t) and aggregations against R `did`'s published numbers, CSV and
//! JSON agreeing, and bad input each a clear error.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::support::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../indmon-analytics/tests/fixtures/evaluation")
}

fn mpdta() -> String {
    fixtures().join("mpdta.csv").display().to_string()
}

fn reference(name: &str) -> Vec<BTreeMap<String, String>> {
    parse_csv(&std::fs::read_to_string(fixtures().join(name)).unwrap())
}

fn args<'a>(data: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "evaluate",
        "did",
        "--data",
        data,
        "--outcome",
        "lemp",
        "--time",
        "year",
        "--id",
        "countyreal",
        "--group",
        "first.treat",
    ];
    a.extend_from_slice(extra);
    a
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("{s:?} is not a number"))
}

#[test]
fn evaluate_did_must_show_simple_aggregation_on_mpdta() {
    let m = Indmon::new();
    let data = mpdta();
    let r = m.run(&args(&data, &["--aggregate", "simple"])).ok();
    let line = r.stdout.lines().find(|l| l.starts_with("simple")).unwrap();
    assert!(
        line.contains("-0.0400") && line.contains("0.0120"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Pre-trend test") && r.stdout.contains("mpdta.csv (sha256"),
        "{}",
        r.stdout
    );
    let csv = m
        .run(&args(&data, &["--aggregate", "simple", "--format", "csv"]))
        .ok();
    let rows = parse_csv(&csv.stdout);
    assert_eq!(rows.len(), 1);
    assert!((num(&rows[0]["overall_att"]) + 0.039_951_275_155_176_3).abs() < 1e-6);
    assert!((num(&rows[0]["overall_se"]) - 0.012_034_012_770_185_4).abs() < 1e-6);
    assert_eq!(rows[0]["egt"], "");
}

#[test]
fn evaluate_did_csv_and_json_agree_with_r_did() {
    let m = Indmon::new();
    let data = mpdta();
    let csv = parse_csv(&m.run(&args(&data, &["--format", "csv"])).ok().stdout);
    let json: serde_json::Value =
        serde_json::from_str(&m.run(&args(&data, &["--format", "json"])).ok().stdout).unwrap();
    let reference = reference("did_ref_attgt_mpdta_nev_dr.csv");
    let att_gt = json["att_gt"].as_array().unwrap();
    assert_eq!(csv.len(), reference.len());
    assert_eq!(att_gt.len(), reference.len());
    for ((c, j), e) in csv.iter().zip(att_gt).zip(&reference) {
        assert_eq!(num(&c["group"]), num(&e["group"]));
        assert_eq!(num(&c["t"]), num(&e["t"]));
        assert_eq!(j["t"].as_f64().unwrap(), num(&e["t"]));
        for (col, key) in [("att", "att"), ("se", "se")] {
            let v = num(&c[col]);
            assert_eq!(v, j[key].as_f64().unwrap(), "CSV and JSON {col}");
            assert!((v - num(&e[col])).abs() < 1e-6, "{col}: {v} vs {}", e[col]);
        }
        let pre = num(&c["t"]) < num(&c["group"]);
        assert_eq!(c["period"], if pre { "pre" } else { "post" });
    }
    assert_eq!(json["method"], "evaluate-did/1");
    assert_eq!(json["units"], 500);
    assert_eq!(json["pretest"]["df"], 5);
    assert!((json["pretest"]["p_value"].as_f64().unwrap() - 0.16812).abs() < 5e-6);
    assert_eq!(json["sources"][0]["dataset"], "file");
    assert!(
        json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("never treated: 309"))
    );
}

#[test]
fn evaluate_did_aggregations_match_r_did() {
    let m = Indmon::new();
    let data = mpdta();
    let reference = reference("did_ref_aggte_mpdta_nev_dr.csv");
    for kind in ["group", "dynamic", "calendar"] {
        let rows = parse_csv(
            &m.run(&args(&data, &["--aggregate", kind, "--format", "csv"]))
                .ok()
                .stdout,
        );
        let expected: Vec<_> = reference.iter().filter(|r| r["type"] == kind).collect();
        assert_eq!(rows.len(), expected.len(), "{kind}");
        for (r, e) in rows.iter().zip(expected) {
            assert_eq!(r["type"], kind);
            assert_eq!(num(&r["egt"]), num(&e["egt"]));
            for col in ["att_egt", "se_egt", "overall_att", "overall_se"] {
                assert!(
                    (num(&r[col]) - num(&e[col])).abs() < 1e-6,
                    "{kind} {col} {}",
                    r["egt"]
                );
            }
        }
    }
    // the event-time window
    let rows = parse_csv(
        &m.run(&args(
            &data,
            &[
                "--aggregate",
                "dynamic",
                "--min-e",
                "-1",
                "--max-e",
                "1",
                "--format",
                "csv",
            ],
        ))
        .ok()
        .stdout,
    );
    let es: Vec<f64> = rows.iter().map(|r| num(&r["egt"])).collect();
    assert_eq!(es, [-1.0, 0.0, 1.0]);
}

#[test]
fn evaluate_did_options_reach_the_estimator() {
    let m = Indmon::new();
    let data = mpdta();
    let j = |extra: &[&str]| -> serde_json::Value {
        let mut a = extra.to_vec();
        a.extend(["--aggregate", "simple", "--format", "json"]);
        serde_json::from_str(&m.run(&args(&data, &a)).ok().stdout).unwrap()
    };
    let base = j(&[])["aggregation"][0]["overall_att"].as_f64().unwrap();
    let nyt = j(&["--control", "notyet"]);
    assert_eq!(nyt["control_group"], "notyet");
    let lpop = j(&["--covariates", "lpop", "--method", "ipw"]);
    assert_eq!(lpop["estimator"], "ipw");
    // csdid 0.4.3 (fixtures/evaluation/csdid_ref_aggte.csv): nyt dr −0.039 856 7, nev ipw lpop
    let reference = reference("csdid_ref_aggte.csv");
    let simple = |s: &str| {
        num(&reference
            .iter()
            .find(|r| r["scenario"] == s && r["type"] == "simple")
            .unwrap()["overall_att"])
    };
    assert!(
        (nyt["aggregation"][0]["overall_att"].as_f64().unwrap() - simple("mpdta_nyt_dr")).abs()
            < 1e-6
    );
    assert!(
        (lpop["aggregation"][0]["overall_att"].as_f64().unwrap() - simple("mpdta_nev_ipw_lpop"))
            .abs()
            < 1e-6
    );
    assert!(
        (base - simple("mpdta_nyt_dr")).abs() > 1e-6,
        "the comparison group changes the estimate"
    );
}

/// mpdta with its rows changed by `edit` (rows without the header line), written beside the data dir.
fn edited(m: &Indmon, name: &str, edit: impl FnOnce(&mut Vec<String>)) -> String {
    let text = std::fs::read_to_string(mpdta()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header = lines.remove(0);
    edit(&mut lines);
    let p = m.dir.path().join(name);
    std::fs::write(&p, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    p.display().to_string()
}

#[test]
fn evaluate_did_bad_input_is_a_clear_error() {
    let m = Indmon::new();
    // unbalanced: the unit of line 2 loses its 2005 row (line 4)
    let p = edited(&m, "unbalanced.csv", |l| {
        l.remove(2);
    });
    let r = m.run(&args(&p, &[]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("not balanced")
            && r.stderr.contains("unit 8001")
            && r.stderr.contains("2005"),
        "{}",
        r.stderr
    );

    // a group that changes within a unit
    let p = edited(&m, "group.csv", |l| {
        l[1] = l[1].replace(",2007,1", ",2006,1");
    });
    let r = m.run(&args(&p, &[]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 3") && r.stderr.contains("same in every period"),
        "{}",
        r.stderr
    );

    // a period that is not a number
    let p = edited(&m, "time.csv", |l| {
        l[0] = l[0].replacen("2003", "y2003", 1);
    });
    let r = m.run(&args(&p, &[]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 2") && r.stderr.contains("year"),
        "{}",
        r.stderr
    );

    // a missing outcome
    let p = edited(&m, "missing.csv", |l| {
        let mut f: Vec<String> = l[4].split(',').map(str::to_string).collect();
        f[3] = "NA".into();
        l[4] = f.join(",");
    });
    let r = m.run(&args(&p, &[]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 6") && r.stderr.contains("lemp") && r.stderr.contains("missing"),
        "{}",
        r.stderr
    );

    // a covariate that is not there
    let data = mpdta();
    let r = m.run(&args(&data, &["--covariates", "lpop,nothere"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("nothere"), "{}", r.stderr);

    // collinear covariates: treat is constant within the never treated → singular regression
    let r = m.run(&args(&data, &["--covariates", "lpop,treat"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("singular") || r.stderr.contains("overlap"),
        "{}",
        r.stderr
    );

    // a treated group of one unit: county 8001 alone first treated in 2005
    let p = edited(&m, "single.csv", |l| {
        for line in l.iter_mut().take(5) {
            *line = line.replace(",2007,1", ",2005,1");
        }
    });
    let r = m.run(&args(&p, &[]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("group 2005 has a single unit (8001)"),
        "{}",
        r.stderr
    );

    // no never-treated units: as R did, the last cohort (2007) stands in as never treated
    // and the periods from 2007 on are dropped (a note says so) …
    let p = edited(&m, "nonever.csv", |l| l.retain(|x| !x.ends_with(",0,0")));
    let r = m.run(&args(&p, &["--format", "json"])).ok();
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        r.stdout.contains("is used as never treated"),
        "{}",
        r.stdout
    );
    assert_eq!(j["periods"].as_array().unwrap().len(), 4);
    assert!(
        j["att_gt"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["group"] != 2007.0)
    );
    // … or, with the not-yet-treated comparison, serves only as comparison
    let r = m
        .run(&args(&p, &["--control", "notyet", "--format", "json"]))
        .ok();
    assert!(
        r.stdout.contains("serves only as comparison"),
        "{}",
        r.stdout
    );

    // usage errors
    let r = m.run(&args(&data, &["--min-e", "-1"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = m.run(&args(&data, &["--method", "ols"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn an_aggregation_is_recorded_in_the_ledger_with_the_command_that_reproduces_it() {
    let t = Indmon::new();
    let data = mpdta();
    let r = t.run(&args(&data, &["--record", "--evidence", "moderate"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--aggregate"), "{}", r.stderr);
    let r = t
        .run(&args(
            &data,
            &[
                "--aggregate",
                "simple",
                "--record",
                "--evidence",
                "moderate",
                "--format",
                "json",
            ],
        ))
        .ok();
    assert!(r.stderr.contains("recorded evaluation"), "{}", r.stderr);
    let list = t
        .run(&["ledger", "list", "evaluation", "--format", "json"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let rec = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "effect")
        .expect("the recorded evaluation");
    assert_eq!(rec["evidence"], "moderate");
    let finding = rec["finding"].as_str().unwrap();
    assert!(
        finding.contains("overall ATT -0.0400 (SE 0.0120)") && finding.contains("simple"),
        "{finding}"
    );
    let source = rec["source"].as_str().unwrap();
    assert!(
        source.contains("--outcome lemp --time year --id countyreal --group first.treat --control never --method dr")
            && source.contains("--aggregate simple")
            && source.contains("sha256"),
        "{source}"
    );
}

/// R `did` (pre_process_did) recodes a unit first treated after the last period as
/// never treated: moving half the never-treated counties of mpdta to a group of 2010
/// (the panel ends in 2007) leaves every estimate as it was, with a note.
#[test]
fn units_treated_after_the_last_period_count_as_never_treated() {
    let t = Indmon::new();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(mpdta()).unwrap();
    let mut out = String::new();
    let mut moved = 0;
    let mut never: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        if i > 0 && f[4] == "0" {
            // every second never-treated county, in the order met
            let k = match never.iter().position(|c| *c == f[1]) {
                Some(k) => k,
                None => {
                    never.push(f[1].clone());
                    never.len() - 1
                }
            };
            if k % 2 == 0 {
                f[4] = "2010".into();
                moved += 1;
            }
        }
        out.push_str(&f.join(","));
        out.push('\n');
    }
    assert!(moved > 100, "{moved}");
    let late = dir.path().join("late.csv");
    std::fs::write(&late, out).unwrap();
    let late = late.display().to_string();
    let data = mpdta();
    for agg in ["simple", "dynamic"] {
        let a: serde_json::Value = serde_json::from_str(
            &t.run(&args(&data, &["--aggregate", agg, "--format", "json"]))
                .ok()
                .stdout,
        )
        .unwrap();
        let b: serde_json::Value = serde_json::from_str(
            &t.run(&args(&late, &["--aggregate", agg, "--format", "json"]))
                .ok()
                .stdout,
        )
        .unwrap();
        assert_eq!(a["att_gt"], b["att_gt"], "{agg}");
        assert_eq!(a["aggregation"], b["aggregation"], "{agg}");
        assert_eq!(a["pretest"], b["pretest"], "{agg}");
        let notes = b["notes"].to_string();
        assert!(notes.contains("count as never treated"), "{notes}");
    }
}
