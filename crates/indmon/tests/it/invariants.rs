//! The architecture's invariants, written as absences (ARCHITECTURE.md, "Invariants"),
//! checked on the workspace's manifests and sources: which crates may depend on the
//! query engine, an HTTP server, an HTTP client or a database driver; which do no IO;
//! where SQL text may be built. Adding a forbidden dependency fails this test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every workspace crate's normal dependencies (not dev- or build-dependencies), by
/// crate name.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let name = doc["package"]["name"].as_str().unwrap().to_owned();
        let mut deps: Vec<String> = Vec::new();
        let mut take = |t: Option<&toml::Value>| {
            if let Some(t) = t.and_then(toml::Value::as_table) {
                for (k, v) in t {
                    // a renamed dependency names its package
                    let pkg = v.get("package").and_then(toml::Value::as_str).unwrap_or(k);
                    deps.push(pkg.to_owned());
                }
            }
        };
        take(doc.get("dependencies"));
        if let Some(targets) = doc.get("target").and_then(toml::Value::as_table) {
            for t in targets.values() {
                take(t.get("dependencies"));
            }
        }
        out.insert(name, deps);
    }
    out
}

/// The crates whose direct dependencies match `is`, with the matching ones.
fn users(
    deps: &BTreeMap<String, Vec<String>>,
    is: impl Fn(&str) -> bool,
) -> BTreeMap<String, Vec<String>> {
    deps.iter()
        .filter_map(|(c, d)| {
            let hit: Vec<String> = d.iter().filter(|x| is(x)).cloned().collect();
            (!hit.is_empty()).then(|| (c.clone(), hit))
        })
        .collect()
}

fn check(what: &str, found: BTreeMap<String, Vec<String>>, allowed: &[&str]) -> Vec<String> {
    found
        .into_iter()
        .filter(|(c, _)| !allowed.contains(&c.as_str()))
        .map(|(c, d)| {
            format!(
                "{c} depends on {} ({what}: only {allowed:?} may)",
                d.join(", ")
            )
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Lines of the Rust sources under `dir` (relative to the repository) that contain
/// `needle`, as "file:line".
fn grep(dir: &str, needle: impl Fn(&str) -> bool) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root().join(dir), &mut files);
    let mut hits = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if needle(line) {
                hits.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    hits
}

#[test]
fn dependencies_stay_in_their_crates() {
    let deps = dependencies();
    assert!(deps.len() >= 9, "workspace crates not found: {deps:?}");
    let mut problems = Vec::new();
    problems.extend(check(
        "the query engine",
        users(&deps, |d| {
            d.starts_with("datafusion") || d == "parquet" || d.starts_with("arrow")
        }),
        &["indmon-store", "indmon-sources"],
    ));
    // the parsers produce Arrow batches for the store's writer: Arrow's array and schema
    // crates, never the engine or Parquet
    problems.extend(check(
        "the query engine and Parquet",
        users(&deps, |d| {
            d.starts_with("datafusion") || d == "parquet" || d == "arrow"
        }),
        &["indmon-store"],
    ));
    problems.extend(check(
        "an HTTP server",
        users(&deps, |d| {
            matches!(
                d,
                "axum" | "hyper" | "tower" | "tower-http" | "actix-web" | "warp"
            )
        }),
        &["indmon-web"],
    ));
    problems.extend(check(
        "an HTTP client",
        users(&deps, |d| {
            matches!(d, "ureq" | "reqwest" | "curl" | "isahc")
        }),
        &["indmon-sources"],
    ));
    problems.extend(check(
        "a database driver",
        users(&deps, |d| {
            matches!(
                d,
                "rusqlite" | "postgres" | "tokio-postgres" | "sqlx" | "diesel"
            )
        }),
        &["indmon-ledger"],
    ));
    problems.extend(check(
        "an async runtime (IO)",
        users(&deps, |d| matches!(d, "tokio" | "async-std" | "smol")),
        &["indmon-store", "indmon-web", "indmon"],
    ));
    problems.extend(check(
        "the fuzzing harness (a dev-dependency of the parsers' tests only)",
        users(&deps, |d| d == "indmon-fuzz"),
        &[],
    ));
    // the pure floors: only these dependencies, none of which does IO
    for (krate, allowed) in [
        (
            "indmon-core",
            &["chrono", "serde", "serde_json", "thiserror", "toml"][..],
        ),
        ("indmon-analytics", &["serde", "thiserror"][..]),
    ] {
        for d in &deps[krate] {
            if !allowed.contains(&d.as_str()) {
                problems.push(format!(
                    "{krate} depends on {d}; it may depend only on {allowed:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_pure_floors_do_no_io() {
    let io = |l: &str| {
        let code = l.split("//").next().unwrap_or("");
        [
            "std::fs",
            "std::net",
            "std::process",
            "std::env",
            "File::",
            "TcpStream",
            "std::io::stdin",
        ]
        .iter()
        .any(|n| code.contains(n))
    };
    let mut hits = grep("crates/indmon-core/src", io);
    hits.extend(grep("crates/indmon-analytics/src", io));
    assert!(
        hits.is_empty(),
        "IO in indmon-core or indmon-analytics:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_engine_stays_inside_the_store() {
    // not even named: the binary, the web and the reports speak in typed rows and
    // results
    let mut hits = Vec::new();
    for dir in [
        "crates/indmon/src",
        "crates/indmon-web/src",
        "crates/indmon-report/src",
    ] {
        hits.extend(grep(dir, |l| {
            l.contains("datafusion") || l.contains("arrow")
        }));
    }
    assert!(hits.is_empty(), "{}", hits.join("\n"));
}

#[test]
fn no_sql_text_is_built_outside_the_store() {
    // values reach the engine as literals of a `Select`, never quoted into SQL text
    let quoting =
        |l: &str| l.contains(r#"replace('\'', "''")"#) || l.contains(r#"replace("'", "''")"#);
    // an SQL text literal: a string that starts with a statement keyword (an error
    // message quoting an example, `\"SELECT …\"`, does not start a string)
    let building = |l: &str| {
        let code = l.trim_start();
        if code.starts_with("//") {
            return false;
        }
        let b = code.as_bytes();
        ["\"SELECT ", "\"WITH ", "\"select ", "\"with "]
            .iter()
            .any(|k| {
                code.match_indices(k)
                    .any(|(i, _)| i == 0 || b[i - 1] != b'\\')
            })
    };
    let mut hits = Vec::new();
    for dir in [
        "crates/indmon/src",
        "crates/indmon-web/src",
        "crates/indmon-report/src",
        "crates/indmon-reference/src",
    ] {
        hits.extend(grep(dir, |l| quoting(l) || building(l)));
    }
    assert!(hits.is_empty(), "{}", hits.join("\n"));
}

/// The module file a `crate::a::b::…` path names: the longest prefix that is a file of
/// `src` (`a/b.rs`, `a/b/mod.rs`, `a.rs`, `a/mod.rs`), or the crate root.
fn module_file(src: &Path, segments: &[&str], root: &Path) -> PathBuf {
    for n in (1..=segments.len()).rev() {
        let rel: PathBuf = segments[..n].iter().collect();
        for candidate in [
            src.join(&rel).with_extension("rs"),
            src.join(&rel).join("mod.rs"),
        ] {
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    root.to_path_buf()
}

/// The `crate::` paths of a line of code (not of comments): their segments.
fn crate_paths(line: &str) -> Vec<Vec<String>> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 {
            let before = code.as_bytes()[at - 1];
            if before.is_ascii_alphanumeric() || before == b'_' || before == b':' {
                continue; // `indmon_crate::`, `$crate::` …
            }
        }
        let rest = &code[at + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segs: Vec<String> = path
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if !segs.is_empty() {
            out.push(segs);
        }
        // `use crate::a::{b, c::d}`: the paths inside the braces too
        if let Some(open) = rest.find("::{") {
            let head: Vec<&str> = rest[..open].split("::").collect();
            let inner = &rest[open + 3..];
            let inner = &inner[..inner.find('}').unwrap_or(inner.len())];
            for item in inner.split(',') {
                let item = item.trim().trim_start_matches("self");
                let mut segs: Vec<String> = head.iter().map(|s| s.to_string()).collect();
                segs.extend(
                    item.split("::")
                        .map(|s| s.trim().split(' ').next().unwrap_or("").to_owned())
                        .filter(|s| !s.is_empty()),
                );
                out.push(segs);
            }
        }
    }
    out
}

#[test]
fn no_module_depends_on_itself_through_others() {
    // a cycle of `use crate::…` between files of one crate: the files cannot be read,
    // tested or moved one at a time
    let mut cycles = Vec::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        let lib = if src.join("lib.rs").is_file() {
            src.join("lib.rs")
        } else {
            src.join("main.rs")
        };
        if !lib.is_file() {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut edges: BTreeMap<PathBuf, std::collections::BTreeSet<PathBuf>> = BTreeMap::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            let mut in_tests = false;
            for line in text.lines() {
                // unit tests may use anything of their crate
                if line.trim_start().starts_with("#[cfg(test)]") {
                    in_tests = true;
                }
                if in_tests || line.trim_start().starts_with("//") {
                    continue;
                }
                for segs in crate_paths(line) {
                    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
                    let to = module_file(&src, &segs, &lib);
                    if &to != f && to != lib {
                        edges.entry(f.clone()).or_default().insert(to);
                    }
                }
            }
        }
        // depth-first search for a path back to the start
        for start in edges.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = std::collections::BTreeSet::new();
            while let Some((at, path)) = stack.pop() {
                for next in edges.get(&at).into_iter().flatten() {
                    if next == start {
                        let names: Vec<String> = path
                            .iter()
                            .chain([start])
                            .map(|p| {
                                p.strip_prefix(root().join("crates"))
                                    .unwrap_or(p)
                                    .display()
                                    .to_string()
                            })
                            .collect();
                        cycles.push(names.join(" → "));
                    } else if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "file cycles:\n{}", cycles.join("\n"));
}
