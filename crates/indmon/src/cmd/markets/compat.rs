//! Printing helpers that `cmd/dependencies.rs` still imports from here. The markets
//! commands no longer use them (their results round through `Col::decimals`); delete
//! this file once the dependency commands print results of `indmon-report`.

use crate::error::Result;
use crate::output::{Format, print_rows};
use indmon_report::Cell;
use serde_json::{Value, json};

/// The classification lists of the bundled snapshot, with names.
#[cfg(test)]
pub(crate) fn code_lists() -> Result<&'static indmon_reference::Lists> {
    Ok(&indmon_report::Reference::bundled()?.lists)
}

pub(crate) fn million(v: f64) -> Cell {
    // `+ 0.0` turns the −0 of an empty sum into 0
    Cell::Num((v / 1000.0 * 10.0).round() / 10.0 + 0.0)
}

pub(crate) fn pct(v: Option<f64>, digits: i32) -> Cell {
    let f = 10f64.powi(digits);
    v.map_or(Cell::Null, |v| Cell::Num((v * 100.0 * f).round() / f))
}

pub(crate) fn round(v: Option<f64>, digits: i32) -> Cell {
    let f = 10f64.powi(digits);
    v.map_or(Cell::Null, |v| Cell::Num((v * f).round() / f))
}

pub(crate) fn emit(
    format: Format,
    header: &[&str],
    rows: &[Vec<Cell>],
    notes: &[String],
    json: Value,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let mut json = json;
            json["notes"] = json!(notes);
            serde_json::to_writer_pretty(&mut out, &json)?;
            use std::io::Write as _;
            writeln!(out)?;
        }
        Format::Csv => {
            print_rows(&mut out, format, header, rows, &[])?;
            for n in notes {
                eprintln!("{n}");
            }
        }
        Format::Table => print_rows(&mut out, format, header, rows, notes)?,
    }
    Ok(())
}

/// The first `n` characters of `s`, with an ellipsis when cut.
pub(crate) fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>().trim_end())
    }
}

pub(crate) fn cell_json(c: &Cell) -> Value {
    c.json()
}
