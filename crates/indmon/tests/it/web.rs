//! `indmon serve` on the bundled data: the API and its OpenAPI document, the pages in
//! both languages, hostile requests, and the pages in a real browser (Debian's
//! chromium through playwright-core, with an axe-core scan of every page).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::Indmon;

/// A running `indmon serve` on a free port, stopped when dropped.
pub(crate) struct Served {
    pub(crate) _m: Indmon,
    child: Child,
    addr: SocketAddr,
}

impl Served {
    pub(crate) fn start() -> Self {
        let m = Indmon::new();
        let mut child = m
            .command()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // the first line of standard output names the address
        let mut out = child.stdout.take().unwrap();
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while out.read(&mut b).unwrap() == 1 && b[0] != b'\n' {
            line.push(b[0]);
        }
        let line = String::from_utf8(line).unwrap();
        let url = line
            .split("http://")
            .nth(1)
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let addr: SocketAddr = url.trim_end_matches('/').parse().unwrap();
        Self { _m: m, child, addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends `request` as is and reads the whole answer (the server closes the
    /// connection after it: `Connection: close`).
    fn raw(&self, request: &[u8]) -> Reply {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        // the server may answer and close before it read everything we send
        let _ = s.write_all(request);
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        Reply::parse(&buf)
    }

    pub(crate) fn get(&self, target: &str) -> Reply {
        self.raw(
            format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    }

    fn json(&self, target: &str) -> Value {
        let r = self.get(target);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{target}"
        );
        serde_json::from_slice(&r.body).unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    fn parse(buf: &[u8]) -> Self {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Self {
                status: 0,
                headers: Vec::new(),
                body: buf.to_vec(),
            };
        };
        let head = String::from_utf8_lossy(&buf[..end]);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = buf[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Self {
            status,
            headers,
            body,
        }
    }
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(p) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&b[..p]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[p + 2..p + 2 + n]);
        b = &b[p + 2 + n + 2..];
    }
    out
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

#[test]
fn every_get_path_of_the_openapi_document_answers_on_the_bundled_data() {
    let s = Served::start();
    let doc = s.json("/api/v1/openapi.json");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "indmon API");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 6, "{paths:?}");
    for (path, item) in paths {
        let Some(get) = item.get("get") else { continue };
        // every schema a response refers to is defined
        for reference in find_refs(get) {
            let name = reference.trim_start_matches("#/components/schemas/");
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{path}: {reference} is not defined"
            );
        }
        // required parameters get an example value that the bundled data has
        let example = |name: &str| match name {
            "what" => "estat_nama_10_a64",
            "market" => "semiconductors",
            "hs6" | "product" => "850511",
            "material" => "Cobalt",
            other => panic!("{path}: no example value for the required parameter {other}"),
        };
        let mut target = path.clone();
        let mut query = Vec::new();
        for p in get["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            match (p["in"].as_str(), p["required"].as_bool()) {
                (Some("path"), _) => target = target.replace(&format!("{{{name}}}"), example(name)),
                (Some("query"), Some(true)) => query.push(format!("{name}={}", example(name))),
                _ => {}
            }
        }
        let target = if query.is_empty() {
            target
        } else {
            format!("{target}?{}", query.join("&"))
        };
        let r = s.get(&target);
        assert_eq!(r.status, 200, "GET {target}: {}", r.text());
        let has_format = get["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "format"));
        if has_format {
            let sep = if target.contains('?') { '&' } else { '?' };
            let r = s.get(&format!("{target}{sep}format=csv"));
            assert_eq!(r.status, 200, "GET {target} as CSV: {}", r.text());
            assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
            // rows, except where the bundled data have none: NL supplies no product of
            // the 30 in the extract with a 20 % world share (mutual dependencies)
            let rows = r.text().lines().count() - 1;
            if path == "/api/v1/mutual" {
                assert_eq!(rows, 0, "{path}: {}", r.text());
            } else {
                assert!(rows > 0, "{path}: {}", r.text());
            }
        }
    }
}

fn find_refs(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| {
                if k == "$ref" {
                    v.as_str().map(|s| vec![s.to_string()]).unwrap_or_default()
                } else {
                    find_refs(v)
                }
            })
            .collect(),
        Value::Array(a) => a.iter().flat_map(find_refs).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_api_gives_the_published_figures_with_their_sources() {
    let s = Served::start();
    let o = s.json("/api/v1/target");
    // Eurostat nama_10_a64, release 2025-03-12: NL manufacturing 115,740 / total 962,084 = 12.03 %
    assert_eq!(o["geo"], "NL");
    assert_eq!(o["latest"]["year"], 2023);
    assert_eq!(
        round(100.0 * o["latest"]["share"].as_f64().unwrap(), 2),
        12.03
    );
    assert_eq!(o["latest"]["industry"], 115740.0);
    assert_eq!(o["latest"]["denominator"], 962084.0);
    assert_eq!(o["latest"]["release"], "2025-03-12");
    assert_eq!(o["target"]["share"], 0.15);
    assert_eq!(o["target"]["year"], 2030);
    assert_eq!(o["method"], indmon_method());
    let sources = o["sources"].as_array().unwrap();
    assert!(
        sources.iter().any(|x| x["dataset"] == "estat_nama_10_a64"
            && x["licence"].as_str().unwrap().contains("CC BY 4.0")),
        "{sources:?}"
    );
    // the gap to the target is the difference of the shares
    let gap = o["path"]["gap_pp"].as_f64().unwrap();
    assert!((gap - (15.0 - 100.0 * o["latest"]["share"].as_f64().unwrap())).abs() < 1e-9);

    // the same figures as the command line gives
    let cli: Value =
        serde_json::from_str(&s._m.run(&["target", "--format", "json"]).ok().stdout).unwrap();
    assert_eq!(cli["latest"]["share"], o["latest"]["share"]);
    assert_eq!(cli["path"], o["path"]);
    assert_eq!(cli["outlook"], o["outlook"]);
    assert_eq!(cli["peers"], o["peers"]);

    // the decomposition adds up: the contributions sum to the change, every row
    let d = s.json("/api/v1/target/decomposition?from=2013&to=2023");
    let rows = d["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 11, "ten year pairs and the whole span");
    for r in rows {
        let sum = r["industry_pp"].as_f64().unwrap() + r["rest_pp"].as_f64().unwrap();
        assert!((sum - r["delta_pp"].as_f64().unwrap()).abs() < 1e-9, "{r}");
    }
    let whole = rows.last().unwrap();
    assert_eq!(
        (whole["from"].as_i64(), whole["to"].as_i64()),
        (Some(2013), Some(2023))
    );

    // CSV of the share chart: the observed 2023 share in percent
    let csv = s.get("/api/v1/target?format=csv").text();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(head[0], "year");
    let y2023: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("2023,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(round(y2023[1].parse::<f64>().unwrap(), 2), 12.03);
    let y2030: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("2030,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(
        y2030[2].parse::<f64>().unwrap(),
        15.0,
        "the straight line ends at the target"
    );

    // revisions name each release
    let r = s.json("/api/v1/target/revisions?year=2023");
    assert!(
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["release"] == "2025-03-12")
    );

    // the sources list every vintage in the store
    let src = s.json("/api/v1/sources");
    assert!(
        src["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["dataset"] == "estat_nama_10_a64")
    );
}

fn indmon_method() -> &'static str {
    indmon_analytics::METHOD_VERSION
}

#[test]
fn bad_parameters_get_problem_details() {
    let s = Served::start();
    for target in [
        "/api/v1/target?geo=%3Cscript%3E",
        "/api/v1/target/decomposition?from=2023&to=2013",
        "/api/v1/target/decomposition?from=1",
        "/api/v1/target?format=xml",
        "/api/v1/target/peers?year=abc",
    ] {
        let r = s.get(target);
        assert_eq!(r.status / 100, 4, "{target}: {} {}", r.status, r.text());
        if r.header("content-type") == Some("application/problem+json") {
            let p: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(p["status"], r.status, "{target}");
            assert!(!p["detail"].as_str().unwrap().is_empty());
        }
    }
    // a country without data is a 404 with the reason
    let r = s.get("/api/v1/target?geo=XX");
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert!(r.text().contains("no manufacturing"), "{}", r.text());
    let r = s.get("/api/v1/nothing");
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

#[test]
fn pages_in_dutch_and_english_with_strict_headers() {
    let s = Served::start();
    for (target, lang, headline) in [("/", "nl", "12,0 %"), ("/?lang=en", "en", "12.0 %")] {
        let r = s.get(target);
        assert_eq!(r.status, 200, "{target}");
        let html = r.text();
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{target}");
        assert!(
            html.contains("id=\"headline-share\" value=\"0.12030"),
            "{target}"
        );
        assert!(
            html.contains(&format!(">{headline}</data>")),
            "{target}: {html}"
        );
        let csp = r.header("content-security-policy").unwrap();
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        // no inline script or style in the page itself
        assert!(!html.contains(" style="), "{target}");
        assert!(!html.contains("<style"), "{target}");
        for script in html.split("<script").skip(1) {
            assert!(
                script.starts_with(" src=") || script.starts_with(" type=\"application/json\""),
                "{target}: inline script {}",
                &script[..script.len().min(80)]
            );
        }
    }
    for target in ["/target", "/target?lang=en", "/data", "/data?lang=en"] {
        let r = s.get(target);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        assert!(r.text().contains("id=\"main-nav\""), "{target}");
    }
    let data = s.get("/data").text();
    assert!(data.contains("id=\"table-sources\""));
    // bundled inputs link to their provenance note, shown as written
    assert!(
        data.contains("href=\"/data/provenance/eurostat-nama10\""),
        "{data}"
    );
    let r = s.get("/data/provenance/eurostat-nama10?lang=en");
    assert_eq!(r.status, 200);
    let bundled = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/eurostat-nama10/PROVENANCE.md"),
    )
    .unwrap();
    let first = bundled.lines().find(|l| l.len() > 20).unwrap();
    let escaped = first
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    assert!(r.text().contains(&escaped), "{first}");
    assert_eq!(s.get("/data/provenance/no-such-folder").status, 404);
    // the 15 % line is in the share chart's data
    let html = s.get("/").text();
    let block = html
        .split("<script type=\"application/json\" id=\"fig-share-data\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let spec: Value = serde_json::from_str(block).unwrap();
    assert_eq!(spec["target"]["share_pct"], 15.0);
    // a page served again (from the page cache) is the same page
    assert_eq!(s.get("/?lang=en").body, s.get("/?lang=en").body);
    assert_ne!(s.get("/?lang=en").body, s.get("/").body);
    let r = s.get("/no-such-page?lang=en");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("<html lang=\"en\""));
    // the assets are embedded
    for a in [
        "/assets/app.js",
        "/assets/app.css",
        "/assets/vendor/echarts.min.js",
        "/assets/vendor/components.css",
        "/assets/vendor/design-tokens.css",
        "/assets/vendor/NOTICES.txt",
        "/assets/icon.svg",
    ] {
        let r = s.get(a);
        assert_eq!(r.status, 200, "{a}");
        assert!(r.body.len() > 100, "{a}");
    }
}

#[test]
fn hostile_requests_get_4xx_and_never_a_file() {
    let s = Served::start();
    for target in [
        "/../../etc/passwd",
        "/assets/../../../../etc/passwd",
        "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/assets/..%2f..%2f..%2fetc%2fpasswd",
        "/assets//etc/passwd",
        "/assets/vendor/../../../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/data/provenance/..%2F..%2F..%2Fetc%2Fpasswd",
        "/data/provenance/%2e%2e",
    ] {
        let r = s.get(target);
        assert!((400..500).contains(&r.status), "{target}: {}", r.status);
        assert!(!r.text().contains("root:"), "{target}");
        assert!(!r.text().contains("[package]"), "{target}");
    }
    // a long request target
    let long = format!("/api/v1/target?geo={}", "A".repeat(10_000));
    let r = s.get(&long);
    assert_eq!(r.status, 414);
    assert!(
        r.header("content-security-policy").is_some(),
        "every answer has the headers"
    );
    // huge headers
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let r = s.raw(big.as_bytes());
    assert!(
        r.status == 0 || (400..500).contains(&r.status),
        "headers of 1 MiB: {}",
        r.status
    );
    // a body announced too large is refused before it is read
    let r = s.raw(
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 413);
    // the server is read-only
    let r = s.raw(b"POST /api/v1/target HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    // and still answers afterwards
    assert_eq!(s.get("/api/v1/target").status, 200);
}

/// The pages in a real browser: Debian's chromium driven by playwright-core
/// (`crates/indmon-web/tests/browser/check.mjs`): the numbers, the language switch, the
/// downloads, no console errors or CSP violations, and an axe-core scan (WCAG 2.1 A/AA)
/// of every page in both languages; then the OpenAPI document through an independent
/// validator (`openapi.mjs`). Screenshots are kept under `target/tmp/browser-screenshots/`.
/// `.ci/run` installs chromium and the npm packages.
#[test]
fn the_pages_pass_in_chromium_with_axe_core() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../indmon-web/tests/browser");
    assert!(
        dir.join("node_modules/playwright-core").exists()
            && dir.join("node_modules/axe-core").exists(),
        "the browser checks need their npm packages: run `npm ci --prefix {}` (.ci/run does)",
        dir.display()
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "the browser checks need Debian's chromium at {chromium} (apt-get install chromium; .ci/run does)"
    );
    let s = Served::start();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    let r = std::process::Command::new("node")
        .arg(dir.join("check.mjs"))
        .arg("--base")
        .arg(s.url())
        .arg("--out")
        .arg(&out)
        .output()
        .expect("running node");
    let stdout = String::from_utf8_lossy(&r.stdout);
    let stderr = String::from_utf8_lossy(&r.stderr);
    println!("{stdout}");
    assert!(
        r.status.success(),
        "browser checks failed:\n{}\n{stderr}",
        stdout
            .lines()
            .filter(|l| l.starts_with("FAIL") || l.starts_with("browser:"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        out.join("index-nl.png").exists(),
        "screenshots in {}",
        out.display()
    );
}

/// The JSON of `v` with what changes between runs replaced: the time the bundled data
/// was loaded (`retrieved_at`) and the retrieval date that names the vintages of
/// sources without a release date.
fn redacted(v: &Value, dates: &[String]) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    if k == "retrieved_at" {
                        (k.clone(), Value::String("[retrieved_at]".into()))
                    } else {
                        (k.clone(), redacted(v, dates))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| redacted(x, dates)).collect()),
        Value::String(s) => {
            let mut s = s.clone();
            for d in dates {
                s = s.replace(d.as_str(), "[retrieval date]");
            }
            Value::String(s)
        }
        v => v.clone(),
    }
}

fn retrieval_dates(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "retrieved_at" {
                    if let Some(d) = x.as_str().and_then(|s| s.get(..10)) {
                        out.push(d.to_string());
                    }
                } else {
                    retrieval_dates(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| retrieval_dates(x, out)),
        _ => {}
    }
}

/// Reviewed snapshots of the API's answers on the bundled data (`cargo insta review`
/// after a deliberate change; never edited by hand).
#[test]
fn api_snapshots() {
    let s = Served::start();
    let sources = s.json("/api/v1/sources");
    let mut dates = Vec::new();
    retrieval_dates(&sources, &mut dates);
    dates.sort();
    dates.dedup();
    for (name, target) in [
        ("target", "/api/v1/target"),
        (
            "target_decomposition",
            "/api/v1/target/decomposition?from=2019&to=2023",
        ),
        ("target_peers", "/api/v1/target/peers?year=2023"),
        ("target_revisions", "/api/v1/target/revisions?year=2023"),
        ("target_share", "/api/v1/target/share?geo=NL,DE"),
        ("openapi", "/api/v1/openapi.json"),
    ] {
        let v = s.json(target);
        // the API description has a property of that name, not a value
        let v = if name == "openapi" {
            v
        } else {
            redacted(&v, &dates)
        };
        insta::assert_json_snapshot!(name, v);
    }
}

#[test]
fn markets_and_dependencies_pages_and_api_match_the_command_line() {
    let s = Served::start();
    let b = s.json("/api/v1/markets");
    let markets = b["markets"].as_array().unwrap();
    assert_eq!(markets.len(), 6, "{b}");
    let cli: Value =
        serde_json::from_str(&s._m.run(&["markets", "--format", "json"]).ok().stdout).unwrap();
    // the command line prints the whole board the API serves: the same fields, the same
    // values (the trade is summed in a fixed order, so to the last bit)
    assert_eq!(cli["markets"].as_array().unwrap().len(), 6);
    for (w, c) in markets.iter().zip(cli["markets"].as_array().unwrap()) {
        assert_eq!(w, c, "{}", w["market"]);
    }
    for k in [
        "geo",
        "year",
        "datasets",
        "method",
        "taxonomy_version",
        "notes",
        "sources",
    ] {
        assert_eq!(b[k], cli[k], "{k}");
    }
    assert!(!b["sources"].as_array().unwrap().is_empty());

    let d = s.json("/api/v1/dependencies");
    assert_eq!(d["reporter"], "NL");
    let cli: Value = serde_json::from_str(
        &s._m
            .run(&["dependencies", "--format", "json", "--tier", "all"])
            .ok()
            .stdout,
    )
    .unwrap();
    // the command line's JSON is the API's result: the same rows and tiers
    let tier_of = |rows: &Value, code: &str| -> String {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["hs6"] == code)
            .map(|r| r["tier"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    let products = cli["rows"].as_array().unwrap();
    assert_eq!(
        products.len() as u64,
        d["counts"]["imported"].as_u64().unwrap()
    );
    assert_eq!(cli["counts"], d["counts"]);
    for p in products {
        let code = p["hs6"].as_str().unwrap();
        assert_eq!(
            p["tier"].as_str().unwrap(),
            tier_of(&d["rows"], code),
            "{code}"
        );
    }
    let risky = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tier"] == "risky")
        .count();
    assert_eq!(Some(risky as u64), d["counts"]["risky"].as_u64());
    let csv = s.get("/api/v1/dependencies?format=csv").text();
    assert!(csv.starts_with("reporter,hs6,name,year,"), "{csv}");

    for (page, id) in [
        ("/markets", "fig-markets"),
        ("/dependencies?lang=en", "fig-dependencies"),
    ] {
        let r = s.get(page);
        assert_eq!(r.status, 200, "{page}: {}", r.text());
        assert!(r.text().contains(&format!("id=\"{id}\"")), "{page}");
    }
    // a product the screen calls risky is on the page, with its tier
    let html = s.get("/dependencies?lang=en").text();
    let r = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tier"] == "risky")
        .expect("the bundled extract has risky strategic dependencies (e.g. 850511)");
    assert!(html.contains(r["hs6"].as_str().unwrap()), "{}", r["hs6"]);
    assert!(html.contains("Risky strategic"));
}

impl Served {
    /// A GET with a cookie.
    fn get_with(&self, target: &str, cookie: &str) -> Reply {
        self.raw(
            format!(
                "GET {target} HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
    }

    /// A form POST, with a cookie and an Origin when given.
    fn post(&self, target: &str, form: &str, cookie: &str, origin: Option<&str>) -> Reply {
        let origin = origin.map_or_else(String::new, |o| format!("Origin: {o}\r\n"));
        self.raw(
            format!(
                "POST {target} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\n{origin}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
                self.addr,
                form.len()
            )
            .as_bytes(),
        )
    }
}

/// `name="NAME" value="…"` of a form.
fn form_value(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + key.len();
    html[at..].split('"').next().unwrap().to_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The programme pages: readable by everyone, in both languages, with the policy
/// page's facts and the headline indicator from the store; editing only with an editor
/// token, a session and its CSRF token; a stale form gets a conflict page that keeps
/// what was typed; every change lands in the audit trail.
#[test]
fn programme_pages_and_editing_with_a_token_and_csrf() {
    let s = Served::start();
    let r = s.get("/programmes");
    assert_eq!(r.status, 200);
    let html = r.text();
    for needle in [
        "€ 338,3 mln",
        "Ontwerpbegroting 2026",
        "12,03 %",
        "2,97 procentpunt",
        "Halfgeleiders",
        "Kennis en onderzoek",
        "PPS-Innovatieregeling",
        "Inloggen om te bewerken",
    ] {
        assert!(html.contains(needle), "{needle} not on /programmes");
    }
    assert!(!html.contains(" style="), "no inline style");
    let en = s.get("/programmes/semiconductors?lang=en").text();
    assert!(en.contains("<html lang=\"en\""), "{en}");
    assert!(
        en.contains("Actions by type") && en.contains("Semiconductors"),
        "{en}"
    );
    let api = s.json("/api/v1/ledger");
    assert_eq!(api["programmes"].as_array().unwrap().len(), 6);
    assert_eq!(api["action_types"].as_array().unwrap().len(), 9);
    assert_eq!(api["budget_lines"][0]["amount_eur"], 338_300_000);
    let xlsx = s.get("/api/v1/ledger?format=xlsx");
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with(b"PK"), "an xlsx is a zip file");
    assert_eq!(s.get("/programmes/nothing").status, 404);

    // Without a session: the form sends you to sign in; a post is refused (401) and
    // changes nothing.
    let r = s.get("/ledger/programme/semiconductors/edit");
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().starts_with("/ledger/login"));
    assert_eq!(
        s.post("/ledger/programme/semiconductors", "status=ended", "", None)
            .status,
        401
    );
    // Other methods stay refused.
    let put = s.raw(
        b"PUT /programmes HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(put.status, 405);

    let token =
        s._m.run(&["ledger", "token", "add", "alice", "--role", "editor"])
            .ok()
            .stdout
            .trim()
            .to_owned();
    let reader =
        s._m.run(&["ledger", "token", "add", "rita", "--role", "reader"])
            .ok()
            .stdout
            .trim()
            .to_owned();
    assert_eq!(
        s.post("/ledger/login", "token=imt_wrong", "", None).status,
        401
    );
    let login = |t: &str| {
        let r = s.post(
            "/ledger/login",
            &format!("token={t}&next=%2Fprogrammes%2Fsemiconductors"),
            "",
            Some(&s.url()),
        );
        assert_eq!(r.status, 303, "{}", r.text());
        let set = r.header("set-cookie").unwrap().to_owned();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        set.split(';').next().unwrap().to_owned()
    };
    let cookie = login(&token);
    let form = s.get_with("/ledger/programme/semiconductors/edit", &cookie);
    assert_eq!(form.status, 200, "{}", form.text());
    let html = form.text();
    let csrf = form_value(&html, "csrf");
    let version = form_value(&html, "version");
    let body = |csrf: &str, version: &str, status: &str| {
        format!(
            "csrf={csrf}&version={version}&goal_id=industriebeleid&market=semiconductors&name_nl=Halfgeleiders&status={status}&source={}",
            encode("Kamerbrief")
        )
    };
    // No CSRF token, a wrong one, or another site's Origin: refused.
    assert_eq!(
        s.post(
            "/ledger/programme/semiconductors",
            &body("", &version, "active"),
            &cookie,
            None
        )
        .status,
        403
    );
    assert_eq!(
        s.post(
            "/ledger/programme/semiconductors",
            &body("00", &version, "active"),
            &cookie,
            None
        )
        .status,
        403
    );
    assert_eq!(
        s.post(
            "/ledger/programme/semiconductors",
            &body(&csrf, &version, "active"),
            &cookie,
            Some("http://evil.example")
        )
        .status,
        403
    );
    let r = s.post(
        "/ledger/programme/semiconductors",
        &body(&csrf, &version, "active"),
        &cookie,
        Some(&s.url()),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/programmes/semiconductors"));
    // The same form again, based on the old version: a conflict that keeps the input.
    let r = s.post(
        "/ledger/programme/semiconductors",
        &body(&csrf, &version, "ended"),
        &cookie,
        Some(&s.url()),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    let html = r.text();
    assert!(html.contains("was changed by alice (web)"), "{html}");
    assert!(
        html.contains("<option value=\"ended\" selected>"),
        "what was typed is kept"
    );
    assert!(
        html.contains("Nu in het register: active"),
        "the current value is shown"
    );
    // A bad value names the field and changes nothing.
    let r = s.post(
        "/ledger/budget_line",
        &format!("csrf={csrf}&programme_id=semiconductors&year=20x&kind=expenditure&prices=current&source_document=d"),
        &cookie,
        Some(&s.url()),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.text().contains("field year: expected a year"),
        "{}",
        r.text()
    );
    // A new action, then the page shows it.
    let r = s.post(
        "/ledger/action",
        &format!("csrf={csrf}&id=pilot-line&programme_id=semiconductors&action_type_id=finance&name=Pilotlijn&status=active&source=test"),
        &cookie,
        Some(&s.url()),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = s.get("/programmes/semiconductors").text();
    assert!(page.contains("Pilotlijn (active)"), "{page}");
    assert!(
        page.contains("alice (web)"),
        "the audit trail is on the page"
    );
    // Deleting: refused while referred to, done otherwise, and on the page no more.
    let r = s.post(
        "/ledger/goal/industriebeleid/delete",
        &format!("csrf={csrf}&version=1"),
        &cookie,
        Some(&s.url()),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.text().contains("still referred to by programme"),
        "{}",
        r.text()
    );
    let edit = s.get_with("/ledger/action/pilot-line/edit", &cookie).text();
    assert!(
        edit.contains("/ledger/action/pilot-line/delete"),
        "a delete form"
    );
    let r = s.post(
        "/ledger/action/pilot-line/delete",
        &format!("csrf={csrf}&version=1"),
        &cookie,
        Some(&s.url()),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        !s.get("/programmes/semiconductors")
            .text()
            .contains("Pilotlijn (active)")
    );
    // A reader may sign in but not change anything.
    let rcookie = login(&reader);
    assert_eq!(
        s.get_with("/ledger/programme/semiconductors/edit", &rcookie)
            .status,
        403
    );
    let history = || -> Value {
        let run = s._m.run(&[
            "ledger",
            "history",
            "programme",
            "semiconductors",
            "--format",
            "json",
        ]);
        let h: Value = serde_json::from_str(&run.ok().stdout).unwrap();
        h["changes"].clone()
    };
    let changes = history();
    assert_eq!(
        changes.as_array().unwrap().len(),
        2,
        "the seed and one change: {changes}"
    );
    assert_eq!(changes[0]["changed_by"], "alice (web)");

    // Issue 19: `indmon ledger token revoke` in another process ends the sessions of
    // that token at once: the old cookie's POST is refused and changes nothing, and the
    // pages show the visitor signed out.
    assert!(
        s.get_with("/programmes", &cookie)
            .text()
            .contains("Ingelogd als <strong>alice</strong>")
    );
    s._m.run(&["ledger", "token", "revoke", "alice"]).ok();
    let r = s.post(
        "/ledger/programme/semiconductors",
        &body(&csrf, "2", "stopped"),
        &cookie,
        Some(&s.url()),
    );
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(
        s.get_with("/programmes", &cookie)
            .text()
            .contains("Inloggen om te bewerken")
    );
    assert_eq!(
        s.get_with("/ledger/programme/semiconductors/edit", &cookie)
            .status,
        303
    );
    assert_eq!(history(), changes, "nothing changed");
}

/// The number of an English page's cell (`1,234.5`, `65.6 %`, `−0.2`).
fn num_of(cell: &str) -> Option<f64> {
    cell.trim_end_matches(" %")
        .replace(',', "")
        .replace('−', "-")
        .parse()
        .ok()
}

/// A cell shows `x` (a fraction shown as a percentage when `pct`) with `decimals`
/// decimals: empty when missing, else written with those decimals and within half a
/// unit of the last one (the command line's JSON is read back here with serde_json's
/// fast float parser, which may be one unit in the last place off, so a tie such as
/// 0.4695 is not compared as text).
fn check_num(cell: &str, x: Option<f64>, decimals: usize, pct: bool) {
    let Some(x) = x else {
        assert_eq!(cell, "", "a missing value is an empty cell");
        return;
    };
    let want = if pct { 100.0 * x } else { x };
    let got = num_of(cell).unwrap_or_else(|| panic!("{cell:?} is not a number"));
    let shown = cell.trim_end_matches(" %");
    let places = shown.split_once('.').map_or(0, |(_, f)| f.len());
    assert_eq!(places, decimals, "{cell:?}: {decimals} decimals");
    assert_eq!(cell.ends_with(" %"), pct, "{cell:?}");
    let half = 0.5 * 10f64.powi(-(decimals as i32));
    assert!(
        (got - want).abs() <= half * (1.0 + 1e-9),
        "{cell:?} does not show {want}"
    );
}

/// `text` shows `x` (as [`check_num`] would accept) somewhere.
fn shows(text: &str, x: f64, decimals: usize, pct: bool) -> bool {
    let v = if pct { 100.0 * x } else { x };
    [v, v * (1.0 + 1e-15), v * (1.0 - 1e-15)].iter().any(|v| {
        let s = en(*v, decimals);
        text.contains(&if pct { format!("{s} %") } else { s })
    })
}

/// `x` as the English pages write it (`Lang::En.number`): a thousands comma, a decimal
/// point, a minus sign unless it rounds to zero.
fn en(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if x < 0.0 && !s.bytes().all(|b| b == b'0' || b == b'.') {
        out.insert(0, '−');
    }
    out
}

/// A fraction as the English pages write a percentage.
fn en_pct(x: f64, decimals: usize) -> String {
    format!("{} %", en(100.0 * x, decimals))
}

/// Text of HTML: tags dropped, the entities maud writes decoded, spaces trimmed.
fn html_text(h: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in h.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// The body rows of the first table after `anchor` in `html`, as the text of their
/// cells.
fn table_after(html: &str, anchor: &str) -> Vec<Vec<String>> {
    let at = html
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} not on the page"));
    let rest = &html[at..];
    let start = rest.find("<tbody").expect("a table body");
    let end = rest[start..].find("</tbody>").unwrap() + start;
    rest[start..end]
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter(|c| c.starts_with('h') || c.starts_with('d'))
                .map(|c| html_text(&format!("<t{c}")))
                .collect()
        })
        .collect()
}

/// The text from `anchor` to the first `end` after it.
fn text_between(html: &str, anchor: &str, end: &str) -> String {
    let at = html
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} not on the page"));
    let to = html[at..].find(end).unwrap() + at;
    html_text(&html[at..to])
}

fn yes_no(b: &Value) -> String {
    match b.as_bool() {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| match x {
            Value::String(s) => s.clone(),
            x => x.to_string(),
        })
        .collect()
}

/// Issue 16: the product's dependency story, the mutual dependencies and the critical
/// raw materials on the dashboard show the command line's numbers for the same request,
/// cell by cell, in both languages.
#[test]
fn dependency_story_mutual_and_crm_pages_show_the_command_lines_numbers() {
    let s = Served::start();
    let cli =
        |args: &[&str]| -> Value { serde_json::from_str(&s._m.run(args).ok().stdout).unwrap() };
    for page in [
        "/dependencies/850511",
        "/mutual",
        "/crm",
        "/crm/Cobalt",
        "/crm/Natural%20graphite",
    ] {
        for lang in ["", "?lang=en"] {
            let r = s.get(&format!("{page}{lang}"));
            assert_eq!(r.status, 200, "{page}{lang}: {}", r.text());
            let lang_attr = if lang.is_empty() { "nl" } else { "en" };
            assert!(r.text().contains(&format!("<html lang=\"{lang_attr}\"")));
        }
    }

    // --- one product: every step, the suppliers, the criteria per year, the facts
    let e = cli(&["dependencies", "explain", "850511", "--format", "json"]);
    let html = s.get("/dependencies/850511?lang=en").text();
    let steps = table_after(&html, "id=\"steps-table\"");
    let want: Vec<&Value> = e["steps"].as_array().unwrap().iter().collect();
    assert_eq!(steps.len(), want.len());
    for (row, st) in steps.iter().zip(&want) {
        let step = st["step"].as_str().unwrap();
        // the page's units: thousand USD and years whole, shares in %, HHIs and ratios
        let (d, pct) = match step {
            "imports" | "persistence" => (0, false),
            "outside" | "suppliers" | "risk" => (1, true),
            _ => (3, false),
        };
        check_num(&row[1], st["value"].as_f64(), d, pct);
        check_num(&row[2], st["threshold"].as_f64(), d, pct);
        assert_eq!(row[3], yes_no(&st["met"]), "{step} met");
        assert_eq!(row[4], st["text"].as_str().unwrap().trim(), "{step} text");
    }
    let suppliers = table_after(&html, "id=\"fig-suppliers\"");
    let want = e["suppliers"].as_array().unwrap();
    assert_eq!(suppliers.len(), want.len());
    assert!(want.len() > 10, "850511 comes from many countries");
    for (row, sp) in suppliers.iter().zip(want) {
        assert_eq!(row[0], sp["label"].as_str().unwrap());
        check_num(&row[1], sp["value"].as_f64(), 0, false);
        check_num(&row[2], sp["share"].as_f64(), 1, true);
    }
    // the chart's bars are the same values (to 3 decimals), one relation per series
    let block = html
        .split("<script type=\"application/json\" id=\"fig-suppliers-data\">")
        .nth(1)
        .and_then(|b| b.split("</script>").next())
        .unwrap();
    let data: Value = serde_json::from_str(block).unwrap();
    for (k, sp) in want.iter().enumerate() {
        let bars: Vec<f64> = data["option"]["series"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|sr| sr["data"][k].as_f64())
            .collect();
        assert_eq!(bars.len(), 1, "{}", sp["label"]);
        assert!((bars[0] - sp["value"].as_f64().unwrap()).abs() < 5e-4);
    }
    let years = table_after(&html, "id=\"fig-criteria\"");
    let want = e["years"].as_array().unwrap();
    assert_eq!(years.len(), want.len());
    for (row, y) in years.iter().zip(want) {
        assert_eq!(row[0], y["year"].to_string());
        check_num(&row[1], y["outside_hhi"].as_f64(), 3, false);
        check_num(&row[2], y["outside_share"].as_f64(), 1, true);
        check_num(&row[3], y["ratio_used"].as_f64(), 3, false);
        assert_eq!(row[7], yes_no(&y["all"]));
    }
    let world = text_between(&html, "id=\"world-facts\"", "</dl>");
    let w = &e["world"];
    for (v, d, pct) in [
        (&w["hhi"], 3, false),
        (&w["threshold"], 3, false),
        (&w["world_exports"], 0, false),
        (&w["reporter_share"], 1, true),
    ] {
        assert!(shows(&world, v.as_f64().unwrap(), d, pct), "{v} in {world}");
    }
    let re = text_between(&html, "id=\"reexport-facts\"", "</dl>");
    let r = &e["reexport"];
    for (v, d, pct) in [
        (&r["ratio_before"], 3, false),
        (&r["ratio_used"], 3, false),
        (&r["retained_share"], 1, true),
    ] {
        assert!(shows(&re, v.as_f64().unwrap(), d, pct), "{v} in {re}");
    }
    let risk = text_between(&html, "id=\"risk-facts\"", "</dl>");
    assert!(shows(
        &risk,
        e["risk"]["non_aligned_share"].as_f64().unwrap(),
        1,
        true
    ));
    assert!(html.contains(e["verdict"].as_str().unwrap()));
    let text = html_text(&html);
    for reason in e["area_reasons"].as_array().unwrap() {
        assert!(text.contains(reason["rationale"].as_str().unwrap()));
    }
    // the screen links every product it lists to its story, the scatter's points too
    let screen = s.get("/dependencies?lang=en").text();
    assert!(screen.contains("href=\"/dependencies/850511?lang=en\""));
    assert!(screen.contains("\"url\":\"/dependencies/850511?lang=en\""));
    let nl = s.get("/dependencies/850511").text();
    assert!(
        nl.contains(
            &e["steps"][1]["value"]
                .as_f64()
                .map(|v| {
                    // Dutch: 76.554
                    en(v, 0).replace(',', ".")
                })
                .unwrap()
        )
    );

    // --- mutual dependencies: none on the default extract, one product on the
    // semiconductor extract
    for (page, args) in [
        ("/mutual?lang=en", vec!["mutual", "--format", "json"]),
        (
            "/mutual?dataset=baci_hs17_semis&lang=en",
            vec!["mutual", "--dataset", "baci_hs17_semis", "--format", "json"],
        ),
    ] {
        let m = cli(&args);
        let html = s.get(page).text();
        let counts = text_between(&html, "id=\"mutual-counts\"", "</dl>");
        for k in ["products", "two_way"] {
            assert!(counts.contains(&m[k].as_array().unwrap().len().to_string()));
        }
        assert!(counts.contains(&m["dependencies"].to_string()), "{counts}");
        let intro = en_pct(m["min_world_share"].as_f64().unwrap(), 0);
        assert!(html.contains(&intro), "{page}: {intro}");
        let products = m["products"].as_array().unwrap();
        if products.is_empty() {
            assert!(!html.contains("id=\"fig-mutual-products\""), "{page}");
            assert!(html.contains("supplies no product"), "{page}");
            continue;
        }
        let rows = table_after(&html, "id=\"fig-mutual-products\"");
        assert_eq!(rows.len(), products.len());
        for (row, p) in rows.iter().zip(products) {
            assert!(row[0].starts_with(p["hs6"].as_str().unwrap()));
            check_num(&row[1], p["world_share"].as_f64(), 1, true);
            check_num(&row[2], p["world_hhi"].as_f64(), 3, false);
            check_num(&row[3], p["world_exports"].as_f64(), 0, false);
        }
    }

    // --- critical raw materials: the assessment, the supply per stage, the codes with
    // the reporter's import dependency, one material's history
    let c = cli(&["crm", "--format", "json"]);
    let html = s.get("/crm?lang=en").text();
    let counts = text_between(&html, "id=\"crm-counts\"", "</dl>");
    assert!(counts.contains(&c["materials_with_scores"].to_string()));
    assert!(counts.contains(&c["critical"].to_string()));
    let materials = c["materials"].as_array().unwrap();
    let rows = table_after(&html, "id=\"fig-crm\"");
    assert_eq!(rows.len(), materials.len());
    for (row, m) in rows.iter().zip(materials) {
        assert_eq!(row[0], m["material"].as_str().unwrap());
        check_num(&row[1], m["sr"].as_f64(), 1, false);
        check_num(&row[2], m["ei"].as_f64(), 1, false);
        assert_eq!(row[3], yes_no(&m["critical"]));
        assert_eq!(row[4], strs(&m["critical_in"]).join(", "));
        assert_eq!(row[6], strs(&m["hs6"]).join(", "));
    }
    let with_supply: Vec<&Value> = materials
        .iter()
        .filter(|m| !m["hhi_global_extraction"].is_null() || !m["hhi_global_processing"].is_null())
        .collect();
    let rows = table_after(&html, "id=\"fig-crm-supply\"");
    assert_eq!(rows.len(), with_supply.len());
    for (row, m) in rows.iter().zip(&with_supply) {
        assert_eq!(row[0], m["material"].as_str().unwrap());
        for (k, f) in [
            "hhi_global_extraction",
            "hhi_global_processing",
            "hhi_eu_extraction",
            "hhi_eu_processing",
        ]
        .iter()
        .enumerate()
        {
            check_num(&row[k + 1], m[*f].as_f64(), 3, false);
        }
    }
    let screen = cli(&["dependencies", "--format", "json", "--tier", "all"]);
    let codes = table_after(&html, "id=\"crm-codes-table\"");
    let want: Vec<(&str, &str)> = materials
        .iter()
        .flat_map(|m| {
            m["hs6"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |h| (m["material"].as_str().unwrap(), h.as_str().unwrap()))
        })
        .collect();
    assert_eq!(codes.len(), want.len());
    assert!(!want.is_empty());
    for (row, (material, hs6)) in codes.iter().zip(&want) {
        assert_eq!((row[0].as_str(), row[1].as_str()), (*hs6, *material));
        let r = screen["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["hs6"] == *hs6);
        match r {
            Some(r) => {
                assert_eq!(row[3], r["tier_label"].as_str().unwrap(), "{hs6}");
                check_num(&row[4], r["imports"].as_f64(), 0, false);
                check_num(&row[5], r["outside_share"].as_f64(), 1, true);
                check_num(&row[6], r["outside_hhi"].as_f64(), 3, false);
                check_num(&row[7], r["import_export_ratio"].as_f64(), 3, false);
            }
            None => assert_eq!(row[3], "not imported", "{hs6}"),
        }
    }
    let m = cli(&["crm", "--material", "Cobalt", "--format", "json"]);
    let html = s.get("/crm/Cobalt?lang=en").text();
    let rows = table_after(&html, "id=\"fig-crm-history\"");
    let history = m["history"].as_array().unwrap();
    assert_eq!(rows.len(), history.len());
    assert_eq!(rows.first().map(|r| r[0].as_str()), Some("2011"));
    for (row, h) in rows.iter().zip(history) {
        assert_eq!(row[0], h["year"].to_string());
        check_num(&row[1], h["sr"].as_f64(), 1, false);
        check_num(&row[2], h["ei"].as_f64(), 1, false);
        assert_eq!(row[3], yes_no(&h["critical"]));
    }
    for (k, st) in m["supply"].as_array().unwrap().iter().enumerate() {
        let rows = table_after(&html, &format!("id=\"supply-{k}\""));
        let shares = st["shares"].as_array().unwrap();
        assert_eq!(rows.len(), shares.len());
        for (row, sh) in rows.iter().zip(shares) {
            assert_eq!(row[0], sh["country"].as_str().unwrap());
            check_num(&row[1], sh["share"].as_f64(), 1, true);
        }
        assert!(shows(&html, st["hhi"].as_f64().unwrap(), 3, false), "{st}");
    }
    // the pages' JSON endpoints are in the OpenAPI document
    let doc = s.json("/api/v1/openapi.json");
    for p in [
        "/api/v1/dependencies/{hs6}",
        "/api/v1/mutual",
        "/api/v1/crm",
        "/api/v1/crm/{material}",
    ] {
        assert!(doc["paths"][p]["get"].is_object(), "{p}");
    }
}

/// Issue 18: the evaluation page shows the synthetic control of
/// `indmon evaluate synth --preset industry-share --treated NL --treatment-year 2011
/// --placebo`, number by number, with its caveats, in both languages.
#[test]
fn the_evaluation_page_shows_the_command_lines_synthetic_control() {
    let s = Served::start();
    let mut args = crate::evaluate_preset::PRESET.to_vec();
    args.extend(["--placebo", "--format", "json"]);
    let r = s._m.run(&args).ok();
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    for lang in ["", "?lang=en"] {
        let r = s.get(&format!("/evaluation{lang}"));
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let html = s.get("/evaluation?lang=en").text();
    // the key figures
    let att = text_between(&html, "id=\"synth-att\"", "</dd>");
    assert!(
        shows(&att, v["att"]["att"].as_f64().unwrap(), 2, false),
        "{att}"
    );
    let p = &v["placebo"];
    let shown_p = text_between(&html, "id=\"synth-p\"", "</dd>");
    assert!(
        shows(&shown_p, p["p_value"].as_f64().unwrap(), 3, false),
        "{shown_p}"
    );
    assert!(
        shown_p.contains(&format!(
            "({} / {})",
            p["rank"],
            p["units"].as_array().unwrap().len()
        )),
        "{shown_p}"
    );
    // the paths, year by year
    let paths = table_after(&html, "id=\"fig-synth-paths\"");
    let gaps = v["gaps"].as_object().unwrap();
    assert_eq!(paths.len(), gaps.len());
    for row in &paths {
        let g = gaps[&row[0]].as_f64().unwrap();
        check_num(&row[3], Some(g), 2, false);
    }
    // the placebo table: every unit with its ratio
    let placebo = table_after(&html, "id=\"fig-synth-gaps\"");
    let units = p["units"].as_array().unwrap();
    assert_eq!(placebo.len(), units.len());
    for (row, u) in placebo.iter().zip(units) {
        assert_eq!(row[0], u["unit"].as_str().unwrap());
        check_num(&row[3], u["ratio"].as_f64(), 2, false);
    }
    // the weights
    let weights = table_after(&html, "id=\"fig-synth-weights\"");
    let w = v["weights"].as_object().unwrap();
    assert_eq!(weights.len(), w.len());
    for row in &weights {
        check_num(&row[1], w[&row[0]].as_f64(), 3, false);
    }
    // the caveats in words, and the source
    for want in [
        "smallest attainable p-value is",
        "An estimate, not a proof",
        "Placebo test in space",
    ] {
        assert!(html.contains(want), "{want}");
    }
    let dataset = v["sources"][0]["dataset"].as_str().unwrap();
    assert!(html.contains(dataset), "{dataset}");
    // the API gives the same result
    let api: Value = s.json("/api/v1/evaluate/synth?treated=NL&treatment_year=2011");
    assert_eq!(api["weights"], v["weights"]);
    assert_eq!(api["att"], v["att"]);
    assert!(
        s.json("/api/v1/openapi.json")["paths"]
            .get("/api/v1/evaluate/synth")
            .is_some()
    );
}
