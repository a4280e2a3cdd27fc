//! Resources (issue 19, item 6): deep SQL expressions, memory and time limits, inputs
//! that are pipes or devices, long bad values in messages, and a server that slow,
//! idle or numerous connections cannot hold.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Indmon, Run};

/// Runs `cmd` and fails the test if it has not ended within `limit` (it would hang).
fn run_within(mut cmd: Command, limit: Duration) -> (Run, Duration) {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // standard input stays open and silent: `/dev/stdin` is a pipe that never ends
    let _stdin = child.stdin.take();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not end within {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    };
    (run, took)
}

fn indmon(m: &Indmon, args: &[&str]) -> (Run, Duration) {
    let mut c = m.command();
    c.args(args);
    run_within(c, Duration::from_secs(120))
}

fn chain(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(op)
}

#[test]
fn deep_sql_expressions_exit_5_and_never_crash() {
    let m = Indmon::new();
    m.run(&["init"]).ok();
    for sql in [
        format!("SELECT {}", chain("1", "+", 10_000)),
        format!("SELECT 1 WHERE {}", chain("1=1", " OR ", 8_000)),
        format!("SELECT {}", chain("'a'", "||", 20_000)),
        // set operations and joins chain without expressions (as long as one argument
        // may be: 128 KiB)
        chain("SELECT 1", " UNION ALL ", 6_500),
        format!(
            "SELECT 1 FROM {}",
            chain("(VALUES (1)) t", " CROSS JOIN ", 4_500)
        ),
    ] {
        let (r, _) = indmon(&m, &["sql", &sql]);
        // 134 and signals (-1) were the stack overflow's abort
        assert_eq!(r.code, 5, "{}…: exit {} {}", &sql[..30], r.code, r.stderr);
        assert!(
            r.stderr
                .contains("nests expressions more than 1000 levels deep"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.len() < 500, "{}", r.stderr);
    }
    // a query at the limit runs
    let (r, _) = indmon(
        &m,
        &[
            "sql",
            &format!("SELECT {} AS n", chain("1", "+", 1000)),
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "n\n1000\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn sql_over_its_memory_or_time_limit_fails_cleanly() {
    let mut m = Indmon::new();
    m.run(&["init"]).ok();
    // a few MB of memory: a large result, a sort, a grouping
    let cfg = m.dir.path().join("small.toml");
    std::fs::write(&cfg, "[query]\nmemory_mb = 4\n").unwrap();
    m.config = Some(cfg);
    for sql in [
        "SELECT * FROM range(10000000)",
        "SELECT value FROM range(10000000) ORDER BY value DESC",
        "SELECT value % 1000000 AS k, count(*) FROM range(10000000) GROUP BY k",
    ] {
        let (r, _) = indmon(&m, &["sql", sql, "--format", "csv"]);
        assert_eq!(r.code, 5, "{sql}: exit {} {}", r.code, r.stderr);
        assert!(
            r.stderr
                .contains("more memory than its limit of 4 MiB ([query] memory_mb"),
            "{sql}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{sql}: {}", r.stdout);
    }
    // the same queries run with the default limit
    m.config = None;
    let (r, _) = indmon(
        &m,
        &[
            "sql",
            "SELECT count(*) AS n FROM (SELECT value FROM range(1000000) ORDER BY value DESC)",
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "n\n1000000\n"),
        "{}",
        r.stderr
    );
    // a second of time: a query that would run for minutes is stopped
    let cfg = m.dir.path().join("quick.toml");
    std::fs::write(&cfg, "[query]\ntimeout_secs = 1\n").unwrap();
    m.config = Some(cfg);
    let slow = "SELECT sum(a.value * b.value) FROM range(200000) a CROSS JOIN range(200000) b";
    let never = m.dir.path().join("never-written.parquet");
    for args in [
        vec!["sql", slow],
        vec!["sql", slow, "--out", never.to_str().unwrap()],
    ] {
        let (r, took) = indmon(&m, &args);
        assert_eq!(r.code, 5, "exit {} {}", r.code, r.stderr);
        assert!(
            r.stderr
                .contains("longer than its limit of 1 s ([query] timeout_secs"),
            "{}",
            r.stderr
        );
        assert!(took < Duration::from_secs(60), "{took:?}");
    }
    assert!(!never.exists());
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

fn sample_panel() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/py-ecomplexity/trade_data_sample.csv")
}

/// Asserts a quick refusal that names `path`.
fn refused_quickly(m: &Indmon, args: &[&str], path: &str) {
    let (r, took) = indmon(m, args);
    assert!(r.code == 3, "{args:?}: exit {} stderr {}", r.code, r.stderr);
    assert!(r.stderr.contains(path), "{args:?}: {}", r.stderr);
    assert!(
        r.stderr.contains("not a regular file"),
        "{args:?}: {}",
        r.stderr
    );
    assert!(took < Duration::from_secs(60), "{args:?}: {took:?}");
}

#[test]
fn pipes_and_devices_are_refused_as_inputs_naming_the_path() {
    let m = Indmon::new();
    m.run(&["init"]).ok();
    let dir = m.dir.path();
    let fifo = dir.join("fifo.csv");
    mkfifo(&fifo);
    let f = fifo.to_str().unwrap();
    // a BACI release whose trade file is a pipe
    let baci = dir.join("baci");
    std::fs::create_dir(&baci).unwrap();
    let baci_fifo = baci.join("BACI_HS17_Y2024_V202601.csv");
    mkfifo(&baci_fifo);
    let bf = baci_fifo.to_str().unwrap();
    let b = baci.to_str().unwrap();
    let ledger_fifo = dir.join("ledger.json");
    mkfifo(&ledger_fifo);
    let lf = ledger_fifo.to_str().unwrap();
    let panel = sample_panel();
    let panel = panel.to_str().unwrap();
    for input in ["/dev/zero", "/dev/stdin", f] {
        refused_quickly(&m, &["ingest", "estat_nama_10_a64", input], input);
        refused_quickly(&m, &["complexity", "--panel", input, "--no-save"], input);
        refused_quickly(
            &m,
            &[
                "complexity",
                "--panel",
                panel,
                "--presence",
                "rpop",
                "--population",
                input,
                "--no-save",
            ],
            input,
        );
        refused_quickly(&m, &["markets", "validate", "--taxonomy", input], input);
    }
    refused_quickly(&m, &["ingest", "baci", b], bf);
    refused_quickly(&m, &["ingest", "baci", bf], bf);
    refused_quickly(&m, &["dependencies", "metrics", "--trade", b], bf);
    refused_quickly(&m, &["ledger", "import", lf], lf);
    // the settings file
    for cfg in ["/dev/zero", "/dev/stdin", f] {
        let mut c = Command::new(env!("CARGO_BIN_EXE_indmon"));
        c.args([
            "--data-dir",
            m.data().to_str().unwrap(),
            "--quiet",
            "--config",
            cfg,
            "sources",
        ]);
        let (r, took) = run_within(c, Duration::from_secs(60));
        assert_eq!(r.code, 3, "--config {cfg}: exit {} {}", r.code, r.stderr);
        assert!(r.stderr.contains(cfg), "{}", r.stderr);
        assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
        assert!(took < Duration::from_secs(30), "{took:?}");
    }
}

#[test]
fn a_long_bad_value_is_quoted_short_with_control_characters_escaped() {
    let m = Indmon::new();
    m.run(&["init"]).ok();
    let long = format!("\u{1b}[2J{}", "9x".repeat(5 * 1024));
    // a bad number in a Eurostat file
    let estat = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/eurostat-nama10/estat_nama_10_a64_B1G_CP_MEUR_filtered_en.csv"),
    )
    .unwrap();
    let mut lines: Vec<String> = estat.lines().map(str::to_string).collect();
    assert!(lines[3].ends_with(",620.6,,"), "{}", lines[3]);
    lines[3] = lines[3].replace(",620.6,,", &format!(",{long},,"));
    let path = m.dir.path().join("long.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (r, _) = indmon(&m, &["ingest", "estat_nama_10_a64", path.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    check_quoted(&r.stderr);
    // a bad column name in a panel
    let panel = m.dir.path().join("panel.csv");
    std::fs::write(
        &panel,
        format!("year,{long},product,value\n2020,NL,0101,1\n"),
    )
    .unwrap();
    let (r, _) = indmon(
        &m,
        &[
            "complexity",
            "--panel",
            panel.to_str().unwrap(),
            "--no-save",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    check_quoted(&r.stderr);
    // a bad value in the settings
    let cfg = m.dir.path().join("indmon.toml");
    std::fs::write(
        &cfg,
        format!(
            "[target]\nindustry = \"{}\"\n",
            long.replace('\u{1b}', "\\u001b")
        ),
    )
    .unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_indmon"));
    c.args([
        "--data-dir",
        m.data().to_str().unwrap(),
        "--quiet",
        "--config",
        cfg.to_str().unwrap(),
        "sources",
    ]);
    let (r, _) = run_within(c, Duration::from_secs(60));
    assert_eq!(r.code, 3, "{}", r.stderr);
    check_quoted(&r.stderr);
    // a value that does not parse in the settings
    std::fs::write(
        &cfg,
        format!("[target]\nvalue = {}\n", "9x".repeat(5 * 1024)),
    )
    .unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_indmon"));
    c.args([
        "--data-dir",
        m.data().to_str().unwrap(),
        "--quiet",
        "--config",
        cfg.to_str().unwrap(),
        "sources",
    ]);
    let (r, _) = run_within(c, Duration::from_secs(60));
    assert_eq!(r.code, 3, "{}", r.stderr);
    check_quoted(&r.stderr);
}

/// At most ~200 characters of the 10 KiB value, and no raw escape character.
fn check_quoted(stderr: &str) {
    let longest = stderr
        .split(|c: char| c != '9' && c != 'x')
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest <= 200,
        "{longest} characters of the value: {stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "a raw escape character: {stderr:?}"
    );
    assert!(stderr.len() < 1500, "{} bytes: {stderr}", stderr.len());
}

/// `indmon serve` started under `ulimit -n FDS`, stopped when dropped.
struct Server {
    _m: Indmon,
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// `settings`: the text of an `indmon.toml` to start with.
    fn start(fds: u32, settings: Option<&str>) -> Self {
        let mut m = Indmon::new();
        m.run(&["init"]).ok();
        if let Some(text) = settings {
            let cfg = m.dir.path().join("server.toml");
            std::fs::write(&cfg, text).unwrap();
            m.config = Some(cfg);
        }
        let c = m.command();
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(format!("ulimit -n {fds} && exec \"$0\" \"$@\""))
            .arg(c.get_program())
            .args(c.get_args())
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env_remove("INDMON_LEDGER")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while out.read(&mut b).unwrap() == 1 && b[0] != b'\n' {
            line.push(b[0]);
        }
        let line = String::from_utf8(line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Self { _m: m, child, addr }
    }

    /// A GET with `Connection: close`: the status and how long the answer took.
    fn get(&self, target: &str) -> (u16, Duration) {
        let t = Instant::now();
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(
            format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        let head = String::from_utf8_lossy(&buf[..buf.len().min(40)]).into_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, t.elapsed())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long after it started a client sending its headers a byte at a time was cut
/// off.
fn slow_headers_cut_off_after(addr: SocketAddr) -> Duration {
    // timed from before the connection is made: the server's timer starts after that,
    // however late this thread runs again after connecting
    let t = Instant::now();
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let request = b"GET /api/v1/sources HTTP/1.1\r\nHost: x\r\nX-Slow: "
        .iter()
        .chain([b'a'; 200].iter());
    let mut closed = None;
    for &byte in request {
        if slow.write_all(&[byte]).is_err() {
            closed = Some(t.elapsed());
            break;
        }
        let mut buf = [0u8; 64];
        match slow.read(&mut buf) {
            Ok(0) => {
                closed = Some(t.elapsed());
                break;
            }
            Ok(n) => panic!("an answer to unfinished headers: {:?}", &buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                closed = Some(t.elapsed());
                break;
            }
        }
    }
    closed.expect("the slow connection was never closed")
}

#[test]
fn the_servers_limits_are_settings_and_checked() {
    // a value out of range is refused before anything is served, the key named
    let mut m = Indmon::new();
    let cfg = m.dir.path().join("bad.toml");
    for bad in [
        "[server]\nheader_timeout_secs = 0\n",
        "[server]\nmax_connections = 0\n",
    ] {
        std::fs::write(&cfg, bad).unwrap();
        m.config = Some(cfg.clone());
        let (r, _) = indmon(&m, &["serve", "--bind", "127.0.0.1:0"]);
        assert_eq!(r.code, 3, "{bad}: {}", r.stderr);
        let key = bad.lines().nth(1).unwrap();
        assert!(
            r.stderr.contains(&format!("[server]: {key}")),
            "{bad}: {}",
            r.stderr
        );
        assert!(!r.stdout.contains("http://"), "{bad}: served: {}", r.stdout);
    }
    // a header timeout of 1 s (the default, 10 s, is kept by the test above)
    let s = Server::start(1024, Some("[server]\nheader_timeout_secs = 1\n"));
    let closed = slow_headers_cut_off_after(s.addr);
    assert!(
        closed >= Duration::from_millis(900) && closed < Duration::from_secs(8),
        "closed after {closed:?} (header timeout 1 s)"
    );
    assert_eq!(s.get("/api/v1/sources").0, 200);
}

#[test]
fn slow_headers_are_cut_off_and_idle_sockets_do_not_lock_the_server_out() {
    let s = Server::start(256, None);
    assert_eq!(s.get("/api/v1/sources").0, 200);
    // 300 idle connections, more than the server's file descriptors allow
    let idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(s.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let (status, took) = s.get("/api/v1/sources");
    assert_eq!(status, 200);
    // generous for a loaded machine: locked out, the GET would wait for its 60 s read timeout
    assert!(took < Duration::from_secs(30), "{took:?}");
    let (status, _) = s.get("/api/v1/target");
    assert_eq!(status, 200);
    drop(idle);
    // a client that sends its headers a byte at a time is cut off at the header timeout
    let closed = slow_headers_cut_off_after(s.addr);
    assert!(
        closed >= Duration::from_secs(9) && closed < Duration::from_secs(90),
        "closed after {closed:?} (header timeout 10 s)"
    );
    // and the server answers
    assert_eq!(s.get("/api/v1/sources").0, 200);
}

#[test]
fn the_servers_computations_run_under_the_memory_limit() {
    // 1 MiB: the target's reads need more; the catalog does not
    let mut m = Indmon::new();
    m.run(&["init"]).ok();
    let cfg = m.dir.path().join("tiny.toml");
    std::fs::write(&cfg, "[query]\nmemory_mb = 1\n").unwrap();
    m.config = Some(cfg);
    let c = m.command();
    let mut child = Command::new(c.get_program())
        .args(c.get_args())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env_remove("INDMON_LEDGER")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while out.read(&mut b).unwrap() == 1 && b[0] != b'\n' {
        line.push(b[0]);
    }
    let addr: SocketAddr = String::from_utf8(line)
        .unwrap()
        .split("http://")
        .nth(1)
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let get = |target: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(
            format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    };
    let r = get("/api/v1/target");
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert!(r.contains("application/problem+json"), "{r}");
    assert!(r.contains("[query] memory_mb"), "{r}");
    assert!(get("/api/v1/sources").starts_with("HTTP/1.1 200"));
    let _ = child.kill();
    let _ = child.wait();
}
