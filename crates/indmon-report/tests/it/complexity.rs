//! Complexity through the report API: the Growth Lab sample against the Stata ground
//! truth and the Python package, the trade data of the fixture store, opportunities and
//! a product's neighbourhood for NL, the stored result, and the CSV and JSON of every
//! result against its declared columns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indmon_core::DatasetId;
use indmon_report::Tabular;
use indmon_report::complexity::{
    self, COLUMNS, ComplexityReport, ComplexityRequest, Convention, NEIGHBOURS,
    NeighbourhoodRequest, OPPORTUNITIES, OpportunitiesRequest, Options, PanelInput, PanelRequest,
    Presence, Proximity, RANKING, RankBy,
};
use indmon_report::table;
use indmon_sources::formats::panel_csv::{self, PanelOptions};
use indmon_store::{QueryOptions, Select, Store};

use crate::support::{bundled, run};

fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/py-ecomplexity")
}

fn method(convention: Convention) -> Options {
    Options {
        convention,
        presence: Presence::Rca,
        threshold: 1.0,
        proximity: Proximity::Symmetric,
        knn: None,
        atlas_cog: false,
        dense_proximity: false,
    }
}

fn quiet() -> impl Fn(&complexity::YearSummary, std::time::Duration) + Sync {
    |_, _| {}
}

fn csv_panel(path: &Path) -> PanelRequest {
    let read = PanelOptions::default();
    PanelRequest {
        input: PanelInput::Csv(panel_csv::read(path, &read).unwrap()),
        read,
        population: None,
    }
}

fn dataset(d: Option<&str>) -> PanelRequest {
    PanelRequest {
        input: PanelInput::Dataset(d.map(str::to_string)),
        read: PanelOptions::default(),
        population: None,
    }
}

fn sample(convention: Convention) -> ComplexityReport {
    let req = ComplexityRequest {
        panel: csv_panel(&sample_dir().join("trade_data_sample.csv")),
        method: method(convention),
    };
    run(complexity::complexity(None, req, &quiet())).unwrap()
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> f64 {
    if s.is_empty() {
        f64::NAN
    } else {
        s.parse().unwrap()
    }
}

/// Joins the result's rows with a reference on (year, location, product) and checks
/// each column within its relative tolerance.
fn check(
    r: &ComplexityReport,
    reference: &[BTreeMap<String, String>],
    columns: &[(&str, &str, f64)],
) {
    let ours: BTreeMap<(String, String, String), BTreeMap<String, f64>> = r
        .rows
        .rows()
        .map(|row| {
            let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
            let vals = BTreeMap::from([
                ("rca".to_string(), v(row.rca)),
                ("mcp".to_string(), f64::from(row.mcp)),
                ("diversity".to_string(), f64::from(row.diversity)),
                ("ubiquity".to_string(), f64::from(row.ubiquity)),
                ("eci".to_string(), v(row.eci)),
                ("pci".to_string(), v(row.pci)),
                ("density".to_string(), v(row.density)),
                ("coi".to_string(), v(row.coi)),
                ("cog".to_string(), v(row.cog)),
            ]);
            ((row.year.to_string(), row.location, row.product), vals)
        })
        .collect();
    assert_eq!(ours.len(), reference.len(), "one row per reference row");
    for row in reference {
        let key = (
            row["year"].clone(),
            row["origin"].clone(),
            row["hs92"].clone(),
        );
        let o = ours
            .get(&key)
            .unwrap_or_else(|| panic!("no row for {key:?}"));
        for &(col, ref_col, tol) in columns {
            let (a, b) = (o[col], num(&row[ref_col]));
            assert!(
                (a - b).abs() <= tol * b.abs().max(1.0),
                "{key:?} {col}: indmon {a}, reference {b}"
            );
        }
    }
}

#[test]
fn the_sample_reproduces_the_stata_ground_truth() {
    let r = sample(Convention::Stata);
    assert!(
        r.method.starts_with("complexity/1 (stata convention"),
        "{}",
        r.method
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("Method: complexity/1 (stata"))
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("Input: ") && n.contains("trade_data_sample.csv"))
    );
    assert!(r.sources.is_empty(), "a file is not a vintage of the store");
    assert_eq!(r.name, "trade_data_sample");
    assert_eq!(r.nomenclature.as_deref(), Some("hs92"));
    assert_eq!(r.years.len(), 2);
    assert!(
        r.years
            .iter()
            .all(|y| y.undefined.is_none() && y.eigenvalue.is_some())
    );
    let truth = read_csv(&sample_dir().join("stata_ground_truth.csv"));
    // Stata exported float32: RCA at 1e-6; everything else at 1e-9; integers exact.
    check(
        &r,
        &truth,
        &[
            ("rca", "rca", 1e-6),
            ("mcp", "M", 0.0),
            ("diversity", "diversity", 0.0),
            ("ubiquity", "ubiquity", 0.0),
            ("eci", "eci", 1e-9),
            ("pci", "pci", 1e-9),
            ("density", "density", 1e-9),
            ("coi", "coi", 1e-9),
            ("cog", "cog", 1e-9),
        ],
    );
    // the ranking: every location once a year, by falling ECI
    assert_eq!(r.ranking.len(), 2 * 10);
    for y in r.ranking.chunks(10) {
        let eci: Vec<f64> = y.iter().map(|e| e.eci.unwrap()).collect();
        assert!(eci.windows(2).all(|w| w[0] >= w[1]), "{eci:?}");
        assert_eq!(y[0].rank, 1);
    }
}

#[test]
fn the_python_convention_matches_the_package() {
    let r = sample(Convention::Python);
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../indmon-analytics/tests/fixtures/ecomplexity/python_default.csv");
    let cols: Vec<(&str, &str, f64)> = [
        "rca",
        "mcp",
        "diversity",
        "ubiquity",
        "eci",
        "pci",
        "density",
        "coi",
        "cog",
    ]
    .iter()
    .map(|c| (*c, *c, 1e-9))
    .collect();
    check(&r, &read_csv(&fixture), &cols);
}

#[test]
fn the_csv_and_json_of_a_complexity_result_have_the_declared_columns() {
    let r = sample(Convention::Stata);
    let declared: Vec<&str> = COLUMNS[..13].iter().map(|c| c.name).collect();
    assert_eq!(
        declared.join(","),
        "year,location,product,value,rca,mcp,diversity,ubiquity,eci,pci,density,coi,cog"
    );
    let table = r.table();
    assert_eq!(table.header(), declared);
    assert_eq!(table.rows.len(), 600);
    // the streamed CSV is the table's CSV, byte for byte
    let csv = table.csv();
    let mut streamed = Vec::new();
    r.write_csv(&mut streamed).unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), csv);
    assert_eq!(csv.lines().next().unwrap(), declared.join(","));
    // the JSON is the whole result; its rows are keyed by the declared columns
    let mut json = Vec::new();
    r.write_json(&mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    assert_eq!(json, table::json(&r));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 600);
    // keyed in the declared order
    let first = &json[json.find("\"rows\": [").unwrap()..];
    let first = &first[..first.find('}').unwrap()];
    let at: Vec<usize> = declared
        .iter()
        .map(|c| first.find(&format!("\"{c}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert_eq!(rows[0].as_object().unwrap().len(), declared.len());
    // the same values as the table's records (compared unparsed: parsing may move a
    // float by one unit in the last place)
    assert!(serde_json::to_value(&r.rows).unwrap() == serde_json::Value::Array(table.records()));
    assert_eq!(v["convention"], "stata");
    assert_eq!(v["years"].as_array().unwrap().len(), 2);
    assert_eq!(v["ranking"].as_array().unwrap().len(), 20);
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("Method: "))
    );
    // the ranking table
    let ranking: Vec<&str> = RANKING.iter().map(|c| c.name).collect();
    assert_eq!(r.ranking_table().header(), ranking);
    assert_eq!(
        ranking,
        ["year", "rank", "location", "diversity", "eci", "coi"]
    );
}

#[test]
fn rpop_adds_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let pop = dir.path().join("pop.csv");
    let panel = csv_panel(&sample_dir().join("trade_data_sample.csv"));
    let PanelInput::Csv(file) = &panel.input else {
        unreachable!()
    };
    let mut lines = String::from("year,location,population\n");
    let mut seen = std::collections::BTreeSet::new();
    for &(y, l, _, _) in &file.rows.data {
        if seen.insert((y, l)) {
            lines.push_str(&format!(
                "{y},{},{}\n",
                file.rows.codes[l as usize],
                1e6 + f64::from(l)
            ));
        }
    }
    std::fs::write(&pop, lines).unwrap();
    let req = ComplexityRequest {
        panel: PanelRequest {
            population: Some(panel_csv::read_population(&pop, Default::default()).unwrap()),
            ..panel
        },
        method: Options {
            presence: Presence::Rpop,
            ..method(Convention::Stata)
        },
    };
    let r = run(complexity::complexity(None, req, &quiet())).unwrap();
    let header = r.table().header().join(",");
    assert!(header.ends_with(",cog,rpop"), "{header}");
    let mut streamed = Vec::new();
    r.write_csv(&mut streamed).unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), r.table().csv());
    // without population: a usage error
    let no_pop = ComplexityRequest {
        panel: csv_panel(&sample_dir().join("trade_data_sample.csv")),
        method: Options {
            presence: Presence::Rpop,
            ..method(Convention::Stata)
        },
    };
    let e = run(complexity::complexity(None, no_pop, &quiet())).unwrap_err();
    assert_eq!(e.kind(), indmon_core::ErrorKind::Usage);
    assert!(e.to_string().contains("--population"), "{e}");
}

#[test]
fn trade_in_the_store_gives_the_same_as_the_file() {
    let f = bundled();
    let req = ComplexityRequest {
        panel: dataset(Some("growthlab_trade_sample")),
        method: method(Convention::Python),
    };
    let r = run(complexity::complexity(Some(&f.store), req, &quiet())).unwrap();
    assert!(
        r.input.starts_with("dataset:growthlab_trade_sample@"),
        "{}",
        r.input
    );
    assert_eq!(r.name, "growthlab_trade_sample");
    assert_eq!(r.sources.len(), 1);
    assert_eq!(r.sources[0].dataset, "growthlab_trade_sample");
    assert!(r.notes.iter().any(|n| n.starts_with("Source: ")));
    assert_eq!(r.rows.len(), 600);
    let file = sample(Convention::Python);
    for (a, b) in r.rows.rows().zip(file.rows.rows()) {
        assert_eq!(
            (&a.location, &a.product, a.mcp),
            (&b.location, &b.product, b.mcp)
        );
        assert!((a.eci.unwrap() - b.eci.unwrap()).abs() < 1e-9);
        assert!((a.cog.unwrap() - b.cog.unwrap()).abs() < 1e-9);
    }
    // an unknown dataset is a usage error
    let missing = ComplexityRequest {
        panel: dataset(Some("no_such_dataset")),
        method: method(Convention::Stata),
    };
    let e = run(complexity::complexity(Some(&f.store), missing, &quiet())).unwrap_err();
    assert_eq!(e.kind(), indmon_core::ErrorKind::Usage, "{e}");
}

#[test]
fn a_result_is_stored_with_its_method() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("data")).unwrap();
    let r = sample(Convention::Python);
    let id = DatasetId::new("complexity_trade_data_sample").unwrap();
    let meta = complexity::save(&store, &id, &r).unwrap();
    assert_eq!(meta.rows, 600);
    assert_eq!(meta.parser, "complexity/1");
    assert!(!meta.synthetic);
    let got = run(store.fetch(
        &Select::from("complexity_trade_data_sample").columns(["convention", "method", "eci"]),
        &QueryOptions::default(),
    ))
    .unwrap();
    assert_eq!(got.len(), 600);
    assert_eq!(got.texts(0).unwrap()[0].as_deref(), Some("python"));
    assert_eq!(got.texts(1).unwrap()[0].as_deref(), Some(r.method.as_str()));
}

#[test]
fn opportunities_for_nl_on_the_bundled_trade() {
    let f = bundled();
    let req = OpportunitiesRequest {
        geo: "NL".into(),
        panel: dataset(None),
        method: method(Convention::Stata),
        min_pci: None,
        by: RankBy::Cog,
        top: 50,
    };
    let o = run(complexity::opportunities(Some(&f.store), req, &quiet())).unwrap();
    assert_eq!(o.location, "NLD");
    assert_eq!(o.year, 2024);
    assert!(
        o.notes.iter().any(|n| n.starts_with("NLD in 2024")),
        "{:?}",
        o.notes
    );
    assert!(o.notes.iter().any(|n| n.contains("Only 30 products")));
    assert!(
        o.notes
            .iter()
            .any(|n| n.starts_with("Product names: baci_products"))
    );
    assert!(!o.notes.iter().any(|n| n.contains("SYNTHETIC")));
    assert!(
        o.sources.iter().any(|s| s.publisher.contains("CEPII")),
        "{:?}",
        o.sources
    );
    assert!(o.sources.iter().any(|s| s.dataset == "baci_products"));
    assert!(!o.rows.is_empty() && o.rows.len() <= o.candidates);
    let cogs: Vec<f64> = o.rows.iter().map(|r| r.cog.unwrap()).collect();
    assert!(cogs.windows(2).all(|w| w[0] >= w[1]), "{cogs:?}");
    assert!(o.rows.iter().all(|r| r.rca.unwrap() <= 1.0));
    assert!(
        o.rows
            .iter()
            .any(|r| r.name.as_deref().is_some_and(|n| n.contains("bauxite")))
    );
    let header: Vec<&str> = OPPORTUNITIES.iter().map(|c| c.name).collect();
    assert_eq!(
        header,
        [
            "rank", "product", "name", "cog", "density", "distance", "pci", "rca"
        ]
    );
    assert_eq!(o.table().header(), header);
    assert_eq!(o.table().csv().lines().next().unwrap(), header.join(","));
    let v: serde_json::Value = serde_json::from_str(&table::json(&o)).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), o.rows.len());
    assert_eq!(v["by"], "cog");
    // filtered by PCI
    let req = OpportunitiesRequest {
        geo: "nld".into(),
        panel: dataset(None),
        method: method(Convention::Stata),
        min_pci: Some(0.5),
        by: RankBy::Pci,
        top: 5,
    };
    let o = run(complexity::opportunities(Some(&f.store), req, &quiet())).unwrap();
    assert!(o.rows.len() <= 5);
    assert!(o.rows.iter().all(|r| r.pci.unwrap() >= 0.5 - 1e-4));
    // an unknown country is a usage error that names it
    let req = OpportunitiesRequest {
        geo: "XX".into(),
        panel: dataset(None),
        method: method(Convention::Stata),
        min_pci: None,
        by: RankBy::Cog,
        top: 5,
    };
    let e = run(complexity::opportunities(Some(&f.store), req, &quiet())).unwrap_err();
    assert_eq!(e.kind(), indmon_core::ErrorKind::Usage);
    assert!(e.to_string().contains("'XX' is not among"), "{e}");
}

#[test]
fn the_neighbourhood_of_a_product() {
    let f = bundled();
    let req = NeighbourhoodRequest {
        geo: "NL".into(),
        panel: dataset(None),
        method: method(Convention::Stata),
        product: "850511".into(),
        top: 5,
    };
    let n = run(complexity::neighbourhood(Some(&f.store), req, &quiet())).unwrap();
    assert!(
        n.notes[0].starts_with("Nearest products to 850511"),
        "{:?}",
        n.notes
    );
    assert_eq!(n.rows.len(), 5);
    assert!(n.rows.iter().all(|r| r.product != "850511"));
    let prox: Vec<f64> = n.rows.iter().map(|r| r.proximity.unwrap()).collect();
    assert!(prox.windows(2).all(|w| w[0] >= w[1]), "{prox:?}");
    let header: Vec<&str> = NEIGHBOURS.iter().map(|c| c.name).collect();
    assert_eq!(
        header,
        ["product", "name", "proximity", "mcp", "rca", "pci"]
    );
    assert_eq!(n.table().csv().lines().next().unwrap(), header.join(","));
    // on a CSV panel, without a store: the location code of the input
    let req = NeighbourhoodRequest {
        geo: "deu".into(),
        panel: csv_panel(&sample_dir().join("trade_data_sample.csv")),
        method: method(Convention::Stata),
        product: "1704".into(),
        top: 3,
    };
    let n = run(complexity::neighbourhood(None, req, &quiet())).unwrap();
    assert_eq!((n.location.as_str(), n.year), ("deu", 1996));
    assert_eq!(n.rows.len(), 3);
    assert!(n.sources.is_empty());
}

#[test]
fn the_reports_can_be_awaited_on_any_thread() {
    fn send<T: Send>(_: &T) {}
    let f = bundled();
    let q = quiet();
    let c = complexity::complexity(
        Some(&f.store),
        ComplexityRequest {
            panel: dataset(None),
            method: method(Convention::Stata),
        },
        &q,
    );
    send(&c);
    let o = complexity::opportunities(
        Some(&f.store),
        OpportunitiesRequest {
            geo: "NL".into(),
            panel: dataset(None),
            method: method(Convention::Stata),
            min_pci: None,
            by: RankBy::Cog,
            top: 5,
        },
        &q,
    );
    send(&o);
    let n = complexity::neighbourhood(
        Some(&f.store),
        NeighbourhoodRequest {
            geo: "NL".into(),
            panel: dataset(None),
            method: method(Convention::Stata),
            product: "850511".into(),
            top: 5,
        },
        &q,
    );
    send(&n);
}
