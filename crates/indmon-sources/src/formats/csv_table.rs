//! Plain CSV tables whose columns the source description declares one by one
//! (classifications, correspondences, World Bank and CRM tables).
//!
//! Columns are found by their name in the header (`from`, or the column name);
//! a declared column missing from the file is an error, a column the description does
//! not know is ignored with a warning. Each value is parsed to its declared type and
//! checked against its limits; rows with the same declared key are refused, naming
//! both lines.

use crate::Result;
use crate::batch::TableBuilder;
use crate::formats::{Ctx, Emitter, Parsed, Sink, repair_mojibake};
use crate::input::{CsvHeader, check_complete, csv_error, csv_reader};
use crate::validate::KeyCheck;

pub(crate) fn parse(ctx: &Ctx<'_>, body: &[u8], parsed: &mut Parsed, sink: Sink<'_>) -> Result<()> {
    check_complete(ctx.file, body)?;
    let schema = ctx.spec.table();
    let mut rdr = csv_reader(body);
    let header = CsvHeader::read(ctx.file, &mut rdr, ctx.encoding)?;
    let wanted: Vec<&str> = schema.columns.iter().map(|c| c.input_name()).collect();
    let pos = header.positions(ctx.file, &wanted)?;
    parsed
        .warnings
        .extend(header.ignored_warning(ctx.file, &wanted, "the source description"));
    let key_cols: Vec<usize> = schema
        .key
        .iter()
        .map(|k| schema.index_of(k).expect("key columns are checked at load"))
        .collect();
    let mut keys = KeyCheck::new();
    let mut b = TableBuilder::new(schema.clone());
    let mut out = Emitter::new(schema.clone(), ctx.file, sink);
    let mut rec = csv::ByteRecord::new();
    let mut values: Vec<String> = vec![String::new(); schema.columns.len()];
    // the texts repaired, each once, in the order met: reported as a warning
    let mut repaired: Vec<(String, String)> = Vec::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(ctx.file, e).into()),
        }
        let line = rec.position().map_or(0, |p| p.line());
        if ctx.spec.skip_repeated_headers
            && rec.len() == header.names.len()
            && rec
                .iter()
                .zip(&header.names)
                .all(|(v, h)| v == h.as_bytes())
        {
            continue;
        }
        for (c, col) in schema.columns.iter().enumerate() {
            let name = col.input_name();
            let text = ctx.text(&rec[pos[c]], line, name)?;
            let text = if ctx.spec.repair_mojibake {
                let fixed = repair_mojibake(&text);
                if fixed != text && !repaired.iter().any(|(from, _)| *from == *text) {
                    repaired.push((text.to_string(), fixed.to_string()));
                }
                fixed.into_owned()
            } else {
                text.into_owned()
            };
            values[c] = text;
        }
        if !key_cols.is_empty()
            && let Some(first) = keys.insert(key_cols.iter().map(|&c| values[c].trim()), line)
        {
            let key = key_cols
                .iter()
                .map(|&c| {
                    format!(
                        "{} = {}",
                        schema.columns[c].input_name(),
                        indmon_core::quote(values[c].trim())
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ctx.err(
                line,
                schema.columns[key_cols[0]].input_name(),
                format!("duplicate row: {key} already appeared on line {first}"),
            ));
        }
        for (c, col) in schema.columns.iter().enumerate() {
            b.push_text(c, &values[c]).map_err(|expected| {
                let e = crate::InputError::file(
                    ctx.file,
                    format!("bad value {}", indmon_core::quote(values[c].trim())),
                )
                .at_line(line)
                .in_field(col.input_name())
                .expected(expected);
                crate::Error::from(e)
            })?;
        }
        b.end_row();
        out.maybe_emit(&mut b)?;
    }
    out.emit(&mut b)?;
    parsed.rows = out.rows();
    if !repaired.is_empty() {
        parsed.warnings.push(format!(
            "{}: repaired {} text(s) the file carries double-encoded (UTF-8 read as Latin-1): {}",
            ctx.file,
            repaired.len(),
            repaired
                .iter()
                .map(|(from, to)| format!(
                    "{} → {}",
                    indmon_core::quote(from),
                    indmon_core::quote(to)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}
