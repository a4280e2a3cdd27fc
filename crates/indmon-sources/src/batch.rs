//! Building Arrow batches from a declared [`TableSchema`].

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use indmon_core::{ColumnSpec, ColumnType, TableSchema};

/// The Arrow type of a declared column type.
pub fn arrow_type(t: ColumnType) -> DataType {
    match t {
        ColumnType::Utf8 => DataType::Utf8,
        ColumnType::Int32 => DataType::Int32,
        ColumnType::Int64 => DataType::Int64,
        ColumnType::Float64 => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
    }
}

/// The Arrow schema of a declared table schema. Column descriptions and units go
/// into the field metadata, so they travel with the Parquet files.
pub fn arrow_schema(s: &TableSchema) -> SchemaRef {
    let fields: Vec<Field> = s
        .columns
        .iter()
        .map(|c| {
            let mut meta = std::collections::HashMap::new();
            if !c.description.is_empty() {
                meta.insert("description".to_string(), c.description.clone());
            }
            if let Some(u) = &c.unit {
                meta.insert("unit".to_string(), u.clone());
            }
            Field::new(&c.name, arrow_type(c.ty), c.nullable).with_metadata(meta)
        })
        .collect();
    let mut meta = std::collections::HashMap::new();
    meta.insert("indmon.schema".to_string(), s.name.clone());
    meta.insert("indmon.schema_version".to_string(), s.version.to_string());
    Arc::new(Schema::new_with_metadata(fields, meta))
}

/// Checks one value against a column's declared limits. Returns what was expected
/// when it does not fit.
pub fn check_number(c: &ColumnSpec, v: f64) -> Result<(), String> {
    if !v.is_finite() {
        return Err("a finite number".into());
    }
    if let Some(min) = c.min
        && v < min
    {
        return Err(format!("a value of at least {min}"));
    }
    if let Some(max) = c.max
        && v > max
    {
        return Err(format!("a value of at most {max}"));
    }
    Ok(())
}

/// Checks a text value against a column's declared length.
pub fn check_text(c: &ColumnSpec, v: &str) -> Result<(), String> {
    if let Some(len) = c.len
        && v.chars().count() != len
    {
        return Err(format!("exactly {len} characters"));
    }
    Ok(())
}

/// Parses an integer; accepts the `2.0` form that spreadsheet and pandas exports
/// write for whole numbers.
pub fn parse_int(s: &str) -> Option<i64> {
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// Parses a finite float (no `NaN`, no `inf`).
pub fn parse_float(s: &str) -> Option<f64> {
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Parses a boolean written as true/false (any case) or 1/0.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" => Some(true),
        "0" => Some(false),
        _ if s.eq_ignore_ascii_case("true") => Some(true),
        _ if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

enum Col {
    Utf8(StringBuilder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Boolean(BooleanBuilder),
}

/// Accumulates rows of a declared schema and hands them out as Arrow batches.
pub struct TableBuilder {
    schema: Arc<TableSchema>,
    arrow: SchemaRef,
    cols: Vec<Col>,
    rows: usize,
}

impl TableBuilder {
    /// A builder for `schema`.
    pub fn new(schema: Arc<TableSchema>) -> Self {
        let arrow = arrow_schema(&schema);
        let cols = Self::fresh(&schema);
        Self {
            schema,
            arrow,
            cols,
            rows: 0,
        }
    }

    fn fresh(schema: &TableSchema) -> Vec<Col> {
        schema
            .columns
            .iter()
            .map(|c| match c.ty {
                ColumnType::Utf8 => Col::Utf8(StringBuilder::new()),
                ColumnType::Int32 => Col::Int32(Int32Builder::new()),
                ColumnType::Int64 => Col::Int64(Int64Builder::new()),
                ColumnType::Float64 => Col::Float64(Float64Builder::new()),
                ColumnType::Boolean => Col::Boolean(BooleanBuilder::new()),
            })
            .collect()
    }

    /// The declared schema.
    pub fn schema(&self) -> &Arc<TableSchema> {
        &self.schema
    }

    /// The Arrow schema of the batches.
    pub fn arrow_schema(&self) -> SchemaRef {
        self.arrow.clone()
    }

    /// Rows accumulated since the last [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no rows are pending.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends a value given as text to column `col`, parsing it per the declared
    /// type; the empty string and the column's null tokens mean missing. On failure
    /// returns what was expected.
    pub fn push_text(&mut self, col: usize, raw: &str) -> Result<(), String> {
        let spec = &self.schema.columns[col];
        let raw = raw.trim();
        let is_null = raw.is_empty() || spec.null_tokens.iter().any(|t| t == raw);
        if is_null {
            if !spec.nullable {
                return Err("a value (the column may not be empty)".into());
            }
            self.push_null(col);
            return Ok(());
        }
        match &mut self.cols[col] {
            Col::Utf8(b) => {
                check_text(spec, raw)?;
                b.append_value(raw);
            }
            Col::Int32(b) => {
                let v = parse_int(raw)
                    .filter(|v| i32::try_from(*v).is_ok())
                    .ok_or_else(|| format!("a whole number, not {}", indmon_core::quote(raw)))?;
                check_number(spec, v as f64)?;
                b.append_value(v as i32);
            }
            Col::Int64(b) => {
                let v = parse_int(raw)
                    .ok_or_else(|| format!("a whole number, not {}", indmon_core::quote(raw)))?;
                check_number(spec, v as f64)?;
                b.append_value(v);
            }
            Col::Float64(b) => {
                let v = parse_float(raw)
                    .ok_or_else(|| format!("a number, not {}", indmon_core::quote(raw)))?;
                check_number(spec, v)?;
                b.append_value(v);
            }
            Col::Boolean(b) => {
                let v = parse_bool(raw)
                    .ok_or_else(|| format!("true or false, not {}", indmon_core::quote(raw)))?;
                b.append_value(v);
            }
        }
        Ok(())
    }

    /// Appends a missing value.
    pub fn push_null(&mut self, col: usize) {
        match &mut self.cols[col] {
            Col::Utf8(b) => b.append_null(),
            Col::Int32(b) => b.append_null(),
            Col::Int64(b) => b.append_null(),
            Col::Float64(b) => b.append_null(),
            Col::Boolean(b) => b.append_null(),
        }
    }

    /// Appends a text value (or missing) to a utf8 column.
    pub fn push_str(&mut self, col: usize, v: Option<&str>) {
        match &mut self.cols[col] {
            Col::Utf8(b) => b.append_option(v),
            _ => panic!("column {col} is not utf8"),
        }
    }

    /// Appends to an int32 column.
    pub fn push_i32(&mut self, col: usize, v: Option<i32>) {
        match &mut self.cols[col] {
            Col::Int32(b) => b.append_option(v),
            _ => panic!("column {col} is not int32"),
        }
    }

    /// Appends to a float64 column.
    pub fn push_f64(&mut self, col: usize, v: Option<f64>) {
        match &mut self.cols[col] {
            Col::Float64(b) => b.append_option(v),
            _ => panic!("column {col} is not float64"),
        }
    }

    /// Marks the end of a row: every column must have received exactly one value.
    pub fn end_row(&mut self) {
        self.rows += 1;
        debug_assert!(self.cols.iter().all(|c| col_len(c) == self.rows));
    }

    /// Drops a partly pushed row (after an error): rebuilds from the complete rows.
    /// Only used on the error path, where the builder is discarded anyway.
    pub fn discard(&mut self) {
        self.cols = Self::fresh(&self.schema);
        self.rows = 0;
    }

    /// Hands out the accumulated rows as one batch and starts afresh. Fails when a
    /// column that may not be empty received a missing value.
    pub fn finish(&mut self) -> Result<RecordBatch, String> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Utf8(b) => Arc::new(b.finish()),
                    Col::Int32(b) => Arc::new(b.finish()),
                    Col::Int64(b) => Arc::new(b.finish()),
                    Col::Float64(b) => Arc::new(b.finish()),
                    Col::Boolean(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(self.arrow.clone(), arrays).map_err(|e| e.to_string())
    }
}

fn col_len(c: &Col) -> usize {
    use arrow_array::builder::ArrayBuilder;
    match c {
        Col::Utf8(b) => b.len(),
        Col::Int32(b) => b.len(),
        Col::Int64(b) => b.len(),
        Col::Float64(b) => b.len(),
        Col::Boolean(b) => b.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};

    fn schema() -> Arc<TableSchema> {
        Arc::new(
            toml::from_str(
                r#"
                name = "t"
                version = 1
                [[columns]]
                name = "code"
                type = "utf8"
                len = 2
                [[columns]]
                name = "year"
                type = "int32"
                min = 1900
                [[columns]]
                name = "v"
                type = "float64"
                nullable = true
                null_tokens = ["NA", ":"]
                [[columns]]
                name = "flag"
                type = "boolean"
                "#,
            )
            .unwrap(),
        )
    }

    #[test]
    fn text_is_parsed_per_declared_type() {
        let mut b = TableBuilder::new(schema());
        for (code, year, v, flag) in [
            ("NL", "2023", "115740.0", "True"),
            ("DE", "2024.0", "NA", "0"),
        ] {
            b.push_text(0, code).unwrap();
            b.push_text(1, year).unwrap();
            b.push_text(2, v).unwrap();
            b.push_text(3, flag).unwrap();
            b.end_row();
        }
        let batch = b.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.column(1).as_primitive::<Int32Type>().value(1), 2024);
        let v = batch.column(2).as_primitive::<Float64Type>();
        assert_eq!(v.value(0), 115740.0);
        assert!(v.is_null(1));
        assert!(b.is_empty());
    }

    #[test]
    fn bad_values_say_what_was_expected() {
        let mut b = TableBuilder::new(schema());
        assert_eq!(b.push_text(0, "NLD").unwrap_err(), "exactly 2 characters");
        assert!(b.push_text(1, "20x3").unwrap_err().contains("whole number"));
        assert!(
            b.push_text(1, "1850")
                .unwrap_err()
                .contains("at least 1900")
        );
        assert!(b.push_text(1, "").unwrap_err().contains("may not be empty"));
        assert!(b.push_text(2, "1,5").unwrap_err().contains("a number"));
        assert!(b.push_text(2, "NaN").unwrap_err().contains("a number"));
        assert!(b.push_text(2, "inf").unwrap_err().contains("a number"));
        assert!(b.push_text(3, "yes").unwrap_err().contains("true or false"));
    }

    #[test]
    fn integers_written_as_floats_are_accepted_only_when_whole() {
        assert_eq!(parse_int("2.0"), Some(2));
        assert_eq!(parse_int("2.5"), None);
        assert_eq!(parse_int("-7"), Some(-7));
        assert_eq!(parse_float(".57"), Some(0.57));
    }
}
