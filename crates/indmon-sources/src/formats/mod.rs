//! The parsers, one module per input format, and what they share: the options a
//! parse takes, what it reports, and the [`Emitter`] that checks every batch against
//! the declared schema before handing it on.

pub mod baci_iso3;
pub mod cbs;
pub mod csv_table;
pub mod eurostat;
pub mod na_obs;
pub mod oecd;
pub mod panel_csv;
pub mod undata;

use chrono::NaiveDate;

use crate::input::{Encoding, Input};
use crate::spec::{Format, SourceSpec};
use crate::{Error, InputError, Result};

pub use crate::parse::{Emitter, PARSER_VERSION, ParseOptions, Parsed, Progress, Sink};

/// Parses `input` as the source `spec` describes, handing validated batches to `sink`.
/// Small formats are read whole; BACI trade files are streamed.
pub fn parse(
    spec: &SourceSpec,
    input: &Input,
    opts: &ParseOptions,
    sink: Sink<'_>,
    progress: Progress<'_>,
) -> Result<Parsed> {
    if spec.format == Format::Baci {
        return crate::baci::parse(spec, input, sink, progress);
    }
    let bytes = input.read_all()?;
    let mut parsed = Parsed {
        sha256: crate::input::sha256_hex(&bytes),
        input_bytes: bytes.len() as u64,
        ..Parsed::default()
    };
    let encoding = opts.encoding.unwrap_or(spec.encoding);
    let body = crate::input::strip_bom(&input.name, &bytes)?;
    let ctx = Ctx {
        spec,
        file: &input.name,
        encoding,
        opts,
    };
    match spec.format {
        Format::Eurostat => eurostat::parse(&ctx, body, &mut parsed, sink)?,
        Format::OecdSdmxCsv => oecd::parse(&ctx, body, &mut parsed, sink)?,
        Format::UndataCsv => undata::parse(&ctx, body, &mut parsed, sink)?,
        Format::CsvTable => csv_table::parse(&ctx, body, &mut parsed, sink)?,
        Format::CbsOdata => cbs::parse_file(&ctx, body, &mut parsed, sink)?,
        Format::BaciIso3 => baci_iso3::parse(&ctx, body, &mut parsed, sink)?,
        Format::Baci => unreachable!("streamed above"),
    }
    progress(parsed.input_bytes);
    Ok(parsed)
}

/// What every parser needs to know about its input.
pub struct Ctx<'a> {
    /// The source description.
    pub spec: &'a SourceSpec,
    /// The input's name, for messages.
    pub file: &'a str,
    /// The encoding to read it with.
    pub encoding: Encoding,
    /// The parse options.
    pub opts: &'a ParseOptions,
}

impl Ctx<'_> {
    /// An input error at a line and field.
    pub fn err(&self, line: u64, field: &str, message: impl Into<String>) -> Error {
        let e = InputError::file(self.file, message).in_field(field);
        if line > 0 {
            e.at_line(line).into()
        } else {
            e.into()
        }
    }

    /// Decodes a raw CSV field in the input's encoding.
    pub fn text<'b>(
        &self,
        raw: &'b [u8],
        line: u64,
        field: &str,
    ) -> Result<std::borrow::Cow<'b, str>> {
        crate::input::decode(raw, self.encoding).map_err(|m| self.err(line, field, m))
    }
}

/// Repairs text that was UTF-8, read as Latin-1 and written out as UTF-8 again
/// (`CÃ´te d'Ivoire` → `Côte d'Ivoire`). Text that does not round-trip is returned
/// unchanged.
pub fn repair_mojibake(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| ('\u{80}'..='\u{FF}').contains(&c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    if s.chars().any(|c| c as u32 > 0xFF) {
        return std::borrow::Cow::Borrowed(s);
    }
    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
    match String::from_utf8(bytes) {
        Ok(fixed) => std::borrow::Cow::Owned(fixed),
        Err(_) => std::borrow::Cow::Borrowed(s),
    }
}

/// Parses a Eurostat `LAST UPDATE` stamp (`dd/mm/yy hh:mm:ss`) to its date.
pub fn parse_estat_stamp(s: &str) -> Option<NaiveDate> {
    let date = s.split_whitespace().next()?;
    NaiveDate::parse_from_str(date, "%d/%m/%y").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_and_clean_text_left_alone() {
        assert_eq!(repair_mojibake("CÃ´te d'Ivoire"), "Côte d'Ivoire");
        assert_eq!(repair_mojibake("TÃ¼rkiye"), "Türkiye");
        assert_eq!(repair_mojibake("Côte d'Ivoire"), "Côte d'Ivoire");
        assert_eq!(repair_mojibake("Netherlands"), "Netherlands");
    }

    #[test]
    fn eurostat_stamps() {
        assert_eq!(
            parse_estat_stamp("12/03/25 23:00:00"),
            NaiveDate::from_ymd_opt(2025, 3, 12)
        );
        assert_eq!(parse_estat_stamp("garbage"), None);
    }
}
