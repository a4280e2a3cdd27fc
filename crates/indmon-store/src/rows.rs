//! The result of a read, column by column in plain Rust types; and the printing of a
//! user's SQL result (`indmon sql`) as a table, CSV or JSON.

use std::io::Write;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};

use crate::{Error, Result};

/// What kind of values a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Whole numbers.
    Int,
    /// Numbers.
    Float,
    /// Text.
    Text,
    /// True / false.
    Bool,
    /// Anything else (dates, timestamps, nested values).
    Other,
}

impl ColumnType {
    fn of(t: &DataType) -> Self {
        match t {
            t if t.is_integer() => ColumnType::Int,
            t if t.is_floating() || matches!(t, DataType::Decimal128(..)) => ColumnType::Float,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ColumnType::Text,
            DataType::Dictionary(_, v) if ColumnType::of(v) == ColumnType::Text => ColumnType::Text,
            DataType::Boolean => ColumnType::Bool,
            _ => ColumnType::Other,
        }
    }
}

/// Rows read from the store. Columns are read out whole, by position, in the type the
/// caller needs: `texts` works on any column (numbers as their decimal text), `f64s`
/// and `i64s` on numeric ones.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    names: Vec<String>,
    types: Vec<ColumnType>,
    batches: Vec<RecordBatch>,
}

fn shape(e: impl std::fmt::Display) -> Error {
    Error::Query(format!("reading a query result: {e}"))
}

impl Rows {
    pub(crate) fn new(
        schema: &datafusion::arrow::datatypes::Schema,
        batches: Vec<RecordBatch>,
    ) -> Self {
        Self {
            names: schema.fields().iter().map(|f| f.name().clone()).collect(),
            types: schema
                .fields()
                .iter()
                .map(|f| ColumnType::of(f.data_type()))
                .collect(),
            batches,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Column types, in order.
    pub fn types(&self) -> &[ColumnType] {
        &self.types
    }

    fn column<T>(
        &self,
        c: usize,
        to: &DataType,
        read: impl Fn(&dyn Array, usize) -> T,
    ) -> Result<Vec<Option<T>>> {
        if c >= self.names.len() {
            return Err(shape(format!(
                "no column {c} (the result has {})",
                self.names.len()
            )));
        }
        let mut out = Vec::with_capacity(self.len());
        for b in &self.batches {
            let a = cast(b.column(c), to).map_err(shape)?;
            out.extend((0..a.len()).map(|r| (!a.is_null(r)).then(|| read(a.as_ref(), r))));
        }
        Ok(out)
    }

    /// Column `c` as text (any type, numbers in their shortest decimal form).
    pub fn texts(&self, c: usize) -> Result<Vec<Option<String>>> {
        self.column(c, &DataType::Utf8, |a, r| {
            a.as_string::<i32>().value(r).to_owned()
        })
    }

    /// Column `c` as numbers (a numeric column, or text that parses as one).
    pub fn f64s(&self, c: usize) -> Result<Vec<Option<f64>>> {
        self.column(c, &DataType::Float64, |a, r| {
            a.as_primitive::<Float64Type>().value(r)
        })
    }

    /// Column `c` as whole numbers (an integer column; floats are truncated).
    pub fn i64s(&self, c: usize) -> Result<Vec<Option<i64>>> {
        self.column(c, &DataType::Int64, |a, r| {
            a.as_primitive::<Int64Type>().value(r)
        })
    }

    /// Writes the rows as an aligned table with a row count, as CSV with a header, or
    /// as a JSON array of objects (`indmon sql`).
    pub fn write(&self, format: RowsFormat, out: &mut dyn Write) -> Result<()> {
        let io = |e: std::io::Error| shape(format!("writing: {e}"));
        match format {
            RowsFormat::Table => {
                let text = datafusion::arrow::util::pretty::pretty_format_batches(&self.batches)
                    .map_err(shape)?;
                writeln!(out, "{text}").map_err(io)?;
                let n = self.len();
                writeln!(out, "{n} row{}", if n == 1 { "" } else { "s" }).map_err(io)?;
            }
            RowsFormat::Csv => {
                let mut w = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut *out);
                for b in &self.batches {
                    w.write(b).map_err(shape)?;
                }
            }
            RowsFormat::Json => {
                let mut w = datafusion::arrow::json::ArrayWriter::new(&mut *out);
                let refs: Vec<&RecordBatch> = self.batches.iter().collect();
                w.write_batches(&refs).map_err(shape)?;
                w.finish().map_err(shape)?;
                drop(w);
                writeln!(out).map_err(io)?;
            }
        }
        Ok(())
    }
}

/// How [`Rows::write`] prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsFormat {
    /// Aligned columns with a row count.
    Table,
    /// CSV with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// Reads a Parquet file of the user's (an input, not a file of the store) whole: every
/// row group in order, as [`Rows`]. Only a regular file is read (a FIFO or a device is
/// refused); a file that is not Parquet, or is damaged, is an error naming it.
pub fn read_parquet_file(path: &std::path::Path) -> Result<Rows> {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let name = path.display().to_string();
    let io = |source: std::io::Error| Error::Io {
        path: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Error::Corrupt {
            path: name,
            message: "not a regular file (indmon reads input from regular files only)".into(),
        });
    }
    let bad = |e: &dyn std::fmt::Display| Error::Corrupt {
        path: name.clone(),
        message: format!("not a readable Parquet file: {e}"),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
    let schema = builder.schema().clone();
    let reader = builder.build().map_err(|e| bad(&e))?;
    let batches = reader
        .collect::<std::result::Result<Vec<RecordBatch>, _>>()
        .map_err(|e| bad(&e))?;
    Ok(Rows::new(&schema, batches))
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use crate::writer::Columns;

    #[test]
    fn a_parquet_file_is_read_back_and_anything_else_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.parquet");
        let cols = Columns::new()
            .text("unit", ["a", "b", "c"])
            .int("year", [2001, 2002, 2003])
            .float("y", [1.5, f64::NAN, 3.0]);
        crate::write_parquet_file(&path, 3, [cols]).unwrap();
        let rows = read_parquet_file(&path).unwrap();
        assert_eq!(rows.names(), ["unit", "year", "y"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows.texts(0).unwrap(),
            [Some("a".into()), Some("b".into()), Some("c".into())]
        );
        assert_eq!(rows.i64s(1).unwrap(), [Some(2001), Some(2002), Some(2003)]);
        assert_eq!(rows.f64s(2).unwrap()[0], Some(1.5));

        let csv = dir.path().join("p.csv");
        std::fs::write(&csv, "unit,year\na,1\n").unwrap();
        let e = read_parquet_file(&csv).unwrap_err().to_string();
        assert!(
            e.contains("p.csv") && e.contains("not a readable Parquet file"),
            "{e}"
        );
        let e = read_parquet_file(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
}
