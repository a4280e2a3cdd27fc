//! Malformed files of the real formats: a clear error (file, line, field, what was
//! expected), exit code 3, and a store that is byte-for-byte unchanged.

use std::path::PathBuf;

use crate::support::*;

fn data_file(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(rel),
    )
    .unwrap()
}

const ESTAT: &str = "eurostat-nama10/estat_nama_10_a64_B1G_CP_MEUR_filtered_en.csv";
const UNDATA: &str = "undata-na/UNdata_NA_Table2.4_value_added_by_industry.csv";

/// Ingests `bytes` as `source`; asserts refusal naming the needles, and an unchanged store.
fn refused(m: &Indmon, source: &str, name: &str, bytes: &[u8], needles: &[&str]) -> String {
    let before = snapshot(&m.data());
    let path = m.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let r = m.run(&["ingest", source, path.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{name}: exit {} stderr {}", r.code, r.stderr);
    assert!(
        r.stderr.contains(name),
        "{name}: message does not name the file: {}",
        r.stderr
    );
    for n in needles {
        assert!(
            r.stderr.contains(n),
            "{name}: expected '{n}' in: {}",
            r.stderr
        );
    }
    let changed = diff(&before, &snapshot(&m.data()));
    assert!(changed.is_empty(), "{name}: the store changed: {changed:?}");
    r.stderr
}

#[test]
fn malformed_files_change_nothing() {
    let m = Indmon::new();
    m.run(&["init"]).ok();
    let estat = data_file(ESTAT);
    let text = String::from_utf8(estat.clone()).unwrap();

    refused(&m, "estat_nama_10_a64", "empty.csv", b"", &["empty"]);
    refused(
        &m,
        "un_sna_2_4",
        "wrong-columns.csv",
        b"\"Country\",\"Year\",\"Value\"\n\"Netherlands\",\"2023\",\"1\"\n",
        &["line 1", "missing column 'Country or Area'"],
    );

    // a non-numeric value on line 4
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replace(",620.6,", ",62O.6,");
    refused(
        &m,
        "estat_nama_10_a64",
        "bad-number.csv",
        (lines.join("\n") + "\n").as_bytes(),
        &["line 4", "field 'OBS_VALUE'", "'62O.6' is not a number"],
    );

    // a duplicated row
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let dup = lines[10].clone();
    lines.insert(20, dup);
    refused(
        &m,
        "estat_nama_10_a64",
        "duplicate.csv",
        (lines.join("\n") + "\n").as_bytes(),
        &["line 21", "duplicate observation", "line 11"],
    );

    // a download cut off in the middle of a line
    refused(
        &m,
        "estat_nama_10_a64",
        "truncated.csv",
        &estat[..estat.len() / 2],
        &["truncated"],
    );

    // a Windows-1252 file given to a UTF-8 source (UNdata's "Türkiye" and "Curaçao")
    let un = String::from_utf8(data_file(UNDATA)).unwrap();
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(&un);
    let e = refused(
        &m,
        "un_sna_2_4",
        "cp1252.csv",
        &cp,
        &["field 'Country or Area'", "invalid UTF-8", "cp1252"],
    );
    assert!(e.contains("line "), "{e}");

    // the same file is read with --encoding cp1252
    let path = m.dir.path().join("cp1252.csv");
    let r = m.run(&[
        "ingest",
        "un_sna_2_4",
        path.to_str().unwrap(),
        "--encoding",
        "cp1252",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // a trade file with a value that is not a number
    refused(
        &m,
        "baci",
        "BACI_HS17_Y2024_V202612.csv",
        b"t,i,j,k,v,q\n2024,4,8,10121,1.5,NA\n2024,4,8,10122,x,1\n",
        &["line 3", "field 'v'"],
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let m = Indmon::new();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(data_file(ESTAT));
    let path = m.dir.path().join("bom.csv");
    std::fs::write(&path, bytes).unwrap();
    let r = m
        .run(&["ingest", "estat_nama_10_a64", path.to_str().unwrap()])
        .ok();
    assert!(
        r.stdout.contains("Added estat_nama_10_a64") && r.stdout.contains("5768 rows"),
        "{}",
        r.stdout
    );
    // the same bytes again: nothing new
    let again = m
        .run(&["ingest", "estat_nama_10_a64", path.to_str().unwrap()])
        .ok();
    assert!(
        again.stdout.contains("Already in the store"),
        "{}",
        again.stdout
    );
}
