//! Fuzzing the ledger's import (issue 19, item 7): the seeded ledger's own exports — one
//! CSV per entity, the JSON document and the Excel workbook — mutated with a seeded
//! generator ([`indmon_fuzz`]), read by `io::read_csv`/`read_json`/`read_xlsx` and, when
//! read, applied as a dry run to a SQLite ledger (so every field's validation sees the
//! mutated text). Each must answer `Ok` or an error naming the file: never panic, hang or
//! take memory without bound. `INDMON_FUZZ_SECS=S` for a long run (README, "Fuzzing").

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use indmon_fuzz::{Fuzz, Mutator};
use indmon_ledger::schema::{ENTITIES, entity};
use indmon_ledger::{Incoming, Ledger, Snapshot, io};

use crate::TestDb;

/// Mutated inputs per format in an ordinary test run.
const CASES: usize = 300;

/// A seeded SQLite ledger (kept open for the dry runs) and its snapshot.
fn seeded() -> (TestDb, Arc<Mutex<Ledger>>, Snapshot) {
    let t = TestDb::sqlite();
    let mut l = t.open();
    // the seed has no actuals: one, as in the exports' round trip
    let fields = [
        ("indicator_id", "industry_share"),
        ("period", "2023"),
        ("value", "12.03"),
        ("source", "Eurostat nama_10_a64"),
    ];
    let actual = Incoming {
        id: "share-2023".into(),
        version: None,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
    };
    l.add(entity("actual").unwrap(), &actual, "alice").unwrap();
    let snap = l.snapshot().unwrap();
    let empty: Vec<_> = ENTITIES
        .iter()
        .filter(|e| snap.of(e.name).is_empty())
        .map(|e| e.name)
        .collect();
    assert!(empty.len() <= 2, "entities without records: {empty:?}");
    (t, Arc::new(Mutex::new(l)), snap)
}

/// Reads with `read` and applies what was read as a dry run; errors as text.
fn import(ledger: &Mutex<Ledger>, batch: indmon_ledger::Result<io::Batch>) -> Result<(), String> {
    let batch = batch.map_err(|e| e.to_string())?;
    let places = batch.places.clone();
    let mut l = ledger.lock().unwrap_or_else(|p| p.into_inner());
    l.apply(&batch.items, "fuzz", &|i| places[i].clone(), true)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The words of a header (for the dictionary).
fn header_words(csv: &[u8]) -> Vec<Vec<u8>> {
    let line = csv.split(|b| *b == b'\n').next().unwrap_or_default();
    line.split(|b| *b == b',').map(<[u8]>::to_vec).collect()
}

#[test]
fn ledger_csv_import() {
    let (_t, ledger, snap) = seeded();
    for e in ENTITIES {
        let csv = io::to_csv(e, snap.of(e.name)).unwrap();
        let name = format!("{}.csv", e.plural);
        let l = ledger.clone();
        let file = name.clone();
        Fuzz::new(&format!("ledger_csv_{}", e.name))
            .seed(csv.clone())
            .dictionary(header_words(&csv))
            .dictionary([
                &b"'="[..],
                b"''",
                b"\x07",
                b"2023-02-30",
                b"9999-12-31",
                b"1e308",
                b"-0",
                b"NaN",
            ])
            .cases(CASES / 3)
            .share(ENTITIES.len())
            .errors_name(&name)
            .run(move |bytes: &[u8]| import(&l, io::read_csv(&file, bytes, e)));
    }
}

#[test]
fn ledger_json_import() {
    let (_t, ledger, snap) = seeded();
    let doc = io::to_json(&snap, "fuzz");
    Fuzz::new("ledger_json")
        .seed(serde_json::to_vec_pretty(&doc).unwrap())
        .seed(serde_json::to_vec(&doc).unwrap())
        .dictionary(ENTITIES.iter().map(|e| format!("\"{}\"", e.plural)))
        .dictionary([
            &b"\"id\""[..],
            b"\"version\"",
            b"\"schema_version\"",
            b"9223372036854775807",
            b"-1",
            b"1.5",
        ])
        .cases(CASES)
        .errors_name("ledger.json")
        .run(move |bytes: &[u8]| import(&ledger, io::read_json("ledger.json", bytes)));
}

/// A workbook with one of its members (a sheet, the shared strings, the workbook's list
/// of sheets) mutated and the archive written again; now and then the archive's bytes
/// themselves.
fn mutate_xlsx(m: &mut Mutator<'_>, input: &[u8]) -> Vec<u8> {
    if m.rng.chance(1, 5) {
        return m.mutate(input);
    }
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(input)) else {
        return m.mutate(input);
    };
    let victim = m.rng.below(zip.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if i == victim {
            bytes = m.mutate(&bytes);
        }
        out.start_file(name, opts).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn ledger_xlsx_import() {
    let (_t, ledger, snap) = seeded();
    Fuzz::new("ledger_xlsx")
        .seed(io::to_xlsx(&snap, "fuzz").unwrap())
        .dictionary([
            &b"<c r=\"A1\" t=\"s\"><v>0</v></c>"[..],
            b"<v>99999</v>",
            b"t=\"e\"",
            b"t=\"b\"",
            b"t=\"n\"",
            b"<row r=\"1048577\">",
            b"sheet",
        ])
        .mutator(mutate_xlsx)
        .cases(CASES / 2)
        .errors_name("ledger.xlsx")
        .run(move |bytes: &[u8]| import(&ledger, io::read_xlsx("ledger.xlsx", bytes)));
}

// Inputs the fuzzing found, each a regression test named after it.

/// `bytes` (a workbook) with every member's text passed through `edit`.
fn edit_xlsx(bytes: &[u8], edit: impl Fn(&str, String) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(edit(&name, text).as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The exported workbook with the cell reference `from` of the first entity's sheet
/// (`goals`, sheet 2) renamed `to`.
fn workbook_with_cell_moved(from: &str, to: &str) -> Vec<u8> {
    let (_t, _l, snap) = seeded();
    let bytes = io::to_xlsx(&snap, "fuzz").unwrap();
    let (from, to) = (format!("r=\"{from}\""), format!("r=\"{to}\""));
    edit_xlsx(&bytes, |name, text| {
        if name == "xl/worksheets/sheet2.xml" {
            assert!(text.contains(&from), "{text}");
            text.replacen(&from, &to, 1)
        } else {
            text
        }
    })
}

/// A cell reference whose row number does not fit in 32 bits made the Excel reader
/// (calamine) overflow: a panic in debug builds, a wrong row in release builds.
#[test]
fn xlsx_row_of_eleven_digits_is_refused_not_an_overflow() {
    let bytes = workbook_with_cell_moved("A2", "A99999999999");
    let e = io::read_xlsx("ledger.xlsx", &bytes)
        .err()
        .map(|e| e.to_string());
    let e = e.expect("refused");
    assert!(e.contains("ledger.xlsx") && e.contains("goals"), "{e}");
}

/// Two cells far apart (A1 and XFD1048576, both within Excel's limits) made the reader
/// allocate the whole rectangle between them: 17 billion cells, and the process aborted.
/// Only the cells that exist are kept now; the far cell widens the header by columns
/// without a name, which the import refuses.
#[test]
fn xlsx_cells_at_opposite_corners_are_read_without_the_rectangle() {
    let bytes = workbook_with_cell_moved("B2", "XFD1048576");
    let e = io::read_xlsx("ledger.xlsx", &bytes)
        .err()
        .map(|e| e.to_string());
    let e = e.expect("refused");
    assert!(
        e.contains("ledger.xlsx, sheet goals, row 1: unknown column \"\""),
        "{e}"
    );
}
