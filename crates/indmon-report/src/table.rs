//! Tabular results, their columns declared once.
//!
//! A result that has rows (the decomposition, the peers, the screen …) declares its
//! columns in one place — name, unit, meaning and how to read the cell from a row — as a
//! list of [`Col`]. The command line's table, CSV and JSON, the API's CSV and JSON, the
//! pages' tables and the Excel sheets are all rendered from that list, so they cannot
//! disagree. CSV and JSON are rendered here, for the command line and the API alike.

use indmon_core::text::csv_text;
use serde::Serialize;

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (written in its shortest round-trip form).
    Num(f64),
    /// A whole number.
    Int(i64),
    /// True or false.
    Bool(bool),
    /// Missing.
    Null,
}

impl Cell {
    /// Text, or missing.
    pub fn opt_text(s: Option<impl Into<String>>) -> Self {
        s.map_or(Cell::Null, |s| Cell::Text(s.into()))
    }

    /// A number, or missing (also for NaN and infinities, which have no JSON form).
    pub fn opt_num(x: Option<f64>) -> Self {
        match x {
            Some(v) if v.is_finite() => Cell::Num(v),
            _ => Cell::Null,
        }
    }

    /// A whole number, or missing.
    pub fn opt_int(x: Option<impl Into<i64>>) -> Self {
        x.map_or(Cell::Null, |v| Cell::Int(v.into()))
    }

    /// The cell as CSV writes it (empty when missing).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v) => format!("{v}"),
            Cell::Int(v) => v.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Null => String::new(),
        }
    }

    /// The cell as a JSON value.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(s) => serde_json::Value::String(s.clone()),
            Cell::Num(v) => serde_json::Number::from_f64(*v)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Cell::Int(v) => serde_json::Value::Number((*v).into()),
            Cell::Bool(b) => serde_json::Value::Bool(*b),
            Cell::Null => serde_json::Value::Null,
        }
    }

    /// True for numbers (they are aligned right in a table).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Num(_) | Cell::Int(_))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Text(s.clone())
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::opt_num(Some(v))
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl From<i32> for Cell {
    fn from(v: i32) -> Self {
        Cell::Int(v.into())
    }
}

impl From<u32> for Cell {
    fn from(v: u32) -> Self {
        Cell::Int(v.into())
    }
}

impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Cell::Int(v as i64)
    }
}

impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}

/// One column of a tabular result of rows of type `R`: declared once, read by every
/// renderer.
pub struct Col<R> {
    /// Its name: the CSV header and the JSON key.
    pub name: &'static str,
    /// Its unit (`%`, `pp`, `thousand USD`, `year` …), empty when none.
    pub unit: &'static str,
    /// What it means, in a sentence.
    pub meaning: &'static str,
    /// Decimals shown in an aligned table (CSV and JSON keep every digit).
    pub decimals: Option<u8>,
    /// The cell of a row.
    pub get: fn(&R) -> Cell,
}

/// The description of a column, without its reader (for documentation and headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Column {
    /// Its name: the CSV header and the JSON key.
    pub name: String,
    /// Its unit, empty when none.
    pub unit: String,
    /// What it means.
    pub meaning: String,
    /// Decimals shown in an aligned table.
    #[serde(skip)]
    pub decimals: Option<u8>,
}

/// A table: the declared columns and the rows' cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table of `rows` with the columns `cols`.
    pub fn of<'a, R: 'a>(cols: &[Col<R>], rows: impl IntoIterator<Item = &'a R>) -> Self {
        Self {
            columns: cols
                .iter()
                .map(|c| Column {
                    name: c.name.to_owned(),
                    unit: c.unit.to_owned(),
                    meaning: c.meaning.to_owned(),
                    decimals: c.decimals,
                })
                .collect(),
            rows: rows
                .into_iter()
                .map(|r| cols.iter().map(|c| (c.get)(r)).collect())
                .collect(),
        }
    }

    /// The column names.
    pub fn header(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// CSV (RFC 4180): a header line, then one line per row; numbers in their shortest
    /// round-trip form, missing values empty. Text cells that a spreadsheet would take
    /// for a formula are neutralised by the rule of [`indmon_core::text`] (a leading
    /// apostrophe, also in front of text that begins with one, so that the original is
    /// the cell without its first character).
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
            let mut first = true;
            for c in cells {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&csv_quote(&c));
            }
            out.push('\n');
        };
        line(&mut out, &mut self.columns.iter().map(|c| c.name.clone()));
        for r in &self.rows {
            line(
                &mut out,
                &mut r.iter().map(|c| match c {
                    Cell::Text(s) => csv_text(s).into_owned(),
                    other => other.text(),
                }),
            );
        }
        out
    }

    /// The rows as JSON objects keyed by column name.
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.rows
            .iter()
            .map(|r| {
                serde_json::Value::Object(
                    self.columns
                        .iter()
                        .zip(r)
                        .map(|(c, v)| (c.name.clone(), v.json()))
                        .collect(),
                )
            })
            .collect()
    }
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A result with rows: its table (columns declared once), the notes that go with it
/// (what was measured, scope, caveats, and the source lines), and a name for files.
pub trait Tabular: Serialize {
    /// The rows, as the declared columns.
    fn table(&self) -> Table;
    /// Lines shown below a table: what the figures are, the data's scope, the sources.
    fn notes(&self) -> Vec<String>;
    /// A file-name stem for downloads, e.g. `indmon-decomposition-NL`.
    fn file_stem(&self) -> String;
}

/// A result as JSON, pretty-printed with a final line break: the command line's
/// `--format json` and the API's JSON are these bytes.
pub fn json<T: Serialize + ?Sized>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("results serialise");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R {
        geo: &'static str,
        v: Option<f64>,
    }

    const COLS: &[Col<R>] = &[
        Col {
            name: "geo",
            unit: "",
            meaning: "Country.",
            decimals: None,
            get: |r| r.geo.into(),
        },
        Col {
            name: "value",
            unit: "%",
            meaning: "A value.",
            decimals: Some(2),
            get: |r| Cell::opt_num(r.v),
        },
    ];

    #[test]
    fn csv_quotes_and_neutralises() {
        let rows = [
            R {
                geo: "NL",
                v: Some(-0.5),
            },
            R {
                geo: "=1+1",
                v: None,
            },
            R {
                geo: "a,\"b\"",
                v: Some(f64::NAN),
            },
        ];
        let t = Table::of(COLS, &rows);
        assert_eq!(t.csv(), "geo,value\nNL,-0.5\n'=1+1,\n\"a,\"\"b\"\"\",\n");
        assert_eq!(t.records()[0]["value"], serde_json::json!(-0.5));
        assert!(t.records()[1]["value"].is_null());
    }

    #[test]
    fn text_cells_follow_the_shared_formula_rule() {
        let rows = [
            R {
                geo: "'quoted",
                v: Some(-1.0),
            },
            R {
                geo: "@SUM(A1)",
                v: None,
            },
        ];
        let t = Table::of(COLS, &rows);
        assert_eq!(t.csv(), "geo,value\n''quoted,-1\n'@SUM(A1),\n");
    }
}
