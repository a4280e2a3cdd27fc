//! Rows of the shared `na_obs` schema (national-accounts observations), with the
//! duplicate check all national-accounts parsers need.

use crate::Result;
use crate::batch::TableBuilder;
use crate::formats::{Ctx, Emitter};
use crate::spec::registry;
use crate::validate::KeyCheck;

/// One observation to append.
#[derive(Debug, Clone, Default)]
pub struct NaRow<'a> {
    /// Geography code.
    pub geo: &'a str,
    /// Activity code.
    pub nace: &'a str,
    /// Item code.
    pub na_item: &'a str,
    /// Unit code.
    pub unit: &'a str,
    /// Year.
    pub time: i32,
    /// Value in `unit`.
    pub value: Option<f64>,
    /// Observation flag.
    pub flag: Option<&'a str>,
    /// Confidentiality status.
    pub conf_status: Option<&'a str>,
    /// Source series.
    pub series: Option<&'a str>,
    /// Footnotes.
    pub note: Option<&'a str>,
}

/// Accumulates `na_obs` rows and refuses duplicates.
pub struct NaObsWriter {
    builder: TableBuilder,
    keys: KeyCheck,
}

impl NaObsWriter {
    /// A writer for the shared schema.
    pub fn new() -> Self {
        let schema = registry().schema("na_obs").expect("na_obs is shipped");
        Self {
            builder: TableBuilder::new(schema),
            keys: KeyCheck::new(),
        }
    }

    /// The schema's columns, for the emitter.
    pub fn schema(&self) -> std::sync::Arc<indmon_core::TableSchema> {
        self.builder.schema().clone()
    }

    /// Appends one row read on `line`; emits a batch when one is full.
    pub fn push(
        &mut self,
        ctx: &Ctx<'_>,
        line: u64,
        r: &NaRow<'_>,
        out: &mut Emitter<'_, '_>,
    ) -> Result<()> {
        let time = r.time.to_string();
        let key = [
            r.geo,
            r.nace,
            r.na_item,
            r.unit,
            time.as_str(),
            r.series.unwrap_or(""),
        ];
        if let Some(first) = self.keys.insert(key, line) {
            return Err(ctx.err(
                line,
                "TIME_PERIOD",
                format!(
                    "duplicate observation: geo {}, nace {}, item {}, unit {}, year {}{} already appeared on line {first}",
                    r.geo,
                    r.nace,
                    r.na_item,
                    r.unit,
                    r.time,
                    r.series.map(|s| format!(", series {s}")).unwrap_or_default()
                ),
            ));
        }
        if !(1900..=2100).contains(&r.time) {
            return Err(ctx.err(
                line,
                "TIME_PERIOD",
                format!("year {} is outside 1900-2100", r.time),
            ));
        }
        if let Some(v) = r.value
            && !v.is_finite()
        {
            return Err(ctx.err(line, "OBS_VALUE", "not a finite number"));
        }
        let b = &mut self.builder;
        b.push_str(0, Some(r.geo));
        b.push_str(1, Some(r.nace));
        b.push_str(2, Some(r.na_item));
        b.push_str(3, Some(r.unit));
        b.push_i32(4, Some(r.time));
        b.push_f64(5, r.value);
        b.push_str(6, r.flag.filter(|s| !s.is_empty()));
        b.push_str(7, r.conf_status.filter(|s| !s.is_empty()));
        b.push_str(8, r.series.filter(|s| !s.is_empty()));
        b.push_str(9, r.note.filter(|s| !s.is_empty()));
        b.end_row();
        out.maybe_emit(b)
    }

    /// Emits the remaining rows.
    pub fn finish(&mut self, out: &mut Emitter<'_, '_>) -> Result<()> {
        out.emit(&mut self.builder)
    }
}

impl Default for NaObsWriter {
    fn default() -> Self {
        Self::new()
    }
}
