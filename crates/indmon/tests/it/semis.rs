//! Issue 23: the semiconductor trade 2017-2024 (a BACI extract of flows of at least
//! USD 10 million) bundled, on a fresh data directory: the markets board and
//! `markets show semiconductors` with an eight-year trend, the dependency screen with
//! persistence, the filter said wherever its figures are shown.

use std::collections::BTreeSet;

use crate::support::*;

#[test]
fn semiconductors_show_nl_every_year_2017_2024_and_a_tested_trend() {
    let m = Indmon::new();
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
    let rows = parse_csv(&r.stdout);
    let years: BTreeSet<String> = rows
        .iter()
        .filter(|r| r["country"] == "NL")
        .map(|r| r["year"].clone())
        .collect();
    let want: BTreeSet<String> = (2017..=2024).map(|y| y.to_string()).collect();
    assert_eq!(years, want, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("holds only flows of at least USD 10 million"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "Trade data for market semiconductors: baci_hs17_semis (20 code(s), 8 year(s) 2017-2024, flows of at least USD 10 million only), chosen as the dataset with most of the market's HS6 codes"
        ),
        "{}",
        r.stderr
    );

    // NL's position in lithography equipment, with world exports of the extract
    let r = m
        .run(&["markets", "show", "semiconductors", "--format", "csv"])
        .ok();
    let codes = parse_csv(&r.stdout);
    let litho = codes.iter().find(|c| c["hs6"] == "848620").unwrap();
    let share: f64 = litho["world_share_%"].parse().unwrap();
    assert!(share > 10.0, "{litho:?}");

    // the board: semiconductors on the extract, with its trend and p-value
    let r = m.run(&["markets", "--format", "csv"]).ok();
    let board = parse_csv(&r.stdout);
    let semis = board
        .iter()
        .find(|r| r["market"] == "semiconductors")
        .unwrap();
    assert_eq!(semis["dataset"], "baci_hs17_semis");
    assert_eq!(semis["min_flow_musd"], "10");
    assert_eq!(semis["year"], "2024");
    let p: f64 = semis["p_value"].parse().unwrap();
    assert!((0.0..=1.0).contains(&p), "{semis:?}");
    assert!(semis["trend_text"].contains("p = "), "{semis:?}");
    // the others stay on the complete extract, and the notes say the two differ
    let chem = board
        .iter()
        .find(|r| r["market"] == "innovative_chemistry")
        .unwrap();
    assert_eq!(chem["dataset"], "baci_hs17");
    assert_eq!(chem["min_flow_musd"], "");
    assert!(
        r.stderr.contains("not comparable with each other"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Trade data per market, chosen as the dataset with most of the market's HS6 codes, then most years, then complete data before an extract of large flows only"),
        "{}",
        r.stderr
    );
    let t = m.run(&["markets"]).ok();
    let line = t
        .stdout
        .lines()
        .find(|l| l.starts_with("semiconductors"))
        .unwrap();
    assert!(line.contains("p = "), "{line}");
}

#[test]
fn the_screen_on_the_semiconductor_extract_checks_persistence_2022_2024() {
    let m = Indmon::new();
    let r = m
        .run(&[
            "dependencies",
            "--dataset",
            "baci_hs17_semis",
            "--year",
            "2024",
        ])
        .ok();
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Persistence checked over 2022-2024: a dependency meets the criteria in at least 2 of those 3 years."),
        "{all}"
    );
    assert!(
        all.contains("holds only flows of at least USD 10 million"),
        "{all}"
    );
    assert!(
        all.contains("Trade data: dataset baci_hs17_semis, as asked."),
        "{all}"
    );
    let j: serde_json::Value = serde_json::from_str(
        &m.run(&[
            "dependencies",
            "--dataset",
            "baci_hs17_semis",
            "--year",
            "2024",
            "--format",
            "json",
        ])
        .ok()
        .stdout,
    )
    .unwrap();
    assert_eq!(j["persistence_checked"], true);
    let rows = j["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["persistence"].is_number()), "{j}");

    // the default screen stays on the complete extract, and says why
    let r = m.run(&["dependencies"]).ok();
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Trade data: dataset baci_hs17, chosen as real before synthetic, then complete data before an extract of large flows only, then most rows; also in the store: baci_hs17_semis"),
        "{all}"
    );
    assert!(!all.contains("holds only flows"), "{all}");

    // the catalog record keeps the filter
    let r = m.run(&["sources", "baci_hs17_semis"]).ok();
    assert!(
        r.stdout
            .contains("only flows of at least USD 10 million (totals are lower bounds)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("34442"), "{}", r.stdout);
}
