//! The parser contract: what every parser takes (options, a sink for its batches, a
//! progress callback) and reports ([`Parsed`]), and the [`Emitter`] that checks every
//! batch against the declared schema before the sink sees it. The parsers themselves
//! are in [`crate::formats`] and [`crate::baci`].

use std::sync::Arc;

use arrow_array::RecordBatch;
use chrono::NaiveDate;
use indmon_core::TableSchema;

use crate::batch::TableBuilder;
use crate::input::Encoding;
use crate::validate::validate_batch;
use crate::{BATCH_ROWS, InputError, Result};

/// Version of the parsers, recorded with every vintage. Bumped when a parser's output
/// for the same input changes.
pub const PARSER_VERSION: u32 = 1;

/// Options of one parse.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Overrides the encoding the source declares.
    pub encoding: Option<Encoding>,
    /// The publisher's dataset the input must hold (e.g. Eurostat `nama_10_a64`);
    /// default: the one the source description names.
    pub expected_dataset: Option<String>,
    /// BACI's country list by ISO3 code, for inputs that name countries by ISO3
    /// (format `baci-iso3`).
    pub countries: Option<Arc<crate::countries::CountryCodes>>,
}

/// What a parse reports besides the batches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// Rows handed to the sink.
    pub rows: u64,
    /// The source's release or last-update date, where the input states it.
    pub release: Option<NaiveDate>,
    /// The release as the input writes it.
    pub release_label: Option<String>,
    /// Where the release date was found.
    pub release_basis: Option<String>,
    /// SHA-256 of the input bytes.
    pub sha256: String,
    /// Size of the input in bytes.
    pub input_bytes: u64,
    /// Things the user should know that did not stop the parse (e.g. ignored columns).
    pub warnings: Vec<String>,
}

/// Receives each validated batch; an error stops the parse.
pub type Sink<'a> = &'a mut dyn FnMut(RecordBatch) -> Result<()>;

/// Reports progress: bytes of the input read so far.
pub type Progress<'a> = &'a dyn Fn(u64);

/// Checks batches against the declared schema and passes them to the sink.
pub struct Emitter<'a, 'b> {
    #[allow(clippy::type_complexity)]
    schema: Arc<TableSchema>,
    file: String,
    sink: Sink<'b>,
    rows: u64,
    _marker: std::marker::PhantomData<&'a ()>,
}

impl<'a, 'b> Emitter<'a, 'b> {
    /// An emitter for `file`'s rows of `schema`.
    pub fn new(schema: Arc<TableSchema>, file: &str, sink: Sink<'b>) -> Self {
        Self {
            schema,
            file: file.to_string(),
            sink,
            rows: 0,
            _marker: std::marker::PhantomData,
        }
    }

    /// Emits the builder's rows once it holds a full batch.
    pub fn maybe_emit(&mut self, b: &mut TableBuilder) -> Result<()> {
        if b.len() >= BATCH_ROWS {
            self.emit(b)?;
        }
        Ok(())
    }

    /// Emits whatever rows the builder holds.
    pub fn emit(&mut self, b: &mut TableBuilder) -> Result<()> {
        if b.is_empty() {
            return Ok(());
        }
        let batch = b
            .finish()
            .map_err(|e| InputError::file(&self.file, format!("rows {}..: {e}", self.rows + 1)))?;
        self.emit_batch(batch)
    }

    /// Validates and emits a finished batch.
    pub fn emit_batch(&mut self, batch: RecordBatch) -> Result<()> {
        validate_batch(&self.schema, &batch)
            .map_err(|e| InputError::file(&self.file, format!("rows {}..: {e}", self.rows + 1)))?;
        self.rows += batch.num_rows() as u64;
        (self.sink)(batch)
    }

    /// Rows emitted so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}
