//! UNdata National Accounts Official Country Data (Table 2.4, value added by
//! industry) as exported from data.un.org, into `na_obs`.
//!
//! The export is a quoted CSV followed by a footnote block (`"footnote_SeqID","Footnote"`
//! and one line per footnote). Data stop at that block; the footnotes are read and
//! their text kept with each value that refers to them (column `note`). Values are in
//! currency units and stored in millions; euro series get unit CP_MEUR, others CP_MNAC
//! with the currency named in the note. Items map by their SNA93 item code: ISIC
//! sections stay as they are, `B.1g` (value added, gross) becomes nace TOTAL. Country
//! names map to indmon geo codes through `codelists/geo.csv`.

use std::collections::HashMap;

use crate::codelist::codelists;
use crate::formats::na_obs::{NaObsWriter, NaRow};
use crate::formats::{Ctx, Emitter, Parsed, Sink};
use crate::input::{CsvHeader, check_complete, csv_error};
use crate::{InputError, Result};

const COLUMNS: [&str; 12] = [
    "Country or Area",
    "SNA93 Table Code",
    "Sub Group",
    "Item",
    "SNA93 Item Code",
    "Year",
    "Series",
    "Currency",
    "SNA System",
    "Fiscal Year Type",
    "Value",
    "Value Footnotes",
];

pub(crate) fn parse(ctx: &Ctx<'_>, body: &[u8], parsed: &mut Parsed, sink: Sink<'_>) -> Result<()> {
    check_complete(ctx.file, body)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let header = CsvHeader::read(ctx.file, &mut rdr, ctx.encoding)?;
    let pos = header.positions(ctx.file, &COLUMNS)?;
    let ncols = header.names.len();
    // first pass: split data from the footnote block
    let mut records = Vec::new();
    let mut footnotes: HashMap<String, String> = HashMap::new();
    let mut in_footnotes = false;
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(ctx.file, e).into()),
        }
        let line = rec.position().map_or(0, |p| p.line());
        if !in_footnotes && rec.len() == 2 && &rec[0] == b"footnote_SeqID" {
            in_footnotes = true;
            continue;
        }
        if in_footnotes {
            if rec.len() >= 2 {
                footnotes.insert(
                    ctx.text(&rec[0], line, "footnote_SeqID")?
                        .trim()
                        .to_string(),
                    ctx.text(&rec[1], line, "Footnote")?.trim().to_string(),
                );
            }
            continue;
        }
        if rec.len() != ncols {
            return Err(InputError::file(
                ctx.file,
                format!("the line has {} fields where the header has {ncols} (a truncated or malformed line?)", rec.len()),
            )
            .at_line(line)
            .expected(format!("{ncols} quoted fields, or the footnote block"))
            .into());
        }
        records.push((line, rec.clone()));
    }
    if records.is_empty() {
        return Err(
            InputError::file(ctx.file, "no data rows before the footnote block")
                .expected("UNdata Table 2.4 rows")
                .into(),
        );
    }
    let lists = codelists();
    let mut writer = NaObsWriter::new();
    let mut out = Emitter::new(writer.schema(), ctx.file, sink);
    for (line, rec) in &records {
        let line = *line;
        let f = |k: usize| -> Result<String> {
            Ok(ctx.text(&rec[pos[k]], line, COLUMNS[k])?.trim().to_string())
        };
        let table = f(1)?;
        if table != "2.4" {
            return Err(ctx.err(
                line,
                COLUMNS[1],
                format!("table {table} is not Table 2.4 (value added by industries)"),
            ));
        }
        let country = f(0)?;
        let geo = lists.geo_from_name(&country).ok_or_else(|| {
            ctx.err(
                line,
                COLUMNS[0],
                format!("unknown country or area {}", indmon_core::quote(country)),
            )
        })?;
        let item = f(4)?;
        let nace = match item.as_str() {
            "B.1g" => "TOTAL".to_string(),
            s if !s.is_empty() => s.to_string(),
            _ => return Err(ctx.err(line, COLUMNS[4], "empty item code")),
        };
        let year_txt = f(5)?;
        let time: i32 = year_txt.parse().map_err(|_| {
            ctx.err(
                line,
                COLUMNS[5],
                format!("{} is not a year", indmon_core::quote(year_txt)),
            )
        })?;
        let series = f(6)?;
        let currency = f(7)?;
        let value_txt = f(10)?;
        let value = if value_txt.is_empty() {
            None
        } else {
            Some(
                crate::batch::parse_float(&value_txt).ok_or_else(|| {
                    ctx.err(
                        line,
                        COLUMNS[10],
                        format!("{} is not a number", indmon_core::quote(value_txt)),
                    )
                })? / 1e6,
            )
        };
        // "Euro", or e.g. "1999 NLG Euro / Euro" (earlier years converted at the fixed rate)
        let unit = if currency == "Euro" || currency.ends_with("/ Euro") {
            "CP_MEUR"
        } else {
            "CP_MNAC"
        };
        let mut note = Vec::new();
        if currency != "Euro" {
            note.push(format!("currency: {currency}"));
        }
        let sna = f(8)?;
        if !sna.is_empty() {
            note.push(format!("SNA {sna}"));
        }
        let fiscal = f(9)?;
        if !fiscal.is_empty() && fiscal != "Western calendar year" {
            note.push(fiscal);
        }
        for id in f(11)?.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match footnotes.get(id) {
                Some(text) => note.push(format!("[{id}] {text}")),
                None => note.push(format!("[{id}]")),
            }
        }
        let note = note.join("; ");
        writer.push(
            ctx,
            line,
            &NaRow {
                geo,
                nace: &nace,
                na_item: "B1G",
                unit,
                time,
                value,
                flag: None,
                conf_status: None,
                series: Some(&series),
                note: Some(&note),
            },
            &mut out,
        )?;
    }
    writer.finish(&mut out)?;
    parsed.rows = out.rows();
    Ok(())
}
