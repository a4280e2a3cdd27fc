//! Reading inputs: files, downloaded bodies and the bundled snapshot; their
//! checksums, text encodings and the checks every CSV input gets (not empty, not cut
//! off, the expected header).
//!
//! Every path a user names is opened through [`open_regular`] (or read through
//! [`read_regular`]): only regular files are read. A named pipe (FIFO), a device
//! (`/dev/zero`, a terminal behind `/dev/stdin`) or a socket is refused with its path
//! named, before it is opened — reading one could wait forever or never end.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, InputError, Result};

/// The text encoding a source declares for its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Encoding {
    /// UTF-8; a leading byte-order mark is removed. Invalid bytes are an error.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252. A field that is valid UTF-8 is read as UTF-8 (a file re-saved
    /// as UTF-8 still reads correctly); any other field is decoded as Windows-1252.
    #[serde(rename = "cp1252")]
    Cp1252,
}

impl Encoding {
    /// The encoding's name in messages and flags.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Cp1252 => "cp1252",
        }
    }

    /// Parses a `--encoding` value.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "cp1252" | "windows-1252" | "latin1" | "latin-1" | "iso-8859-1" => {
                Some(Encoding::Cp1252)
            }
            _ => None,
        }
    }
}

/// Decodes one field. On failure returns a message (the caller adds file, line and
/// field).
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<Cow<'_, str>, String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => match encoding {
            Encoding::Cp1252 => {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                Ok(text)
            }
            Encoding::Utf8 => {
                let pos = e.valid_up_to();
                let byte = bytes[pos];
                let hint = if std::str::from_utf8(&bytes[pos..]).is_err()
                    && encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling_and_without_replacement(bytes)
                        .is_some()
                {
                    "; the file looks like Windows-1252 (cp1252): save it as UTF-8, or pass --encoding cp1252"
                } else {
                    ""
                };
                Err(format!(
                    "invalid UTF-8: byte 0x{byte:02X} at position {} of the field{hint}",
                    pos + 1
                ))
            }
        },
    }
}

/// What a path is when it is not a regular file, for messages.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        } else if ft.is_char_device() {
            return "a character device";
        } else if ft.is_block_device() {
            return "a block device";
        } else if ft.is_socket() {
            return "a socket";
        }
    }
    "something other than a file"
}

/// The refusal of a path that is not a regular file.
fn not_regular(path: &Path, ft: std::fs::FileType) -> Error {
    InputError::file(
        path.display().to_string(),
        format!(
            "is {}, not a regular file; indmon reads only regular files (a pipe or a device could block or never end)",
            kind_of(ft)
        ),
    )
    .expected("a regular file")
    .into()
}

/// Checks that `path` is a regular file (after following symbolic links) without
/// opening it; a FIFO, a device, a socket or a folder is refused with the path named.
pub fn check_regular(path: &Path) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    if !meta.file_type().is_file() {
        return Err(not_regular(path, meta.file_type()));
    }
    Ok(meta)
}

/// Opens a regular file for reading (see [`check_regular`]): the type is checked
/// before the file is opened (opening a FIFO waits for a writer) and again on the
/// opened file.
pub fn open_regular(path: &Path) -> Result<File> {
    check_regular(path)?;
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.file_type().is_file() {
        return Err(not_regular(path, meta.file_type()));
    }
    Ok(file)
}

/// The largest file read whole into memory (every format but BACI's trade files,
/// which are streamed), in bytes.
pub const MAX_WHOLE_FILE: u64 = 2 << 30;

/// The largest settings or taxonomy file (TOML) read, in bytes.
pub const MAX_SETTINGS_FILE: u64 = 4 << 20;

/// Reads a regular file (see [`open_regular`]) of at most `cap` bytes whole; a larger
/// one is refused with its size and the cap. The cap is checked as the file is read
/// too (a file that grows while it is read).
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let file = open_regular(path)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let too_big = |size: u64| -> Error {
        InputError::file(
            path.display().to_string(),
            format!("the file is {size} bytes; indmon reads files of this kind up to {cap} bytes"),
        )
        .into()
    };
    if size > cap {
        return Err(too_big(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e,
        })?;
    if bytes.len() as u64 > cap {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// An input to a parser: a local file, or bytes in memory (a download, the bundled
/// snapshot, a test fixture). `name` is what messages and the catalog call it.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name shown in messages and recorded in the catalog.
    pub name: String,
    source: InputSource,
}

#[derive(Debug, Clone)]
enum InputSource {
    File(PathBuf),
    Bytes(std::sync::Arc<[u8]>),
}

impl Input {
    /// A local file.
    pub fn file(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref().to_path_buf();
        Self {
            name: path.display().to_string(),
            source: InputSource::File(path),
        }
    }

    /// Bytes in memory under a name.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<std::sync::Arc<[u8]>>) -> Self {
        Self {
            name: name.into(),
            source: InputSource::Bytes(bytes.into()),
        }
    }

    /// The local path, for file inputs.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            InputSource::File(p) => Some(p),
            InputSource::Bytes(_) => None,
        }
    }

    /// Size in bytes, when known without reading.
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            InputSource::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            InputSource::Bytes(b) => Some(b.len() as u64),
        }
    }

    /// True when the input is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Reads the whole input into memory (for the small, non-streaming formats).
    pub fn read_all(&self) -> Result<std::sync::Arc<[u8]>> {
        match &self.source {
            InputSource::File(p) => read_regular(p, MAX_WHOLE_FILE).map(Into::into),
            InputSource::Bytes(b) => Ok(b.clone()),
        }
    }

    /// A streaming reader.
    pub fn reader(&self) -> Result<Box<dyn Read + Send>> {
        match &self.source {
            InputSource::File(p) => Ok(Box::new(open_regular(p)?)),
            InputSource::Bytes(b) => Ok(Box::new(io::Cursor::new(b.clone()))),
        }
    }
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a byte string.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A reader that computes the SHA-256 and byte count of everything read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps a reader.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The hex digest and byte count of everything read.
    pub fn finish(self) -> (String, u64) {
        (hex(&self.hasher.finalize()), self.bytes)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Removes a UTF-8 byte-order mark; refuses UTF-16 and UTF-32 text, which indmon
/// does not read.
pub fn strip_bom<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a [u8], InputError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(rest);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(InputError::file(file, "the file is UTF-16 text")
            .at_line(1)
            .expected("UTF-8 (or the encoding the source declares)"));
    }
    Ok(bytes)
}

/// Checks that a text input is not empty and was not cut off: every line of a
/// complete file ends with a line break, so a last line without one is taken for a
/// truncated download.
pub fn check_complete(file: &str, bytes: &[u8]) -> Result<(), InputError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(
            InputError::file(file, "the file is empty").expected("a header line and data rows")
        );
    }
    if !bytes.ends_with(b"\n") {
        let line = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        return Err(InputError::file(
            file,
            "the last line ends without a line break: the file looks truncated (an interrupted download?); \
             fetch it again, or, if it is complete, add a line break at its end",
        )
        .at_line(line));
    }
    Ok(())
}

/// Number of the line a byte offset is on (1-based).
pub fn line_of(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// A CSV header: the column names in the file and where to find each declared one.
#[derive(Debug, Clone)]
pub struct CsvHeader {
    /// The names as written in the file (trimmed).
    pub names: Vec<String>,
}

impl CsvHeader {
    /// Reads the header record of a CSV input.
    pub fn read(
        file: &str,
        rdr: &mut csv::Reader<&[u8]>,
        encoding: Encoding,
    ) -> Result<Self, InputError> {
        let rec = rdr.byte_headers().map_err(|e| csv_error(file, e))?.clone();
        let mut names = Vec::with_capacity(rec.len());
        for (i, raw) in rec.iter().enumerate() {
            let text = decode(raw, encoding).map_err(|m| {
                InputError::file(file, m)
                    .at_line(1)
                    .in_field(format!("column {}", i + 1))
            })?;
            names.push(text.trim().to_string());
        }
        Ok(Self { names })
    }

    /// The position of each wanted column; a missing one is an error that lists what
    /// the file has.
    pub fn positions(&self, file: &str, wanted: &[&str]) -> Result<Vec<usize>, InputError> {
        let mut out = Vec::with_capacity(wanted.len());
        for w in wanted {
            match self.names.iter().position(|n| n == w) {
                Some(i) => out.push(i),
                None => {
                    return Err(InputError::file(
                        file,
                        format!(
                            "missing column '{w}'; the header has: {}",
                            indmon_core::quote::excerpt_list(&self.names)
                        ),
                    )
                    .at_line(1)
                    .expected(format!("columns {}", wanted.join(", "))));
                }
            }
        }
        Ok(out)
    }

    /// The columns of the file that are not `wanted`, as a warning for `file` naming
    /// them (`layout` says what defines the wanted ones); `None` when there are none.
    pub fn ignored_warning(&self, file: &str, wanted: &[&str], layout: &str) -> Option<String> {
        let ignored: Vec<&str> = self
            .names
            .iter()
            .filter(|n| !wanted.contains(&n.as_str()))
            .map(String::as_str)
            .collect();
        (!ignored.is_empty()).then(|| {
            format!(
                "{file}: column(s) not in {layout} were ignored: {}",
                indmon_core::quote::excerpt_list(&ignored)
            )
        })
    }

    /// The position of an optional column.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// A CSV reader over bytes in memory with the settings all sources share.
pub fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes)
}

/// Turns a csv crate error into an input error with the line.
pub fn csv_error(file: &str, e: csv::Error) -> InputError {
    let line = e.position().map(|p| p.line());
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            return InputError::file(
                file,
                format!("the line has {len} fields where the header has {expected_len} (a truncated or malformed line?)"),
            )
            .at_line(line.unwrap_or(0))
            .expected(format!("{expected_len} comma-separated fields"));
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("invalid UTF-8 in field {}", err.field() + 1),
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        _ => e.to_string(),
    };
    let err = InputError::file(file, msg);
    match line {
        Some(l) => err.at_line(l),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_cp1252_fields() {
        assert_eq!(
            decode("Türkiye".as_bytes(), Encoding::Utf8).unwrap(),
            "Türkiye"
        );
        // "VA in million €" in Windows-1252: € is 0x80
        let cp = b"VA in million \x80";
        assert_eq!(decode(cp, Encoding::Cp1252).unwrap(), "VA in million €");
        let e = decode(cp, Encoding::Utf8).unwrap_err();
        assert!(e.contains("0x80"), "{e}");
        assert!(e.contains("cp1252"), "{e}");
        // a cp1252-declared file that was re-saved as UTF-8 still reads correctly
        assert_eq!(
            decode("Curaçao".as_bytes(), Encoding::Cp1252).unwrap(),
            "Curaçao"
        );
    }

    #[test]
    fn bom_is_removed_and_utf16_refused() {
        assert_eq!(strip_bom("f", b"\xEF\xBB\xBFa,b\n").unwrap(), b"a,b\n");
        assert_eq!(strip_bom("f", b"a,b\n").unwrap(), b"a,b\n");
        assert!(
            strip_bom("f", b"\xFF\xFEa\x00")
                .unwrap_err()
                .message
                .contains("UTF-16")
        );
    }

    #[test]
    fn empty_and_truncated_files_are_refused() {
        assert!(
            check_complete("f", b"")
                .unwrap_err()
                .message
                .contains("empty")
        );
        assert!(
            check_complete("f", b" \n")
                .unwrap_err()
                .message
                .contains("empty")
        );
        let e = check_complete("f", b"a,b\n1,2\n3,").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("truncated"));
        check_complete("f", b"a,b\n1,2\n").unwrap();
    }

    #[test]
    fn missing_columns_are_named() {
        let bytes = b"a,b\n1,2\n";
        let mut r = csv_reader(bytes);
        let h = CsvHeader::read("f.csv", &mut r, Encoding::Utf8).unwrap();
        assert_eq!(h.positions("f.csv", &["b", "a"]).unwrap(), vec![1, 0]);
        let e = h.positions("f.csv", &["a", "c"]).unwrap_err();
        assert!(e.to_string().contains("missing column 'c'"), "{e}");
        assert!(e.to_string().contains("the header has: a, b"), "{e}");
    }

    #[test]
    fn hashing_reader_matches_one_shot_hash() {
        let data = b"t,i,j,k,v,q\n2024,4,8,10121,1.5,NA\n";
        let mut r = HashingReader::new(&data[..]);
        let mut sink = Vec::new();
        r.read_to_end(&mut sink).unwrap();
        let (h, n) = r.finish();
        assert_eq!(n, data.len() as u64);
        assert_eq!(h, sha256_hex(data));
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
