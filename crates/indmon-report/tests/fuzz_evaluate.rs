//! Fuzzing the effect evaluations' inputs (issue 19, item 7, for the parsers issue 18
//! added): the synthetic-control spec (TOML) and its panel file, and the panel of a
//! staggered difference-in-differences, mutated with a seeded generator
//! ([`indmon_fuzz`]) from the reference cases (pysyncon's Basque Country, R `did`'s
//! `mpdta`) and evaluated; each must answer `Ok` or an error naming the file — never
//! panic, hang or take memory without bound. `INDMON_FUZZ_SECS=S` for a long run.

use std::path::{Path, PathBuf};

use indmon_analytics::evaluate::did::{
    AggOptions, AggregationType, BasePeriod, ControlGroup, Method,
};
use indmon_fuzz::Fuzz;
use indmon_report::evaluate::did::{DidRequest, did};
use indmon_report::evaluate::synth::{Options, evaluate_file};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../indmon/tests/fixtures/evaluation/synth")
}

fn did_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../indmon-analytics/tests/fixtures/evaluation")
}

/// The first `n` lines of a CSV file (a smaller panel of the same shape).
fn head(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().take(n).collect::<Vec<_>>().join("\n") + "\n"
}

#[test]
fn synth_spec_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("basque.csv"), dir.path().join("basque.csv")).unwrap();
    let spec = std::fs::read_to_string(fixtures().join("basque.toml")).unwrap();
    let path = dir.path().join("spec.toml");
    Fuzz::new("synth_spec_toml")
        .seed(spec)
        .dictionary([
            &b"regionname"[..],
            b"year",
            b"gdpcap",
            b"\"1960..1969\"",
            b"\"0..9000000000000000000\"",
            b"[1960, 1960]",
            b"treatment_year = 1955\n",
            b"treatment_year = 2100\n",
            b"placebo_year = 1968\n",
            b"[training]\noptimize_years = \"1960..1964\"\n",
            b"op = \"median\"",
            b"op = \"std\"",
            b"controls = [\"Cataluna\"]\n",
        ])
        .cases(60)
        .errors_name("spec.toml")
        .run(move |bytes: &[u8]| {
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
            let opts = Options {
                placebo: false,
                augment_ridge: false,
            };
            evaluate_file(&path, &opts)
                .map(|_| ())
                .map_err(|e| format!("spec.toml: {e}"))
        });
}

#[test]
fn synth_panel_csv() {
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(fixtures().join("basque.toml")).unwrap();
    let path = dir.path().join("basque.csv");
    std::fs::write(dir.path().join("spec.toml"), spec).unwrap();
    let spec_path = dir.path().join("spec.toml");
    Fuzz::new("synth_panel_csv")
        .seed(std::fs::read(fixtures().join("basque.csv")).unwrap())
        .cases(40)
        .errors_name("basque.csv")
        .run(move |bytes: &[u8]| {
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
            let opts = Options {
                placebo: false,
                augment_ridge: false,
            };
            // an error about the panel names it; one about the spec's fit of a changed
            // panel (a unit or year gone) names the spec, beside the panel
            evaluate_file(&spec_path, &opts)
                .map(|_| ())
                .map_err(|e| format!("basque.csv: {e}"))
        });
}

#[test]
fn did_panel_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mpdta.csv");
    // 60 counties × 5 years: every group, and never-treated units
    let seed = head(&did_fixtures().join("mpdta.csv"), 301);
    Fuzz::new("did_panel_csv")
        .seed(seed)
        .dictionary([&b"2007"[..], b"2004", b"0", b"NA", b"-1e308", b"1e308"])
        .cases(60)
        .errors_name("mpdta.csv")
        .run(move |bytes: &[u8]| {
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
            for (control, method, covariates, agg) in [
                (
                    ControlGroup::NeverTreated,
                    Method::Dr,
                    vec![],
                    AggregationType::Simple,
                ),
                (
                    ControlGroup::NotYetTreated,
                    Method::Ipw,
                    vec!["lpop".to_string()],
                    AggregationType::Dynamic,
                ),
            ] {
                let req = DidRequest {
                    covariates,
                    control,
                    method,
                    base_period: BasePeriod::Varying,
                    anticipation: 0.0,
                    aggregate: Some(agg),
                    window: AggOptions {
                        min_e: f64::NEG_INFINITY,
                        max_e: f64::INFINITY,
                        balance_e: None,
                    },
                    ..DidRequest::new("lemp", "year", "countyreal", "first.treat")
                };
                did(&path, &req).map_err(|e| format!("mpdta.csv: {e}"))?;
            }
            Ok::<(), String>(())
        });
}
