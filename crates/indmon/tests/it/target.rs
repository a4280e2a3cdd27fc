//! The target monitor on the bundled data: the policy page's figures, computed.

use crate::support::*;

fn json(m: &Indmon, args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&m.run(&a).ok().stdout).unwrap()
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

#[test]
fn target_shows_the_share_gap_and_required_growth_with_the_source() {
    let m = Indmon::new();
    let t = m.run(&["target"]).ok().stdout;
    assert!(
        t.contains("2023 12.03 %") && t.contains("release 2025-03-12"),
        "{t}"
    );
    assert!(
        t.contains("gap 2.97 pp") && t.contains("3.71 % a year faster than the rest"),
        "{t}"
    );
    assert!(
        t.contains("Outlook") && t.contains("backtest on history"),
        "{t}"
    );
    let j = json(&m, &["target"]);
    assert_eq!(
        round(100.0 * j["latest"]["share"].as_f64().unwrap(), 2),
        12.03
    );
    assert_eq!(j["latest"]["dataset"], "estat_nama_10_a64");
    assert_eq!(round(j["path"]["gap_pp"].as_f64().unwrap(), 2), 2.97);
    assert_eq!(
        round(100.0 * j["path"]["relative_growth"].as_f64().unwrap(), 2),
        3.71
    );
    assert_eq!(j["path"]["linear"].as_array().unwrap().len(), 8);
    // the outlook states its model and its backtest next to the probability
    let o = &j["outlook"];
    assert!(
        o["model"]
            .as_str()
            .unwrap()
            .contains("random walk with drift on the log-odds")
    );
    assert!(o["backtest"]["forecasts"].as_u64().unwrap() > 50);
    assert!(o["probability"].is_number() || o["no_probability_because"].is_string());
    // stated growth rates: (1.0371 × 1.02) − 1 = 5.78 %; 1.04 / 1.0371 − 1 = 0.28 %
    let t = m
        .run(&["target", "--rest-growth", "2", "--industry-growth", "4"])
        .ok()
        .stdout;
    assert!(
        t.contains("industry needs 5.78 % a year")
            && t.contains("the rest may grow at most 0.28 % a year"),
        "{t}"
    );
    let csv = m.run(&["target", "--format", "csv"]).ok().stdout;
    assert!(
        csv.lines().last().unwrap().starts_with("2030,,15,15,"),
        "{csv}"
    );
}

#[test]
fn decompose_2021_2022_the_rest_grew_faster() {
    let m = Indmon::new();
    let t = m
        .run(&[
            "target",
            "decompose",
            "--geo",
            "NL",
            "--from",
            "2021",
            "--to",
            "2022",
        ])
        .ok()
        .stdout;
    assert!(
        t.contains("-0.53 pp")
            && t.contains("+7.2 %")
            && t.contains("+12.9 %")
            && t.contains("+0.73 pp")
            && t.contains("-1.26 pp"),
        "{t}"
    );
    let j = json(
        &m,
        &[
            "target",
            "decompose",
            "--geo",
            "NL",
            "--from",
            "2021",
            "--to",
            "2022",
        ],
    );
    let row = &j["rows"][0];
    let (d, i, r) = (
        row["delta_pp"].as_f64().unwrap(),
        row["industry_pp"].as_f64().unwrap(),
        row["rest_pp"].as_f64().unwrap(),
    );
    assert_eq!(
        (round(d, 2), round(i, 2), round(r, 2)),
        (-0.53, 0.73, -1.26)
    );
    assert!(
        (i + r - d).abs() < 1e-3,
        "contributions add up: {i} + {r} vs {d}"
    );
    // no previous-year prices in the bundled data: no split, and the note says what to add
    assert!(row["volume_pp"].is_null());
    let notes = j["notes"].to_string();
    assert!(
        notes.contains("not split") && notes.contains("unit=PYP_MEUR"),
        "{notes}"
    );
    // with previous-year prices of 2022 (a test release): volumes and prices, adding up
    let pyp = m.dir.path().join("pyp.csv");
    std::fs::write(
        &pyp,
        "DATAFLOW,LAST UPDATE,freq,unit,nace_r2,na_item,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n\
         ESTAT:NAMA_10_A64(1.0),01/06/26 23:00:00,A,PYP_MEUR,C,B1G,NL,2022,100000,,\n\
         ESTAT:NAMA_10_A64(1.0),01/06/26 23:00:00,A,PYP_MEUR,TOTAL,B1G,NL,2022,900000,,\n",
    )
    .unwrap();
    m.run(&["ingest", "estat_nama_10_a64", pyp.to_str().unwrap()])
        .ok();
    let j = json(
        &m,
        &[
            "target",
            "decompose",
            "--geo",
            "NL",
            "--from",
            "2021",
            "--to",
            "2022",
        ],
    );
    let row = &j["rows"][0];
    let (v, p) = (
        row["volume_pp"].as_f64().unwrap(),
        row["price_pp"].as_f64().unwrap(),
    );
    assert!((v + p - d).abs() < 2e-4, "{v} + {p} vs {d}");
    // independently: NL C and TOTAL 2021 and 2022 at current prices (Eurostat 2025-03-12)
    let (i0, t0, i1, t1) = (95886.0f64, 791730.0f64, 102836.0f64, 888174.0f64);
    let (vi, vr) = (100000.0 / i0, (900000.0 - 100000.0) / (t0 - i0));
    let (gi, gr) = (i1 / i0, (t1 - i1) / (t0 - i0));
    let (vv, pp) = (vi / vr, (gi / vi) / (gr / vr));
    let s0 = i0 / t0;
    let f = |x: f64| s0 * x / (s0 * x + 1.0 - s0);
    let want = 50.0 * ((f(vv) - s0) + (f(vv * pp) - f(pp)));
    assert!((v - want).abs() < 1e-4, "{v} vs {want}");
    assert!(
        j["sources"].to_string().contains("2026-06-01"),
        "the PYP release is cited"
    );
    // a span gives one row per year and the total
    let j = json(
        &m,
        &[
            "target",
            "decompose",
            "--geo",
            "NL",
            "--from",
            "2019",
            "--to",
            "2022",
        ],
    );
    let rows = j["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        (rows[3]["from"].as_i64(), rows[3]["to"].as_i64()),
        (Some(2019), Some(2022))
    );
    let sum: f64 = rows[..3]
        .iter()
        .map(|r| r["delta_pp"].as_f64().unwrap())
        .sum();
    assert!((sum - rows[3]["delta_pp"].as_f64().unwrap()).abs() < 1e-3);
}

#[test]
fn peers_2023() {
    let m = Indmon::new();
    let j = json(&m, &["target", "peers", "--year", "2023"]);
    let got: Vec<(String, f64)> = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["geo"].as_str().unwrap().to_string(),
                round(100.0 * r["share"].as_f64().unwrap(), 2),
            )
        })
        .collect();
    let order: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(order, ["DE", "DK", "EU27_2020", "SE", "BE", "NL"]);
    let one = |g: &str| round(got.iter().find(|x| x.0 == g).unwrap().1, 1);
    assert_eq!(
        (one("DE"), one("DK"), one("EU27_2020"), one("SE"), one("NL")),
        (20.1, 18.0, 16.3, 15.9, 12.0)
    );
    // Belgium: 67,112.6 / 539,071.6 = 12.4497 % (provisional), 12.45 at two decimals
    assert_eq!(got.iter().find(|x| x.0 == "BE").unwrap().1, 12.45);
    assert_eq!(j["rows"][5]["eu_quartile"], 1);
}

#[test]
fn revisions_show_undata_against_eurostat() {
    let m = Indmon::new();
    let csv = m
        .run(&[
            "target",
            "revisions",
            "--geo",
            "NL",
            "--year",
            "2023",
            "--format",
            "csv",
        ])
        .ok()
        .stdout;
    assert!(
        csv.lines()
            .any(|l| l.starts_with("estat_nama_10_a64,2025-03-12,") && l.contains(",2023,12.03")),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("un_sna_2_4,") && l.contains(",1000,2023,12.91")),
        "{csv}"
    );
}

#[test]
fn another_country_sets_its_own_target() {
    let m = Indmon::new().with_config(
        "[target]\ngeo = \"DK\"\nvalue = 20\nyear = 2035\npeers = [\"EU27_2020\", \"NL\"]\n",
    );
    let j = json(&m, &["target"]);
    assert_eq!(j["geo"], "DK");
    assert_eq!(j["target"]["year"], 2035);
    assert_eq!(
        round(100.0 * j["latest"]["share"].as_f64().unwrap(), 1),
        18.0
    );
    assert_eq!(j["peers"].as_array().unwrap().len(), 3);
    // data that is not there is named, with the way to get it
    let r = m.run(&["target", "--industry", "B-E"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no industry except construction (NACE B-E)")
            && r.stderr.contains("nama_10_a"),
        "{}",
        r.stderr
    );
    let bad = Indmon::new().with_config("[target]\nindustry = \"manufacturing\"\n");
    let r = bad.run(&["target"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("B-E"), "{}", r.stderr);
}

#[test]
fn flags_that_do_not_apply_are_refused_and_csv_keeps_its_sources() {
    let m = Indmon::new();
    let r = m.run(&[
        "target",
        "decompose",
        "--geo",
        "NL,DE",
        "--from",
        "2021",
        "--to",
        "2022",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--geo takes one country here"),
        "{}",
        r.stderr
    );
    let r = m.run(&[
        "target",
        "revisions",
        "--geo",
        "NL",
        "--as-of",
        "2024-01-01",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--as-of and --source do not apply"),
        "{}",
        r.stderr
    );
    let r = m.run(&["target", "--format", "csv"]).ok();
    assert!(r.stdout.starts_with("year,observed_%"), "{}", r.stdout);
    assert!(r.stderr.contains("Source: Eurostat"), "{}", r.stderr);
}
