//! Import and export: CSV (one file per entity), JSON (one document), Excel (one sheet
//! per entity).
//!
//! Every format has the same columns: `id`, `version`, `updated_at`, `updated_by`, then
//! the entity's fields ([`crate::schema`]). On import, `updated_at` and `updated_by` are
//! ignored (the importer and the time of import are recorded instead); `version`, if
//! given, is the version the row was based on, so a re-imported export that somebody
//! else changed meanwhile is refused as a conflict; a row without `id` is a new record.
//! Columns not in the file keep their value. A file that cannot be read, or a row that
//! is not valid, names the file, the line or row and the field, and changes nothing.
//!
//! **Formulas.** Text that a spreadsheet would run as a formula is neutralised on export
//! by the rule of [`indmon_core::text`], and the original comes back on import:
//! - CSV: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return,
//!   or with an apostrophe, is written with one more apostrophe in front (`=1+1` →
//!   `'=1+1`, `'quoted` → `''quoted`); numbers are written as numbers. On import, one
//!   leading apostrophe is taken off every cell, so an export imports back as exactly
//!   the stored text. (A hand-made CSV whose text really begins with an apostrophe
//!   doubles it.)
//! - Excel: cells are typed; text is written as a text cell, which a spreadsheet never
//!   evaluates, with its exact value, and text that begins with a formula character
//!   carries Excel's quote prefix, so that editing the cell keeps it text. Cells are
//!   imported as they are, with no apostrophe removed.
//! - JSON: strings as they are.
//!
//! **Control characters** in text are refused on import as in every other change (see
//! [`crate::validate`]): the error names the file, the line and the field.

use std::path::Path;

use indmon_core::text::{csv_text, csv_text_restore, is_formula_like};

use crate::schema::{self, ENTITIES, Entity, Kind};
use crate::{Error, Incoming, Record, Result, Snapshot, Value};

/// The formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated, UTF-8, one file per entity.
    Csv,
    /// One JSON document with an array per entity.
    Json,
    /// One Excel workbook with a sheet per entity.
    Xlsx,
}

impl Format {
    /// The format of a file, by its extension.
    pub fn of(path: &Path) -> Option<Format> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Some(Format::Csv),
            Some("json") => Some(Format::Json),
            Some("xlsx") => Some(Format::Xlsx),
            _ => None,
        }
    }
}

const META: [&str; 4] = ["id", "version", "updated_at", "updated_by"];

/// The column names of an entity, in export order.
pub fn header(entity: &Entity) -> Vec<&'static str> {
    META.iter()
        .copied()
        .chain(entity.fields.iter().map(|f| f.name))
        .collect()
}

/// A record's cells for CSV: text neutralised against formulas
/// ([`indmon_core::text::csv_text`]), numbers as numbers.
fn cells(rec: &Record) -> Vec<String> {
    let text = |s: &str| csv_text(s).into_owned();
    let mut row = vec![
        text(&rec.id),
        rec.version.to_string(),
        text(&rec.updated_at),
        text(&rec.updated_by),
    ];
    row.extend(rec.values.iter().map(|v| match v {
        Value::Text(s) => text(s),
        other => other.to_string(),
    }));
    row
}

/// One entity's records as CSV text; text cells that a spreadsheet would take for a
/// formula are neutralised (see the module's documentation).
pub fn to_csv(entity: &Entity, records: &[Record]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header(entity)).map_err(csv_err)?;
    for r in records {
        w.write_record(cells(r)).map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| Error::Io(e.to_string()))
}

fn csv_err(e: csv::Error) -> Error {
    Error::Io(e.to_string())
}

/// The whole ledger as one JSON document.
pub fn to_json(snap: &Snapshot, exported_from: &str) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("format".into(), "indmon-ledger".into());
    m.insert(
        "schema_version".into(),
        schema::MIGRATIONS.last().map_or(0, |m| m.version).into(),
    );
    m.insert("exported_at".into(), crate::now().into());
    m.insert("exported_from".into(), exported_from.into());
    for e in ENTITIES {
        m.insert(
            e.plural.into(),
            snap.of(e.name).iter().map(Record::to_json).collect(),
        );
    }
    serde_json::Value::Object(m)
}

/// The whole ledger as an Excel workbook: a sheet per entity (numbers as numbers, text
/// as text cells — never formulas —, a frozen, bold header row), and an `about` sheet
/// saying what it is. Text that begins with a formula character carries Excel's quote
/// prefix, so that editing the cell in a spreadsheet keeps it text.
pub fn to_xlsx(snap: &Snapshot, exported_from: &str) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let xerr = |e: rust_xlsxwriter::XlsxError| Error::Io(format!("writing Excel: {e}"));
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    let quoted = XFormat::new().set_quote_prefix();
    let text = |ws: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, s: &str| {
        if is_formula_like(s) {
            ws.write_string_with_format(row, col, s, &quoted)
        } else {
            ws.write_string(row, col, s)
        }
        .map(|_| ())
        .map_err(xerr)
    };
    let about = wb.add_worksheet();
    about.set_name("about").map_err(xerr)?;
    let lines = [
        ("format", "indmon programme ledger".to_owned()),
        ("exported_at", crate::now()),
        ("exported_from", exported_from.to_owned()),
        (
            "import",
            "indmon ledger import FILE.xlsx — one sheet per entity; rows without id are new records; version is the version a row was based on".to_owned(),
        ),
        ("amounts", "amount_eur: whole euros, current prices; empty = not known".to_owned()),
    ];
    for (i, (k, v)) in lines.iter().enumerate() {
        about
            .write_string_with_format(i as u32, 0, *k, &bold)
            .map_err(xerr)?;
        text(about, i as u32, 1, v)?;
    }
    about.set_column_width(1, 100).map_err(xerr)?;
    for e in ENTITIES {
        let ws = wb.add_worksheet();
        ws.set_name(e.plural).map_err(xerr)?;
        for (c, h) in header(e).iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(xerr)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        for (r, rec) in snap.of(e.name).iter().enumerate() {
            let row = r as u32 + 1;
            text(ws, row, 0, &rec.id)?;
            ws.write_number(row, 1, rec.version as f64).map_err(xerr)?;
            text(ws, row, 2, &rec.updated_at)?;
            text(ws, row, 3, &rec.updated_by)?;
            for (c, v) in rec.values.iter().enumerate() {
                let col = c as u16 + 4;
                match v {
                    Value::Null => {}
                    Value::Int(i) => {
                        ws.write_number(row, col, *i as f64).map_err(xerr)?;
                    }
                    Value::Real(x) => {
                        ws.write_number(row, col, *x).map_err(xerr)?;
                    }
                    Value::Text(s) => text(ws, row, col, s)?,
                }
            }
        }
        ws.autofit();
    }
    wb.save_to_buffer().map_err(xerr)
}

/// A batch read from a file, with where each item came from.
pub struct Batch {
    /// The records, parents before children.
    pub items: Vec<(&'static Entity, Incoming)>,
    /// Where each item is: "FILE, line N" or "FILE, sheet S, row N" or "FILE, S[i]".
    pub places: Vec<String>,
}

/// Reads a ledger file: `.csv` (one entity: `entity`, or named by the file, e.g.
/// `budget_lines.csv`), `.json` or `.xlsx`.
pub fn read(path: &Path, entity: Option<&'static Entity>) -> Result<Batch> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Io(format!("reading {name}: {e}")))?;
    parse(path, &bytes, entity)
}

/// Reads the `bytes` of the ledger file `path` (already read by the caller, e.g. with a
/// cap on its size), as [`read`] does.
pub fn parse(path: &Path, bytes: &[u8], entity: Option<&'static Entity>) -> Result<Batch> {
    let name = path.display().to_string();
    let format = Format::of(path).ok_or_else(|| {
        Error::Format(format!(
            "{name}: unknown file type; expected .csv, .json or .xlsx"
        ))
    })?;
    match format {
        Format::Csv => {
            let entity = match entity {
                Some(e) => e,
                None => path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .and_then(schema::entity)
                    .ok_or_else(|| {
                        Error::Format(format!(
                            "{name}: which records are these? Name the file after them (e.g. budget_lines.csv) or pass --entity ({})",
                            schema::entity_names()
                        ))
                    })?,
            };
            read_csv(&name, bytes, entity)
        }
        Format::Json => read_json(&name, bytes),
        Format::Xlsx => read_xlsx(&name, bytes),
    }
}

/// Reads one entity's CSV: UTF-8 (a byte-order mark is fine), a header naming known
/// columns, one record per line; one leading apostrophe is taken off every cell (the
/// export's neutralisation of formulas undone, see the module's documentation).
pub fn read_csv(name: &str, bytes: &[u8], entity: &'static Entity) -> Result<Batch> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Format(format!(
            "{name}: the file is empty; expected a header line ({})",
            header(entity).join(",")
        )));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(Error::Format(format!(
            "{name}, line {line}: not UTF-8 (saved as Windows-1252 or Latin-1?); save the file as UTF-8 CSV"
        )));
    }
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let head: Vec<String> = r
        .headers()
        .map_err(|e| Error::Format(format!("{name}, line 1: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let columns = columns(name, "line 1", entity, &head)?;
    let mut batch = Batch {
        items: Vec::new(),
        places: Vec::new(),
    };
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::Format(format!(
                "{name}, line {line}: {}",
                match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } =>
                        format!("{len} fields where the header has {expected_len} (a truncated file or an unquoted comma?)"),
                    _ => e.to_string(),
                }
            ))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let place = format!("{name}, line {line}");
        let cells: Vec<String> = rec.iter().map(|c| csv_text_restore(c).to_owned()).collect();
        batch
            .items
            .push((entity, incoming(&place, &columns, cells)?));
        batch.places.push(place);
    }
    Ok(batch)
}

/// What each column of a file is.
#[derive(Clone, Copy)]
enum Col {
    Id,
    Version,
    Ignored,
    Field(&'static str),
}

fn columns(name: &str, place: &str, entity: &Entity, head: &[String]) -> Result<Vec<Col>> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for h in head {
        if !seen.insert(h.as_str()) {
            return Err(Error::Format(format!(
                "{name}, {place}: column {h:?} appears twice"
            )));
        }
        out.push(match h.as_str() {
            "id" => Col::Id,
            "version" => Col::Version,
            "updated_at" | "updated_by" => Col::Ignored,
            other => match entity.field(other) {
                Some(f) => Col::Field(f.name),
                None => {
                    return Err(Error::Format(format!(
                        "{name}, {place}: unknown column {other:?} for {}; expected some of: {}",
                        entity.plural,
                        header(entity).join(", ")
                    )));
                }
            },
        });
    }
    if !seen.contains("id") {
        return Err(Error::Format(format!(
            "{name}, {place}: no id column; expected a header with id and some of: {}",
            header(entity).join(", ")
        )));
    }
    Ok(out)
}

fn incoming(place: &str, columns: &[Col], cells: Vec<String>) -> Result<Incoming> {
    let mut inc = Incoming::default();
    for (col, cell) in columns.iter().zip(cells) {
        match col {
            Col::Id => inc.id = cell.trim().to_owned(),
            Col::Version => {
                let t = cell.trim();
                if !t.is_empty() {
                    let v = t
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.fract() == 0.0 && *v >= 1.0)
                        .ok_or_else(|| Error::Import {
                            location: place.to_owned(),
                            field: "version".into(),
                            message: format!("expected a version number of 1 or more, found {t:?}"),
                        })?;
                    inc.version = Some(v as i64);
                }
            }
            Col::Ignored => {}
            Col::Field(f) => inc.fields.push(((*f).to_owned(), cell)),
        }
    }
    Ok(inc)
}

/// Reads a JSON document as [`to_json`] writes it (the `format`, `exported_*` and
/// `schema_version` keys are optional).
pub fn read_json(name: &str, bytes: &[u8]) -> Result<Batch> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::Format(format!(
            "{name}, line {}, column {}: not valid JSON: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let obj = doc.as_object().ok_or_else(|| {
        Error::Format(format!(
            "{name}: expected an object with an array per entity"
        ))
    })?;
    for k in obj.keys() {
        if !matches!(
            k.as_str(),
            "format" | "schema_version" | "exported_at" | "exported_from"
        ) && !ENTITIES.iter().any(|e| e.plural == k)
        {
            return Err(Error::Format(format!(
                "{name}: unknown key {k:?}; expected arrays named {}",
                ENTITIES
                    .iter()
                    .map(|e| e.plural)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let mut batch = Batch {
        items: Vec::new(),
        places: Vec::new(),
    };
    for e in ENTITIES {
        let Some(arr) = obj.get(e.plural) else {
            continue;
        };
        let arr = arr.as_array().ok_or_else(|| {
            Error::Format(format!("{name}: {} must be an array of records", e.plural))
        })?;
        for (i, item) in arr.iter().enumerate() {
            let place = format!("{name}, {}[{i}]", e.plural);
            let rec = item.as_object().ok_or_else(|| Error::Import {
                location: place.clone(),
                field: "-".into(),
                message: "expected an object".into(),
            })?;
            let head: Vec<String> = rec.keys().cloned().collect();
            let cols = columns(name, &format!("{}[{i}]", e.plural), e, &head)?;
            let mut cells = Vec::new();
            for (k, v) in rec {
                cells.push(match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    other => {
                        return Err(Error::Import {
                            location: place,
                            field: k.clone(),
                            message: format!("expected text, a number or null, found {other}"),
                        });
                    }
                });
            }
            batch.items.push((e, incoming(&place, &cols, cells)?));
            batch.places.push(place);
        }
    }
    Ok(batch)
}

/// Reads an Excel workbook as [`to_xlsx`] writes it: sheets named after entities
/// (others, such as `about`, are skipped), a header row, a record per row.
///
/// Only the cells a sheet holds are kept (a sheet is never made into the rectangle from
/// its first to its last cell: two cells at opposite corners of a sheet would be 17
/// billion). A cell beyond Excel's limits (row 1,048,576, column XFD) is refused, and a
/// panic of the Excel reader on a damaged workbook (calamine overflows on a row number
/// past 32 bits in a debug build) is reported as a damaged workbook.
pub fn read_xlsx(name: &str, bytes: &[u8]) -> Result<Batch> {
    let damaged = |e: &dyn std::fmt::Display| {
        Error::Format(format!(
            "{name}: not an Excel .xlsx workbook (or a damaged one): {e}"
        ))
    };
    let sheets =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_sheets(name, bytes)))
            .unwrap_or_else(|_| Err(damaged(&"the Excel reader failed on it")))?;
    let mut batch = Batch {
        items: Vec::new(),
        places: Vec::new(),
    };
    if sheets.is_empty() {
        return Err(Error::Format(format!(
            "{name}: no sheet named after an entity; expected sheets such as {}",
            ENTITIES
                .iter()
                .map(|e| e.plural)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    for (e, sheet, cells) in sheets {
        // the header is the first row with a cell, from the first column with one (as a
        // spreadsheet's used range)
        let Some((r0, c0)) = cells.first else {
            continue;
        };
        let mut rows = cells.rows.iter();
        let empty = std::collections::BTreeMap::new();
        let head_cells = match rows.clone().next() {
            Some((r, cs)) if *r == r0 => {
                rows.next();
                cs
            }
            _ => &empty,
        };
        let head: Vec<String> = (c0..=cells.last_col)
            .map(|c| {
                head_cells
                    .get(&c)
                    .map_or_else(String::new, |v| v.to_string().trim().to_owned())
            })
            .collect();
        let cols = columns(name, &format!("sheet {sheet}, row {}", r0 + 1), e, &head)?;
        let kinds: Vec<Option<Kind>> = cols
            .iter()
            .map(|c| match c {
                Col::Field(f) => e.field(f).map(|f| f.kind),
                _ => None,
            })
            .collect();
        for (r, row) in rows {
            let place = format!("{name}, sheet {sheet}, row {}", r + 1);
            let cells: Vec<String> = kinds
                .iter()
                .zip(c0..)
                .map(|(kind, c)| row.get(&c).map_or_else(String::new, |v| cell(v, *kind)))
                .collect();
            batch.items.push((e, incoming(&place, &cols, cells)?));
            batch.places.push(place);
        }
    }
    Ok(batch)
}

/// The cells of one sheet that hold a value, by row and column (0-based).
#[derive(Default)]
struct SheetCells {
    /// The first row and the first column with a cell (empty ones included).
    first: Option<(u32, u32)>,
    /// The last column with a cell.
    last_col: u32,
    rows: std::collections::BTreeMap<u32, std::collections::BTreeMap<u32, calamine::Data>>,
}

/// The sheets named after entities, in the entities' order, with their cells.
fn read_sheets(name: &str, bytes: &[u8]) -> Result<Vec<(&'static Entity, String, SheetCells)>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::Format(format!(
            "{name}: not an Excel .xlsx workbook (or a damaged one): {e}"
        ))
    })?;
    let names = wb.sheet_names();
    let mut out = Vec::new();
    for e in ENTITIES {
        let Some(sheet) = names
            .iter()
            .find(|s| s.as_str() == e.plural || s.as_str() == e.name)
        else {
            continue;
        };
        let bad =
            |err: &dyn std::fmt::Display| Error::Format(format!("{name}, sheet {sheet}: {err}"));
        // (a panic of the reader on this sheet is the sheet's damage)
        let cells = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_cells(&mut wb, sheet, &bad)
        }))
        .unwrap_or_else(|_| Err(bad(&"the Excel reader failed on it (a damaged sheet)")))?;
        out.push((e, sheet.clone(), cells));
    }
    Ok(out)
}

/// The cells of one sheet; `bad` words an error.
fn read_cells<R: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Xlsx<R>,
    sheet: &str,
    bad: &dyn Fn(&dyn std::fmt::Display) -> Error,
) -> Result<SheetCells> {
    use calamine::Data;
    // Excel's limits: 1,048,576 rows, 16,384 columns
    const ROWS: u32 = 1 << 20;
    const COLS: u32 = 1 << 14;
    let mut reader = wb.worksheet_cells_reader(sheet).map_err(|err| bad(&err))?;
    let mut cells = SheetCells::default();
    while let Some(c) = reader.next_cell().map_err(|err| bad(&err))? {
        let (r, col) = c.get_position();
        if r >= ROWS || col >= COLS {
            return Err(bad(&format!(
                "a cell at row {}, column {} is beyond Excel's limits ({ROWS} rows, {COLS} columns)",
                u64::from(r) + 1,
                u64::from(col) + 1
            )));
        }
        let (r0, c0) = cells.first.unwrap_or((r, col));
        cells.first = Some((r0.min(r), c0.min(col)));
        cells.last_col = cells.last_col.max(col);
        let v = Data::from(c.get_value().clone());
        if !matches!(v, Data::Empty) {
            cells.rows.entry(r).or_default().insert(col, v);
        }
    }
    Ok(cells)
}

/// A cell as text: whole numbers without a decimal point, dates as `YYYY-MM-DD`.
fn cell(c: &calamine::Data, kind: Option<Kind>) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel's serial day number counts from 1899-12-30 (with the 1900 leap-year bug
        // absorbed by that start for every date after February 1900).
        Data::DateTime(d) if kind == Some(Kind::Date) => {
            chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|start| {
                    start.checked_add_days(chrono::Days::new(d.as_f64().floor() as u64))
                })
                .map_or_else(|| d.to_string(), |t| t.format("%Y-%m-%d").to_string())
        }
        other => other.to_string(),
    }
}
