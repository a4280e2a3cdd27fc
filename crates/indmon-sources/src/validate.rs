//! The last check before a batch may be written: does it follow the declared schema?
//! And the duplicate-key check every parser runs as it reads.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use indmon_core::{ColumnType, TableSchema};

use crate::batch::{arrow_type, check_number, check_text};

/// Checks a batch against the declared schema: the same columns in the same order,
/// the declared types, no missing values where the column is not nullable, and every
/// value within the declared limits. The message names the column and the row
/// (0-based within the batch).
pub fn validate_batch(schema: &TableSchema, batch: &RecordBatch) -> Result<(), String> {
    let fields = batch.schema();
    if fields.fields().len() != schema.columns.len() {
        return Err(format!(
            "batch has {} columns, schema {} declares {}",
            fields.fields().len(),
            schema.name,
            schema.columns.len()
        ));
    }
    for (i, c) in schema.columns.iter().enumerate() {
        let f = fields.field(i);
        if f.name() != &c.name {
            return Err(format!(
                "column {} is '{}', schema declares '{}'",
                i + 1,
                f.name(),
                c.name
            ));
        }
        if f.data_type() != &arrow_type(c.ty) {
            return Err(format!(
                "column '{}' has type {}, schema declares {}",
                c.name,
                f.data_type(),
                c.ty.name()
            ));
        }
        let arr = batch.column(i);
        if !c.nullable && arr.null_count() > 0 {
            let row = (0..arr.len()).find(|&r| arr.is_null(r)).unwrap_or(0);
            return Err(format!(
                "column '{}', row {row}: missing value in a column that may not be empty",
                c.name
            ));
        }
        let bad = |row: usize, expected: String| {
            format!("column '{}', row {row}: expected {expected}", c.name)
        };
        match c.ty {
            ColumnType::Float64 => {
                for (row, v) in arr.as_primitive::<Float64Type>().iter().enumerate() {
                    if let Some(v) = v {
                        check_number(c, v).map_err(|e| bad(row, e))?;
                    }
                }
            }
            ColumnType::Int32 if c.min.is_some() || c.max.is_some() => {
                for (row, v) in arr.as_primitive::<Int32Type>().iter().enumerate() {
                    if let Some(v) = v {
                        check_number(c, v as f64).map_err(|e| bad(row, e))?;
                    }
                }
            }
            ColumnType::Int64 if c.min.is_some() || c.max.is_some() => {
                for (row, v) in arr.as_primitive::<Int64Type>().iter().enumerate() {
                    if let Some(v) = v {
                        check_number(c, v as f64).map_err(|e| bad(row, e))?;
                    }
                }
            }
            ColumnType::Utf8 if c.len.is_some() => {
                for (row, v) in arr.as_string::<i32>().iter().enumerate() {
                    if let Some(v) = v {
                        check_text(c, v).map_err(|e| bad(row, e))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Remembers the key of every row read so far and the line it was on, to refuse a
/// duplicate with both line numbers.
#[derive(Default)]
pub struct KeyCheck {
    seen: HashMap<Box<[u8]>, u64>,
    buf: Vec<u8>,
}

impl KeyCheck {
    /// An empty check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the key made of `parts` (read on `line`); returns the line of the
    /// earlier row with the same key, if any.
    pub fn insert<'a>(
        &mut self,
        parts: impl IntoIterator<Item = &'a str>,
        line: u64,
    ) -> Option<u64> {
        self.buf.clear();
        for p in parts {
            self.buf.extend_from_slice(p.as_bytes());
            self.buf.push(0x1f);
        }
        if let Some(&first) = self.seen.get(self.buf.as_slice()) {
            return Some(first);
        }
        self.seen.insert(self.buf.clone().into_boxed_slice(), line);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::TableBuilder;
    use std::sync::Arc;

    fn schema(extra: &str) -> Arc<TableSchema> {
        Arc::new(
            toml::from_str(&format!(
                "name='t'\nversion=1\n[[columns]]\nname='k'\ntype='utf8'\nlen=6\n[[columns]]\nname='v'\ntype='float64'\nmin=0\n{extra}"
            ))
            .unwrap(),
        )
    }

    #[test]
    fn a_batch_of_the_declared_schema_passes() {
        let s = schema("");
        let mut b = TableBuilder::new(s.clone());
        b.push_str(0, Some("010121"));
        b.push_f64(1, Some(1.5));
        b.end_row();
        validate_batch(&s, &b.finish().unwrap()).unwrap();
    }

    #[test]
    fn values_outside_the_declaration_are_caught() {
        let s = schema("");
        let mut b = TableBuilder::new(s.clone());
        b.push_str(0, Some("10121"));
        b.push_f64(1, Some(1.5));
        b.end_row();
        let e = validate_batch(&s, &b.finish().unwrap()).unwrap_err();
        assert!(
            e.contains("column 'k', row 0") && e.contains("6 characters"),
            "{e}"
        );

        let mut b = TableBuilder::new(s.clone());
        b.push_str(0, Some("010121"));
        b.push_f64(1, Some(-1.0));
        b.end_row();
        assert!(
            validate_batch(&s, &b.finish().unwrap())
                .unwrap_err()
                .contains("at least 0")
        );

        // a missing value in a column that may not be empty: the builder refuses it,
        // and so does the check of a batch made elsewhere with a laxer Arrow schema
        let mut b = TableBuilder::new(s.clone());
        b.push_str(0, None);
        b.push_f64(1, Some(1.0));
        b.end_row();
        assert!(b.finish().unwrap_err().contains("null"));
        let lax = std::sync::Arc::new(arrow_schema::Schema::new(vec![
            arrow_schema::Field::new("k", arrow_schema::DataType::Utf8, true),
            arrow_schema::Field::new("v", arrow_schema::DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            lax,
            vec![
                std::sync::Arc::new(arrow_array::StringArray::from(vec![None::<&str>])),
                std::sync::Arc::new(arrow_array::Float64Array::from(vec![1.0])),
            ],
        )
        .unwrap();
        assert!(
            validate_batch(&s, &batch)
                .unwrap_err()
                .contains("missing value")
        );
    }

    #[test]
    fn a_batch_of_another_schema_is_refused() {
        let other = schema("[[columns]]\nname='q'\ntype='float64'\n");
        let mut b = TableBuilder::new(other);
        b.push_str(0, Some("010121"));
        b.push_f64(1, Some(1.0));
        b.push_f64(2, Some(1.0));
        b.end_row();
        assert!(
            validate_batch(&schema(""), &b.finish().unwrap())
                .unwrap_err()
                .contains("3 columns")
        );
    }

    #[test]
    fn duplicate_keys_name_the_first_line() {
        let mut k = KeyCheck::new();
        assert_eq!(k.insert(["NL", "C", "2023"], 2), None);
        assert_eq!(k.insert(["NL", "C", "2022"], 3), None);
        // separators keep ("N","LC") apart from ("NL","C")
        assert_eq!(k.insert(["N", "LC", "2023"], 4), None);
        assert_eq!(k.insert(["NL", "C", "2023"], 9), Some(2));
    }
}
