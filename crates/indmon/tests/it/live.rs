//! The live sources against a local server speaking their wire formats: retries,
//! Retry-After, cut-off bodies, wrong content types, slow answers, empty datasets,
//! error bodies, paging and resuming.

use std::time::{Duration, Instant};

use crate::server::{Reply, TestServer};
use crate::support::*;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel),
    )
    .unwrap()
}

const ESTAT_PATH: &str = "/statistics/1.0/data/nama_10_a64";

fn fast(retries: u32, timeout: u64) -> String {
    format!("[fetch]\nretries = {retries}\nbackoff_ms = 50\ntimeout_secs = {timeout}\n")
}

fn estat(m: &Indmon, s: &TestServer) -> Run {
    m.run(&[
        "ingest",
        "estat_nama_10_a64",
        "--base-url",
        &s.base,
        "--filter",
        "geo=NL",
        "--filter",
        "nace_r2=C,TOTAL",
    ])
}

#[test]
fn eurostat_retries_server_errors_and_honours_retry_after() {
    let s = TestServer::start();
    let json = fixture("eurostat/nama_10_a64_NL.json");
    s.route(
        ESTAT_PATH,
        vec![
            Reply::status(500, "Internal Server Error"),
            Reply::status(429, "Too Many Requests").header("Retry-After", "1"),
            Reply::ok("application/json", json),
        ],
    );
    let m = Indmon::new().with_config(&fast(3, 10));
    m.run(&["init"]).ok();
    let start = Instant::now();
    let r = estat(&m, &s).ok();
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
    assert_eq!(s.hits(ESTAT_PATH), 3);
    assert!(
        r.stdout.contains("Added estat_nama_10_a64")
            && r.stdout.contains("6 rows")
            && r.stdout.contains("release 2025-03-12"),
        "{}",
        r.stdout
    );
    let v = m.run(&["vintages", "estat_nama_10_a64"]).ok().stdout;
    assert_eq!(
        v.lines().filter(|l| l.starts_with("2025-03-12-")).count(),
        2,
        "{v}"
    );
    assert!(
        v.contains(&format!("{}{ESTAT_PATH}?format=JSON&lang=EN", s.base)),
        "{v}"
    );
}

#[test]
fn a_body_cut_off_before_its_length_is_fetched_again() {
    let s = TestServer::start();
    let json = fixture("eurostat/nama_10_a64_NL.json");
    s.route(
        ESTAT_PATH,
        vec![
            Reply::ok("application/json", json.clone()).cut_at(json.len() / 3),
            Reply::ok("application/json", json),
        ],
    );
    let m = Indmon::new().with_config(&fast(2, 10));
    estat(&m, &s).ok();
    assert_eq!(s.hits(ESTAT_PATH), 2);
}

#[test]
fn failures_that_persist_change_nothing() {
    let m = Indmon::new().with_config(&fast(1, 1));
    m.run(&["init"]).ok();
    let before = snapshot(&m.data().join("datasets"));
    let cases: Vec<(Reply, i32, &[&str])> = vec![
        (
            Reply::ok("text/html", "<html><body>Please log in</body></html>"),
            4,
            &["expected JSON", "text/html"],
        ),
        (
            Reply::ok("application/json", fixture("eurostat/nama_10_a64_NL.json"))
                .delay(Duration::from_secs(3)),
            4,
            &["timeout", "after 2 attempts"],
        ),
        (
            Reply::status(503, "Service Unavailable"),
            4,
            &["HTTP 503", "after 2 attempts"],
        ),
        (
            Reply::ok("application/json", fixture("eurostat/empty.json")),
            3,
            &["no observations to store"],
        ),
        (
            Reply {
                status: 404,
                ..Reply::ok("application/json", fixture("eurostat/not_found.json"))
            },
            4,
            &["HTTP 404", "ERR_NOT_FOUND_4"],
        ),
        (
            Reply::ok(
                "application/json",
                b"{\"version\":\"2.0\",\"class\":\"dataset\",\"id\":[".to_vec(),
            ),
            3,
            &["not valid JSON"],
        ),
    ];
    for (reply, code, needles) in cases {
        let s = TestServer::start();
        s.route(ESTAT_PATH, vec![reply.clone()]);
        let r = estat(&m, &s);
        assert_eq!(r.code, code, "{reply:?}: {}", r.stderr);
        for n in needles {
            assert!(
                r.stderr.contains(n),
                "{reply:?}: expected '{n}' in {}",
                r.stderr
            );
        }
        assert!(diff(&before, &snapshot(&m.data().join("datasets"))).is_empty());
    }
    // a Retry-After longer than indmon waits is reported, not slept through
    let s = TestServer::start();
    s.route(
        ESTAT_PATH,
        vec![Reply::status(429, "slow down").header("Retry-After", "3600")],
    );
    let r = estat(&m, &s);
    assert_eq!(r.code, 4);
    assert!(r.stderr.contains("retry after 3600 s"), "{}", r.stderr);
}

#[test]
fn oecd_sdmx_csv_with_labels() {
    let s = TestServer::start();
    s.route(
        "/data/OECD.SDD.NAD,DSD_NAAG_IV@DF_NAAG_IV,1.0/A.NLD.B1G.C.PT_B1G.",
        vec![Reply::ok(
            "application/vnd.sdmx.data+csv; charset=utf-8; version=2",
            fixture("oecd/naag_nl.csv"),
        )],
    );
    let m = Indmon::new().with_config(&fast(1, 10));
    let r = m
        .run(&[
            "ingest",
            "oecd_naag_iv",
            "--base-url",
            &s.base,
            "--filter",
            "key=A.NLD.B1G.C.PT_B1G.",
        ])
        .ok();
    assert!(
        r.stdout.contains("Added oecd_naag_iv") && r.stdout.contains("2 rows"),
        "{}",
        r.stdout
    );
    let q = m
        .run(&[
            "series", "va-share", "--geo", "NL", "--nace", "C", "--year", "2023", "--format", "csv",
        ])
        .ok();
    assert!(
        q.stdout.contains("NL,C,2023,12.0301345828431,PC_TOT"),
        "{}",
        q.stdout
    );
    // OECD's "no results" is a 404 with a plain-text body
    let s = TestServer::start();
    s.route(
        "/data/OECD.SDD.NAD,DSD_NAAG_IV@DF_NAAG_IV,1.0/A.XXX.B1G.C.PT_B1G.",
        vec![Reply::status(404, "NoResultsFound")],
    );
    let r = m.run(&[
        "ingest",
        "oecd_naag_iv",
        "--base-url",
        &s.base,
        "--filter",
        "key=A.XXX.B1G.C.PT_B1G.",
    ]);
    assert_eq!(r.code, 4);
    assert!(
        r.stderr.contains("no data for this selection"),
        "{}",
        r.stderr
    );
}

#[test]
fn cbs_odata4_pages_resume_after_an_interruption() {
    let s = TestServer::start();
    let page1 = "/84088NED/Observations?$filter=Measure%20eq%20%27M006324_1%27";
    let page2 = "/84088NED/Observations?$filter=Measure%20eq%20%27M006324_1%27&$skip=2";
    s.route(
        page1,
        vec![Reply::ok(
            "application/json; odata.metadata=minimal",
            fixture("cbs/observations_1.json"),
        )],
    );
    s.route(page2, vec![Reply::status(502, "Bad Gateway")]);
    s.route(
        "/84088NED/PeriodenCodes",
        vec![Reply::ok(
            "application/json",
            fixture("cbs/perioden_codes.json"),
        )],
    );
    s.route(
        "/84088NED/Properties",
        vec![Reply::ok(
            "application/json",
            fixture("cbs/properties.json"),
        )],
    );
    let m = Indmon::new().with_config(&fast(1, 10));
    m.run(&["init"]).ok();
    let before = snapshot(&m.data().join("datasets"));
    let r = m.run(&["ingest", "cbs_va", "--base-url", &s.base]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 502"), "{}", r.stderr);
    assert!(diff(&before, &snapshot(&m.data().join("datasets"))).is_empty());
    assert_eq!(s.hits(page1), 1);
    // the server recovers: the download continues at page 2
    s.route(
        page2,
        vec![Reply::ok(
            "application/json",
            fixture("cbs/observations_2.json"),
        )],
    );
    let r = m.run(&["ingest", "cbs_va", "--base-url", &s.base]).ok();
    assert_eq!(
        s.hits(page1),
        1,
        "page 1 was fetched again instead of resumed"
    );
    assert!(
        r.stdout.contains("Added cbs_va")
            && r.stdout.contains("4 rows")
            && r.stdout.contains("release 2023-06-30"),
        "{}",
        r.stdout
    );
    let q = m
        .run(&[
            "series", "va", "--source", "cbs_va", "--geo", "NL", "--nace", "C", "--format", "csv",
        ])
        .ok();
    assert!(
        q.stdout.contains("NL,C,2021,96563,CP_MEUR,,"),
        "{}",
        q.stdout
    );
    assert!(
        q.stdout.contains("NL,C,2022,109386,CP_MEUR,p,"),
        "{}",
        q.stdout
    );
}

#[test]
fn cbs_odata3_typed_dataset_with_padded_keys() {
    let s = TestServer::start();
    s.route(
        "/84088NED/TypedDataSet?$format=json",
        vec![Reply::ok(
            "application/json;odata=minimalmetadata",
            fixture("cbs/v3_typed_1.json"),
        )],
    );
    s.route(
        "/84088NED/TypedDataSet?$format=json&$skip=2",
        vec![Reply::ok(
            "application/json",
            fixture("cbs/v3_typed_2.json"),
        )],
    );
    s.route(
        "/84088NED/Perioden",
        vec![Reply::ok(
            "application/json",
            fixture("cbs/v3_perioden.json"),
        )],
    );
    s.route(
        "/84088NED/TableInfos",
        vec![Reply::ok(
            "application/json",
            fixture("cbs/v3_tableinfos.json"),
        )],
    );
    let m = Indmon::new().with_config(&format!(
        "{}[cbs]\nodata3_base = \"{}\"\n",
        fast(1, 10),
        s.base
    ));
    let r = m.run(&["ingest", "cbs_va", "--cbs-v3"]).ok();
    assert!(
        r.stdout.contains("4 rows") && r.stdout.contains("release 2023-06-30"),
        "{}",
        r.stdout
    );
    let q = m
        .run(&[
            "series", "va", "--source", "cbs_va", "--geo", "NL", "--nace", "TOTAL", "--format",
            "csv",
        ])
        .ok();
    assert!(
        q.stdout.contains("NL,TOTAL,2021,774497,CP_MEUR,,"),
        "{}",
        q.stdout
    );
    assert!(
        q.stdout.contains("NL,TOTAL,2022,859803,CP_MEUR,p,"),
        "{}",
        q.stdout
    );
}
