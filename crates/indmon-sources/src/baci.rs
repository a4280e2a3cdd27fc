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
use crate::formats::{Emitter, Parsed, Progress, Sink};
use crate::input::{HashingReader, Input};
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
fn parse_num(s: &[u8]) -> Option<f64> {
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
                        let found = String::from_utf8_lossy(text);
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
                let show = |s: &[u8]| String::from_utf8_lossy(s).into_owned();
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
                keys.push(pack(t, i, j, k));
                b.t.append_value(t);
                b.i.append_value(i);
                b.j.append_value(j);
                let mut code = [b'0'; 6];
                code[6 - fk.len()..].copy_from_slice(fk);
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
