//! One results model: for the same request, the command line's `--format csv` and
//! `--format json` print exactly the bytes the API answers with `format=csv` and as
//! JSON. Every result type with an API endpoint is listed here, so the CLI and the API
//! can never drift apart again (issue 15).

use crate::web::Served;

/// (command-line arguments, API path without `format`): the same request twice.
const CASES: &[(&[&str], &str)] = &[
    (&["target"], "/api/v1/target"),
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
            assert!(
                cli.as_bytes() == api.body.as_slice(),
                "indmon {} --format {format} and GET {path} differ:\n--- CLI\n{}\n--- API\n{}",
                args.join(" "),
                &cli[..cli.len().min(2000)],
                &api.text()[..api.body.len().min(2000)],
            );
            // and the result is not empty
            if format == "csv" {
                assert!(cli.lines().count() > 1, "{path}: no rows\n{cli}");
            }
        }
    }
}
