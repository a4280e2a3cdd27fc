//! The dependency results on the bundled BACI extract (critical raw materials, HS 2017)
//! and the EU critical-raw-materials study: the screen, one product explained (its
//! numbers are the screen's), the metrics, mutual dependencies, the CRM list and one
//! material; BACI files read directly; the shipped criticality mapping and relations.

use indmon_core::Settings;
use indmon_core::taxonomy::{Criticality, Relations};
use indmon_reference::{CRITICALITY, RELATIONS, Reference};
use indmon_report::Tabular;
use indmon_report::dependencies::{
    self as dr, CrmRequest, ExplainRequest, MaterialRequest, MetricsRequest, MutualRequest,
    ScreenRequest, Tier, TradeFiles, TradeRequest,
};

use crate::support::{bundled, run};

fn reference() -> &'static Reference {
    Reference::bundled().unwrap()
}

/// The first line of a result's CSV, checked against its declared columns.
fn csv_header(r: &impl Tabular) -> String {
    let t = r.table();
    let csv = t.csv();
    let head = csv.lines().next().unwrap().to_string();
    assert_eq!(head, t.header().join(","));
    assert_eq!(csv.lines().count(), t.rows.len() + 1);
    head
}

fn screen_all(reporter: &str) -> dr::Screen {
    let f = bundled();
    let r = reference();
    let req = ScreenRequest {
        trade: TradeRequest {
            reporter: Some(reporter.into()),
            ..TradeRequest::default()
        },
        tier: Tier::None,
        ..ScreenRequest::default()
    };
    run(dr::screen(
        &f.store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        r,
        &req,
    ))
    .unwrap()
}

#[test]
fn permanent_magnets_are_a_risky_strategic_dependency_of_nl() {
    let s = screen_all("NL");
    assert_eq!((s.reporter.as_str(), s.year), ("NL", 2024));
    assert_eq!(s.dataset.as_deref(), Some("baci_hs17"));
    assert!(!s.synthetic && !s.persistence_checked);
    assert_eq!(s.counts.imported, s.rows.len());
    assert_eq!(s.products_in_data, 30);
    let m = s.rows.iter().find(|r| r.hs6 == "850511").unwrap();
    assert_eq!(m.tier, Tier::Risky, "{m:?}");
    assert_eq!(m.tier_label, "risky strategic dependency");
    assert_eq!(m.top_origin_iso3, "CHN");
    assert!(m.areas.iter().any(|a| a == "Critical raw materials"));
    assert!(m.criteria_met == "concentration outside ratio");
    // the counts are the rows' tiers
    let at_least = |t: Tier| s.rows.iter().filter(|r| r.tier >= t).count();
    assert_eq!(s.counts.dependency, at_least(Tier::Dependency));
    assert_eq!(s.counts.strategic, at_least(Tier::Strategic));
    assert_eq!(s.counts.risky, at_least(Tier::Risky));
    assert!(s.notes[0].starts_with("NL 2024: 30 products imported"));
    assert!(s.sources.iter().any(|x| x.dataset == "baci_hs17"));
    // one column list: the CSV the command line and the API give
    assert_eq!(
        csv_header(&s),
        "reporter,hs6,name,year,imports,imports_outside_bloc,exports,import_hhi,outside_hhi,outside_share,import_export_ratio,world_hhi,top_origin,top_origin_iso3,top_origin_share,retained_share,ratio_used,criteria_met,persistence,tier,areas,risk"
    );
    let t = s.table();
    let row = t.rows.iter().find(|r| r[1].text() == "850511").unwrap();
    assert_eq!(row[19].text(), "risky strategic dependency");
    assert_eq!(row[13].text(), "CHN");
    // the reading view: million USD and percent
    let v = s.view();
    assert_eq!(v.header()[..3], ["hs6", "name", "imports_musd"]);
    let vr = v.rows.iter().find(|r| r[0].text() == "850511").unwrap();
    assert_eq!(vr[2], indmon_report::Cell::Num(m.imports / 1000.0));

    // the markets board's tiers are the screen's
    let f = bundled();
    let r = reference();
    let tiers = run(dr::tiers_for(
        &f.store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        r,
        "baci_hs17",
        "NL",
        2024,
    ))
    .unwrap();
    for row in &s.rows {
        let k: u32 = row.hs6.parse().unwrap();
        assert_eq!(tiers.get(&k).copied().unwrap_or(Tier::None), row.tier);
    }
}

#[test]
fn the_explanation_has_the_screens_numbers() {
    let f = bundled();
    let r = reference();
    let s = screen_all("NL");
    for code in ["850511", "711011", "251010"] {
        let row = s.rows.iter().find(|x| x.hs6 == code).unwrap();
        let e = run(dr::explain(
            &f.store,
            &Settings::default(),
            &r.taxonomy.taxonomy,
            r,
            &ExplainRequest {
                trade: TradeRequest::default(),
                hs6: code.trim_start_matches('0').into(),
                reexport: None,
                million: true,
            },
        ))
        .unwrap();
        assert_eq!((e.hs6.as_str(), e.year, e.tier), (code, row.year, row.tier));
        assert_eq!(e.imports, row.imports);
        assert_eq!(e.outside_share, row.outside_share);
        assert_eq!(e.criteria[0].value, row.outside_hhi);
        assert_eq!(e.criteria[1].value, Some(row.outside_share));
        assert_eq!(e.criteria[2].value, row.ratio_used);
        assert_eq!(e.world.hhi, row.world_hhi);
        assert_eq!(e.suppliers[0].country, row.top_origin_iso3);
        assert!((e.suppliers[0].share - row.top_origin_share).abs() < 1e-12);
        assert_eq!(e.areas, row.areas);
        let met: Vec<&str> = e
            .criteria
            .iter()
            .filter(|c| c.met)
            .map(|c| c.criterion.as_str())
            .collect();
        assert_eq!(met.join(" "), row.criteria_met);
        assert_eq!(
            e.risk.as_ref().map(|k| k.high),
            row.risk.as_ref().map(|k| k != "not high")
        );
        // the steps carry the same numbers as the typed fields, and the sentences
        let step = |id: &str| e.steps.iter().find(|s| s.step == id).unwrap();
        assert_eq!(step("imports").value, Some(row.imports));
        assert_eq!(step("concentration").value, row.outside_hhi);
        assert_eq!(step("ratio").value, row.ratio_used);
        assert_eq!(
            e.explanation.last().unwrap(),
            &format!("Verdict: {}.", e.verdict)
        );
        // the window holds the year alone (one year of data)
        assert_eq!(e.years.len(), 1);
        assert_eq!(csv_header(&e), "step,value,threshold,met,text");
    }
    let e = run(dr::explain(
        &f.store,
        &Settings::default(),
        &r.taxonomy.taxonomy,
        r,
        &ExplainRequest {
            trade: TradeRequest::default(),
            hs6: "850511".into(),
            reexport: None,
            million: true,
        },
    ))
    .unwrap();
    for want in [
        "HS 850511 — Magnets; permanent magnets",
        "EU 2021 criteria:",
        "Suppliers: China (CHN) 55 % (other)",
        "Disruption risk: high",
        "Verdict: risky strategic dependency.",
    ] {
        assert!(
            e.explanation.iter().any(|l| l.starts_with(want)),
            "{want}: {:#?}",
            e.explanation
        );
    }
    // a code that is not HS6, or not imported, is the user's error
    for bad in ["12x", "1234567", "999999"] {
        let err = run(dr::explain(
            &f.store,
            &Settings::default(),
            &r.taxonomy.taxonomy,
            r,
            &ExplainRequest {
                trade: TradeRequest::default(),
                hs6: bad.into(),
                reexport: None,
                million: false,
            },
        ))
        .unwrap_err();
        assert_eq!(err.kind(), indmon_core::ErrorKind::Usage, "{bad}: {err}");
    }
}

#[test]
fn metrics_and_mutual_have_their_declared_columns() {
    let f = bundled();
    let r = reference();
    let settings = Settings::default();
    let m = run(dr::metrics(&f.store, &settings, &MetricsRequest::default())).unwrap();
    assert_eq!(
        csv_header(&m),
        "reporter,hs6,year,imports,imports_outside_bloc,exports,import_hhi,outside_hhi,outside_share,import_export_ratio,world_hhi,top_origin,top_origin_share"
    );
    let s = screen_all("NL");
    assert_eq!(m.rows.len(), s.rows.len());
    for (a, b) in m.rows.iter().zip(&s.rows) {
        assert_eq!((a.hs6.as_str(), a.imports), (b.hs6.as_str(), b.imports));
    }
    let missing = run(dr::metrics(
        &f.store,
        &settings,
        &MetricsRequest {
            trade: TradeRequest {
                year: Some(1999),
                ..TradeRequest::default()
            },
        },
    ))
    .unwrap_err();
    assert_eq!(missing.kind(), indmon_core::ErrorKind::Usage);

    let mu = run(dr::mutual(
        &f.store,
        &settings,
        &r.taxonomy.taxonomy,
        r,
        &MutualRequest::default(),
    ))
    .unwrap();
    assert_eq!(mu.dependencies, s.counts.dependency);
    assert_eq!(
        csv_header(&mu),
        "kind,hs6,name,partner,world_share_pct,world_hhi,world_exports_musd,dependent_partners,we_depend_on_them,they_depend_on_us"
    );
    assert_eq!(mu.table().rows.len(), mu.products.len() + mu.two_way.len());
    for p in &mu.products {
        assert!(p.world_share >= settings.dependencies.mutual_share);
    }
}

/// The EU27 by BACI code (France 251 and Italy 381 are BACI's own codes).
const EU27: [u16; 27] = [
    40, 56, 100, 191, 196, 203, 208, 233, 246, 251, 276, 300, 348, 372, 381, 428, 440, 442, 470,
    528, 616, 620, 642, 703, 705, 724, 752,
];

#[test]
fn eu27_metrics_on_the_bundled_extract_count_trade_between_members() {
    use std::collections::BTreeMap;
    let f = bundled();
    let m = run(dr::metrics(
        &f.store,
        &Settings::default(),
        &MetricsRequest {
            trade: TradeRequest {
                reporter: Some("EU27".into()),
                ..TradeRequest::default()
            },
        },
    ))
    .unwrap();
    assert_eq!(m.reporter, "EU27");

    // the same figures straight from the bundled file, with plain sums per product
    #[derive(Default)]
    struct Sums {
        imports: f64,
        outside: f64,
        exports: f64,
        within: f64,
        by_origin: BTreeMap<u16, f64>,
    }
    let csv = indmon_reference::bundle::file("baci-crm-2024/BACI_HS17_Y2024_V202601_crm.csv")
        .expect("the bundled extract");
    let eu = |c: u16| EU27.contains(&c);
    let mut sums: BTreeMap<String, Sums> = BTreeMap::new();
    for line in String::from_utf8_lossy(csv).lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (i, j): (u16, u16) = (c[1].parse().unwrap(), c[2].parse().unwrap());
        let v: f64 = c[4].parse().unwrap();
        if i == j {
            continue;
        }
        let x = sums.entry(format!("{:0>6}", c[3])).or_default();
        if eu(j) {
            x.imports += v;
            *x.by_origin.entry(i).or_default() += v;
            if !eu(i) {
                x.outside += v;
            }
        }
        if eu(i) {
            x.exports += v;
            if eu(j) {
                x.within += v;
            }
        }
    }
    sums.retain(|_, x| x.imports > 0.0);
    assert_eq!(m.rows.len(), sums.len());
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let mut with_intra = 0;
    for r in &m.rows {
        let x = &sums[&r.hs6];
        let hs6 = &r.hs6;
        assert!(near(r.imports, x.imports), "{hs6} imports");
        assert!(near(r.imports_outside_bloc, x.outside), "{hs6} outside");
        assert!(near(r.exports, x.exports), "{hs6} exports");
        assert!(near(r.outside_share, x.outside / x.imports), "{hs6} share");
        let hhi: f64 = x.by_origin.values().map(|v| (v / x.imports).powi(2)).sum();
        assert!(near(r.import_hhi, hhi), "{hs6} import HHI");
        let out_hhi: f64 = x
            .by_origin
            .iter()
            .filter(|(o, _)| !eu(**o))
            .map(|(_, v)| (v / x.outside).powi(2))
            .sum();
        assert!(near(r.outside_hhi.unwrap(), out_hhi), "{hs6} outside HHI");
        assert!(
            near(r.import_export_ratio.unwrap(), x.outside / x.exports),
            "{hs6} ratio"
        );
        // the share is below 1 exactly where the members trade with each other
        assert_eq!(r.outside_share < 1.0, x.within > 0.0, "{hs6}");
        with_intra += usize::from(x.within > 0.0);
    }
    // every one of the 30 products of the extract is traded between members
    assert_eq!((m.rows.len(), with_intra), (30, 30));
    assert_eq!(m.method, "dependencies/2");
    assert!(
        m.notes
            .iter()
            .any(|n| n.contains("extra-EU / total EU imports")),
        "{:#?}",
        m.notes
    );

    // the screen shows the same imports and shares, and says how they are counted
    let s = screen_all("EU27");
    assert!(s.notes.iter().any(|n| n.contains("total EU exports")));
    for r in &s.rows {
        let x = &sums[&r.hs6];
        assert!(near(r.imports, x.imports) && near(r.exports, x.exports));
        assert!(r.outside_share < 1.0, "{}", r.hs6);
    }
}

#[test]
fn the_crm_list_has_the_published_2023_scores() {
    let f = bundled();
    let all = run(dr::crm(&f.store, &CrmRequest::default())).unwrap();
    let co = all
        .materials
        .iter()
        .find(|m| m.material == "Cobalt")
        .unwrap();
    assert_eq!((co.sr, co.ei, co.critical), (2.8, 6.8, true));
    assert_eq!(co.hs6, ["282200"]);
    assert_eq!(co.critical_in, [2011, 2014, 2017, 2020, 2023]);
    let baryte = all
        .materials
        .iter()
        .find(|m| m.material == "Baryte")
        .unwrap();
    assert_eq!(baryte.critical_in, [2017, 2020, 2023]);
    assert_eq!(
        all.critical,
        all.materials.iter().filter(|m| m.critical).count()
    );
    assert_eq!(
        csv_header(&all),
        "material,sr_2023,ei_2023,critical,hhi_global_extraction,hhi_global_processing,hhi_eu_extraction,hhi_eu_processing,top_global_supplier,critical_in,hs6"
    );
    // the CSV gives the HHI to two decimals, as the list always has
    let t = all.table();
    let row = t.rows.iter().find(|r| r[0].text() == "Cobalt").unwrap();
    let hhi = co.hhi_global_extraction.unwrap();
    assert_eq!(row[4].text(), format!("{}", (hhi * 100.0).round() / 100.0));
    assert!(all.notes().iter().any(|n| n.starts_with("Source: ")));

    let crit = run(dr::crm(
        &f.store,
        &CrmRequest {
            critical_only: true,
        },
    ))
    .unwrap();
    assert_eq!(crit.materials.len(), all.critical);
    assert!(crit.materials.iter().all(|m| m.critical));

    let one = run(dr::material(
        &f.store,
        &MaterialRequest {
            material: "cobalt".into(),
        },
    ))
    .unwrap();
    assert_eq!(one.material, "Cobalt");
    assert_eq!(one.history.len(), 5);
    assert_eq!(csv_header(&one), "year,sr,ei,critical");
    let global_e = one
        .supply
        .iter()
        .find(|s| s.scope == "global" && s.stage == "extraction")
        .unwrap();
    assert!((global_e.hhi - hhi).abs() < 1e-12);
    assert!(one.supply_lines()[0].starts_with("Global supply, extraction: HHI 0.41"));
    let err = run(dr::material(
        &f.store,
        &MaterialRequest {
            material: "unobtainium".into(),
        },
    ))
    .unwrap_err();
    assert_eq!(err.kind(), indmon_core::ErrorKind::Usage);
}

/// Issue 16: the CRM page's HS6 codes carry the screen's rows unchanged — every code
/// of every material in the list's order, a code the reporter does not import without
/// a row.
#[test]
fn the_crm_codes_carry_the_screens_rows() {
    let f = bundled();
    let crm = run(dr::crm(&f.store, &CrmRequest::default())).unwrap();
    let s = screen_all("NL");
    let codes = dr::crm_codes(&crm, &s);
    let want: Vec<(&str, &str)> = crm
        .materials
        .iter()
        .flat_map(|m| m.hs6.iter().map(move |h| (m.material.as_str(), h.as_str())))
        .collect();
    let got: Vec<(&str, &str)> = codes
        .iter()
        .map(|c| (c.material.as_str(), c.hs6.as_str()))
        .collect();
    assert_eq!(got, want);
    assert!(codes.len() >= 20, "{}", codes.len());
    let cobalt = codes.iter().find(|c| c.material == "Cobalt").unwrap();
    assert_eq!(cobalt.hs6, "282200");
    assert!(cobalt.critical);
    for c in &codes {
        let row = s.rows.iter().find(|r| r.hs6 == c.hs6);
        match (&c.screen, row) {
            (Some(a), Some(b)) => {
                assert_eq!(a.imports.to_bits(), b.imports.to_bits(), "{}", c.hs6);
                assert_eq!(a.tier, b.tier, "{}", c.hs6);
                assert_eq!(a.outside_hhi, b.outside_hhi, "{}", c.hs6);
            }
            (None, None) => {}
            (a, b) => panic!("{}: {:?} against {:?}", c.hs6, a.is_some(), b.is_some()),
        }
    }
    // the extract holds the materials' codes: most are imported
    assert!(codes.iter().filter(|c| c.screen.is_some()).count() >= codes.len() / 2);
}

/// A BACI release of two years: NL imports 280461 from China (60), the USA (20) and
/// Germany (20), and exports 10 to Germany.
fn write_release(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    for y in [2023, 2024] {
        let mut s = String::from("t,i,j,k,v,q\n");
        for (i, j, v) in [
            (156, 528, 60.0),
            (842, 528, 20.0),
            (276, 528, 20.0),
            (528, 276, 10.0),
        ] {
            s.push_str(&format!("{y},{i},{j},280461,{v:.3},1.000\n"));
        }
        std::fs::write(dir.join(format!("BACI_HS17_Y{y}_V202601.csv")), s).unwrap();
    }
}

#[test]
fn baci_files_are_read_directly_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    write_release(dir.path());
    let req = TradeRequest {
        year: Some(2024),
        ..TradeRequest::default()
    };
    let files = TradeFiles::find(dir.path(), &req, "NL", Some(1)).unwrap();
    let seen = std::sync::atomic::AtomicU64::new(0);
    let trade = files
        .read(&|n| seen.store(n, std::sync::atomic::Ordering::Relaxed))
        .unwrap();
    // the window of one year keeps one file of the two
    assert_eq!(trade.acc.years(), [2024]);
    assert!(files.total_bytes() > 0);
    assert_eq!(seen.into_inner(), files.total_bytes());
    assert!(trade.source.is_none() && trade.notes[0].contains("read directly"));
    let m = dr::metrics_in(&trade, &MetricsRequest { trade: req }).unwrap();
    let row = &m.rows[0];
    assert_eq!(
        (row.hs6.as_str(), row.imports, row.exports),
        ("280461", 100.0, 10.0)
    );
    // China and the USA are outside the EU: (60² + 20²) / 80²
    assert!((row.outside_hhi.unwrap() - (0.75f64.powi(2) + 0.25f64.powi(2))).abs() < 1e-12);
    // a year the files do not have is named
    let none = TradeFiles::find(
        dir.path(),
        &TradeRequest {
            year: Some(2030),
            ..TradeRequest::default()
        },
        "NL",
        Some(1),
    )
    .unwrap_err();
    assert!(
        none.to_string().contains("no trade file for 2030"),
        "{none}"
    );
}

#[test]
fn the_shipped_criticality_mapping_and_relations_are_valid() {
    let lists = &reference().lists;
    let crit = Criticality::parse("criticality.toml", CRITICALITY).unwrap();
    let problems = crit.validate(CRITICALITY, &lists.codes);
    assert!(problems.is_empty(), "{problems:?}");
    let ids: Vec<&str> = crit.areas.iter().map(|a| a.id.get_ref().as_str()).collect();
    assert_eq!(
        ids,
        [
            "health", "energy", "defence", "digital", "food", "water", "crm"
        ]
    );
    // every code of the bundled BACI extract is a critical raw material in HS 2017
    let products =
        indmon_reference::bundle::file("baci-crm-2024/product_codes_HS17_V202601_crm.csv").unwrap();
    for line in String::from_utf8_lossy(products).lines().skip(1) {
        let code = line.split(',').next().unwrap();
        let e = crit.entries.iter().find(|e| e.code.get_ref() == code);
        assert!(
            e.is_some_and(
                |e| e.areas.iter().any(|a| a == "crm") && e.editions.iter().any(|x| x == "HS2017")
            ),
            "{code}"
        );
    }
    let rel = Relations::parse("country-relations.toml", RELATIONS).unwrap();
    let classes = rel.classes().unwrap();
    assert_eq!(classes.values().filter(|c| *c == "eu").count(), 27);
    assert_eq!(classes["RUS"], "high_risk");
    assert!(!classes.contains_key("CHN"), "China is 'other' by default");
}

#[test]
fn a_wrong_criticality_entry_is_named() {
    let lists = &reference().lists;
    let bad = CRITICALITY.replacen("areas = [\"crm\"]", "areas = [\"crmm\"]", 1);
    let crit = Criticality::parse("c.toml", &bad).unwrap();
    let p = crit.validate(&bad, &lists.codes);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].message.contains("\"crmm\" is not defined") && p[0].line > 0);
}
