//! Reading query results column by column.

use indmon_store::arrow::array::{Array, AsArray, RecordBatch};
use indmon_store::arrow::compute::cast;
use indmon_store::arrow::datatypes::{DataType, Float64Type};

use crate::Result;

/// Column `c` of a batch as optional strings (any Arrow type, via a cast to Utf8).
pub(crate) fn text(batch: &RecordBatch, c: usize) -> Result<Vec<Option<String>>> {
    let col = cast(batch.column(c), &DataType::Utf8)?;
    let a = col.as_string::<i32>();
    Ok((0..a.len())
        .map(|r| (!a.is_null(r)).then(|| a.value(r).to_string()))
        .collect())
}

/// Column `c` of a batch as numbers (any numeric Arrow type, via a cast to Float64).
pub(crate) fn num(batch: &RecordBatch, c: usize) -> Result<Vec<Option<f64>>> {
    let col = cast(batch.column(c), &DataType::Float64)?;
    let a = col.as_primitive::<Float64Type>();
    Ok((0..a.len())
        .map(|r| (!a.is_null(r)).then(|| a.value(r)))
        .collect())
}
