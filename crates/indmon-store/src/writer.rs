//! Writing a vintage: Parquet into a staging folder on a background thread (hashed as it
//! is written), then the catalog record beside it; the folder is moved into place by
//! its release ([`crate::release`]).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::schema::types::ColumnPath;
use indmon_core::{DatasetId, VintageMeta};

use crate::integrity::{HashingFile, sha256_bytes};
use crate::{Error, Result, io_err};

/// Writes `bytes` to `path` atomically: a synced temporary file in `tmp_dir` (on the
/// same file system), renamed over `path`.
pub fn write_atomic(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(tmp_dir).map_err(io_err(tmp_dir))?;
    let tmp = tmp_dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        unique()
    ));
    let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
    f.write_all(bytes).map_err(io_err(&tmp))?;
    f.sync_all().map_err(io_err(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io_err(path))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

pub(crate) fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// Makes a rename durable (best effort: not every file system can sync a folder).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The store's write lock, held by the one process that writes (released when dropped).
pub(crate) struct WriteLock {
    /// The data directory.
    pub(crate) root: PathBuf,
    _file: File,
}

impl WriteLock {
    /// Takes the write lock of the store at `root`, or fails at once when another
    /// process holds it.
    pub(crate) fn take(root: &Path) -> Result<Self> {
        let lock_path = root.join("lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        match file.try_lock() {
            Ok(()) => Ok(Self {
                root: root.to_path_buf(),
                _file: file,
            }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Corrupt {
                path: root.display().to_string(),
                message: "another indmon process is writing to this data directory; try again when it has finished".into(),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(&lock_path)(e)),
        }
    }
}

/// Writes one vintage. Batches go to a background thread that encodes Parquet while
/// the caller parses the next ones; [`commit`](Self::commit) (or
/// [`Release::add`](crate::Release::add) and [`Release::commit`](crate::Release::commit))
/// makes the vintage visible; dropping the writer without committing removes everything
/// it wrote.
pub struct VintageWriter {
    pub(crate) dataset: DatasetId,
    pub(crate) staging: PathBuf,
    tx: Option<SyncSender<RecordBatch>>,
    handle: Option<JoinHandle<Result<(u64, String)>>>,
    finished: bool,
    /// The write lock of a writer that is a release of its own ([`Store::writer`](crate::Store::writer)).
    pub(crate) solo: Option<WriteLock>,
}

/// The Parquet properties of the store's files: Snappy; dictionary encoding except for
/// floating-point columns, whose values rarely repeat (the attempt would only cost time).
pub(crate) fn writer_properties(
    schema: &datafusion::arrow::datatypes::Schema,
) -> datafusion::parquet::file::properties::WriterProperties {
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("indmon {}", indmon_core::INDMON_VERSION));
    for f in schema.fields() {
        if f.data_type().is_floating() {
            props = props.set_column_dictionary_enabled(ColumnPath::from(f.name().as_str()), false);
        }
    }
    props.build()
}

/// The Parquet writer of a vintage, with the schema of its first batch (see
/// [`writer_properties`]). The file is hashed as it is written.
fn parquet_writer(path: &Path, first: &RecordBatch) -> Result<ArrowWriter<HashingFile>> {
    let file = File::create(path).map_err(io_err(path))?;
    let schema = first.schema();
    let props = writer_properties(&schema);
    ArrowWriter::try_new(HashingFile::new(file), schema, Some(props)).map_err(|e| Error::Parquet {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

impl VintageWriter {
    /// A writer staging into `root/tmp/` (the caller holds the write lock).
    pub(crate) fn start(root: &Path, dataset: &DatasetId) -> Result<Self> {
        let staging = root.join("tmp").join(format!("{dataset}.{}", unique()));
        std::fs::create_dir_all(&staging).map_err(io_err(&staging))?;
        let file_path = staging.join("data.parquet");
        let (tx, rx) = sync_channel::<RecordBatch>(4);
        let handle = std::thread::Builder::new()
            .name("indmon-parquet".into())
            .spawn(move || -> Result<(u64, String)> {
                let path = &file_path;
                let perr = |e: datafusion::parquet::errors::ParquetError| Error::Parquet {
                    path: path.display().to_string(),
                    message: e.to_string(),
                };
                let mut writer: Option<(ArrowWriter<HashingFile>, _)> = None;
                let mut rows = 0u64;
                for batch in rx {
                    rows += batch.num_rows() as u64;
                    let (w, schema) = match &mut writer {
                        Some(w) => w,
                        None => writer.insert((parquet_writer(path, &batch)?, batch.schema())),
                    };
                    if *schema != batch.schema() {
                        return Err(Error::Parquet {
                            path: path.display().to_string(),
                            message: "a batch with another schema than the first".into(),
                        });
                    }
                    w.write(&batch).map_err(perr)?;
                }
                let Some((writer, _)) = writer else {
                    return Ok((0, String::new()));
                };
                let (file, sha) = writer.into_inner().map_err(perr)?.finish();
                file.sync_all().map_err(io_err(path))?;
                Ok((rows, sha))
            })
            .map_err(io_err(&staging))?;
        Ok(VintageWriter {
            dataset: dataset.clone(),
            staging,
            tx: Some(tx),
            handle: Some(handle),
            finished: false,
            solo: None,
        })
    }

    /// Queues a batch for writing.
    pub fn write(&mut self, batch: RecordBatch) -> Result<()> {
        let tx = self.tx.as_ref().expect("writer is open until commit");
        if tx.send(batch).is_err() {
            // the thread stopped: report its error
            self.tx = None;
            return match self.handle.take().map(JoinHandle::join) {
                Some(Ok(Err(e))) => Err(e),
                _ => Err(Error::Parquet {
                    path: self.staging.display().to_string(),
                    message: "the Parquet writer stopped".into(),
                }),
            };
        }
        Ok(())
    }

    /// Finishes the Parquet file and writes the catalog record (with the file's
    /// checksum) beside it. Returns the record, the staging folder and the SHA-256 of
    /// the record's bytes; the folder is the caller's from here.
    pub(crate) fn finish(mut self, meta: &VintageMeta) -> Result<(VintageMeta, PathBuf, String)> {
        self.tx = None;
        let (rows, sha) = match self.handle.take().map(JoinHandle::join) {
            Some(Ok(r)) => r?,
            _ => {
                return Err(Error::Parquet {
                    path: self.staging.display().to_string(),
                    message: "the Parquet writer panicked".into(),
                });
            }
        };
        if rows == 0 {
            return Err(Error::Corrupt {
                path: self.staging.display().to_string(),
                message: "a vintage without rows is not stored".into(),
            });
        }
        if rows != meta.rows || meta.dataset != self.dataset {
            return Err(Error::Corrupt {
                path: self.staging.display().to_string(),
                message: format!(
                    "catalog record says {} rows of {}, the file has {rows} of {}",
                    meta.rows, meta.dataset, self.dataset
                ),
            });
        }
        let mut meta = meta.clone();
        meta.data_sha256 = Some(sha);
        let meta_path = self.staging.join("meta.json");
        let mut json = serde_json::to_string_pretty(&meta).expect("catalog records serialise");
        json.push('\n');
        let mut f = File::create(&meta_path).map_err(io_err(&meta_path))?;
        f.write_all(json.as_bytes()).map_err(io_err(&meta_path))?;
        f.sync_all().map_err(io_err(&meta_path))?;
        sync_dir(&self.staging);
        self.finished = true;
        Ok((meta, self.staging.clone(), sha256_bytes(json.as_bytes())))
    }
}

impl Drop for VintageWriter {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Typed columns of one batch, for results indmon computes itself (complexity results
/// stored as a dataset): the store turns them into its file format. Every column must
/// have the same number of values.
#[derive(Debug, Default)]
pub struct Columns {
    pub(crate) fields: Vec<datafusion::arrow::datatypes::Field>,
    pub(crate) arrays: Vec<datafusion::arrow::array::ArrayRef>,
}

impl Columns {
    /// No columns yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(
        mut self,
        name: &str,
        t: datafusion::arrow::datatypes::DataType,
        nullable: bool,
        a: datafusion::arrow::array::ArrayRef,
    ) -> Self {
        self.fields
            .push(datafusion::arrow::datatypes::Field::new(name, t, nullable));
        self.arrays.push(a);
        self
    }

    /// A column of whole numbers (32 bits), never missing.
    pub fn int(self, name: &str, values: impl IntoIterator<Item = i32>) -> Self {
        use datafusion::arrow::array::Int32Array;
        let a = std::sync::Arc::new(Int32Array::from_iter_values(values));
        self.push(
            name,
            datafusion::arrow::datatypes::DataType::Int32,
            false,
            a,
        )
    }

    /// A column of numbers, never missing.
    pub fn float(self, name: &str, values: impl IntoIterator<Item = f64>) -> Self {
        use datafusion::arrow::array::Float64Array;
        let a = std::sync::Arc::new(Float64Array::from_iter_values(values));
        self.push(
            name,
            datafusion::arrow::datatypes::DataType::Float64,
            false,
            a,
        )
    }

    /// A column of numbers that may be missing.
    pub fn float_opt(self, name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        use datafusion::arrow::array::Float64Array;
        let a = std::sync::Arc::new(Float64Array::from_iter(values));
        self.push(
            name,
            datafusion::arrow::datatypes::DataType::Float64,
            true,
            a,
        )
    }

    /// A column of numbers, missing where a value is NaN: the column of
    /// [`Columns::float_opt`], built from the numbers at once (a copy and one pass for
    /// the missing ones).
    pub fn float_nan(self, name: &str, values: impl IntoIterator<Item = f64>) -> Self {
        use datafusion::arrow::array::Float64Array;
        use datafusion::arrow::buffer::{NullBuffer, ScalarBuffer};
        let values: Vec<f64> = values.into_iter().collect();
        let nulls = values
            .iter()
            .any(|v| v.is_nan())
            .then(|| NullBuffer::from_iter(values.iter().map(|v| !v.is_nan())));
        let a = std::sync::Arc::new(Float64Array::new(ScalarBuffer::from(values), nulls));
        self.push(
            name,
            datafusion::arrow::datatypes::DataType::Float64,
            true,
            a,
        )
    }

    /// A column of texts, never missing.
    pub fn text<S: AsRef<str>>(self, name: &str, values: impl IntoIterator<Item = S>) -> Self {
        use datafusion::arrow::array::StringArray;
        let a = std::sync::Arc::new(StringArray::from_iter_values(values));
        self.push(name, datafusion::arrow::datatypes::DataType::Utf8, false, a)
    }
}

impl VintageWriter {
    /// Queues typed columns as one batch.
    pub fn write_columns(&mut self, columns: Columns) -> Result<()> {
        let schema = std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(columns.fields));
        let batch = RecordBatch::try_new(schema, columns.arrays).map_err(|e| Error::Parquet {
            path: self.staging.display().to_string(),
            message: format!("columns of different lengths or types: {e}"),
        })?;
        self.write(batch)
    }
}
