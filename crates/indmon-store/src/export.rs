//! Exports of results as Parquet files of their own, outside the store: typed columns
//! encoded by one thread per core (each thread encodes its share of the columns of a
//! row group), written through an [`OutFile`].

use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Float64Type, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, compute_leaves,
};
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::schema::types::ColumnPath;

use crate::outfile::OutFile;
use crate::writer::{Columns, writer_properties};
use crate::{Error, Result};

/// Rows per row group of an export (the Parquet writer's default).
const ROW_GROUP_ROWS: usize = 1024 * 1024;

/// Writes typed columns as a Parquet file of its own outside the store (an export of a
/// result), encoded as the store's files are — except that a column of numbers that
/// repeat (a location's ECI on every one of its rows) is dictionary-encoded — through a
/// temporary file beside `path` that is synced and renamed into place when complete
/// ([`OutFile`]): a failure never leaves part of a file. Every batch must have the
/// columns of the first; the batches must hold `expected` rows in all (fewer — a
/// producer that stopped early — is an error, and no file is left). Returns the number
/// of rows. The caller refuses paths inside the data directory
/// ([`Store::refuse_inside`](crate::Store::refuse_inside)).
pub fn write_parquet_file(
    path: &std::path::Path,
    expected: u64,
    batches: impl IntoIterator<Item = Columns>,
) -> Result<u64> {
    write_groups(path, expected, batches, ROW_GROUP_ROWS)
}

/// [`write_parquet_file`] with row groups of at least `group_rows` rows (the batches
/// are not split).
fn write_groups(
    path: &std::path::Path,
    expected: u64,
    batches: impl IntoIterator<Item = Columns>,
    group_rows: usize,
) -> Result<u64> {
    let perr = |e: &dyn std::fmt::Display| Error::Parquet {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut first_schema: Option<SchemaRef> = None;
    let mut batches = batches.into_iter().map(|columns| {
        let schema = Arc::new(Schema::new(columns.fields));
        if first_schema.as_ref().is_some_and(|first| *first != schema) {
            return Err(perr(&"a batch with other columns than the first"));
        }
        let batch = RecordBatch::try_new(schema.clone(), columns.arrays)
            .map_err(|e| perr(&format!("columns of different lengths or types: {e}")))?;
        first_schema.get_or_insert(schema);
        Ok(batch)
    });
    let first = batches.next().ok_or_else(|| perr(&"no rows to write"))??;
    let schema = first.schema();
    let writer = ArrowWriter::try_new(
        OutFile::create(path)?,
        schema.clone(),
        Some(export_properties(&first)),
    )
    .map_err(|e| perr(&e))?;
    // the writer has put the Arrow schema in the file's metadata; the row groups are
    // encoded here
    let (mut file, factory) = writer.into_serialized_writer().map_err(|e| perr(&e))?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, schema.fields().len());
    let mut next = Some(first);
    let mut rows = 0u64;
    for group in 0.. {
        let Some(batch) = next.take() else { break };
        let writers = factory.create_column_writers(group).map_err(|e| perr(&e))?;
        if writers.len() != schema.fields().len() {
            return Err(perr(&"nested columns cannot be exported"));
        }
        // column k to thread k mod threads
        let mut shares: Vec<Vec<(usize, ArrowColumnWriter)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (k, w) in writers.into_iter().enumerate() {
            shares[k % threads].push((k, w));
        }
        let chunks = std::thread::scope(|s| -> Result<Vec<(usize, ArrowColumnChunk)>> {
            let mut senders = Vec::with_capacity(threads);
            let mut encoders = Vec::with_capacity(threads);
            for share in shares {
                let (tx, rx) = sync_channel::<RecordBatch>(2);
                senders.push(tx);
                encoders.push(s.spawn(move || encode(share, rx)));
            }
            // the batches of this row group, to every encoder; a bad batch ends them, and
            // its error is returned after the encoders are joined
            let mut in_group = 0usize;
            let mut batch = batch;
            let fed: Result<()> = loop {
                in_group += batch.num_rows();
                rows += batch.num_rows() as u64;
                for tx in &senders {
                    // an encoder that stopped has its error in its result
                    let _ = tx.send(batch.clone());
                }
                let following = batches.next().transpose();
                match following {
                    Err(e) => break Err(e),
                    Ok(b) if in_group >= group_rows => {
                        next = b;
                        break Ok(());
                    }
                    Ok(Some(b)) => batch = b,
                    Ok(None) => break Ok(()),
                }
            };
            drop(senders);
            let mut chunks = Vec::with_capacity(schema.fields().len());
            let mut failed = None;
            for e in encoders {
                match e.join() {
                    Ok(Ok(c)) => chunks.extend(c),
                    Ok(Err(e)) => failed = failed.or(Some(perr(&e))),
                    Err(_) => failed = failed.or(Some(perr(&"a Parquet encoding thread panicked"))),
                }
            }
            fed?;
            if let Some(e) = failed {
                return Err(e);
            }
            chunks.sort_by_key(|(k, _)| *k);
            Ok(chunks)
        })?;
        let mut group_writer = file.next_row_group().map_err(|e| perr(&e))?;
        for (_, chunk) in chunks {
            chunk
                .append_to_row_group(&mut group_writer)
                .map_err(|e| perr(&e))?;
        }
        group_writer.close().map_err(|e| perr(&e))?;
    }
    if rows != expected {
        return Err(perr(&format!(
            "{rows} rows were written where {expected} were expected (the rows stopped early)"
        )));
    }
    file.into_inner().map_err(|e| perr(&e))?.finish()?;
    Ok(rows)
}

/// Encodes the columns of `share` (with their places in the batch) of every batch
/// received, and returns their chunks.
fn encode(
    mut share: Vec<(usize, ArrowColumnWriter)>,
    batches: std::sync::mpsc::Receiver<RecordBatch>,
) -> datafusion::parquet::errors::Result<Vec<(usize, ArrowColumnChunk)>> {
    for batch in batches {
        for (k, w) in &mut share {
            for leaf in compute_leaves(batch.schema().field(*k), batch.column(*k))? {
                w.write(&leaf)?;
            }
        }
    }
    share
        .into_iter()
        .map(|(k, w)| Ok((k, w.close()?)))
        .collect()
}

/// The store's encoding ([`writer_properties`]), with dictionaries for the columns of
/// numbers that repeat in the first batch (fewer distinct values than a quarter of its
/// rows, among its first 65,536).
fn export_properties(first: &RecordBatch) -> WriterProperties {
    let schema = first.schema();
    let mut props = writer_properties(&schema).into_builder();
    for (f, col) in schema.fields().iter().zip(first.columns()) {
        if let Some(values) = col.as_primitive_opt::<Float64Type>() {
            let n = values.len().min(1 << 16);
            let mut bits: Vec<u64> = values.values()[..n].iter().map(|v| v.to_bits()).collect();
            bits.sort_unstable();
            bits.dedup();
            if bits.len() * 4 < n {
                props =
                    props.set_column_dictionary_enabled(ColumnPath::from(f.name().as_str()), true);
            }
        }
    }
    props.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, Float64Array, Int32Array, StringArray};
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::fs::File;

    fn batch(from: i32, n: i32) -> Columns {
        Columns::new()
            .int("year", from..from + n)
            .text("code", (from..from + n).map(|i| format!("c{i}")))
            .float_opt(
                "x",
                (from..from + n).map(|i| (i % 2 == 0).then_some(f64::from(i) / 4.0)),
            )
    }

    #[test]
    fn a_parquet_file_reads_back_with_its_columns_rows_and_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parquet");
        let rows = write_parquet_file(&path, 5, [batch(0, 3), batch(3, 2)]).unwrap();
        assert_eq!(rows, 5);
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        let schema = batches[0].schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["year", "code", "x"]);
        let mut years = Vec::new();
        let mut codes = Vec::new();
        let mut xs = Vec::new();
        for b in &batches {
            let y = b.column(0).as_any().downcast_ref::<Int32Array>().unwrap();
            let c = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
            let x = b.column(2).as_any().downcast_ref::<Float64Array>().unwrap();
            for i in 0..b.num_rows() {
                years.push(y.value(i));
                codes.push(c.value(i).to_string());
                xs.push((!x.is_null(i)).then(|| x.value(i)));
            }
        }
        assert_eq!(years, [0, 1, 2, 3, 4]);
        assert_eq!(codes, ["c0", "c1", "c2", "c3", "c4"]);
        assert_eq!(xs, [Some(0.0), None, Some(0.5), None, Some(1.0)]);
        assert_eq!(years.len() as u64, rows);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_failed_parquet_write_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parquet");
        // the second batch has other columns than the first
        let other = Columns::new().int("year", [1]);
        assert!(write_parquet_file(&path, 3, [batch(0, 2), other]).is_err());
        assert!(write_parquet_file(&path, 0, []).is_err());
        // batches that stop before the rows expected (a producer that died)
        assert!(write_parquet_file(&path, 5, [batch(0, 3)]).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn row_groups_encoded_in_parallel_read_back_in_order_with_repeated_numbers_in_dictionaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parquet");
        // 40 batches of 100 rows, row groups of 1,000 rows; `r` repeats (4 values), `u`
        // does not
        let batches = (0..40).map(|b| {
            let rows = b * 100..(b + 1) * 100;
            Columns::new()
                .int("i", rows.clone())
                .float("r", rows.clone().map(|i| f64::from(i % 4) / 3.0))
                .float_opt(
                    "u",
                    rows.map(|i| (i % 7 != 0).then_some(f64::from(i).sqrt())),
                )
        });
        assert_eq!(write_groups(&path, 4000, batches, 1000).unwrap(), 4000);
        let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
        let meta = builder.metadata().clone();
        assert_eq!(meta.num_row_groups(), 4);
        let encodings = |col: usize| {
            meta.row_group(0)
                .column(col)
                .encodings()
                .collect::<Vec<_>>()
        };
        use datafusion::parquet::basic::Encoding;
        assert!(
            encodings(1).contains(&Encoding::RLE_DICTIONARY),
            "{:?}",
            encodings(1)
        );
        assert!(
            !encodings(2).contains(&Encoding::RLE_DICTIONARY),
            "{:?}",
            encodings(2)
        );
        let mut n = 0;
        for b in builder.build().unwrap() {
            let b = b.unwrap();
            let i = b.column(0).as_any().downcast_ref::<Int32Array>().unwrap();
            let r = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
            let u = b.column(2).as_any().downcast_ref::<Float64Array>().unwrap();
            for k in 0..b.num_rows() {
                let want = n;
                assert_eq!(i.value(k), want);
                assert_eq!(r.value(k), f64::from(want % 4) / 3.0);
                if want % 7 == 0 {
                    assert!(u.is_null(k));
                } else {
                    assert_eq!(u.value(k), f64::from(want).sqrt());
                }
                n += 1;
            }
        }
        assert_eq!(n, 4000);
    }
}
