//! Printing results: an aligned table with notes for reading, or the CSV and JSON that
//! `indmon-report` renders for the command line and the API alike.

use std::io::Write;
use std::path::Path;

use crate::config::Context;
use crate::error::{Context as _, Result};
use indmon_report::table::{self, Cell, Column, Table, Tabular};

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for reading
    #[default]
    Table,
    /// Comma-separated values with a header line
    Csv,
    /// The whole result as JSON (the API's JSON)
    Json,
}

/// Prints a tabular result: an aligned table with its notes below, or the CSV of its
/// declared columns (the notes — what the figures are, where they come from — go to
/// standard error, so the CSV holds the table only), or its JSON. The API gives the
/// same CSV and JSON.
pub fn print(out: &mut dyn Write, format: Format, result: &impl Tabular) -> Result<()> {
    match format {
        Format::Table => print_table(out, &result.table(), &result.notes()),
        Format::Csv => {
            out.write_all(result.table().csv().as_bytes())?;
            for n in result.notes() {
                eprintln!("{}", terminal_safe(&n));
            }
            Ok(())
        }
        Format::Json => Ok(out.write_all(table::json(result).as_bytes())?),
    }
}

/// Prints a table with its columns aligned (numbers to the right, rounded to the
/// column's decimals), then the notes.
pub fn print_table(out: &mut dyn Write, t: &Table, notes: &[String]) -> Result<()> {
    let texts: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(&t.columns)
                .map(|(c, col)| match (c, col.decimals) {
                    (Cell::Num(v), Some(d)) => format!("{v:.*}", d as usize),
                    (Cell::Text(s), _) => terminal_safe(s),
                    _ => c.text(),
                })
                .collect()
        })
        .collect();
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|c| {
            !t.rows.is_empty()
                && t.rows
                    .iter()
                    .all(|r| r[c].is_numeric() || r[c] == Cell::Null)
        })
        .collect();
    let widths: Vec<usize> = (0..t.columns.len())
        .map(|c| {
            texts
                .iter()
                .map(|r| r[c].chars().count())
                .chain([t.columns[c].name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(c, s)| {
                let pad = widths[c] - s.chars().count();
                if numeric[c] {
                    format!("{}{s}", " ".repeat(pad))
                } else {
                    format!("{s}{}", " ".repeat(pad))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let head: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    writeln!(out, "{}", line(&head))?;
    writeln!(
        out,
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    )?;
    for r in &texts {
        writeln!(out, "{}", line(r))?;
    }
    if t.rows.is_empty() {
        writeln!(out, "(no rows)")?;
    }
    for n in notes {
        writeln!(out, "{}", terminal_safe(n))?;
    }
    Ok(())
}

/// Text for a terminal: control characters (which could move the cursor, change colours
/// or rewrite the screen) are shown as escapes such as `\u{1b}`.
pub fn terminal_safe(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Prints rows under a header in the chosen format: for outputs that are not a result
/// of `indmon-report` (the programme ledger's records, the store's catalog). `notes`
/// follow a table and go to the JSON as `notes`, and are left out of CSV.
pub fn print_rows(
    out: &mut dyn Write,
    format: Format,
    header: &[&str],
    rows: &[Vec<Cell>],
    notes: &[String],
) -> Result<()> {
    let t = Table {
        columns: header
            .iter()
            .map(|h| Column {
                name: (*h).to_owned(),
                unit: String::new(),
                meaning: String::new(),
                decimals: None,
            })
            .collect(),
        rows: rows.to_vec(),
    };
    match format {
        Format::Table => print_table(out, &t, notes),
        Format::Csv => Ok(out.write_all(t.csv().as_bytes())?),
        Format::Json => {
            let doc = serde_json::json!({ "rows": t.records(), "notes": notes });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            Ok(())
        }
    }
}

/// Refuses an output path inside the data directory (it holds the store: an output file
/// must never land among, or replace, the store's own files). `store` is the store when
/// the command has opened it; otherwise the data directory is opened when it holds one.
pub fn refuse_in_store(
    ctx: &Context,
    store: Option<&indmon_store::Store>,
    path: &Path,
) -> Result<()> {
    let opened;
    let store = match store {
        Some(s) => Some(s),
        None if ctx.data_dir.join("INDMON_STORE").exists() => {
            // a store that cannot be opened still holds its files: refuse then too
            opened = ctx.open_store()?;
            Some(&opened)
        }
        None => None,
    };
    if let Some(s) = store {
        // a folder that does not exist holds no store; creating the file says so
        if path
            .parent()
            .is_none_or(|d| d.as_os_str().is_empty() || d.is_dir())
        {
            s.refuse_inside(path)?;
        }
    }
    Ok(())
}

/// Writes `path` through a temporary file in the same folder, renamed when complete:
/// a failure never leaves half a file (the caller has refused paths in the store).
pub fn write_whole(path: &Path, render: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let file = indmon_store::OutFile::create(path)
        .with_context(|| format!("creating {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    render(&mut w)?;
    w.into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("writing {}", path.display()))?
        .finish()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Whether an output path names a Parquet file.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The notes of a result on standard error (also when quiet: a file or CSV carries
/// numbers only, where they come from goes here).
pub fn print_notes(notes: &[String]) {
    for n in notes {
        eprintln!("{}", terminal_safe(n));
    }
}

/// The progress lines of the computation on standard error: one per year (unless
/// quiet), and a warning for each year whose ECI is not defined (always).
pub fn year_progress(
    quiet: bool,
) -> impl Fn(&indmon_report::complexity::YearSummary, std::time::Duration) + Sync {
    move |s, took| match &s.undefined {
        None if !quiet => eprintln!(
            "{}: {} locations × {} products, eigenvalue {:.6}, {:.3} s",
            s.year,
            s.locations,
            s.products,
            s.eigenvalue.unwrap_or(f64::NAN),
            took.as_secs_f64()
        ),
        None => {}
        Some(why) => eprintln!(
            "warning: {y}: {why}; ECI, PCI, density, COI and COG are left empty for {y}",
            y = s.year
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: Format) -> String {
        let mut buf = Vec::new();
        print_rows(
            &mut buf,
            format,
            &["geo", "value"],
            &[
                vec!["NL".into(), Cell::Num(115740.0)],
                vec!["EU27_2020".into(), Cell::Null],
            ],
            &["Source: x".to_string()],
        )
        .unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn tables_align_numbers_right() {
        let t = render(Format::Table);
        assert_eq!(
            t,
            "geo         value\n---------  ------\nNL         115740\nEU27_2020\nSource: x\n"
        );
    }

    #[test]
    fn csv_and_json_keep_types() {
        assert_eq!(render(Format::Csv), "geo,value\nNL,115740\nEU27_2020,\n");
        let j: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(j["rows"][0]["value"], serde_json::json!(115740.0));
        assert!(j["rows"][1]["value"].is_null());
        assert_eq!(j["notes"][0], "Source: x");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(terminal_safe("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal_safe("Prijs €"), "Prijs €");
    }
}
