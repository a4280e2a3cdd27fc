//! `indmon dependencies`, `mutual` and `crm` end to end: the metrics of a small BACI
//! release computed independently here, the tiers and their explanation on synthetic
//! trade, relations from the settings, and the published CRM figures.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::support::{Indmon, parse_csv};

/// (exporter, importer, product as BACI writes it, value) — the same structure every
/// year, values scaled by year.
const FLOWS: &[(u16, u16, u32, f64)] = &[
    // 280461: NL imports from CHN 60, USA 20, DEU 20; exports to DEU 10
    (156, 528, 280461, 60.0),
    (842, 528, 280461, 20.0),
    (276, 528, 280461, 20.0),
    (528, 276, 280461, 10.0),
    (156, 842, 280461, 100.0),
    (276, 251, 280461, 30.0),
    // 010121 (BACI writes 10121): NL imports from RUS only, exports none
    (643, 528, 10121, 7.5),
    (643, 276, 10121, 2.5),
    // 850511: transit — NL imports 100 from CHN, exports 95 to DEU and FRA
    (156, 528, 850511, 100.0),
    (528, 276, 850511, 60.0),
    (528, 251, 850511, 35.0),
    (156, 276, 850511, 40.0),
    // 854231: imports 100 (CHN 60, DEU 40), exports 80 — a dependency only once the
    // re-exports are taken out
    (156, 528, 854231, 60.0),
    (276, 528, 854231, 40.0),
    (528, 251, 854231, 80.0),
    // 300215: NL supplies most of the world; DEU and USA depend on it
    (528, 276, 300215, 9000.0),
    (528, 842, 300215, 5000.0),
    (528, 156, 300215, 2000.0),
    (251, 276, 300215, 500.0),
    (842, 528, 300215, 300.0),
];

fn write_release(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (y, f) in [(2022, 0.8), (2023, 0.9), (2024, 1.0)] {
        let mut s = String::from("t,i,j,k,v,q\n");
        for &(i, j, k, v) in FLOWS {
            s.push_str(&format!(
                "{y},{i},{j},{k},{:.3},{}\n",
                v * f,
                if k == 10121 {
                    "NA".into()
                } else {
                    format!("{:.3}", v)
                }
            ));
        }
        std::fs::write(dir.join(format!("BACI_HS17_Y{y}_V202601.csv")), s).unwrap();
    }
    std::fs::write(
        dir.join("country_codes_V202601.csv"),
        "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n251,France,FR,FRA\n276,Germany,DE,DEU\n528,Netherlands,NL,NLD\n643,Russian Federation,RU,RUS\n842,USA,US,USA\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("product_codes_HS17_V202601.csv"),
        "code,description\n010121,Horses\n280461,Silicon\n300215,Immunological products\n850511,Magnets\n854231,Processors\n",
    )
    .unwrap();
}

/// The metrics of one (reporter, year, product), straight from the flows: imports are
/// every flow into the reporter (into any member of the EU27) from anywhere but the
/// importer itself, exports every flow out of it to anywhere but the exporter itself.
fn expected(
    reporter: &[u16],
    bloc: &[u16],
    year: i32,
    k: u32,
) -> HashMap<&'static str, Option<f64>> {
    let f = match year {
        2022 => 0.8,
        2023 => 0.9,
        _ => 1.0,
    };
    let flows: Vec<(u16, u16, f64)> = FLOWS
        .iter()
        .filter(|x| x.2 == k)
        .map(|&(i, j, _, v)| (i, j, (v * f * 1000.0).round() / 1000.0))
        .collect();
    let mut origins: BTreeMap<u16, f64> = BTreeMap::new();
    let mut exporters: BTreeMap<u16, f64> = BTreeMap::new();
    let mut exports = 0.0;
    for &(i, j, v) in &flows {
        *exporters.entry(i).or_default() += v;
        // a bloc reports as the sum of its members: trade between two members is an
        // import (from the exporting member) and an export
        if reporter.contains(&j) && i != j {
            *origins.entry(i).or_default() += v;
        }
        if reporter.contains(&i) && i != j {
            exports += v;
        }
    }
    let m: f64 = origins.values().sum();
    let out: f64 = origins
        .iter()
        .filter(|(o, _)| !bloc.contains(o))
        .map(|x| x.1)
        .sum();
    let w: f64 = exporters.values().sum();
    let top = origins
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
        .unwrap();
    HashMap::from([
        ("imports", Some(m)),
        ("imports_outside_bloc", Some(out)),
        ("exports", Some(exports)),
        (
            "import_hhi",
            Some(origins.values().map(|v| (v / m).powi(2)).sum()),
        ),
        (
            "outside_hhi",
            (out > 0.0).then(|| {
                origins
                    .iter()
                    .filter(|(o, _)| !bloc.contains(o))
                    .map(|(_, v)| (v / out).powi(2))
                    .sum()
            }),
        ),
        ("outside_share", Some(out / m)),
        (
            "import_export_ratio",
            (exports > 0.0).then(|| out / exports),
        ),
        (
            "world_hhi",
            Some(exporters.values().map(|v| (v / w).powi(2)).sum()),
        ),
        ("top_origin", Some(f64::from(*top.0))),
        ("top_origin_share", Some(top.1 / m)),
    ])
}

const EU: [u16; 3] = [251, 276, 528];

#[test]
fn metrics_of_a_baci_release_match_a_direct_computation() {
    let m = Indmon::new();
    let dir = m.dir.path().join("baci");
    write_release(&dir);
    for (reporter, codes) in [("NL", vec![528u16]), ("EU27", EU.to_vec())] {
        let r = m
            .run(&[
                "dependencies",
                "metrics",
                "--reporter",
                reporter,
                "--trade",
                dir.to_str().unwrap(),
                "--format",
                "csv",
            ])
            .ok();
        let header = r.stdout.lines().next().unwrap();
        assert_eq!(
            header,
            "reporter,hs6,year,imports,imports_outside_bloc,exports,import_hhi,outside_hhi,outside_share,import_export_ratio,world_hhi,top_origin,top_origin_share"
        );
        let rows = parse_csv(&r.stdout);
        let mut seen = 0;
        for year in [2022, 2023, 2024] {
            for k in [10121u32, 280461, 850511, 300215, 854231] {
                let want = expected(&codes, &EU, year, k);
                let row = rows
                    .iter()
                    .find(|r| r["year"] == year.to_string() && r["hs6"] == format!("{k:06}"))
                    .unwrap_or_else(|| panic!("{reporter} {year} {k:06} missing"));
                assert_eq!(row["reporter"], reporter);
                for (col, v) in &want {
                    let got: Option<f64> = row[*col].parse().ok();
                    match (got, v) {
                        (Some(g), Some(w)) => assert!(
                            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                            "{reporter} {year} {k} {col}: {g} vs {w}"
                        ),
                        (None, None) => {}
                        _ => panic!("{reporter} {year} {k} {col}: {got:?} vs {v:?}"),
                    }
                }
                seen += 1;
            }
        }
        assert_eq!(rows.len(), seen, "only imported products, each year");
        // leading zeros restored
        assert!(rows.iter().any(|r| r["hs6"] == "010121"));
    }
}

/// Issue 19: with the EU27 as reporter the share of criterion 2 is extra-EU imports over
/// total EU imports, so it is below 1 for every product the member states trade among
/// themselves — in the bundled extract all 30 of its products.
#[test]
fn eu27_outside_share_counts_trade_between_members_on_the_bundled_data() {
    let eu27: [u16; 27] = [
        40, 56, 100, 191, 196, 203, 208, 233, 246, 251, 276, 300, 348, 372, 381, 428, 440, 442,
        470, 528, 616, 620, 642, 703, 705, 724, 752,
    ];
    // the products with trade between two member states, from the bundled file itself
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/baci-crm-2024/BACI_HS17_Y2024_V202601_crm.csv"
    ))
    .unwrap();
    let mut intra: BTreeMap<String, f64> = BTreeMap::new();
    for line in raw.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (i, j): (u16, u16) = (c[1].parse().unwrap(), c[2].parse().unwrap());
        let x = intra.entry(format!("{:0>6}", c[3])).or_default();
        if i != j && eu27.contains(&i) && eu27.contains(&j) {
            *x += c[4].parse::<f64>().unwrap();
        }
    }
    let m = Indmon::new();
    let r = m
        .run(&[
            "dependencies",
            "metrics",
            "--reporter",
            "EU27",
            "--format",
            "csv",
        ])
        .ok();
    let rows = parse_csv(&r.stdout);
    assert_eq!(
        rows.len(),
        intra.len(),
        "one row per product of the extract"
    );
    let mut below = 0;
    for row in &rows {
        let share: f64 = row["outside_share"].parse().unwrap();
        let within = intra[&row["hs6"]];
        assert_eq!(share < 1.0, within > 0.0, "{row:?}");
        below += usize::from(share < 1.0);
        // imports are the total: extra-EU plus the trade between members
        let (imports, outside): (f64, f64) = (
            row["imports"].parse().unwrap(),
            row["imports_outside_bloc"].parse().unwrap(),
        );
        assert!(
            (imports - outside - within).abs() <= 1e-6 * imports,
            "{row:?}"
        );
    }
    assert_eq!(below, 30);
    assert!(
        r.stderr.contains("extra-EU / total EU imports"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_screen_applies_the_tiers_persistence_and_the_re_export_correction() {
    let m = Indmon::new();
    let dir = m.dir.path().join("baci");
    write_release(&dir);
    let t = dir.to_str().unwrap();
    let r = m
        .run(&[
            "dependencies",
            "--trade",
            t,
            "--format",
            "csv",
            "--tier",
            "all",
        ])
        .ok();
    let rows = parse_csv(&r.stdout);
    let get = |k: &str| rows.iter().find(|r| r["hs6"] == k).unwrap();
    // polysilicon (a semiconductor material): outside HHI 0.625, share 0.8, ratio 8 → risky: largest outside
    // supplier China is "other" and world supply is concentrated
    let si = get("280461");
    assert_eq!(si["criteria_met"], "concentration outside ratio");
    assert_eq!(si["persistence"], "3");
    assert_eq!(si["tier"], "risky strategic dependency", "{si:?}");
    assert_eq!(si["areas"], "priority market semiconductors", "{si:?}");
    // horses: from Russia only, not crucial → a dependency, not strategic
    assert_eq!(get("010121")["tier"], "dependency");
    // processors: imports from outside 60 against exports 80 → no dependency on all
    // imports; with the re-export correction (re-exports 80, own exports 0) one
    let p = get("854231");
    assert_eq!(
        (
            p["tier"].as_str(),
            p["ratio_used"].as_str(),
            p["retained_share"].as_str()
        ),
        ("", "0.75", "1")
    );
    assert!(
        r.stderr.contains(
            "Re-export correction: 3 dependencies on all imports, 4 on imports less exports"
        ),
        "{}",
        r.stderr
    );
    let net = m
        .run(&[
            "dependencies",
            "--trade",
            t,
            "--format",
            "csv",
            "--tier",
            "all",
            "--reexport",
            "net",
        ])
        .ok();
    let rows = parse_csv(&net.stdout);
    let p = rows.iter().find(|r| r["hs6"] == "854231").unwrap();
    assert_eq!(
        (p["tier"].as_str(), p["ratio_used"].as_str()),
        ("strategic dependency", "")
    );
    assert!((p["retained_share"].parse::<f64>().unwrap() - 0.2).abs() < 1e-12);
    // magnets stay: 95 of 100 re-exported, the 5 retained still come from China
    assert_eq!(
        rows.iter().find(|r| r["hs6"] == "850511").unwrap()["tier"],
        "risky strategic dependency"
    );
    assert!(net.stderr.contains("thousand USD"), "{}", net.stderr);
    // one year only: persistence cannot be checked, and says so
    let one = m
        .run(&[
            "dependencies",
            "--trade",
            dir.join("BACI_HS17_Y2024_V202601.csv").to_str().unwrap(),
        ])
        .ok();
    assert!(
        one.stdout.contains("Persistence not checked"),
        "{}",
        one.stdout
    );

    // explain, end to end
    let e = m
        .run(&["dependencies", "explain", "280461", "--trade", t])
        .ok();
    for want in [
        "HS 280461",
        "1. concentration of imports from outside the EU: HHI 0.62 > 0.4 — met",
        "2. share of imports from outside the EU: 80 % > 50 % — met",
        "the three criteria are met in 3 of the 3 years to 2024",
        "China (CHN) 60 % (other)",
        "priority market semiconductors — segment",
        "Disruption risk: high",
        "Verdict: risky strategic dependency.",
    ] {
        assert!(e.stdout.contains(want), "{want}:\n{}", e.stdout);
    }
    let e = m
        .run(&["dependencies", "explain", "010121", "--trade", t])
        .ok();
    assert!(
        e.stdout
            .contains("Russian Federation (RUS) 100 % (high-risk)"),
        "{}",
        e.stdout
    );
    assert!(
        e.stdout.contains("not listed in the criticality mapping"),
        "{}",
        e.stdout
    );

    // relations from the settings: the USA made high-risk changes nothing for silicon
    // (China is still the largest), China made like-minded removes its risk
    let m2 = Indmon::new().with_config("[dependencies.relations]\nCHN = \"like_minded\"\n");
    let r = m2
        .run(&[
            "dependencies",
            "--trade",
            t,
            "--format",
            "csv",
            "--tier",
            "all",
        ])
        .ok();
    let rows = parse_csv(&r.stdout);
    assert_eq!(
        rows.iter().find(|r| r["hs6"] == "280461").unwrap()["tier"],
        "strategic dependency"
    );
    assert!(
        r.stderr.contains("overridden in the settings for CHN"),
        "{}",
        r.stderr
    );
    // an override inside the reporter's bloc cannot act, and says so
    let m3 = Indmon::new().with_config("[dependencies.relations]\nDEU = \"high_risk\"\n");
    let r = m3
        .run(&["dependencies", "--trade", t, "--format", "csv"])
        .ok();
    assert!(
        r.stderr.contains("DEU = \"high_risk\" has no effect"),
        "{}",
        r.stderr
    );
    // flags that do not apply are refused
    assert_eq!(
        m.run(&["dependencies", "metrics", "--trade", t, "--tier", "risky"])
            .code,
        2
    );
    assert_eq!(m.run(&["mutual", "--trade", t, "--tier", "risky"]).code, 2);
    // alpha-2 codes from BACI's own list
    m.run(&["dependencies", "--trade", t, "--reporter", "FR"])
        .ok();

    // mutual: NL supplies 16000 of 16800 world exports (FRA 500, USA 300) of 300215; Germany and the USA
    // and China depend on it (NL supplies nearly all their imports of it).
    let mu = m.run(&["mutual", "--trade", t, "--format", "csv"]).ok();
    let rows = parse_csv(&mu.stdout);
    let p = rows.iter().find(|r| r["hs6"] == "300215").unwrap();
    assert_eq!(
        p["world_share_pct"],
        format!("{}", (16000.0f64 / 16800.0 * 1000.0).round() / 10.0)
    );
    assert_eq!(p["dependent_partners"], "3");
    // China: NL depends on it for silicon and magnets, it depends on NL for 300215
    let cn = rows
        .iter()
        .find(|r| r["kind"] == "two-way" && r["partner"] == "CHN")
        .unwrap();
    assert_eq!(
        (
            cn["we_depend_on_them"].as_str(),
            cn["they_depend_on_us"].as_str()
        ),
        ("280461 850511", "300215")
    );
    // the USA depends on NL but supplies none of NL's dependencies: no two-way pair
    assert!(
        !rows
            .iter()
            .any(|r| r["kind"] == "two-way" && r["partner"] == "USA")
    );

    // bad flags
    assert_eq!(
        m.run(&["dependencies", "--trade", t, "--reporter", "XX"])
            .code,
        2
    );
    assert_eq!(
        m.run(&["dependencies", "explain", "12x", "--trade", t])
            .code,
        2
    );
    assert_eq!(
        m.run(&["dependencies", "--trade", t, "--year", "1999"])
            .code,
        2
    );
    // a malformed release: the line and field are named
    std::fs::write(
        dir.join("BACI_HS17_Y2023_V202601.csv"),
        "t,i,j,k,v,q\n2023,156,528,280461,abc,1\n",
    )
    .unwrap();
    let bad = m.run(&["dependencies", "--trade", t]);
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("line 2") && bad.stderr.contains("'v'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_screen_on_synthetic_trade_says_so_and_explains_a_risky_dependency() {
    let m = Indmon::new();
    let dir = m.dir.path().join("synth");
    m.run(&[
        "synth",
        "baci",
        "--rows",
        "300000",
        "--years",
        "2022-2024",
        "--out",
        dir.to_str().unwrap(),
    ])
    .ok();
    m.run(&["ingest", "baci", dir.to_str().unwrap()]).ok();
    let r = m
        .run(&[
            "dependencies",
            "--reporter",
            "NL",
            "--dataset",
            "synth_baci_hs12",
            "--tier",
            "risky",
            "--format",
            "csv",
        ])
        .ok();
    assert!(r.stderr.contains("SYNTHETIC"), "{}", r.stderr);
    let rows = parse_csv(&r.stdout);
    assert!(
        !rows.is_empty(),
        "no risky strategic dependency in the synthetic data"
    );
    let k = &rows[0]["hs6"];
    let e = m
        .run(&["dependencies", "explain", k, "--dataset", "synth_baci_hs12"])
        .ok();
    assert!(e.stdout.contains("SYNTHETIC"), "{}", e.stdout);
    assert!(
        e.stdout.contains("Verdict: risky strategic dependency."),
        "{}",
        e.stdout
    );
    assert!(e.stdout.contains("Disruption risk: high"), "{}", e.stdout);
    // the default is the real (bundled) extract, labelled with its scope
    let real = m.run(&["dependencies"]).ok();
    assert!(!real.stdout.contains("SYNTHETIC"), "{}", real.stdout);
    assert!(real.stdout.contains("only 30 products"), "{}", real.stdout);
    // the EU as a bloc
    let eu = m
        .run(&[
            "dependencies",
            "--reporter",
            "EU27",
            "--dataset",
            "synth_baci_hs12",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&eu.stdout).unwrap();
    assert_eq!(v["reporter"], "EU27");
    assert_eq!(v["synthetic"], true);
}

#[test]
fn crm_lists_the_published_2023_scores_and_supply_concentration() {
    let m = Indmon::new();
    let r = m.run(&["crm", "--format", "csv"]).ok();
    let rows = parse_csv(&r.stdout);
    let get = |name: &str| rows.iter().find(|r| r["material"] == name).unwrap();
    // published 2023 values (crm_scores_over_time.csv)
    let co = get("Cobalt");
    assert_eq!(
        (
            co["sr_2023"].as_str(),
            co["ei_2023"].as_str(),
            co["critical"].as_str()
        ),
        ("2.8", "6.8", "yes")
    );
    assert_eq!(get("Copper")["critical"], "no"); // SR 0.1
    // the 2011 and 2014 assessments had EI ≥ 5 as threshold: baryte (EI 3.7 in 2011) was
    // not critical then, and is since 2017
    assert_eq!(get("Baryte")["critical_in"], "2017 2020 2023");
    assert_eq!(get("Arsenic")["critical"], "yes"); // SR 1.9, EI 2.9 ≥ 2.8
    // the HHI of cobalt extraction from the raw table (cp1252), "<0.1%" as 0.05 %
    let raw = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/eu-crm-2023/crm_global_supply_shares.csv"
    ))
    .unwrap();
    let text: String = raw.iter().map(|&b| b as char).collect(); // Latin-1 view is enough for these rows
    let mut hhi = 0.0;
    for line in text.lines().filter(|l| l.starts_with("Cobalt,E,")) {
        let cols: Vec<&str> = line.rsplitn(3, ',').collect(); // t, share, rest
        let share = cols[1].trim();
        let v = if let Some(x) = share.strip_prefix('<') {
            x.trim_end_matches('%').parse::<f64>().unwrap() / 2.0
        } else {
            share.trim_end_matches('%').parse::<f64>().unwrap()
        } / 100.0;
        hhi += v * v;
    }
    let want = (hhi * 100.0).round() / 100.0;
    assert_eq!(co["hhi_global_extraction"].parse::<f64>().unwrap(), want);
    assert_eq!(co["hs6"], "282200");
    // the count of critical materials is stated
    let crit = rows.iter().filter(|r| r["critical"] == "yes").count();
    assert!(
        r.stderr.contains(&format!("{crit} critical")),
        "{}",
        r.stderr
    );
    let one = m.run(&["crm", "--material", "cobalt"]).ok();
    assert!(one.stdout.contains("2023  2.8  6.8  yes"), "{}", one.stdout);
    assert_eq!(m.run(&["crm", "--material", "unobtainium"]).code, 2);
}
