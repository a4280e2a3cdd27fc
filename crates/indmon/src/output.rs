//! Printing results as an aligned table, CSV or JSON.

use std::io::Write;

use anyhow::Result;
use indmon_store::RecordBatch;

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for reading
    #[default]
    Table,
    /// Comma-separated values with a header line
    Csv,
    /// A JSON array of objects
    Json,
}

/// One cell of a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number, printed in full precision without a trailing `.0`.
    Num(f64),
    /// A whole number.
    Int(i64),
    /// Missing.
    Null,
}

impl Cell {
    /// Text or missing.
    pub fn opt(s: Option<impl Into<String>>) -> Self {
        s.map_or(Cell::Null, |s| Cell::Text(s.into()))
    }

    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v) => format!("{v}"),
            Cell::Int(v) => v.to_string(),
            Cell::Null => String::new(),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(s) => serde_json::Value::String(s.clone()),
            Cell::Num(v) => serde_json::Number::from_f64(*v)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Cell::Int(v) => serde_json::Value::Number((*v).into()),
            Cell::Null => serde_json::Value::Null,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Prints rows under a header in the chosen format; `notes` (sources, labels) follow
/// a table and go to the JSON as `notes`, and are left out of CSV.
pub fn print_rows(
    out: &mut dyn Write,
    format: Format,
    header: &[&str],
    rows: &[Vec<Cell>],
    notes: &[String],
) -> Result<()> {
    match format {
        Format::Table => {
            let texts: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(Cell::text).collect())
                .collect();
            let widths: Vec<usize> = (0..header.len())
                .map(|c| {
                    texts
                        .iter()
                        .map(|r| r[c].chars().count())
                        .chain([header[c].chars().count()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let numeric: Vec<bool> = (0..header.len())
                .map(|c| {
                    rows.iter()
                        .all(|r| matches!(r[c], Cell::Num(_) | Cell::Int(_) | Cell::Null))
                        && !rows.is_empty()
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
            let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
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
            if rows.is_empty() {
                writeln!(out, "(no rows)")?;
            }
            for n in notes {
                writeln!(out, "{n}")?;
            }
        }
        Format::Csv => {
            writeln!(
                out,
                "{}",
                header
                    .iter()
                    .map(|h| csv_escape(h))
                    .collect::<Vec<_>>()
                    .join(",")
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{}",
                    r.iter()
                        .map(|c| csv_escape(&c.text()))
                        .collect::<Vec<_>>()
                        .join(",")
                )?;
            }
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        header
                            .iter()
                            .zip(r)
                            .map(|(h, c)| (h.to_string(), c.json()))
                            .collect(),
                    )
                })
                .collect();
            let doc = serde_json::json!({ "rows": items, "notes": notes });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
    }
    Ok(())
}

/// Prints Arrow batches in the chosen format.
pub fn print_batches(out: &mut dyn Write, format: Format, batches: &[RecordBatch]) -> Result<()> {
    use indmon_store::arrow;
    match format {
        Format::Table => {
            writeln!(
                out,
                "{}",
                arrow::util::pretty::pretty_format_batches(batches)?
            )?;
            let n: usize = batches.iter().map(RecordBatch::num_rows).sum();
            writeln!(out, "{n} row{}", if n == 1 { "" } else { "s" })?;
        }
        Format::Csv => {
            let mut w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(out);
            for b in batches {
                w.write(b)?;
            }
        }
        Format::Json => {
            let mut w = arrow::json::ArrayWriter::new(&mut *out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            w.write_batches(&refs)?;
            w.finish()?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Column `c` of a batch as text cells (any Arrow type, via a cast to UTF-8).
pub fn text_column(batch: &RecordBatch, c: usize) -> Result<Vec<Option<String>>> {
    use indmon_store::arrow::array::{Array, AsArray};
    use indmon_store::arrow::compute::cast;
    use indmon_store::arrow::datatypes::DataType;
    let col = cast(batch.column(c), &DataType::Utf8)?;
    let a = col.as_string::<i32>();
    Ok((0..a.len())
        .map(|r| (!a.is_null(r)).then(|| a.value(r).to_string()))
        .collect())
}

/// Column `c` of a batch as numbers (any numeric Arrow type, via a cast to Float64).
pub fn num_column(batch: &RecordBatch, c: usize) -> Result<Vec<Option<f64>>> {
    use indmon_store::arrow::array::{Array, AsArray};
    use indmon_store::arrow::compute::cast;
    use indmon_store::arrow::datatypes::{DataType, Float64Type};
    let col = cast(batch.column(c), &DataType::Float64)?;
    let a = col.as_primitive::<Float64Type>();
    Ok((0..a.len())
        .map(|r| (!a.is_null(r)).then(|| a.value(r)))
        .collect())
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
}
