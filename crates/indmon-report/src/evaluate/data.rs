//! The panel an evaluation reads: named columns of a CSV or Parquet file, as text or
//! numbers, with the line each row came from (for messages) and the file's checksum
//! (for the citation).
//!
//! - CSV: UTF-8 (a byte-order mark is dropped), a header line, comma-separated, every
//!   line ending with a line break (a last line without one is taken for a truncated
//!   file). Values are trimmed. A number that is empty, `NA`, `NaN` or `.` is missing
//!   (the spellings of R, pandas and Stata); any other text that is not a number is an
//!   error naming the file, line and column.
//! - Parquet (a name ending in `.parquet` or `.parq`): every row group in order; a
//!   number column's nulls and NaNs are missing; a text column asked for as numbers is
//!   parsed as a CSV value is.
//!
//! A column asked for as text may not be missing or empty in any row. Columns the
//! evaluation does not use are ignored.

use std::path::Path;

use indmon_sources::InputError;
use indmon_sources::input::{
    CsvHeader, Encoding, check_complete, csv_error, csv_reader, decode, read_regular, sha256_hex,
    strip_bom,
};

use crate::{Error, Result, Source};

/// The largest panel file read, in bytes (1 GiB: an evaluation panel is small).
pub const MAX_PANEL_FILE: u64 = 1 << 30;

/// How a column is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Text (a unit's name or code; numbers in their decimal form).
    Text,
    /// Numbers, possibly missing.
    Number,
}

#[derive(Debug, Clone)]
enum Values {
    Text(Vec<String>),
    Number(Vec<Option<f64>>),
}

/// The columns read from a panel file.
#[derive(Debug, Clone)]
pub struct PanelTable {
    file: String,
    sha256: String,
    bytes: u64,
    rows: usize,
    /// The file's line of each row (CSV), or the row's number counting from 1 (Parquet).
    lines: Vec<u64>,
    columns: Vec<(String, Values)>,
}

impl PanelTable {
    /// The path as given, for messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The SHA-256 of the file's bytes (hex).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Column `name`, asked for as [`Want::Text`].
    ///
    /// # Panics
    /// When `name` was not asked for as text (a bug in the caller).
    pub fn text(&self, name: &str) -> &[String] {
        match self.values(name) {
            Values::Text(v) => v,
            Values::Number(_) => panic!("column {name} was read as numbers, not text"),
        }
    }

    /// Column `name`, asked for as [`Want::Number`].
    ///
    /// # Panics
    /// When `name` was not asked for as numbers (a bug in the caller).
    pub fn number(&self, name: &str) -> &[Option<f64>] {
        match self.values(name) {
            Values::Number(v) => v,
            Values::Text(_) => panic!("column {name} was read as text, not numbers"),
        }
    }

    fn values(&self, name: &str) -> &Values {
        &self
            .columns
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("column {name} was not asked for"))
            .1
    }

    /// The line of the file row `row` came from (CSV), or its row number (Parquet).
    pub fn line(&self, row: usize) -> u64 {
        self.lines[row]
    }

    /// An input error at row `row` in column `column`.
    pub fn error_at(&self, row: usize, column: &str, message: impl Into<String>) -> Error {
        Error::Sources(
            InputError::file(&self.file, message)
                .at_line(self.line(row))
                .in_field(column)
                .into(),
        )
    }

    /// The file as a source of the result: its name, size and checksum. It is the
    /// user's file, not a dataset of the store: publisher and licence are unknown.
    pub fn source(&self) -> Source {
        let short = &self.sha256[..12.min(self.sha256.len())];
        let title = Path::new(&self.file)
            .file_name()
            .map_or(self.file.clone(), |n| n.to_string_lossy().into_owned());
        Source {
            dataset: "file".into(),
            vintage: self.sha256[..8.min(self.sha256.len())].to_string(),
            publisher: "the user's file".into(),
            title,
            release: None,
            retrieved_at: chrono::Utc::now().to_rfc3339(),
            licence: "as supplied with the file".into(),
            citation: format!(
                "{} ({} bytes, sha256 {})",
                self.file, self.bytes, self.sha256
            ),
            scope: None,
            synthetic: false,
            min_flow_usd: None,
            line: format!("Input: {} (sha256 {short})", self.file),
        }
    }
}

/// A column of a panel built in memory ([`PanelTable::built`]).
#[derive(Debug, Clone)]
pub enum Built {
    /// Text values (none empty).
    Text(Vec<String>),
    /// Numbers, possibly missing.
    Number(Vec<Option<f64>>),
}

impl PanelTable {
    /// A panel assembled in memory (a preset built from the store), named `name` in
    /// messages; `sha256` identifies its content (e.g. of the vintages it came from).
    /// Rows are numbered from 1 in place of lines.
    ///
    /// # Panics
    /// When the columns differ in length (a bug in the caller).
    pub fn built(name: &str, sha256: &str, columns: Vec<(String, Built)>) -> Self {
        let rows = columns.first().map_or(0, |(_, c)| match c {
            Built::Text(v) => v.len(),
            Built::Number(v) => v.len(),
        });
        let columns: Vec<(String, Values)> = columns
            .into_iter()
            .map(|(n, c)| {
                let v = match c {
                    Built::Text(v) => Values::Text(v),
                    Built::Number(v) => Values::Number(v),
                };
                let len = match &v {
                    Values::Text(v) => v.len(),
                    Values::Number(v) => v.len(),
                };
                assert_eq!(len, rows, "column {n} has {len} rows, not {rows}");
                (n, v)
            })
            .collect();
        Self {
            file: name.to_string(),
            sha256: sha256.to_string(),
            bytes: 0,
            rows,
            lines: (1..=rows as u64).collect(),
            columns,
        }
    }
}

/// Reads the `wanted` columns of the panel file at `path` (CSV, or Parquet by its
/// extension). Errors name the file, and the line and column where one is at fault.
pub fn read_table(path: &Path, wanted: &[(&str, Want)]) -> Result<PanelTable> {
    let parquet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("parq"));
    if parquet {
        read_parquet(path, wanted)
    } else {
        read_csv(path, wanted)
    }
}

/// A number as a CSV cell (or a Parquet text) writes it; `Ok(None)` when missing.
fn number(text: &str) -> std::result::Result<Option<f64>, ()> {
    let t = text.trim();
    if t.is_empty() || t == "." || t.eq_ignore_ascii_case("NA") || t.eq_ignore_ascii_case("NaN") {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

fn not_a_number(file: &str, line: u64, column: &str, text: &str) -> Error {
    Error::Sources(
        InputError::file(
            file,
            format!("{} is not a number", indmon_core::quote::quote(text)),
        )
        .at_line(line)
        .in_field(column)
        .expected("a number, or empty / NA / NaN / . for a missing value")
        .into(),
    )
}

fn empty_text(file: &str, line: u64, column: &str) -> Error {
    Error::Sources(
        InputError::file(file, "the value is missing")
            .at_line(line)
            .in_field(column)
            .expected("a unit or period in every row")
            .into(),
    )
}

fn check_unique(file: &str, wanted: &[(&str, Want)]) -> Result<()> {
    for (i, (w, _)) in wanted.iter().enumerate() {
        if wanted[..i].iter().any(|(v, _)| v == w) {
            return Err(Error::Invalid(format!(
                "{file}: column '{w}' is asked for twice"
            )));
        }
    }
    Ok(())
}

fn read_csv(path: &Path, wanted: &[(&str, Want)]) -> Result<PanelTable> {
    let file = path.display().to_string();
    check_unique(&file, wanted)?;
    let bytes = read_regular(path, MAX_PANEL_FILE)?;
    let sha256 = sha256_hex(&bytes);
    let body = strip_bom(&file, &bytes).map_err(indmon_sources::Error::from)?;
    check_complete(&file, body).map_err(indmon_sources::Error::from)?;
    let mut rdr = csv_reader(body);
    let header =
        CsvHeader::read(&file, &mut rdr, Encoding::Utf8).map_err(indmon_sources::Error::from)?;
    let names: Vec<&str> = wanted.iter().map(|(n, _)| *n).collect();
    let pos = header
        .positions(&file, &names)
        .map_err(indmon_sources::Error::from)?;
    let mut columns: Vec<(String, Values)> = wanted
        .iter()
        .map(|(n, w)| {
            let v = match w {
                Want::Text => Values::Text(Vec::new()),
                Want::Number => Values::Number(Vec::new()),
            };
            (n.to_string(), v)
        })
        .collect();
    let mut lines = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(indmon_sources::Error::from(csv_error(&file, e)).into()),
        }
        let line = rec.position().map_or(0, |p| p.line());
        for ((name, values), &p) in columns.iter_mut().zip(&pos) {
            let text = decode(&rec[p], Encoding::Utf8).map_err(|m| {
                indmon_sources::Error::from(
                    InputError::file(&file, m)
                        .at_line(line)
                        .in_field(name.as_str()),
                )
            })?;
            match values {
                Values::Text(v) => {
                    let t = text.trim();
                    if t.is_empty() {
                        return Err(empty_text(&file, line, name));
                    }
                    v.push(t.to_string());
                }
                Values::Number(v) => {
                    v.push(number(&text).map_err(|()| not_a_number(&file, line, name, &text))?)
                }
            }
        }
        lines.push(line);
    }
    Ok(PanelTable {
        file,
        sha256,
        bytes: bytes.len() as u64,
        rows: lines.len(),
        lines,
        columns,
    })
}

fn read_parquet(path: &Path, wanted: &[(&str, Want)]) -> Result<PanelTable> {
    let file = path.display().to_string();
    check_unique(&file, wanted)?;
    let rows = indmon_store::read_parquet_file(path)?;
    let bytes = read_regular(path, MAX_PANEL_FILE)?;
    let sha256 = sha256_hex(&bytes);
    let n = rows.len();
    let lines: Vec<u64> = (1..=n as u64).collect();
    let mut columns = Vec::with_capacity(wanted.len());
    for &(name, want) in wanted {
        let Some(c) = rows.names().iter().position(|x| x == name) else {
            return Err(indmon_sources::Error::from(
                InputError::file(
                    &file,
                    format!(
                        "missing column '{name}'; the file has: {}",
                        indmon_core::quote::excerpt_list(rows.names())
                    ),
                )
                .expected(format!(
                    "columns {}",
                    wanted.iter().map(|w| w.0).collect::<Vec<_>>().join(", ")
                )),
            )
            .into());
        };
        let numeric = matches!(
            rows.types()[c],
            indmon_store::ColumnType::Int | indmon_store::ColumnType::Float
        );
        let values = match want {
            Want::Text => {
                let t = rows.texts(c)?;
                let mut v = Vec::with_capacity(n);
                for (r, x) in t.into_iter().enumerate() {
                    match x.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
                        Some(s) => v.push(s),
                        None => return Err(empty_text(&file, lines[r], name)),
                    }
                }
                Values::Text(v)
            }
            Want::Number if numeric => Values::Number(
                rows.f64s(c)?
                    .into_iter()
                    .map(|x| x.filter(|v| v.is_finite()))
                    .collect(),
            ),
            Want::Number => {
                let t = rows.texts(c)?;
                let mut v = Vec::with_capacity(n);
                for (r, x) in t.into_iter().enumerate() {
                    match x {
                        None => v.push(None),
                        Some(s) => v.push(
                            number(&s).map_err(|()| not_a_number(&file, lines[r], name, &s))?,
                        ),
                    }
                }
                Values::Number(v)
            }
        };
        columns.push((name.to_string(), values));
    }
    Ok(PanelTable {
        file,
        sha256,
        bytes: bytes.len() as u64,
        rows: n,
        lines,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const WANT: &[(&str, Want)] = &[
        ("unit", Want::Text),
        ("year", Want::Number),
        ("y", Want::Number),
    ];

    #[test]
    fn csv_columns_are_read_by_name_with_missing_numbers_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "p.csv",
            "\u{feff}other,\"year\",unit,y\nx,2001, A ,1.5\nx,2002,B,NA\nx,2003,C,\nx,2004,D,.\nx,2005,E,NaN\n",
        );
        let t = read_table(&p, WANT).unwrap();
        assert_eq!(t.rows(), 5);
        assert_eq!(t.text("unit"), ["A", "B", "C", "D", "E"]);
        assert_eq!(t.number("year")[4], Some(2005.0));
        assert_eq!(t.number("y"), [Some(1.5), None, None, None, None]);
        assert_eq!(t.line(0), 2);
        assert_eq!(t.line(4), 6);
        assert_eq!(t.sha256().len(), 64);
        assert!(t.source().line.contains("p.csv"));
    }

    #[test]
    fn bad_csv_input_names_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let e = |text: &str| {
            let p = write(dir.path(), "bad.csv", text);
            read_table(&p, WANT).unwrap_err().to_string()
        };
        let m = e("unit,year,y\nA,2001,1\nB,20O2,1\n");
        assert!(
            m.contains("bad.csv")
                && m.contains("line 3")
                && m.contains("year")
                && m.contains("20O2"),
            "{m}"
        );
        let m = e("unit,year\nA,2001\n");
        assert!(m.contains("missing column 'y'"), "{m}");
        let m = e("unit,year,y\n,2001,1\n");
        assert!(
            m.contains("line 2") && m.contains("unit") && m.contains("missing"),
            "{m}"
        );
        let m = e("unit,year,y\nA,2001,1\nB,2002\n");
        assert!(m.contains("line 3"), "{m}");
        let m = e("unit,year,y\nA,2001,inf\n");
        assert!(m.contains("not a number"), "{m}");
        let m = e("unit,year,y\nA,2001,1");
        assert!(m.contains("truncated"), "{m}");
        let p = write(dir.path(), "ok.csv", "unit,year,y\nA,2001,1\n");
        let m = read_table(&p, &[("y", Want::Number), ("y", Want::Text)])
            .unwrap_err()
            .to_string();
        assert!(m.contains("twice"), "{m}");
    }

    #[test]
    fn a_parquet_panel_reads_as_the_same_csv_does() {
        let dir = tempfile::tempdir().unwrap();
        let csv = write(dir.path(), "p.csv", "unit,year,y\n7,2001,1.5\n8,2002,\n");
        let pq = dir.path().join("p.parquet");
        let cols = indmon_store::Columns::new()
            .int("unit", [7, 8])
            .int("year", [2001, 2002])
            .float("y", [1.5, f64::NAN]);
        indmon_store::write_parquet_file(&pq, 2, [cols]).unwrap();
        let (a, b) = (
            read_table(&csv, WANT).unwrap(),
            read_table(&pq, WANT).unwrap(),
        );
        assert_eq!(a.text("unit"), b.text("unit"));
        assert_eq!(a.number("year"), b.number("year"));
        assert_eq!(a.number("y"), b.number("y"));
        let m = read_table(&pq, &[("nope", Want::Number)])
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("missing column 'nope'") && m.contains("p.parquet"),
            "{m}"
        );
    }
}
