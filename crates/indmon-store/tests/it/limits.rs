//! Queries under limits: statements nested too deep are refused before planning (no
//! stack overflow), a query over its memory or time limit fails with a message that
//! names the setting, and the store is usable afterwards.

use std::time::{Duration, Instant};

use indmon_core::ErrorKind;
use indmon_store::{Error, MAX_EXPR_DEPTH, QueryLimits, QueryOptions, SqlGuardError, Store};

use super::{put, rt, values};

fn chain(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(op)
}

#[test]
fn deep_expressions_are_refused_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    put(
        &store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    let rt = rt();
    for sql in [
        format!("SELECT {}", chain("1", "+", 10_000)),
        format!("SELECT 1 WHERE {}", chain("1=1", " OR ", 8_000)),
        format!("SELECT {}", chain("'a'", "||", 20_000)),
        format!(
            "SELECT geo FROM va WHERE {}",
            chain("value > 0", " AND ", 5_000)
        ),
        format!("SELECT {} FROM va", chain("value", "*", 2_000)),
        // as long as the guard takes: a tree half a million levels deep
        format!("SELECT {}", chain("1", "+", 500_000)),
        format!("EXPLAIN SELECT {}", chain("1", "-", 10_000)),
    ] {
        let e = rt
            .block_on(store.sql(&sql, &QueryOptions::default()))
            .unwrap_err();
        assert!(
            matches!(e, Error::ReadOnly(SqlGuardError::TooDeep)),
            "{}…: {e}",
            &sql[..40]
        );
        assert_eq!(e.kind(), ErrorKind::Query);
        assert!(e.to_string().contains("levels deep"), "{e}");
    }
    // deep nesting by parentheses or functions stops at the parser's recursion limit
    for sql in [
        format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000)),
        format!("SELECT {}1{}", "abs(".repeat(5_000), ")".repeat(5_000)),
        format!("SELECT {}1", "-".repeat(5_000)),
        format!("SELECT {}", "NOT ".repeat(5_000) + "true"),
    ] {
        let e = rt
            .block_on(store.sql(&sql, &QueryOptions::default()))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Query, "{}…: {e}", &sql[..30]);
    }
    // too long to parse at all
    let e = rt
        .block_on(store.sql(
            &format!("SELECT '{}'", "x".repeat(2 << 20)),
            &QueryOptions::default(),
        ))
        .unwrap_err();
    assert!(
        matches!(e, Error::ReadOnly(SqlGuardError::TooLong(_))),
        "{e}"
    );
    // at the limit a chain is planned and run (on this test thread's 2 MiB stack)
    let at_limit = format!(
        "SELECT {} AS n FROM va",
        chain("value", "+", MAX_EXPR_DEPTH)
    );
    let rows = rt
        .block_on(store.sql(&at_limit, &QueryOptions::default()))
        .unwrap();
    assert_eq!(values(&rows), vec![MAX_EXPR_DEPTH as f64]);
    let ors = format!(
        "SELECT value FROM va WHERE {}",
        (0..MAX_EXPR_DEPTH / 2)
            .map(|i| format!("geo = 'X{i}'"))
            .chain(["geo = 'NL'".to_string()])
            .collect::<Vec<_>>()
            .join(" OR ")
    );
    let rows = rt
        .block_on(store.sql(&ors, &QueryOptions::default()))
        .unwrap();
    assert_eq!(values(&rows), vec![1.0]);
}

#[test]
fn a_query_over_its_memory_limit_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path())
        .unwrap()
        .with_limits(QueryLimits {
            memory: 2 << 20,
            time: Duration::from_secs(60),
        })
        .unwrap();
    put(
        &store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    let rt = rt();
    for sql in [
        // a result larger than the limit
        "SELECT * FROM range(5000000)",
        // a sort, a grouping and a join that need more (nothing spills to disk)
        "SELECT value FROM range(5000000) ORDER BY value DESC",
        "SELECT value % 1000000 AS k, count(*) FROM range(5000000) GROUP BY k",
        "SELECT count(*) FROM range(1000000) a JOIN range(1000000) b ON a.value = b.value",
    ] {
        let e = rt
            .block_on(store.sql(sql, &QueryOptions::default()))
            .unwrap_err();
        assert!(matches!(e, Error::Limit(_)), "{sql}: {e}");
        assert_eq!(e.kind(), ErrorKind::Query);
        let msg = e.to_string();
        assert!(msg.contains("limit of 2 MiB"), "{msg}");
        assert!(msg.contains("[query] memory_mb"), "{msg}");
        assert!(msg.len() < 400, "{msg}");
    }
    // an export too
    let out = tempfile::tempdir().unwrap();
    let e = rt
        .block_on(store.export(
            "SELECT value FROM range(5000000) ORDER BY value DESC",
            &QueryOptions::default(),
            &out.path().join("x.parquet"),
        ))
        .unwrap_err();
    assert!(matches!(e, Error::Limit(_)), "{e}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    // the pool is free again: small queries run
    let rows = rt
        .block_on(store.sql("SELECT value FROM va", &QueryOptions::default()))
        .unwrap();
    assert_eq!(values(&rows), vec![1.0]);
    // a query's own limit overrides the store's
    let big = QueryOptions {
        memory_limit: Some(1 << 30),
        ..Default::default()
    };
    let rows = rt
        .block_on(store.sql(
            "SELECT count(*) AS n FROM (SELECT value FROM range(500000) ORDER BY value DESC)",
            &big,
        ))
        .unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn a_query_over_its_time_limit_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path())
        .unwrap()
        .with_limits(QueryLimits {
            memory: 1 << 30,
            time: Duration::from_secs(1),
        })
        .unwrap();
    put(
        &store,
        "va",
        "2024-03-01",
        "aaaaaaaa11",
        &[("NL", 2023, 1.0)],
    );
    let rt = rt();
    let slow = "SELECT sum(a.value * b.value) FROM range(200000) a CROSS JOIN range(200000) b";
    let t = Instant::now();
    let e = rt
        .block_on(store.sql(slow, &QueryOptions::default()))
        .unwrap_err();
    let took = t.elapsed();
    assert!(matches!(e, Error::Limit(_)), "{e}");
    assert_eq!(e.kind(), ErrorKind::Query);
    assert!(e.to_string().contains("limit of 1 s"), "{e}");
    assert!(e.to_string().contains("[query] timeout_secs"), "{e}");
    // stopped at the limit, not when the query would have ended (minutes)
    assert!(took < Duration::from_secs(60), "{took:?}");
    // a query's own limit overrides the store's
    let opts = QueryOptions {
        time_limit: Some(Duration::from_millis(200)),
        ..Default::default()
    };
    let t = Instant::now();
    let e = rt.block_on(store.sql(slow, &opts)).unwrap_err();
    assert!(e.to_string().contains("limit of 0.2 s"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    let rows = rt
        .block_on(store.sql("SELECT value FROM va", &QueryOptions::default()))
        .unwrap();
    assert_eq!(values(&rows), vec![1.0]);
    // the stopped query's work ends at its next pause; the test does not wait for it
    rt.shutdown_background();
}
