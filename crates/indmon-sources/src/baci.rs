//! CEPII BACI bulk trade files, streamed.
//!
//! A BACI release is a zip of yearly CSV files `BACI_HS17_Y2024_V202601.csv` with the
//! header `t,i,j,k,v,q`, plus `country_codes_V202601.csv` and
//! `product_codes_HS17_V202601.csv`. The trade files are large (about 11 million
//! rows a year), so they are read in blocks and handed on in Arrow batches: memory
//! stays bounded whatever the file size. Per row: `t`, `i`, `j` whole numbers; `k`
//! an HS6 code of one to six digits, padded back to six (BACI writes it as an integer,
//! so codes of chapters 01-09 lose their leading zero); `v` a non-negative number
//! (thousand USD); `q` a non-negative number or `NA`/empty (missing). A repeated
//! (t, i, j, k) is refused with both line numbers.
//!
//! File names give the nomenclature (→ dataset `baci_hs17`) and the release (`V202601`
//! → January 2026). Files written by `indmon synth baci` carry `VSYNTHETIC` instead and
//! go to `synth_baci_hsXX`, marked synthetic.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int32Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use chrono::NaiveDate;

use crate::batch::arrow_schema;
use crate::input::{HashingReader, Input};
use crate::parse::{Emitter, Parsed, Progress, Sink};
use crate::spec::SourceSpec;
use crate::{BATCH_ROWS, Error, InputError, Result};

/// What the name of a BACI file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaciName {
    /// Nomenclature, e.g. `HS17`.
    pub hs: String,
    /// Year of a trade file.
    pub year: Option<i32>,
    /// Release tag, e.g. `V202601`, or `VSYNTHETIC`.
    pub version: String,
}

impl BaciName {
    /// Reads `BACI_HS17_Y2024_V202601[_suffix].csv`. Returns `None` for other names.
    pub fn parse(file_name: &str) -> Option<Self> {
        let stem = file_name.strip_suffix(".csv").unwrap_or(file_name);
        let mut parts = stem.split('_');
        if parts.next()? != "BACI" {
            return None;
        }
        let hs = parts.next()?.to_string();
        if !(hs.len() == 4 && hs.starts_with("HS") && hs[2..].bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        let year_part = parts.next()?;
        let year = year_part.strip_prefix('Y')?.parse().ok();
        let version = parts.next()?.to_string();
        if !version.starts_with('V') {
            return None;
        }
        Some(Self { hs, year, version })
    }

    /// True for files written by `indmon synth baci`.
    pub fn is_synthetic(&self) -> bool {
        self.version.contains("SYNTH")
    }

    /// The release date a version tag stands for: `V202601` → 2026-01-01.
    pub fn release(&self) -> Option<NaiveDate> {
        let digits = self.version.strip_prefix('V')?;
        if digits.len() != 6 {
            return None;
        }
        NaiveDate::from_ymd_opt(digits[..4].parse().ok()?, digits[4..].parse().ok()?, 1)
    }

    /// The dataset these files go to: `baci_hs17`, or `synth_baci_hs17`.
    pub fn dataset(&self) -> String {
        let base = format!("baci_{}", self.hs.to_ascii_lowercase());
        if self.is_synthetic() {
            format!("synth_{base}")
        } else {
            base
        }
    }
}

/// The files of one BACI release found at a path (a trade CSV or a folder).
#[derive(Debug, Clone)]
pub struct BaciFiles {
    /// The yearly trade files, sorted by name.
    pub trade: Vec<PathBuf>,
    /// `country_codes_*.csv`, if present.
    pub countries: Option<PathBuf>,
    /// `product_codes_*.csv`, if present.
    pub products: Option<PathBuf>,
    /// What the trade files' names say (all agree).
    pub name: BaciName,
}

/// Finds the BACI files at `path`: one trade CSV, or a folder with one release.
pub fn discover(path: &Path) -> Result<BaciFiles> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    let mut trade = Vec::new();
    let (mut countries, mut products) = (None, None);
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(io)? {
            let p = entry.map_err(io)?.path();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if !name.ends_with(".csv") {
                continue;
            }
            if name.starts_with("BACI_") {
                trade.push(p);
            } else if name.starts_with("country_codes") {
                countries = Some(p);
            } else if name.starts_with("product_codes") {
                products = Some(p);
            }
        }
    } else {
        trade.push(path.to_path_buf());
    }
    trade.sort();
    if trade.is_empty() {
        return Err(InputError::file(
            path.display().to_string(),
            "no BACI trade file (BACI_HSxx_Yyyyy_Vyyyymm.csv) here",
        )
        .expected("a BACI trade CSV or a folder holding one release")
        .into());
    }
    let mut name: Option<BaciName> = None;
    let mut years = std::collections::BTreeMap::new();
    for t in &trade {
        let file = t.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let n = BaciName::parse(file).ok_or_else(|| {
            InputError::file(
                t.display().to_string(),
                "the file name does not follow BACI's pattern",
            )
            .expected("BACI_HS17_Y2024_V202601.csv (nomenclature, year, release)")
        })?;
        if let Some(prev) = &name
            && (prev.hs != n.hs || prev.version != n.version)
        {
            return Err(InputError::file(
                t.display().to_string(),
                format!(
                    "mixes releases: {}/{} and {}/{}",
                    prev.hs, prev.version, n.hs, n.version
                ),
            )
            .expected("the files of one nomenclature and release")
            .into());
        }
        if let Some(y) = n.year
            && let Some(prev) = years.insert(y, t.clone())
        {
            return Err(InputError::file(
                t.display().to_string(),
                format!("year {y} also comes from {}", prev.display()),
            )
            .expected("one trade file per year")
            .into());
        }
        name = Some(n);
    }
    // every file is checked before any is read: a pipe or a device among them (or
    // given as the path) is refused by name
    for f in trade.iter().chain(&countries).chain(&products) {
        crate::input::check_regular(f)?;
    }
    Ok(BaciFiles {
        trade,
        countries,
        products,
        name: name.expect("at least one trade file"),
    })
}

/// Finds repeated (t, i, j, k) keys within one file: every row's packed key is
/// appended to a list (8 bytes a row, one file — one year — at a time), and at the end
/// of the file the list is sorted and neighbours compared. BACI files come sorted, which
/// the sort notices in one pass; shuffled input costs one sort of 64-bit integers. Only
/// when a repeat is found is the file read again, to name the two lines.
#[derive(Default)]
struct KeyCheck {
    keys: Vec<u64>,
}

impl KeyCheck {
    /// Records a key.
    fn push(&mut self, key: u64) {
        self.keys.push(key);
    }

    /// A key that occurs more than once, if any.
    fn repeated(&mut self) -> Option<u64> {
        if !self.keys.is_sorted() {
            self.keys.sort_unstable();
        }
        self.keys.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    }
}

/// Reads a file again to find the lines holding `key` (the error path of the
/// duplicate check).
fn lines_with_key(input: &Input, key: u64) -> Result<Vec<u64>> {
    use std::io::BufRead;
    let reader = std::io::BufReader::new(input.reader()?);
    let mut found = Vec::new();
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| Error::Io {
            path: input.name.clone(),
            source: e,
        })?;
        let f: Vec<&[u8]> = line.split(|&c| c == b',').map(trim).collect();
        if f.len() < 4 {
            continue;
        }
        if let (Some(t), Some(i), Some(j), Some(k)) = (
            parse_uint(f[0]),
            parse_uint(f[1]),
            parse_uint(f[2]),
            parse_uint(f[3]),
        ) && pack(t as i32, i as i32, j as i32, k) == key
        {
            found.push(n as u64 + 1);
        }
    }
    Ok(found)
}

/// One parsed trade row.
struct Row {
    t: i32,
    i: i32,
    j: i32,
    k: u32,
    v: f64,
    q: Option<f64>,
}

/// The six digits of an HS6 code (BACI drops leading zeros).
fn hs6_digits(mut k: u32) -> [u8; 6] {
    let mut code = [b'0'; 6];
    for d in code.iter_mut().rev() {
        *d = b'0' + (k % 10) as u8;
        k /= 10;
    }
    code
}

/// Parses and checks one data line of a trade file (`line` is its 1-based number).
fn parse_row(raw: &[u8], file: &str, line: u64) -> Result<Row> {
    let bad = |field: &str, msg: String, expected: &str| -> Error {
        InputError::file(file, msg)
            .at_line(line)
            .in_field(field)
            .expected(expected)
            .into()
    };
    let mut fields = raw.split(|&c| c == b',');
    let mut next = |name: &str| -> Result<&[u8]> {
        fields.next().map(trim).ok_or_else(|| {
            bad(
                name,
                "the line has fewer than 6 fields (a truncated line?)".into(),
                "6 comma-separated fields t,i,j,k,v,q",
            )
        })
    };
    let (ft, fi, fj, fk, fv, fq) = (
        next("t")?,
        next("i")?,
        next("j")?,
        next("k")?,
        next("v")?,
        next("q")?,
    );
    if fields.next().is_some() {
        return Err(bad(
            "q",
            "the line has more than 6 fields".into(),
            "6 comma-separated fields t,i,j,k,v,q",
        ));
    }
    let show = |s: &[u8]| indmon_core::quote::excerpt_bytes(s);
    let t = parse_uint(ft)
        .filter(|t| (1988..=2100).contains(t))
        .ok_or_else(|| {
            bad(
                "t",
                format!("'{}' is not a year", show(ft)),
                "a year from 1988 to 2100",
            )
        })? as i32;
    let i = parse_uint(fi).filter(|c| *c <= 999).ok_or_else(|| {
        bad(
            "i",
            format!("'{}' is not a BACI country code", show(fi)),
            "a number from 0 to 999",
        )
    })? as i32;
    let j = parse_uint(fj).filter(|c| *c <= 999).ok_or_else(|| {
        bad(
            "j",
            format!("'{}' is not a BACI country code", show(fj)),
            "a number from 0 to 999",
        )
    })? as i32;
    let k = parse_uint(fk).filter(|_| fk.len() <= 6).ok_or_else(|| {
        bad(
            "k",
            format!("'{}' is not an HS6 code", show(fk)),
            "1 to 6 digits",
        )
    })?;
    let v = parse_num(fv).ok_or_else(|| {
        bad(
            "v",
            format!("'{}' is not a value", show(fv)),
            "a non-negative number (thousand USD)",
        )
    })?;
    let q = if fq.is_empty() || fq == b"NA" {
        None
    } else {
        Some(parse_num(fq).ok_or_else(|| {
            bad(
                "q",
                format!("'{}' is not a quantity", show(fq)),
                "a non-negative number (tonnes) or NA",
            )
        })?)
    };
    Ok(Row { t, i, j, k, v, q })
}

/// Packs (t, i, j, k) into 64 bits: 12 bits year offset, 10 + 10 bits countries,
/// 20 bits product (HS6 < 2^20).
fn pack(t: i32, i: i32, j: i32, k: u32) -> u64 {
    (((t - 1900) as u64 & 0xFFF) << 40)
        | ((i as u64 & 0x3FF) << 30)
        | ((j as u64 & 0x3FF) << 20)
        | k as u64
}

/// The inverse of [`pack`].
fn unpack(key: u64) -> (i32, i32, i32, u32) {
    (
        ((key >> 40) & 0xFFF) as i32 + 1900,
        ((key >> 30) & 0x3FF) as i32,
        ((key >> 20) & 0x3FF) as i32,
        (key & 0xF_FFFF) as u32,
    )
}

struct Builders {
    t: Int32Builder,
    i: Int32Builder,
    j: Int32Builder,
    k: StringBuilder,
    v: Float64Builder,
    q: Float64Builder,
    rows: usize,
}

impl Builders {
    fn new() -> Self {
        Self {
            t: Int32Builder::with_capacity(BATCH_ROWS),
            i: Int32Builder::with_capacity(BATCH_ROWS),
            j: Int32Builder::with_capacity(BATCH_ROWS),
            k: StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 6),
            v: Float64Builder::with_capacity(BATCH_ROWS),
            q: Float64Builder::with_capacity(BATCH_ROWS),
            rows: 0,
        }
    }

    fn finish(&mut self, schema: &arrow_schema::SchemaRef) -> RecordBatch {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.t.finish()),
            Arc::new(self.i.finish()),
            Arc::new(self.j.finish()),
            Arc::new(self.k.finish()),
            Arc::new(self.v.finish()),
            Arc::new(self.q.finish()),
        ];
        self.rows = 0;
        RecordBatch::try_new(schema.clone(), cols).expect("BACI columns follow baci_trade")
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'"', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'"' | b'\r'] = s {
        s = rest;
    }
    s
}

fn parse_uint(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    let mut v: u32 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u32;
    }
    Some(v)
}

/// Parses a non-negative decimal number. Plain decimals of up to 15 digits (what
/// BACI writes: at most 3 decimals) take Clinger's fast path: the digits as an integer
/// m < 2^53 divided by 10^d, one correctly rounded IEEE division of two exact
/// numbers, which gives the same double as a full decimal parse. Anything else
/// (exponents, signs, long mantissas) goes through the standard library's parser.
pub(crate) fn parse_num(s: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let slow = |s: &[u8]| -> Option<f64> {
        let v: f64 = std::str::from_utf8(s).ok()?.parse().ok()?;
        (v.is_finite() && v >= 0.0).then_some(v)
    };
    let (mut m, mut digits, mut frac): (u64, usize, Option<usize>) = (0, 0, None);
    for &b in s {
        match b {
            b'0'..=b'9' => {
                m = m.wrapping_mul(10).wrapping_add((b - b'0') as u64);
                digits += 1;
                if let Some(f) = frac.as_mut() {
                    *f += 1;
                }
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return slow(s),
        }
    }
    if digits == 0 || digits > 15 {
        return slow(s);
    }
    Some(m as f64 / POW10[frac.unwrap_or(0)])
}

/// Reads BACI trade files in one pass without building batches, for analyses that fold
/// the rows into a state of their own (the dependency screen). Each file is read in
/// blocks of 16 MiB; a block is split at line breaks into one part per state, and the
/// parts are parsed in parallel, each folding its rows into its own state with `visit`
/// (`states` holds one state per thread; the caller merges them). Rows are checked as by
/// [`parse_files`]: the header, every field, a truncated last line and repeated flows,
/// each reported with the file and line. `progress` gets the bytes read so far.
pub fn scan<S: Send>(
    files: &[PathBuf],
    states: &mut [S],
    visit: &Visit<S>,
    progress: Progress<'_>,
) -> Result<()> {
    scan_blocks(files, states, visit, progress, 16 << 20)
}

/// [`scan`] with blocks of `block` bytes (small blocks in tests).
fn scan_blocks<S: Send>(
    files: &[PathBuf],
    states: &mut [S],
    visit: &Visit<S>,
    progress: Progress<'_>,
    block: usize,
) -> Result<()> {
    let parts = states.len().max(1);
    let mut done = 0u64;
    for path in files {
        let file = path.display().to_string();
        let io = |e: std::io::Error| Error::Io {
            path: file.clone(),
            source: e,
        };
        let mut f = crate::input::open_regular(path)?;
        let (mut line, mut header_done) = (0u64, false);
        // the year the file name gives: every row must be of that year (this also keeps
        // a flow from coming twice from two files)
        let year = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(BaciName::parse)
            .and_then(|n| n.year);
        // BACI files are sorted: while every key is greater than the one before, no
        // flow can repeat and no key need be kept; otherwise a second pass checks
        let (mut prev, mut in_order, mut repeated): (Option<u64>, bool, Option<u64>) =
            (None, true, None);
        // a reader thread hands on blocks of whole lines while the parts of the previous
        // block are parsed; the last block carries whatever follows the last line break
        let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<(Vec<u8>, bool)>>(1);
        // used buffers go back to the reader: two buffers in turn, no fresh pages per block
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let mut last_ended = true;
        std::thread::scope(|sc| -> Result<()> {
            sc.spawn(move || {
                let mut carry: Vec<u8> = Vec::new();
                loop {
                    let mut buf = back_rx
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(block + (1 << 16)));
                    buf.clear();
                    buf.extend_from_slice(&carry);
                    carry.clear();
                    // read into the buffer's spare room: no zeros written first
                    let eof = match std::io::Read::take(&mut f, block as u64).read_to_end(&mut buf)
                    {
                        Ok(got) => got < block,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    };
                    if !eof {
                        match memchr::memrchr(b'\n', &buf) {
                            Some(p) => {
                                carry.extend_from_slice(&buf[p + 1..]);
                                buf.truncate(p + 1);
                            }
                            None => {
                                carry = buf;
                                continue;
                            }
                        }
                    }
                    if tx.send(Ok((buf, eof))).is_err() || eof {
                        return;
                    }
                }
            });
            for msg in rx {
                let (buf, eof) = msg.map_err(io)?;
                done += buf.len() as u64;
                if eof && !buf.is_empty() {
                    last_ended = buf.ends_with(b"\n");
                }
                let end = buf.len();
                let mut start = 0;
                if !header_done {
                    let stop = memchr::memchr(b'\n', &buf[..end]).unwrap_or(end);
                    let raw = &buf[..stop];
                    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                    let text = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
                    if text.iter().all(|b| b.is_ascii_whitespace()) && eof && stop >= end {
                        break;
                    }
                    line = 1;
                    let cols: Vec<&[u8]> = text.split(|&c| c == b',').map(trim).collect();
                    if cols != [b"t" as &[u8], b"i", b"j", b"k", b"v", b"q"] {
                        let e = if text.iter().all(|b| b.is_ascii_whitespace()) {
                            InputError::file(&file, "the file is empty")
                        } else {
                            InputError::file(
                                &file,
                                format!(
                                    "the header is '{}'",
                                    indmon_core::quote::excerpt_bytes(text)
                                ),
                            )
                            .at_line(1)
                        };
                        return Err(e.expected("BACI's header t,i,j,k,v,q").into());
                    }
                    header_done = true;
                    start = (stop + 1).min(end);
                }
                // split [start, end) into parts at line breaks
                let mut bounds = vec![start];
                for p in 1..parts {
                    let from = (start + (end - start) * p / parts).max(bounds[p - 1]);
                    let at = memchr::memchr(b'\n', &buf[from..end]).map_or(end, |x| from + x + 1);
                    bounds.push(at);
                }
                bounds.push(end);
                let data = &buf;
                let results: Vec<PartResult> = std::thread::scope(|ps| {
                    let handles: Vec<_> = states
                        .iter_mut()
                        .enumerate()
                        .map(|(p, state)| {
                            let (a, b) = (bounds[p], bounds[p + 1]);
                            ps.spawn(move || scan_part(&data[a..b], state, visit, year))
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().expect("a scan thread panicked"))
                        .collect()
                });
                for r in results {
                    match r {
                        Ok((n, order)) => {
                            line += n;
                            if let Some(first) = order.first {
                                if prev.is_some_and(|p| first <= p) {
                                    if prev == Some(first) {
                                        repeated.get_or_insert(first);
                                    }
                                    in_order = false;
                                }
                                in_order &= order.increasing;
                                if let Some(k) = order.repeated {
                                    repeated.get_or_insert(k);
                                }
                                prev = order.last;
                            }
                        }
                        Err((local, _, Some(t))) => {
                            return Err(wrong_year(&file, line + local, t, year.unwrap_or(t)));
                        }
                        Err((local, raw, None)) => {
                            // parse the line again with its number for the message
                            parse_row(&raw, &file, line + local)?;
                            return Err(InputError::file(&file, "unreadable line")
                                .at_line(line + local)
                                .into());
                        }
                    }
                }
                progress(done);
                let _ = back_tx.send(buf);
                if eof {
                    break;
                }
            }
            Ok(())
        })?;
        if !header_done {
            return Err(InputError::file(&file, "the file is empty")
                .expected("BACI's header t,i,j,k,v,q and data rows")
                .into());
        }
        if !last_ended {
            return Err(InputError::file(
                &file,
                "the last line ends without a line break: the file looks truncated (an interrupted download or unzip?)",
            )
            .at_line(line)
            .into());
        }
        // repeated flows: found on the way in sorted input, by a second pass otherwise
        if repeated.is_none() && !in_order {
            repeated = all_keys(path)?.repeated();
        }
        if let Some(key) = repeated {
            let lines = lines_with_key(&Input::file(path), key)?;
            let (t, i, j, k) = unpack(key);
            return Err(InputError::file(
                &file,
                format!(
                    "duplicate flow: year {t}, exporter {i}, importer {j}, product {k:06} appears on lines {}",
                    lines.iter().map(u64::to_string).collect::<Vec<_>>().join(" and ")
                ),
            )
            .at_line(lines.get(1).copied().unwrap_or(line))
            .in_field("k")
            .expected("one row per (t, i, j, k)")
            .into());
        }
    }
    Ok(())
}

/// The error for a row whose year is not the file's.
fn wrong_year(file: &str, line: u64, t: i32, year: i32) -> Error {
    InputError::file(file, format!("year {t} in the file for {year}"))
        .at_line(line)
        .in_field("t")
        .expected(format!(
            "{year}, the year in the file name (a row of another year would be counted with the wrong year, or twice)"
        ))
        .into()
}

/// Reads a line of the plain form `t,i,j,k,v,q` (digits, a decimal point in v and q,
/// q possibly `NA` or empty) in place, with the same range checks as [`parse_row`];
/// `None` for anything else.
fn fast_row(raw: &[u8]) -> Option<(i32, u16, u16, u32, f64)> {
    let mut at = 0usize;
    let mut uint = |max_len: usize| -> Option<u32> {
        let start = at;
        let mut v: u32 = 0;
        while let Some(&b) = raw.get(at) {
            if b == b',' {
                break;
            }
            // too long for the field: the full parser words the error (and the number is
            // never read past its width, so it cannot overflow)
            if !b.is_ascii_digit() || at - start == max_len {
                return None;
            }
            v = v * 10 + u32::from(b - b'0');
            at += 1;
        }
        let len = at - start;
        if len == 0 || len > max_len || raw.get(at) != Some(&b',') {
            return None;
        }
        at += 1;
        Some(v)
    };
    let t = uint(4).filter(|t| (1988..=2100).contains(t))?;
    let i = uint(3)?;
    let j = uint(3)?;
    let k = uint(6)?;
    let rest = &raw[at..];
    let comma = memchr::memchr(b',', rest)?;
    let v = parse_num(&rest[..comma])?;
    let q = &rest[comma + 1..];
    // the quantity is checked, not read: empty, NA or a plain decimal (digits and at
    // most one point; what `parse_num` reads), anything else goes to the full parser
    if !(q.is_empty() || q == b"NA" || plain_decimal(q)) {
        return None;
    }
    Some((t as i32, i as u16, j as u16, k, v))
}

/// Digits with at most one decimal point, at least one digit: a number `parse_num`
/// reads (its fast path up to 15 digits, the standard library's parser beyond).
fn plain_decimal(s: &[u8]) -> bool {
    let (mut digits, mut points) = (0usize, 0usize);
    for &b in s {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return false,
        }
    }
    digits > 0 && points <= 1
}

/// What a scan does with a row: (state, t, i, j, k, v).
pub type Visit<S> = dyn Fn(&mut S, i32, u16, u16, u32, f64) + Sync;

/// A part's line count and key order, or the part-relative number and bytes of its first
/// bad line (with the year it holds when that year is not the file's).
type PartResult = std::result::Result<(u64, Order), (u64, Vec<u8>, Option<i32>)>;

/// What a part of a block says about the order of its keys.
#[derive(Debug, Clone, Copy, Default)]
struct Order {
    first: Option<u64>,
    last: Option<u64>,
    /// Every key greater than the one before.
    increasing: bool,
    /// A key equal to the one before it.
    repeated: Option<u64>,
}

/// Parses one part of a block: whole lines, folded into `state`. Returns the number of
/// lines and the order of the keys, or the part-relative number and bytes of the first
/// bad line.
fn scan_part<S>(data: &[u8], state: &mut S, visit: &Visit<S>, year: Option<i32>) -> PartResult {
    let mut n = 0u64;
    let mut start = 0;
    let mut order = Order {
        increasing: true,
        ..Order::default()
    };
    while start < data.len() {
        let stop = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
        let raw = &data[start..stop];
        start = stop + 1;
        n += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        // the plain form BACI writes, read in place; anything else (spaces, quotes, an
        // error) goes through the full parser, which also words the error
        let row = fast_row(raw).or_else(|| {
            parse_row(raw, "", 0)
                .ok()
                .map(|r| (r.t, r.i as u16, r.j as u16, r.k, r.v))
        });
        match row {
            Some((t, ..)) if year.is_some_and(|y| y != t) => {
                return Err((n, raw.to_vec(), Some(t)));
            }
            Some((t, i, j, k, v)) => {
                let key = pack(t, i32::from(i), i32::from(j), k);
                match order.last {
                    Some(prev) if key == prev => {
                        order.repeated.get_or_insert(key);
                    }
                    Some(prev) if key < prev => order.increasing = false,
                    None => order.first = Some(key),
                    _ => {}
                }
                order.last = Some(key);
                visit(state, t, i, j, k, v);
            }
            None => return Err((n, raw.to_vec(), None)),
        }
    }
    Ok((n, order))
}

/// The keys of a file whose rows are not in order, for the duplicate check: a second,
/// plain pass, streamed.
fn all_keys(path: &Path) -> Result<KeyCheck> {
    use std::io::BufRead;
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    // streamed line by line: only the keys (8 bytes a row) are kept
    let mut reader = std::io::BufReader::with_capacity(1 << 20, crate::input::open_regular(path)?);
    let mut check = KeyCheck::default();
    let mut line = Vec::with_capacity(128);
    let mut first = true;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
            break;
        }
        if std::mem::take(&mut first) {
            continue; // the header
        }
        let raw = line.strip_suffix(b"\n").unwrap_or(&line);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some((t, i, j, k, _)) = fast_row(raw).or_else(|| {
            parse_row(raw, "", 0)
                .ok()
                .map(|r| (r.t, r.i as u16, r.j as u16, r.k, r.v))
        }) {
            check.push(pack(t, i32::from(i), i32::from(j), k));
        }
    }
    Ok(check)
}

/// Parses BACI trade files in order, handing validated batches to `sink`. The
/// SHA-256 recorded is that of the files' bytes concatenated in this order.
pub fn parse_files(
    spec: &SourceSpec,
    inputs: &[Input],
    sink: Sink<'_>,
    progress: Progress<'_>,
) -> Result<Parsed> {
    let table = spec.table();
    let schema = arrow_schema(&table);
    let mut digests: Vec<String> = Vec::with_capacity(inputs.len());
    let mut parsed = Parsed::default();
    let mut total_rows = 0u64;
    let mut done_bytes = 0u64;
    for input in inputs {
        let file = input.name.as_str();
        let mut out_file = Emitter::new(table.clone(), file, &mut *sink);
        let file_year = Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(BaciName::parse)
            .and_then(|n| n.year);
        let mut reader = HashingReader::new(input.reader()?);
        let read_err = |e: std::io::Error| Error::Io {
            path: file.to_string(),
            source: e,
        };
        const BLOCK: usize = 4 << 20;
        let mut buf: Vec<u8> = Vec::with_capacity(2 * BLOCK);
        let mut line: u64 = 0;
        let mut header_done = false;
        let mut b = Builders::new();
        let mut eof = false;
        let mut last_line_ended = true;
        let mut keys = KeyCheck::default();
        while !eof {
            // read straight into the buffer's tail
            let filled = buf.len();
            buf.resize(filled + BLOCK, 0);
            let n = reader.read(&mut buf[filled..]).map_err(read_err)?;
            buf.truncate(filled + n);
            if n == 0 {
                eof = true;
            }
            // the complete lines in the buffer
            let end = if eof {
                if !buf.is_empty() {
                    last_line_ended = buf.ends_with(b"\n");
                }
                buf.len()
            } else {
                match memchr::memrchr(b'\n', &buf) {
                    Some(p) => p + 1,
                    None => continue,
                }
            };
            let mut start = 0;
            while start < end {
                let stop = memchr::memchr(b'\n', &buf[start..end]).map_or(end, |p| start + p);
                let raw = &buf[start..stop];
                start = stop + 1;
                line += 1;
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                if !header_done {
                    let text = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
                    let cols: Vec<&[u8]> = text.split(|&c| c == b',').map(trim).collect();
                    if cols != [b"t" as &[u8], b"i", b"j", b"k", b"v", b"q"] {
                        let found = indmon_core::quote::excerpt_bytes(text);
                        let e = if text.iter().all(|b| b.is_ascii_whitespace()) {
                            InputError::file(file, "the file is empty")
                        } else {
                            InputError::file(file, format!("the header is '{found}'")).at_line(line)
                        };
                        return Err(e.expected("BACI's header t,i,j,k,v,q").into());
                    }
                    header_done = true;
                    continue;
                }
                if raw.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                let Row { t, i, j, k, v, q } = parse_row(raw, file, line)?;
                if let Some(y) = file_year
                    && y != t
                {
                    return Err(wrong_year(file, line, t, y));
                }
                keys.push(pack(t, i, j, k));
                b.t.append_value(t);
                b.i.append_value(i);
                b.j.append_value(j);
                let code = hs6_digits(k);
                b.k.append_value(std::str::from_utf8(&code).expect("digits"));
                b.v.append_value(v);
                b.q.append_option(q);
                b.rows += 1;
                if b.rows == BATCH_ROWS {
                    out_file.emit_batch(b.finish(&schema))?;
                }
            }
            buf.drain(..end);
            progress(done_bytes + reader.bytes_read());
        }
        if !header_done {
            return Err(InputError::file(file, "the file is empty")
                .expected("BACI's header t,i,j,k,v,q and data rows")
                .into());
        }
        if !last_line_ended {
            return Err(InputError::file(
                file,
                "the last line ends without a line break: the file looks truncated (an interrupted download or unzip?)",
            )
            .at_line(line)
            .into());
        }
        if let Some(key) = keys.repeated() {
            let lines = lines_with_key(input, key)?;
            let (t, i, j, k) = unpack(key);
            let at = lines.get(1).copied().unwrap_or(line);
            return Err(InputError::file(
                file,
                format!(
                    "duplicate flow: year {t}, exporter {i}, importer {j}, product {k:06} appears on lines {}",
                    lines.iter().map(u64::to_string).collect::<Vec<_>>().join(" and ")
                ),
            )
            .at_line(at)
            .in_field("k")
            .expected("one row per (t, i, j, k)")
            .into());
        }
        drop(keys);
        if b.rows > 0 {
            out_file.emit_batch(b.finish(&schema))?;
        }
        let (sha, bytes) = reader.finish();
        digests.push(sha);
        total_rows += out_file.rows();
        done_bytes += bytes;
    }
    parsed.rows = total_rows;
    parsed.input_bytes = done_bytes;
    // One file: its own SHA-256 (what `sha256sum` prints). Several: the SHA-256 of
    // their hex digests, one per line, in file-name order.
    parsed.sha256 = match digests.as_slice() {
        [one] => one.clone(),
        many => crate::input::sha256_hex(many.join("\n").as_bytes()),
    };
    Ok(parsed)
}

/// The single-input entry used by [`crate::formats::parse`].
pub(crate) fn parse(
    spec: &SourceSpec,
    input: &Input,
    sink: Sink<'_>,
    progress: Progress<'_>,
) -> Result<Parsed> {
    parse_files(spec, std::slice::from_ref(input), sink, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows seen by a scan: (t, i, j, k, v) in a list per part.
    type Flow = (i32, u16, u16, u32, f64);

    fn scan_rows(text: &str, parts: usize, block: usize) -> Result<Vec<Flow>> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("BACI_HS17_Y2024_V202601.csv");
        std::fs::write(&p, text).unwrap();
        let mut states: Vec<Vec<Flow>> = vec![Vec::new(); parts];
        scan_blocks(
            &[p],
            &mut states,
            &|s: &mut Vec<_>, t, i, j, k, v| s.push((t, i, j, k, v)),
            &|_| {},
            block,
        )?;
        let mut all: Vec<_> = states.into_iter().flatten().collect();
        all.sort_by(|a, b| a.partial_cmp(b).unwrap());
        Ok(all)
    }

    /// The quantity check accepts exactly the digit-and-point strings `parse_num` reads.
    #[test]
    fn a_plain_decimal_is_what_parse_num_reads() {
        use proptest::prelude::*;
        proptest!(|(q in "[0-9.x]{0,20}")| {
            let q = q.as_bytes();
            let by_parse = !q.is_empty()
                && q.iter().all(|b| b.is_ascii_digit() || *b == b'.')
                && parse_num(q).is_some();
            prop_assert_eq!(plain_decimal(q), by_parse, "{:?}", String::from_utf8_lossy(q));
        });
    }

    #[test]
    fn scan_reads_every_row_once_whatever_the_blocks_and_parts() {
        let mut text = String::from("t,i,j,k,v,q\n");
        let mut want = Vec::new();
        for n in 0..500u32 {
            let (i, j, k) = (4 + n % 7, 8 + n % 5, 10121 + n * 13);
            let v = f64::from(n) * 1.5 + 0.125;
            let q = if n % 9 == 0 {
                "NA".to_string()
            } else {
                format!("{}.5", n)
            };
            text.push_str(&format!("2024,{i},{j},{k},{v},{q}\n"));
            want.push((2024, i as u16, j as u16, k, v));
        }
        // a quoted, spaced line goes through the full parser
        text.push_str("2024, 4 ,\"9\",850511,2.5,\n");
        want.push((2024, 4, 9, 850511, 2.5));
        want.sort_by(|a, b| a.partial_cmp(b).unwrap());
        for (parts, block) in [(1, 1 << 20), (2, 64), (3, 200), (4, 4096)] {
            assert_eq!(
                scan_rows(&text, parts, block).unwrap(),
                want,
                "{parts} parts, blocks of {block}"
            );
        }
    }

    #[test]
    fn scan_names_the_line_of_a_bad_row_and_finds_repeats_across_parts() {
        let mut text = String::from("t,i,j,k,v,q\n");
        for n in 0..300u32 {
            text.push_str(&format!("2024,4,{},{},1.5,NA\n", 8 + n % 5, 10121 + n));
        }
        let bad = text.replacen("2024,4,8,10221,1.5,NA", "2024,4,8,10221,abc,NA", 1);
        let line = bad.lines().position(|l| l.contains("abc")).unwrap() as u64 + 1;
        for (parts, block) in [(1, 1 << 20), (2, 100), (3, 333)] {
            let e = scan_rows(&bad, parts, block).unwrap_err().to_string();
            assert!(
                e.contains(&format!("line {line}")) && e.contains("'v'"),
                "{parts}/{block}: {e}"
            );
        }
        // the same flow on line 2 and at the end: found across parts
        let first = text.lines().nth(1).unwrap().to_string();
        let twice = format!("{text}{first}\n");
        for (parts, block) in [(1, 1 << 20), (2, 100)] {
            let e = scan_rows(&twice, parts, block).unwrap_err().to_string();
            assert!(
                e.contains("duplicate flow") && e.contains("lines 2 and 302"),
                "{e}"
            );
        }
        // a repeat right after the first (sorted input: found on the way)
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(2, lines[1]);
        let adjacent = format!("{}\n", lines.join("\n"));
        for (parts, block) in [(1, 1 << 20), (2, 100), (3, 7)] {
            let e = scan_rows(&adjacent, parts, block).unwrap_err().to_string();
            assert!(
                e.contains("duplicate flow") && e.contains("lines 2 and 3"),
                "{e}"
            );
        }
        // a row of another year than the file's
        let other = text.replacen("2024,4,8,10221,1.5,NA", "2023,4,8,10221,1.5,NA", 1);
        let e = scan_rows(&other, 2, 100).unwrap_err().to_string();
        assert!(
            e.contains(&format!("line {line}")) && e.contains("year 2023 in the file for 2024"),
            "{e}"
        );
        // truncated, empty, wrong header
        let cut = &text[..text.len() - 3];
        assert!(
            scan_rows(cut, 2, 100)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        assert!(
            scan_rows("", 2, 100)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            scan_rows("a,b\n1,2\n", 2, 100)
                .unwrap_err()
                .to_string()
                .contains("the header is 'a,b'")
        );
    }

    #[test]
    fn file_names() {
        let n = BaciName::parse("BACI_HS17_Y2024_V202601_crm.csv").unwrap();
        assert_eq!(
            (n.hs.as_str(), n.year, n.version.as_str()),
            ("HS17", Some(2024), "V202601")
        );
        assert_eq!(n.release(), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(n.dataset(), "baci_hs17");
        let s = BaciName::parse("BACI_HS12_Y2022_VSYNTHETIC.csv").unwrap();
        assert!(s.is_synthetic());
        assert_eq!(s.dataset(), "synth_baci_hs12");
        assert_eq!(s.release(), None);
        assert!(BaciName::parse("trade.csv").is_none());
        assert!(BaciName::parse("BACI_H17_Y2024_V202601.csv").is_none());
    }

    #[test]
    fn duplicates_are_found_in_sorted_and_unsorted_input() {
        let mut k = KeyCheck::default();
        for key in [1, 5, 9] {
            k.push(key);
        }
        assert_eq!(k.repeated(), None);
        k.push(9);
        assert_eq!(k.repeated(), Some(9));
        let mut k = KeyCheck::default();
        for key in [7, 1, 5, 3] {
            k.push(key);
        }
        assert_eq!(k.repeated(), None);
        k.push(1);
        assert_eq!(k.repeated(), Some(1));
    }

    #[test]
    fn numbers_parse_like_the_standard_library() {
        for t in [
            "0",
            "0.001",
            "23685.927",
            "8047.4",
            "5.",
            ".5",
            "12345678901234.5",
            "1e3",
            "0000000000000000001.25",
        ] {
            assert_eq!(parse_num(t.as_bytes()), t.parse::<f64>().ok(), "{t}");
        }
        for bad in ["", ".", "-1", "1.2.3", "abc", "NaN", "inf"] {
            assert_eq!(parse_num(bad.as_bytes()), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_decimal_parse_matches_std(int in 0u64..10_000_000_000, frac in 0u32..1000, places in 0usize..4) {
            let text = match places {
                0 => int.to_string(),
                p => format!("{int}.{:0width$}", frac % 10u32.pow(p as u32), width = p),
            };
            proptest::prop_assert_eq!(parse_num(text.as_bytes()), text.parse::<f64>().ok());
        }
    }

    #[test]
    fn keys_pack_without_collisions_at_the_edges() {
        assert_ne!(pack(2024, 999, 0, 1), pack(2024, 0, 999, 1));
        assert_ne!(pack(2024, 1, 2, 999_999), pack(2025, 1, 2, 999_999));
        assert_eq!(pack(2024, 1, 2, 10121), pack(2024, 1, 2, 10121));
        assert_eq!(
            unpack(pack(2024, 699, 251, 850511)),
            (2024, 699, 251, 850511)
        );
    }
}
