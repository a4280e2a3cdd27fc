//! Export panels in long CSV form: one row per year, location, product and value (the
//! input of `indmon complexity` and `indmon opportunities`), and the population file
//! that `--presence rpop` needs.
//!
//! The columns are found by name — the one the user names, else the first of a list
//! of usual names (`year`/`t`/`time`, `location`/`origin`/`exporter` …). Every field is
//! checked: a year that is not a year, an empty code, a value that is not a number, a
//! negative value and a repeated (year, location, product) stop the read with an
//! [`InputError`] naming the file, the line and the field. Empty and `NA` values are
//! zero. The result is plain data: codes interned once, rows as
//! `(year, location, product, value)` with the codes' ids.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::input::{
    CsvHeader, Encoding, check_complete, csv_error, csv_reader, decode, line_of, sha256_hex,
    strip_bom,
};
use crate::{Error, InputError, Result};

/// Usual names of the year column, tried in this order (case-insensitive).
pub const YEAR_COLS: &[&str] = &["year", "t", "time"];
/// Usual names of the location column.
pub const LOC_COLS: &[&str] = &["location", "origin", "exporter", "country", "loc", "i"];
/// Usual names of the product column.
pub const PROD_COLS: &[&str] = &[
    "product", "hs92", "hs12", "hs17", "hs22", "hs6", "hs4", "k", "prod",
];
/// Usual names of the value column.
pub const VALUE_COLS: &[&str] = &["value", "export_val", "exports", "v", "val"];
/// Usual names of the population column of a population file.
pub const POP_COLS: &[&str] = &["population", "pop"];

/// The columns a user named (`--year-col` …); `None`: the first of the usual names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnNames {
    /// The year column.
    pub year: Option<String>,
    /// The location column.
    pub location: Option<String>,
    /// The product column.
    pub product: Option<String>,
    /// The value column.
    pub value: Option<String>,
}

/// How to read a panel.
#[derive(Debug, Clone, Default)]
pub struct PanelOptions {
    /// The columns, where the user named them.
    pub columns: ColumnNames,
    /// Only this year (the other rows are skipped, after their year is checked).
    pub year: Option<i32>,
    /// Aggregate 6-digit HS products to their 4-digit heading (values summed).
    pub hs4: bool,
    /// The text encoding (a UTF-8 byte-order mark is removed either way).
    pub encoding: Encoding,
}

/// A fast hash for codes read from local files (the multiply-rotate hash of Firefox
/// and rustc; no protection against crafted collisions is needed here).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Long-format rows with interned location and product codes.
#[derive(Debug, Clone, Default)]
pub struct LongPanel {
    /// Every code seen (locations and products), in order of first sight.
    pub codes: Vec<String>,
    index: FastMap<String, u32>,
    /// `(year, location id, product id, value)`; ids index [`LongPanel::codes`]. With
    /// HS4 aggregation a (year, location, heading) may appear more than once: the
    /// values add up.
    pub data: Vec<(i32, u32, u32, f64)>,
}

impl LongPanel {
    /// The id of a code, given one on first sight.
    pub fn intern(&mut self, code: &str) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = self.codes.len() as u32;
        self.codes.push(code.to_string());
        self.index.insert(code.to_string(), i);
        i
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// A panel read from a CSV file.
#[derive(Debug, Clone)]
pub struct PanelFile {
    /// The file, as messages and the catalog name it.
    pub file: String,
    /// The rows.
    pub rows: LongPanel,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The name of the product column as the file writes it (it may name the
    /// classification, e.g. `hs92`).
    pub product_column: String,
}

impl PanelFile {
    /// The product code list the product column names (`hs92`, `hs12`, `hs22`), if any.
    pub fn nomenclature(&self) -> Option<String> {
        nomenclature_of(&self.product_column)
    }
}

/// Population by (year, location), for `--presence rpop`.
pub type Population = HashMap<(i32, String), f64>;

/// The product code list matching a classification named in a column or dataset id
/// (`hs92`, `hs12` or `hs22`).
pub fn nomenclature_of(name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    ["hs92", "hs12", "hs22"]
        .into_iter()
        .find(|hs| name.contains(hs))
        .map(str::to_string)
}

/// The HS4 heading of an HS6 code (leading zero restored for 5-digit codes).
pub fn hs4(code: &str) -> String {
    let code = if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code.to_string()
    };
    code.chars().take(4).collect()
}

/// Finds a column of `header`: the one named by the flag, else the first of the
/// usual names (case-insensitive). `what` is the column's role (`year`, `location` …,
/// also the flag's stem, `--{what}-col`); `file` names the input in the message.
pub fn pick_column(
    header: &[String],
    flag: Option<&str>,
    defaults: &[&str],
    what: &str,
    file: &str,
) -> Result<usize, InputError> {
    let found = match flag {
        Some(name) => header.iter().position(|h| h == name),
        None => defaults
            .iter()
            .find_map(|d| header.iter().position(|h| h.eq_ignore_ascii_case(d))),
    };
    found.ok_or_else(|| {
        let wanted = flag.map_or_else(|| defaults.join(", "), indmon_core::excerpt);
        InputError::file(
            file,
            format!(
                "no {what} column; the columns are: {}",
                indmon_core::quote::excerpt_list(header)
            ),
        )
        .expected(format!(
            "a column named {wanted} (or name it with --{what}-col)"
        ))
    })
}

/// The file's text: byte-order mark removed, emptiness and truncation checked, decoded
/// (UTF-8 as it is, or the declared encoding where it is not UTF-8).
fn text_of<'a>(file: &str, bytes: &'a [u8], encoding: Encoding) -> Result<Cow<'a, str>> {
    let body = strip_bom(file, bytes)?;
    check_complete(file, body)?;
    match std::str::from_utf8(body) {
        Ok(t) => Ok(Cow::Borrowed(t)),
        Err(e) => {
            // The shared decoder names the byte and suggests --encoding cp1252.
            let at = e.valid_up_to();
            let line_start = body[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line_end = body[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(body.len(), |i| at + i);
            Ok(decode(body, encoding).map_err(|_| {
                let msg = decode(&body[line_start..line_end], Encoding::Utf8)
                    .err()
                    .unwrap_or_else(|| "invalid UTF-8".into());
                InputError::file(file, msg).at_line(line_of(body, at))
            })?)
        }
    }
}

/// Reads a long CSV panel into `(year, location, product, value)` rows, checking
/// every field: the year must be a whole number, location and product not empty, the
/// value a finite number ≥ 0 (empty or `NA`: zero), and no (year, location, product)
/// may appear twice (with `hs4`, the 6-digit rows of one heading add up instead).
/// Rows of other years than `opts.year` are skipped; no rows left is an error.
///
/// A file without quotes is split at line breaks and its parts are parsed in parallel
/// while another thread computes its checksum; any row the fast parser does not accept
/// sends the whole file through the `csv` crate's reader, which names the error. Both
/// give the same rows (a property test holds them to it).
pub fn read(path: &Path, opts: &PanelOptions) -> Result<PanelFile> {
    let file = path.display().to_string();
    let bytes = crate::input::read_regular(path, crate::input::MAX_WHOLE_FILE)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        let sha = s.spawn(|| sha256_hex(&bytes));
        let parsed = text_of(&file, &bytes, opts.encoding).and_then(|text| {
            // small files are not worth a thread
            let parts = threads.clamp(1, text.len() / (64 << 10) + 1);
            parse(&file, &text, opts, Some(parts))
        });
        let sha256 = sha.join().expect("the checksum thread panicked");
        let (rows, product_column) = parsed?;
        Ok(PanelFile {
            file: file.clone(),
            rows,
            sha256,
            product_column,
        })
    })
}

/// The rows of a panel's text and the name of its product column: in `parts` parts
/// in parallel where the fast parser takes the file, else (or with `None`) by the
/// `csv` crate.
fn parse(
    file: &str,
    text: &str,
    opts: &PanelOptions,
    parts: Option<usize>,
) -> Result<(LongPanel, String)> {
    let mut r = csv_reader(text.as_bytes());
    let header = CsvHeader::read(file, &mut r, Encoding::Utf8)?.names;
    let c = &opts.columns;
    let cols = Columns {
        year: pick_column(&header, c.year.as_deref(), YEAR_COLS, "year", file)?,
        location: pick_column(&header, c.location.as_deref(), LOC_COLS, "location", file)?,
        product: pick_column(&header, c.product.as_deref(), PROD_COLS, "product", file)?,
        value: pick_column(&header, c.value.as_deref(), VALUE_COLS, "value", file)?,
        count: header.len(),
    };
    let start = r.position().clone();
    let body = &text[start.byte() as usize..];
    let fast = match parts {
        Some(parts) if memchr::memchr(b'"', body.as_bytes()).is_none() => {
            fast_rows(body, &cols, opts, parts)
        }
        _ => None,
    };
    // the fast parser keeps no line numbers: a panel with a repeated row (or too many
    // codes for the bit check) is read again by the csv reader, which names the lines
    let fast =
        fast.filter(|rows| opts.hs4 || seen_once(&rows.data, rows.codes.len()) == Some(true));
    let (rows, keys) = match fast {
        Some(rows) => (rows, Vec::new()),
        None => csv_rows(file, &mut r, &header, &cols, opts)?,
    };
    check_rows(file, &header, &cols, opts, rows, keys)
        .map(|rows| (rows, header[cols.product].clone()))
}

/// Where the panel's fields are, and how many fields a line has.
#[derive(Debug, Clone, Copy)]
struct Columns {
    year: usize,
    location: usize,
    product: usize,
    value: usize,
    count: usize,
}

/// `(year, location id, product id, line)` of every row (without HS4 aggregation),
/// sorted at the end to find repeated rows.
type Keys = Vec<(i32, u32, u32, u64)>;

/// The rows as the `csv` crate reads them, every field checked; the first bad field
/// is the error.
fn csv_rows(
    file: &str,
    r: &mut csv::Reader<&[u8]>,
    header: &[String],
    cols: &Columns,
    opts: &PanelOptions,
) -> Result<(LongPanel, Keys)> {
    let mut rows = LongPanel::default();
    let mut keys: Keys = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let more = r.read_record(&mut rec).map_err(|e| csv_error(file, e))?;
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |p| p.line());
        let bad = |field: &str, msg: String, exp: &str| -> Error {
            InputError::file(file, msg)
                .at_line(line)
                .in_field(field)
                .expected(exp)
                .into()
        };
        let (y, l, p, v) = (cols.year, cols.location, cols.product, cols.value);
        let year: i32 = rec[y].trim().parse().map_err(|_| {
            bad(
                &header[y],
                format!("year {} is not a year", indmon_core::quote(&rec[y])),
                "a year such as 2024",
            )
        })?;
        if opts.year.is_some_and(|want| want != year) {
            continue;
        }
        let loc = rec[l].trim();
        let prod = rec[p].trim();
        if loc.is_empty() {
            return Err(bad(&header[l], "empty location".into(), "a location code"));
        }
        if prod.is_empty() {
            return Err(bad(&header[p], "empty product".into(), "a product code"));
        }
        let raw = rec[v].trim();
        let value: f64 = if raw.is_empty() || raw.eq_ignore_ascii_case("na") {
            0.0
        } else {
            raw.parse().map_err(|_| {
                bad(
                    &header[v],
                    format!("value {} is not a number", indmon_core::quote(raw)),
                    "a number such as 1234.5 (empty or NA for none)",
                )
            })?
        };
        if !value.is_finite() || value < 0.0 {
            return Err(bad(
                &header[v],
                format!("value {raw} is negative or not finite"),
                "exports ≥ 0",
            ));
        }
        let li = rows.intern(loc);
        let pi = if opts.hs4 {
            rows.intern(&hs4(prod))
        } else {
            rows.intern(prod)
        };
        if !opts.hs4 {
            keys.push((year, li, pi, line));
        }
        rows.data.push((year, li, pi, value));
    }
    Ok((rows, keys))
}

/// The rows of one part of a file: codes interned in the part, ids local to it.
#[derive(Default)]
struct Part<'a> {
    codes: Vec<Cow<'a, str>>,
    index: FastMap<Cow<'a, str>, u32>,
    data: Vec<(i32, u32, u32, f64)>,
}

impl<'a> Part<'a> {
    fn intern(&mut self, code: Cow<'a, str>) -> u32 {
        if let Some(&i) = self.index.get(code.as_ref()) {
            return i;
        }
        let i = self.codes.len() as u32;
        self.codes.push(code.clone());
        self.index.insert(code, i);
        i
    }
}

/// The rows of a quote-free body split into `parts` parts at line breaks and parsed in
/// parallel; `None` when any line is not a plain, valid row (the `csv` crate's reader
/// then reads the file and names the error).
fn fast_rows(body: &str, cols: &Columns, opts: &PanelOptions, parts: usize) -> Option<LongPanel> {
    let bytes = body.as_bytes();
    let parts = parts.max(1);
    let mut bounds = vec![0];
    for k in 1..parts {
        let from = (bytes.len() * k / parts).max(bounds[k - 1]);
        let at = memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |x| from + x + 1);
        bounds.push(at);
    }
    bounds.push(bytes.len());
    let results: Vec<Option<Part<'_>>> = std::thread::scope(|s| {
        let handles: Vec<_> = bounds
            .windows(2)
            .skip(1)
            .map(|w| {
                let chunk = &body[w[0]..w[1]];
                s.spawn(move || fast_part(chunk, cols, opts))
            })
            .collect();
        // the first part on this thread
        let first = fast_part(&body[bounds[0]..bounds[1]], cols, opts);
        std::iter::once(first)
            .chain(
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a panel thread panicked")),
            )
            .collect()
    });
    let mut rows = LongPanel::default();
    let parts: Vec<Part<'_>> = results.into_iter().collect::<Option<_>>()?;
    rows.data
        .reserve_exact(parts.iter().map(|p| p.data.len()).sum());
    for part in parts {
        let ids: Vec<u32> = part.codes.iter().map(|c| rows.intern(c)).collect();
        rows.data.extend(
            part.data
                .iter()
                .map(|&(y, l, p, v)| (y, ids[l as usize], ids[p as usize], v)),
        );
    }
    Some(rows)
}

/// One part of [`fast_rows`]: whole lines, each ending with a line break. Each line is
/// split in one pass over its bytes; a location repeated from the line before (files
/// sorted by location) is not looked up again.
fn fast_part<'a>(chunk: &'a str, cols: &Columns, opts: &PanelOptions) -> Option<Part<'a>> {
    let mut part = Part::default();
    // about 20 bytes a row
    part.data.reserve(chunk.len() / 20);
    // where each field of a line starts and ends
    let mut fields: Vec<(usize, usize)> = Vec::with_capacity(cols.count);
    let mut last_loc: (&str, u32) = ("", u32::MAX);
    let bytes = chunk.as_bytes();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let from = start;
        start = end + 1;
        let mut to = end;
        if to > from && bytes[to - 1] == b'\r' {
            to -= 1;
        }
        if to == from {
            // the csv reader skips empty lines
            continue;
        }
        fields.clear();
        let mut f = from;
        for (i, &b) in bytes[from..to].iter().enumerate() {
            match b {
                b',' => {
                    fields.push((f, from + i));
                    f = from + i + 1;
                }
                b'\r' => return None,
                _ => {}
            }
        }
        fields.push((f, to));
        if fields.len() != cols.count {
            return None;
        }
        // the fields split at ASCII bytes, so at character boundaries
        let field = |k: usize| trim(&chunk[fields[k].0..fields[k].1]);
        let year: i32 = field(cols.year).parse().ok()?;
        if opts.year.is_some_and(|want| want != year) {
            continue;
        }
        let loc = field(cols.location);
        let prod = field(cols.product);
        if loc.is_empty() || prod.is_empty() {
            return None;
        }
        let raw = field(cols.value);
        let value = if raw.is_empty() || raw.eq_ignore_ascii_case("na") {
            0.0
        } else {
            crate::baci::parse_num(raw.as_bytes())?
        };
        let li = if loc == last_loc.0 {
            last_loc.1
        } else {
            let li = part.intern(Cow::Borrowed(loc));
            last_loc = (loc, li);
            li
        };
        let pi = if opts.hs4 {
            part.intern(Cow::Owned(hs4(prod)))
        } else {
            part.intern(Cow::Borrowed(prod))
        };
        part.data.push((year, li, pi, value));
    }
    Some(part)
}

/// `str::trim`, with ASCII spaces taken off without decoding. `trim_ascii` leaves the
/// vertical tab, which `str::trim` takes: an end byte that is one, or not ASCII, goes
/// the slow way.
fn trim(s: &str) -> &str {
    let t = s.trim_ascii();
    let slow = |b: u8| b >= 0x80 || b == 0x0b;
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(&a), Some(&b)) if slow(a) || slow(b) => t.trim(),
        _ => t,
    }
}

/// Whether every (year, location, product) of `keys` (keys with their lines, or rows
/// with their values) is there once, by a bit per possible cell (years × codes ×
/// codes); `None` when that would take more than 32 MiB.
fn seen_once<T: Copy>(keys: &[(i32, u32, u32, T)], codes: usize) -> Option<bool> {
    let mut years: Vec<i32> = Vec::new();
    let mut last = (i32::MIN, 0usize);
    let mut year_of = |y: i32, years: &mut Vec<i32>| -> usize {
        if last.0 != y {
            let at = years.iter().position(|&x| x == y).unwrap_or_else(|| {
                years.push(y);
                years.len() - 1
            });
            last = (y, at);
        }
        last.1
    };
    for &(y, ..) in keys {
        year_of(y, &mut years);
    }
    let bits = (years.len() as u128) * (codes as u128) * (codes as u128);
    if bits > 1 << 28 {
        return None;
    }
    let mut seen = vec![0u64; (bits as usize).div_ceil(64)];
    for &(y, l, p, _) in keys {
        let cell = (year_of(y, &mut years) * codes + l as usize) * codes + p as usize;
        let (word, bit) = (cell / 64, 1u64 << (cell % 64));
        if seen[word] & bit != 0 {
            return Some(false);
        }
        seen[word] |= bit;
    }
    Some(true)
}

/// The checks over all rows: no (year, location, product) twice, some rows left.
fn check_rows(
    file: &str,
    header: &[String],
    cols: &Columns,
    opts: &PanelOptions,
    rows: LongPanel,
    mut keys: Keys,
) -> Result<LongPanel> {
    // most panels have no repeated row: a bit per possible cell proves it in one pass;
    // the sort finds the first repeat (and its lines) where there is one, or where the
    // bits would take too much memory
    if seen_once(&keys, rows.codes.len()) != Some(true) {
        keys.sort_unstable();
    }
    if let Some(w) = keys
        .windows(2)
        .find(|w| (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2))
    {
        let (year, li, pi, first) = w[0];
        return Err(InputError::file(
            file,
            format!(
                "{year} {} {} appears twice (first on line {first})",
                rows.codes[li as usize], rows.codes[pi as usize]
            ),
        )
        .at_line(w[1].3)
        .in_field(&header[cols.product])
        .expected("one row per year, location and product")
        .into());
    }
    if rows.data.is_empty() {
        return Err(InputError::file(
            file,
            match opts.year {
                Some(y) => format!("no rows for {y}"),
                None => "no data rows".to_string(),
            },
        )
        .expected("rows of year, location, product and value")
        .into());
    }
    Ok(rows)
}

/// Reads a population file: year, location and population columns (the usual names),
/// one number per (year, location), finite and not negative.
pub fn read_population(path: &Path, encoding: Encoding) -> Result<Population> {
    let file = path.display().to_string();
    let bytes = crate::input::read_regular(path, crate::input::MAX_WHOLE_FILE)?;
    let text = text_of(&file, &bytes, encoding)?;
    let mut r = csv_reader(text.as_bytes());
    let header = CsvHeader::read(&file, &mut r, Encoding::Utf8)?.names;
    let y = pick_column(&header, None, YEAR_COLS, "year", &file)?;
    let l = pick_column(&header, None, LOC_COLS, "location", &file)?;
    let p = pick_column(&header, None, POP_COLS, "population", &file)?;
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(&file, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let bad = |f: usize| -> Error {
            InputError::file(
                &file,
                format!("{} is not valid", indmon_core::quote(&rec[f])),
            )
            .at_line(line)
            .in_field(&header[f])
            .expected(match f {
                _ if f == y => "a year such as 2024",
                _ if f == l => "a location code",
                _ => "a population: a number ≥ 0",
            })
            .into()
        };
        let year: i32 = rec[y].trim().parse().map_err(|_| bad(y))?;
        if rec[l].trim().is_empty() {
            return Err(bad(l));
        }
        // a population weighs exports (RPOP): a finite number of people, none negative
        let pop: f64 = rec[p]
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad(p))?;
        out.insert((year, rec[l].trim().to_string()), pop);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_bytes(bytes: &[u8], opts: &PanelOptions) -> Result<PanelFile> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("panel.csv");
        std::fs::write(&path, bytes).unwrap();
        read(&path, opts)
    }

    fn message(bytes: &[u8]) -> String {
        read_bytes(bytes, &PanelOptions::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_rows_with_interned_codes() {
        let p = read_bytes(
            b"year,origin,hs92,export_val\n2020,nld,0101,12\n2020,deu,0101,NA\n2021,nld,0102,\n",
            &PanelOptions::default(),
        )
        .unwrap();
        assert_eq!(p.codes_of_first_row(), ("nld", "0101"));
        assert_eq!(p.rows.data.len(), 3);
        assert_eq!(p.rows.data[1].3, 0.0);
        assert_eq!(p.nomenclature().as_deref(), Some("hs92"));
        let only = read_bytes(
            b"year,origin,hs92,export_val\n2020,nld,0101,12\n2021,nld,0102,3\n",
            &PanelOptions {
                year: Some(2021),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(only.rows.data.len(), 1);
    }

    impl PanelFile {
        fn codes_of_first_row(&self) -> (&str, &str) {
            let (_, l, p, _) = self.rows.data[0];
            (&self.rows.codes[l as usize], &self.rows.codes[p as usize])
        }
    }

    #[test]
    fn headings_add_up_instead_of_repeating() {
        let p = read_bytes(
            b"year,origin,hs92,export_val\n2020,nld,10121,1\n2020,nld,010129,2\n",
            &PanelOptions {
                hs4: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.rows.codes, ["nld", "0101"]);
        assert_eq!(p.rows.data.len(), 2);
    }

    #[test]
    fn bad_fields_are_named() {
        let m = message(b"year,origin,hs92,export_val\n2020,nld,0101,x\n");
        assert!(m.contains("line 2, field 'export_val'"), "{m}");
        assert!(m.contains("not a number"), "{m}");
        let m = message(b"year,origin,hs92,export_val\n20x0,nld,0101,1\n");
        assert!(
            m.contains("field 'year'") && m.contains("is not a year"),
            "{m}"
        );
        let m = message(b"year,origin,hs92,export_val\n2020,,0101,1\n");
        assert!(m.contains("empty location"), "{m}");
        let m = message(b"jaar,land,waarde\n2020,nl,1\n");
        assert!(m.contains("no year column; the columns are: jaar, land, waarde"));
        assert!(m.contains("--year-col"), "{m}");
    }

    /// The fast parser gives what the `csv` crate's reader gives — the same rows, codes
    /// and line numbers, or the same error — whatever the parts, line endings, blank
    /// lines, quotes and bad fields.
    #[test]
    fn the_fast_parser_reads_as_the_csv_reader_does() {
        use proptest::prelude::*;
        const YEARS: &[&str] = &["2020", "2021", " 2021", "+2020", "20x0", ""];
        const LOCS: &[&str] = &[
            "nld",
            "deu",
            " bel ",
            "",
            "a b",
            "=x",
            "nld ",
            "\u{a0}nld\u{3000}",
            "curaç",
            "\t\u{2003}",
            "\u{b}nld\u{b}",
        ];
        const PRODS: &[&str] = &[
            "0101",
            "0102",
            "10121",
            "850511",
            "",
            "\"0101\"",
            "\u{b}0102",
        ];
        const VALUES: &[&str] = &[
            "1",
            "2.5",
            "NA",
            "na",
            "",
            "-1",
            "x",
            "1e3",
            ".5",
            "12.",
            "inf",
            " 3 ",
            "-0",
            "0.1234567890123456789",
            "+4",
        ];
        const ENDS: &[&str] = &["\n", "\r\n"];
        const JUNK: &[&str] = &[
            "",
            "\r",
            "2020,nld",
            "2020,nld,0101,1,9",
            "2020,nld\r0101,1",
        ];
        let line = (
            0..YEARS.len(),
            0..LOCS.len(),
            0..PRODS.len(),
            0..VALUES.len(),
            0..ENDS.len(),
            prop::option::weighted(0.05, 0..JUNK.len()),
        );
        let case = (
            prop::collection::vec(line, 0..40),
            1usize..5,
            prop::option::of(prop_oneof![Just(2020), Just(2021)]),
            any::<bool>(),
            any::<bool>(),
        );
        let cfg = ProptestConfig {
            cases: 2_000,
            ..ProptestConfig::default()
        };
        proptest!(cfg, |((lines, parts, year, hs4, reorder) in case)| {
            let mut text = if reorder {
                String::from("hs92,export_val,year,origin\n")
            } else {
                String::from("year,origin,hs92,export_val\n")
            };
            for (y, l, p, v, e, junk) in lines {
                match junk {
                    Some(j) => text.push_str(JUNK[j]),
                    None if reorder => text.push_str(&format!("{},{},{},{}", PRODS[p], VALUES[v], YEARS[y], LOCS[l])),
                    None => text.push_str(&format!("{},{},{},{}", YEARS[y], LOCS[l], PRODS[p], VALUES[v])),
                }
                text.push_str(ENDS[e]);
            }
            let opts = PanelOptions { year, hs4, ..Default::default() };
            let shown = |r: Result<(LongPanel, String)>| match r {
                Ok((rows, col)) => Ok((rows.codes, rows.data, col)),
                Err(e) => Err(e.to_string()),
            };
            let slow = shown(parse("p.csv", &text, &opts, None));
            let fast = shown(parse("p.csv", &text, &opts, Some(parts)));
            prop_assert_eq!(fast, slow, "{:?}", text);
        });
    }

    /// The bit check finds a repeated row exactly when sorting does.
    #[test]
    fn the_bit_check_finds_repeats_as_the_sort_does() {
        use proptest::prelude::*;
        let key = (2019i32..2022, 0u32..6, 0u32..6);
        proptest!(|(raw in prop::collection::vec(key, 0..30))| {
            let keys: Keys = raw.iter().enumerate().map(|(n, &(y, l, p))| (y, l, p, n as u64)).collect();
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            let repeat = sorted.windows(2).any(|w| (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2));
            prop_assert_eq!(seen_once(&keys, 6), Some(!repeat));
        });
        // too many cells for the bits: the sort decides
        assert_eq!(seen_once(&[(2020, 0, 0, 1u64)], 1 << 15), None);
    }

    #[test]
    fn the_fast_parser_takes_a_plain_file_in_parts() {
        // the fast path is taken (not the fallback) on a plain file: a row it would not
        // take would show as a different error text on the csv path, so check directly
        let mut text = String::from("year,origin,hs92,export_val\n");
        for i in 0..1000 {
            text.push_str(&format!("2020,c{},p{},{}.5\r\n", i % 7, i, i));
        }
        let cols = Columns {
            year: 0,
            location: 1,
            product: 2,
            value: 3,
            count: 4,
        };
        let body = &text["year,origin,hs92,export_val\n".len()..];
        let rows = fast_rows(body, &cols, &PanelOptions::default(), 3)
            .expect("a plain file is read by the fast parser");
        assert_eq!(rows.data.len(), 1000);
        assert_eq!(rows.data[999].3, 999.5);
    }

    #[test]
    fn hs4_restores_the_leading_zero() {
        assert_eq!(hs4("10121"), "0101");
        assert_eq!(hs4("850511"), "8505");
        assert_eq!(hs4("ab"), "ab");
    }
}
