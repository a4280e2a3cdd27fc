//! `indmon evaluate synth --preset industry-share` on the bundled data: the panel is the
//! target monitor's share (checked against `indmon target share`), the synthetic path
//! is the weighted donors' shares (recomputed here from `indmon target share`), the
//! placebo test and the caveats are there, and `--record` writes an evaluation to the
//! ledger (and nothing when a value is refused).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::Indmon;

/// `indmon evaluate synth` on the industry-share preset for NL from 2011 (the issue's
/// must-show), without output flags.
pub(crate) const PRESET: &[&str] = &[
    "evaluate",
    "synth",
    "--preset",
    "industry-share",
    "--treated",
    "NL",
    "--treatment-year",
    "2011",
];

/// The shares (percent) by country and year, as `indmon target share` gives them.
fn shares(t: &Indmon, geos: &[String]) -> BTreeMap<(String, i64), f64> {
    let r = t
        .run(&[
            "target",
            "share",
            "--geo",
            &geos.join(","),
            "--format",
            "json",
        ])
        .ok();
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut out = BTreeMap::new();
    for g in v["geos"].as_array().unwrap() {
        let geo = g["geo"].as_str().unwrap().to_string();
        for p in g["series"].as_array().unwrap() {
            out.insert(
                (geo.clone(), p["year"].as_i64().unwrap()),
                100.0 * p["share"].as_f64().unwrap(),
            );
        }
    }
    out
}

#[test]
fn the_industry_share_preset_is_the_weighted_donors_with_placebos_and_caveats() {
    let t = Indmon::new();
    let mut args = PRESET.to_vec();
    args.extend(["--placebo", "--format", "json"]);
    let r = t.run(&args).ok();
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["treated"], "NL");
    assert_eq!(v["treatment_year"], 2011);

    // the weights: on the simplex, over EU members other than NL
    let w = v["weights"].as_object().unwrap();
    assert!(w.len() >= 20, "{w:?}");
    assert!(!w.contains_key("NL"));
    let sum: f64 = w.values().map(|x| x.as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-9, "{sum}");
    assert!(w.values().all(|x| x.as_f64().unwrap() >= 0.0));

    // the paths, recomputed from the target monitor's own share series
    let mut geos: Vec<String> = w.keys().cloned().collect();
    geos.push("NL".into());
    let s = shares(&t, &geos);
    let gaps = r.stdout.clone();
    let mut csv_args = PRESET.to_vec();
    csv_args.extend(["--format", "csv"]);
    let table = crate::support::parse_csv(&t.run(&csv_args).ok().stdout);
    assert_eq!(table.len(), 2023 - 1995 + 1, "{gaps}");
    for row in &table {
        let year: i64 = row["period"].parse().unwrap();
        let treated: f64 = row["treated"].parse().unwrap();
        let synthetic: f64 = row["synthetic"].parse().unwrap();
        assert!(
            (treated - s[&("NL".to_string(), year)]).abs() < 1e-9,
            "{year}"
        );
        let mix: f64 = w
            .iter()
            .map(|(g, x)| x.as_f64().unwrap() * s[&(g.clone(), year)])
            .sum();
        assert!(
            (synthetic - mix).abs() < 1e-9,
            "{year}: {synthetic} vs {mix}"
        );
        let gap = v["gaps"][year.to_string()].as_f64().unwrap();
        assert!((gap - (treated - synthetic)).abs() < 1e-9);
    }
    // the ATT is the mean gap from 2011 on
    let post: Vec<f64> = (2011..=2023)
        .map(|y| v["gaps"][y.to_string()].as_f64().unwrap())
        .collect();
    let att = post.iter().sum::<f64>() / post.len() as f64;
    assert!((v["att"]["att"].as_f64().unwrap() - att).abs() < 1e-12);

    // the placebo test: every donor refitted, p = rank / units
    let p = &v["placebo"];
    let units = p["units"].as_array().unwrap();
    assert_eq!(units.len(), w.len() + 1);
    assert_eq!(units[0]["unit"], "NL");
    let ratio = units[0]["ratio"].as_f64().unwrap();
    let rank = units
        .iter()
        .filter(|u| u["ratio"].as_f64().unwrap() >= ratio)
        .count();
    assert_eq!(p["rank"].as_u64().unwrap() as usize, rank);
    assert!((p["p_value"].as_f64().unwrap() - rank as f64 / units.len() as f64).abs() < 1e-12);

    // the caveats and the sources
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    for want in [
        "Predictors: the share averaged over 1995–1999, 2000–2004, 2005–2010",
        "Pre-treatment fit",
        "Placebo test in space",
        "smallest attainable p-value",
    ] {
        assert!(notes.iter().any(|n| n.contains(want)), "{want}: {notes:?}");
    }
    let src = &v["sources"][0];
    assert!(
        src["dataset"].as_str().unwrap().starts_with("estat_"),
        "{src}"
    );
    assert!(!src["vintage"].as_str().unwrap().is_empty());
}

#[test]
fn the_preset_refuses_what_it_cannot_estimate() {
    let t = Indmon::new();
    let r = t.run(&[
        "evaluate",
        "synth",
        "--preset",
        "industry-share",
        "--treated",
        "NL",
        "--treatment-year",
        "1997",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("at least 5"), "{}", r.stderr);
    let r = t.run(&[
        "evaluate",
        "synth",
        "--preset",
        "industry-share",
        "--treated",
        "XX",
        "--treatment-year",
        "2011",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no industry share for XX"),
        "{}",
        r.stderr
    );
    // an aggregate would be compared with its own members
    let r = t.run(&[
        "evaluate",
        "synth",
        "--preset",
        "industry-share",
        "--treated",
        "EU27_2020",
        "--treatment-year",
        "2011",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("must be one country"), "{}", r.stderr);
    // a preset needs its country and year; a spec and a preset exclude each other
    let r = t.run(&["evaluate", "synth", "--preset", "industry-share"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = t.run(&[
        "evaluate",
        "synth",
        "--spec",
        "x.toml",
        "--preset",
        "industry-share",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_result_is_recorded_in_the_ledger_and_a_refused_one_leaves_it_unchanged() {
    let t = Indmon::new();
    let list = |t: &Indmon| -> Vec<Value> {
        let r = t
            .run(&["ledger", "list", "evaluation", "--format", "json"])
            .ok();
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["records"].as_array().unwrap().clone()
    };
    let before = list(&t);

    let mut bad = PRESET.to_vec();
    bad.extend(["--record", "--evidence", "overwhelming"]);
    let r = t.run(&bad);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("evidence"), "{}", r.stderr);
    assert_eq!(
        list(&t),
        before,
        "a refused record leaves the ledger as it was"
    );

    let mut ok = PRESET.to_vec();
    ok.extend([
        "--placebo",
        "--record",
        "--evidence",
        "weak",
        "--goal",
        "industriebeleid",
        "--format",
        "json",
    ]);
    let r = t.run(&ok).ok();
    assert!(r.stderr.contains("recorded evaluation"), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let after = list(&t);
    assert_eq!(after.len(), before.len() + 1);
    let rec = after
        .iter()
        .find(|r| !before.contains(r))
        .expect("the new record");
    let f = rec;
    assert_eq!(f["kind"], "effect", "{rec}");
    assert_eq!(f["evidence"], "weak");
    assert_eq!(f["goal_id"], "industriebeleid");
    let finding = f["finding"].as_str().unwrap();
    let att = format!("{:.3}", v["att"]["att"].as_f64().unwrap());
    let p = format!("{:.3}", v["placebo"]["p_value"].as_f64().unwrap());
    assert!(
        finding.contains("Synthetic control (evaluate-synth/1)"),
        "{finding}"
    );
    assert!(finding.contains(&att) && finding.contains(&p), "{finding}");
    let source = f["source"].as_str().unwrap();
    assert!(
        source.contains("--preset industry-share --treated NL --treatment-year 2011")
            && source.contains("estat_"),
        "{source}"
    );
}
