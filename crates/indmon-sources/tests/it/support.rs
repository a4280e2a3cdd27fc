//! Helpers shared by the integration tests.

use std::path::PathBuf;

use arrow_array::RecordBatch;
use indmon_sources::formats::baci_iso3::CountryCodes;
use indmon_sources::formats::{ParseOptions, Parsed, parse};
use indmon_sources::{Input, registry};

/// The repository's bundled data folder.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// Parses `input` as source `id`; returns the batches and the report.
pub fn parse_input(
    id: &str,
    input: &Input,
) -> Result<(Vec<RecordBatch>, Parsed), indmon_sources::Error> {
    let spec = registry().get(id).unwrap();
    let mut batches = Vec::new();
    // a source that names countries by ISO3 reads them through BACI's bundled list
    let countries = spec.country_list.as_ref().map(|l| {
        let bytes = std::fs::read(data_dir().join(l)).unwrap();
        std::sync::Arc::new(CountryCodes::from_baci_list(l, &bytes).unwrap())
    });
    let parsed = parse(
        spec,
        input,
        &ParseOptions {
            countries,
            ..ParseOptions::default()
        },
        &mut |b| {
            batches.push(b);
            Ok(())
        },
        &|_| {},
    )?;
    Ok((batches, parsed))
}

/// Parses the bundled copy of source `id`.
pub fn parse_bundled(id: &str) -> (Vec<RecordBatch>, Parsed) {
    let spec = registry().get(id).unwrap();
    let path = data_dir().join(spec.bundled.as_ref().unwrap());
    parse_input(id, &Input::file(&path)).unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// Parses bytes as source `id` and returns the error message.
pub fn parse_err(id: &str, name: &str, bytes: &[u8]) -> String {
    match parse_input(id, &Input::bytes(name, bytes.to_vec())) {
        Ok((_, p)) => panic!("{id}: {name} parsed ({} rows) but should fail", p.rows),
        Err(e) => e.to_string(),
    }
}

/// The value of column `value` where the text columns equal the given values.
pub fn lookup(
    batches: &[RecordBatch],
    keys: &[(&str, &str)],
    int_keys: &[(&str, i32)],
    col: &str,
) -> Vec<Option<f64>> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            let text_ok = keys.iter().all(|(k, v)| {
                let a = b.column_by_name(k).unwrap().as_string::<i32>();
                !a.is_null(r) && a.value(r) == *v
            });
            let int_ok = int_keys.iter().all(|(k, v)| {
                b.column_by_name(k)
                    .unwrap()
                    .as_primitive::<Int32Type>()
                    .value(r)
                    == *v
            });
            if text_ok && int_ok {
                let a = b.column_by_name(col).unwrap().as_primitive::<Float64Type>();
                out.push((!a.is_null(r)).then(|| a.value(r)));
            }
        }
    }
    out
}

/// The text of column `col` where the text columns equal the given values.
pub fn lookup_text(
    batches: &[RecordBatch],
    keys: &[(&str, &str)],
    int_keys: &[(&str, i32)],
    col: &str,
) -> Vec<Option<String>> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            let text_ok = keys.iter().all(|(k, v)| {
                let a = b.column_by_name(k).unwrap().as_string::<i32>();
                !a.is_null(r) && a.value(r) == *v
            });
            let int_ok = int_keys.iter().all(|(k, v)| {
                b.column_by_name(k)
                    .unwrap()
                    .as_primitive::<Int32Type>()
                    .value(r)
                    == *v
            });
            if text_ok && int_ok {
                let a = b.column_by_name(col).unwrap().as_string::<i32>();
                out.push((!a.is_null(r)).then(|| a.value(r).to_string()));
            }
        }
    }
    out
}

/// Total rows of batches.
pub fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}
