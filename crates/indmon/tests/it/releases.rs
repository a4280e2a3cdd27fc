//! Releases as one unit and atomic replacement (issue 19, item 5), with the commit
//! killed or failed at chosen moments (`INDMON_FAULT`, read by the tests' build only):
//! readers never see part of a release or a missing vintage, and the next writer puts
//! the store back byte for byte.

use std::path::{Path, PathBuf};

use crate::support::*;

/// A small synthetic BACI release (trade, country list, product list) in `dir`.
fn synth(m: &Indmon, dir: &Path, seed: &str) {
    m.run(&[
        "synth",
        "baci",
        "--rows",
        "3000",
        "--seed",
        seed,
        "--years",
        "2024",
        "--out",
        dir.to_str().unwrap(),
    ])
    .ok();
}

/// Changes a code list's text so that the release's list is a new vintage.
fn touch_list(dir: &Path, prefix: &str) {
    let path = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // a line added at the end: a product/country nobody trades
    let line = if prefix == "country" {
        "999,Testland,TL,TST\n"
    } else {
        "999998,Test product\n"
    };
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    std::fs::write(path, text).unwrap();
}

/// What readers see: the three tables, their histories and the catalog.
fn readers(m: &Indmon) -> Vec<String> {
    let mut out = Vec::new();
    for q in [
        "SELECT COUNT(*) AS n, CAST(SUM(v) AS BIGINT) AS s FROM synth_baci_hs12",
        "SELECT vintage, COUNT(*) AS n FROM synth_baci_hs12__vintages GROUP BY vintage ORDER BY vintage",
        "SELECT COUNT(*) AS n FROM synth_baci_countries",
        "SELECT COUNT(*) AS n FROM synth_baci_products",
        "SELECT dataset, vintage, retrieved_at FROM indmon_catalog WHERE dataset LIKE 'synth%' ORDER BY dataset, vintage",
    ] {
        out.push(m.run(&["sql", q, "--format", "csv"]).ok().stdout);
    }
    out.push(m.run(&["sources", "--format", "csv"]).ok().stdout);
    // every file checked, as readers see them (a replaced vintage may be checked where
    // its previous version is until the next writer puts it back: the file column
    // differs then)
    let verify = m.run(&["verify", "--format", "csv"]).ok().stdout;
    out.push(
        verify
            .lines()
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                format!("{},{},{}", c[0], c[1], c[3..].join(","))
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    out
}

fn tmp_is_empty(m: &Indmon) -> bool {
    std::fs::read_dir(m.data().join("tmp"))
        .unwrap()
        .next()
        .is_none()
}

/// A store with release `a` ingested, and a second release `b` whose three tables are
/// all new.
fn two_releases(m: &Indmon) -> (PathBuf, PathBuf) {
    let a = m.dir.path().join("a");
    let b = m.dir.path().join("b");
    synth(m, &a, "1");
    synth(m, &b, "2");
    touch_list(&b, "country");
    touch_list(&b, "product");
    m.run(&["ingest", "baci", a.to_str().unwrap()]).ok();
    (a, b)
}

fn ingest_with_fault(m: &Indmon, fault: &str, args: &[&str]) -> Run {
    m.command()
        .env("INDMON_FAULT", fault)
        .arg("ingest")
        .args(args)
        .output()
        .unwrap()
        .into()
}

#[test]
fn a_release_interrupted_between_its_datasets_is_never_seen_in_part() {
    let m = Indmon::new();
    let (a, b) = two_releases(&m);
    let before = snapshot(&m.data().join("datasets"));
    let seen_before = readers(&m);
    for fault in [
        "release-journal=abort",
        "release-between=abort",
        "release-switched=abort",
        "release-between=fail",
        "release-switched=fail",
    ] {
        let r = ingest_with_fault(&m, fault, &["baci", b.to_str().unwrap()]);
        assert_ne!(r.code, 0, "{fault}: {}", r.stderr);
        if fault.ends_with("=fail") {
            // a failure puts everything back at once
            assert!(r.stderr.contains("injected failure"), "{}", r.stderr);
            assert!(diff(&before, &snapshot(&m.data().join("datasets"))).is_empty());
        }
        // readers see the store as it was: none of the new release
        assert_eq!(readers(&m), seen_before, "{fault}");
        // the next writer puts it back byte for byte (here one that adds nothing)
        m.run(&["ingest", "baci", a.to_str().unwrap()]).ok();
        let d = diff(&before, &snapshot(&m.data().join("datasets")));
        assert!(d.is_empty(), "{fault}: {d:?}");
        assert!(tmp_is_empty(&m), "{fault}");
        assert_eq!(readers(&m), seen_before, "{fault}");
    }
    // uninterrupted, the release appears: all three tables at once
    m.run(&["ingest", "baci", b.to_str().unwrap()]).ok();
    let seen_after = readers(&m);
    for i in [0, 2, 3] {
        assert_ne!(seen_after[i], seen_before[i], "table {i} did not change");
    }
}

#[test]
fn a_forced_replacement_killed_midway_keeps_every_vintage() {
    let m = Indmon::new();
    let a = m.dir.path().join("a");
    synth(&m, &a, "1");
    m.run(&["ingest", "baci", a.to_str().unwrap()]).ok();
    let before = snapshot(&m.data().join("datasets"));
    let seen_before = readers(&m);
    for fault in [
        // two renames (a file system that cannot exchange folders), killed between them
        "no-exchange,force-between-renames=abort",
        "no-exchange,force-switched=abort",
        // the folders exchanged in one step, killed right after
        "force-switched=abort",
        // the second of the release's three replacements not yet done
        "release-between=abort",
        "release-switched=abort",
        "no-exchange,force-between-renames=fail",
    ] {
        let r = ingest_with_fault(&m, fault, &["baci", a.to_str().unwrap(), "--force"]);
        assert_ne!(r.code, 0, "{fault}: {}", r.stderr);
        // the replaced vintages are read as they were (from where they now are)
        assert_eq!(readers(&m), seen_before, "{fault}");
        m.run(&["ingest", "baci", a.to_str().unwrap()]).ok();
        let d = diff(&before, &snapshot(&m.data().join("datasets")));
        assert!(d.is_empty(), "{fault}: {d:?}");
        assert!(tmp_is_empty(&m), "{fault}");
    }
    // uninterrupted: replaced, nothing left over
    m.run(&["ingest", "baci", a.to_str().unwrap(), "--force"])
        .ok();
    assert!(tmp_is_empty(&m));
    let after = readers(&m);
    assert_eq!(after[0], seen_before[0]);
    assert_ne!(after[4], seen_before[4], "the records were not replaced");
}

#[test]
fn a_release_with_a_bad_code_list_stores_nothing() {
    let m = Indmon::new();
    let (_, b) = two_releases(&m);
    let before = snapshot(&m.data().join("datasets"));
    let products = std::fs::read_dir(&b)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_str().unwrap().contains("product_codes"))
        .unwrap();
    std::fs::write(&products, "this is not a product list\n\u{1}\u{2}\n").unwrap();
    let r = m.run(&["ingest", "baci", b.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let d = diff(&before, &snapshot(&m.data().join("datasets")));
    assert!(
        d.is_empty(),
        "the trade and country list were stored: {d:?}"
    );
}

/// A replacement killed after its exchange leaves the previous version in `tmp/` until
/// the next writer puts it back. If it is not there any more, the next writer must stop
/// and keep the journal (and whatever `tmp/` holds), not mark the release done.
#[test]
fn a_previous_version_that_cannot_be_found_stops_the_next_writer() {
    let m = Indmon::new();
    let a = m.dir.path().join("a");
    synth(&m, &a, "1");
    m.run(&["ingest", "baci", a.to_str().unwrap()]).ok();
    let r = ingest_with_fault(
        &m,
        "force-switched=abort",
        &["baci", a.to_str().unwrap(), "--force"],
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    // the previous versions, now in tmp/, moved away by hand
    let aside = m.dir.path().join("aside");
    std::fs::rename(m.data().join("tmp"), &aside).unwrap();
    std::fs::create_dir(m.data().join("tmp")).unwrap();
    let journal = std::fs::read(m.data().join("release.json")).unwrap();
    let r = m.run(&["ingest", "baci", a.to_str().unwrap(), "--force"]);
    assert_ne!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("previous version was found neither"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(m.data().join("release.json")).unwrap(),
        journal,
        "the journal was changed"
    );
}
