//! Every bundled file parses, with the figures its publisher shows.

use crate::support::*;
use indmon_sources::registry;

#[test]
fn every_bundled_source_parses_to_its_schema() {
    for spec in registry().all() {
        if spec.bundled.is_none() {
            continue;
        }
        let (batches, parsed) = parse_bundled(&spec.id);
        assert!(parsed.rows > 0, "{}: no rows", spec.id);
        assert_eq!(rows(&batches) as u64, parsed.rows, "{}", spec.id);
        assert_eq!(parsed.sha256.len(), 64, "{}", spec.id);
        // the only warnings: the country lists' double-encoded names, repaired
        let repaired = ["baci_countries", "baci_semis_countries"].contains(&spec.id.as_str());
        assert_eq!(
            parsed.warnings.len(),
            usize::from(repaired),
            "{}: {:?}",
            spec.id,
            parsed.warnings
        );
    }
}

#[test]
fn the_semiconductor_extract_converts_with_its_documented_totals() {
    // rows and US dollars per year as data/baci-semis-2017-2024/PROVENANCE.md states them
    let want: [(i32, usize, f64); 8] = [
        (2017, 3848, 888_274_186_049.0),
        (2018, 4090, 1_024_454_105_471.0),
        (2019, 4054, 988_714_889_390.0),
        (2020, 3994, 1_061_712_020_576.0),
        (2021, 4481, 1_324_278_448_992.0),
        (2022, 4814, 1_441_152_665_869.0),
        (2023, 4652, 1_266_804_054_156.0),
        (2024, 4509, 1_490_691_749_389.0),
    ];
    let (b, p) = parse_bundled("baci_hs17_semis");
    assert_eq!(p.rows, 34_442);
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    let mut per_year: std::collections::BTreeMap<i32, (usize, f64)> = Default::default();
    let mut codes = std::collections::BTreeSet::new();
    for batch in &b {
        let t = batch
            .column_by_name("t")
            .unwrap()
            .as_primitive::<Int32Type>();
        let v = batch
            .column_by_name("v")
            .unwrap()
            .as_primitive::<Float64Type>();
        let k = batch.column_by_name("k").unwrap().as_string::<i32>();
        for r in 0..batch.num_rows() {
            let e = per_year.entry(t.value(r)).or_default();
            e.0 += 1;
            // stored in thousands of US dollars, as BACI
            e.1 += v.value(r) * 1000.0;
            codes.insert(k.value(r).to_string());
        }
    }
    for (year, rows, usd) in want {
        let (n, sum) = per_year[&year];
        assert_eq!(n, rows, "{year}");
        assert!((sum - usd).abs() < 1.0, "{year}: {sum} vs {usd}");
    }
    assert_eq!(codes.len(), 22);
    // ISO3 codes became BACI's: NLD → 528, TWN → Taiwan's code in BACI's list (158)
    let nl_asml = lookup(
        &b,
        &[("k", "848620")],
        &[("t", 2024), ("i", 528), ("j", 158)],
        "v",
    );
    assert_eq!(nl_asml.len(), 1, "NL → Taiwan lithography 2024");
    assert!(
        nl_asml[0].unwrap() >= 10_000.0,
        "at least USD 10 million = 10,000 thousand"
    );
    // the extract's country list: its three double-encoded names repaired and reported
    let (c, p) = parse_bundled("baci_semis_countries");
    assert_eq!(p.rows, 156);
    for (iso3, name) in [
        ("CIV", "Côte d'Ivoire"),
        ("CUW", "Curaçao"),
        ("TUR", "Türkiye"),
    ] {
        assert_eq!(
            lookup_text(&c, &[("iso3", iso3)], &[], "name"),
            vec![Some(name.to_string())]
        );
    }
    assert!(
        p.warnings[0].contains("repaired 3 text(s)")
            && p.warnings[0].contains("'CuraÃ§ao' → 'Curaçao'"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn eurostat_label_form_maps_back_to_codes_with_the_release_date() {
    let (b, p) = parse_bundled("estat_nama_10_a64");
    assert_eq!(p.rows, 5768);
    assert_eq!(p.release.unwrap().to_string(), "2025-03-12");
    assert_eq!(p.release_label.as_deref(), Some("12/03/25 23:00:00"));
    let nl = |nace| {
        lookup(
            &b,
            &[
                ("geo", "NL"),
                ("nace", nace),
                ("unit", "CP_MEUR"),
                ("na_item", "B1G"),
            ],
            &[("time", 2023)],
            "value",
        )
    };
    assert_eq!(nl("C"), vec![Some(115740.0)]);
    assert_eq!(nl("TOTAL"), vec![Some(962084.0)]);
    // published shares (Eurostat, computed in the PROVENANCE note): DE 20.1 %, EU27 16.3 %
    let share = |geo| {
        let c = lookup(
            &b,
            &[("geo", geo), ("nace", "C")],
            &[("time", 2023)],
            "value",
        )[0]
        .unwrap();
        let t = lookup(
            &b,
            &[("geo", geo), ("nace", "TOTAL")],
            &[("time", 2023)],
            "value",
        )[0]
        .unwrap();
        (1000.0 * c / t).round() / 10.0
    };
    assert_eq!(share("DE"), 20.1);
    assert_eq!(share("EU27_2020"), 16.3);
    assert_eq!(share("EL"), share("EL")); // Greece is mapped (to EL)
    // flags are kept: the file has 95 provisional and 10 break flags
    let flags: Vec<String> = b
        .iter()
        .flat_map(|x| {
            use arrow_array::cast::AsArray;
            x.column_by_name("flag")
                .unwrap()
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(flags.iter().filter(|f| *f == "p").count(), 95);
    assert_eq!(flags.iter().filter(|f| *f == "b").count(), 10);
}

#[test]
fn undata_stops_at_the_footnotes_and_keeps_series() {
    let (b, p) = parse_bundled("un_sna_2_4");
    assert!(p.rows > 18000, "{}", p.rows);
    // NL 2023 total value added 932,664 million euro in this older release (vs 962,084 at Eurostat 2025)
    let v = lookup(
        &b,
        &[("geo", "NL"), ("nace", "TOTAL"), ("series", "1000")],
        &[("time", 2023)],
        "value",
    );
    assert_eq!(v, vec![Some(932664.0)]);
    let c = lookup(
        &b,
        &[("geo", "NL"), ("nace", "C"), ("series", "1000")],
        &[("time", 2023)],
        "value",
    )[0]
    .unwrap();
    assert_eq!((1000.0 * c / 932664.0).round() / 10.0, 12.9);
    // footnote text travels with the value
    let notes = lookup_text(
        &b,
        &[("geo", "ZW"), ("nace", "TOTAL")],
        &[("time", 2011)],
        "note",
    );
    assert!(
        notes[0]
            .as_deref()
            .unwrap()
            .contains("[3] The value of financial intermediation"),
        "{notes:?}"
    );
}

#[test]
fn oecd_shares_match_eurostat_for_nl() {
    let (b, _) = parse_bundled("oecd_naag_iv");
    let v = lookup(
        &b,
        &[("geo", "NL"), ("nace", "C"), ("unit", "PC_TOT")],
        &[("time", 2023)],
        "value",
    );
    assert_eq!(v.len(), 1);
    assert!((v[0].unwrap() - 12.03).abs() < 0.005, "{v:?}");
}

#[test]
fn cp1252_and_bom_files_read_correctly() {
    let (b, _) = parse_bundled("eucrm_material_use");
    assert!(rows(&b) > 300);
    let (b, _) = parse_bundled("eucrm_global_supply");
    let countries = lookup_text(
        &b,
        &[("material", "Cobalt"), ("stage", "E")],
        &[],
        "country",
    );
    assert!(
        countries.iter().flatten().any(|c| c.contains("Congo")),
        "{countries:?}"
    );
    // NACE2_CPA21.csv starts with a UTF-8 BOM and has a trailing space in a header
    let (b, _) = parse_bundled("nace2_cpa21");
    assert_eq!(rows(&b), 5522);
}

#[test]
fn baci_extract_restores_six_digit_codes() {
    let (b, p) = parse_bundled("baci");
    assert_eq!(p.rows, 21_723);
    use arrow_array::cast::AsArray;
    let ks: std::collections::BTreeSet<String> = b
        .iter()
        .flat_map(|x| {
            x.column_by_name("k")
                .unwrap()
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(ks.len(), 30);
    assert!(ks.iter().all(|k| k.len() == 6));
    assert!(ks.contains("850511"));
}

#[test]
fn baci_country_names_are_repaired() {
    let (b, _) = parse_bundled("baci_countries");
    let names = lookup_text(&b, &[("country_iso3", "CIV")], &[], "country_name");
    assert_eq!(names, vec![Some("Côte d'Ivoire".to_string())]);
}
