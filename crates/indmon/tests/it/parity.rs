//! One results model: for the same request, the command line's `--format csv` and
//! `--format json` print exactly the bytes the API answers with `format=csv` and as
//! JSON. Every result type with an API endpoint is listed here, so the CLI and the API
//! can never drift apart again (issue 15).

use crate::web::Served;

/// (command-line arguments, API path without `format`): the same request twice.
const CASES: &[(&[&str], &str)] = &[
    (&["target"], "/api/v1/target"),
    (
        &[
            "evaluate",
            "synth",
            "--preset",
            "industry-share",
            "--treated",
            "NL",
            "--treatment-year",
            "2011",
            "--placebo",
        ],
        "/api/v1/evaluate/synth?treated=NL&treatment_year=2011",
    ),
    (
        &[
            "evaluate",
            "synth",
            "--preset",
            "industry-share",
            "--treated",
            "NL",
            "--treatment-year",
            "2011",
            "--placebo",
            "--table",
            "placebo",
        ],
        "/api/v1/evaluate/synth?treated=NL&treatment_year=2011&table=placebo",
    ),
    (&["target", "--geo", "DE"], "/api/v1/target?geo=DE"),
    (
        &["target", "share", "--geo", "NL,DE", "--from", "2015"],
        "/api/v1/target/share?geo=NL,DE&from=2015",
    ),
    (
        &[
            "target",
            "decompose",
            "--geo",
            "NL",
            "--from",
            "2013",
            "--to",
            "2023",
        ],
        "/api/v1/target/decomposition?geo=NL&from=2013&to=2023",
    ),
    (&["target", "decompose"], "/api/v1/target/decomposition"),
    (
        &["target", "peers", "--year", "2023"],
        "/api/v1/target/peers?year=2023",
    ),
    (
        &["target", "revisions", "--geo", "NL", "--year", "2023"],
        "/api/v1/target/revisions?geo=NL&year=2023",
    ),
    (&["sources"], "/api/v1/sources"),
    (
        &[
            "series", "va", "--geo", "NL,DE", "--nace", "C,TOTAL", "--from", "2015",
        ],
        "/api/v1/series?what=va&geo=NL,DE&nace=C,TOTAL&from=2015",
    ),
    (
        &[
            "vintages", "va", "--geo", "NL", "--nace", "TOTAL", "--year", "2023",
        ],
        "/api/v1/vintages?what=va&geo=NL&nace=TOTAL&year=2023",
    ),
    (
        &["vintages", "estat_nama_10_a64"],
        "/api/v1/vintages?what=estat_nama_10_a64",
    ),
    (&["markets"], "/api/v1/markets"),
    (&["markets", "--geo", "DE"], "/api/v1/markets?geo=DE"),
    (&["markets", "validate"], "/api/v1/markets/taxonomy"),
    (
        &["markets", "show", "semiconductors"],
        "/api/v1/markets/semiconductors",
    ),
    (
        &["markets", "show", "semiconductors", "--part", "indicators"],
        "/api/v1/markets/semiconductors?part=indicators",
    ),
    (
        &["markets", "show", "semiconductors", "--part", "status"],
        "/api/v1/markets/semiconductors?part=status",
    ),
    (
        &[
            "markets",
            "show",
            "innovative_chemistry",
            "--part",
            "segments",
        ],
        "/api/v1/markets/innovative_chemistry?part=segments",
    ),
    (&["dependencies", "--tier", "all"], "/api/v1/dependencies"),
    (
        &["dependencies", "--tier", "risky", "--reexport", "net"],
        "/api/v1/dependencies?tier=risky&reexport=net",
    ),
    (
        &["dependencies", "--reporter", "EU27", "--tier", "dependency"],
        "/api/v1/dependencies?geo=EU27&tier=dependency",
    ),
    (&["dependencies", "metrics"], "/api/v1/dependencies/metrics"),
    (
        &["dependencies", "explain", "850511"],
        "/api/v1/dependencies/850511",
    ),
    (&["mutual"], "/api/v1/mutual"),
    (&["crm"], "/api/v1/crm"),
    (&["crm", "--critical"], "/api/v1/crm?critical=true"),
    (&["crm", "--material", "Cobalt"], "/api/v1/crm/Cobalt"),
    (
        &["complexity", "--dataset", "baci_hs17", "--no-save"],
        "/api/v1/complexity?dataset=baci_hs17",
    ),
    (
        &[
            "complexity",
            "--dataset",
            "baci_hs17",
            "--convention",
            "python",
            "--no-save",
        ],
        "/api/v1/complexity?dataset=baci_hs17&convention=python",
    ),
    (
        &["opportunities", "--geo", "NL"],
        "/api/v1/opportunities?geo=NL",
    ),
    (
        &[
            "opportunities",
            "--geo",
            "DE",
            "--by",
            "density",
            "--top",
            "5",
        ],
        "/api/v1/opportunities?geo=DE&by=density&top=5",
    ),
    (
        &["opportunities", "--geo", "NL", "--near", "850511"],
        "/api/v1/opportunities/850511?geo=NL",
    ),
];

fn with_format(path: &str, format: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}format={format}")
}

#[test]
fn the_command_line_and_the_api_give_the_same_csv_and_json() {
    let s = Served::start();
    for (args, path) in CASES {
        for format in ["csv", "json"] {
            let mut a: Vec<&str> = args.to_vec();
            a.extend(["--format", format]);
            let cli = s._m.run(&a).ok().stdout;
            let api = s.get(&with_format(path, format));
            assert_eq!(api.status, 200, "{path} {format}: {}", api.text());
            let want_type = if format == "csv" {
                "text/csv; charset=utf-8"
            } else {
                "application/json"
            };
            assert_eq!(api.header("content-type"), Some(want_type), "{path}");
            if cli.as_bytes() != api.body.as_slice() {
                let api = api.text();
                let (n, (a, b)) = cli
                    .lines()
                    .zip(api.lines())
                    .enumerate()
                    .find(|(_, (a, b))| a != b)
                    .unwrap_or((
                        cli.lines().count().min(api.lines().count()),
                        ("(end)", "(end)"),
                    ));
                panic!(
                    "indmon {} --format {format} and GET {path} differ first at line {}:\n  CLI: {a}\n  API: {b}\n({} and {} lines)",
                    args.join(" "),
                    n + 1,
                    cli.lines().count(),
                    api.lines().count()
                );
            }
            // and the result is not empty (the bundled extract gives NL no mutual
            // dependencies: that one has its header only)
            if format == "csv" && !path.contains("mutual") {
                assert!(cli.lines().count() > 1, "{path}: no rows\n{cli}");
            }
        }
    }
}
