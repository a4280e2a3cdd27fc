//! Integrity: the SHA-256 of every stored Parquet file, recorded in its catalog record
//! when the vintage is committed and checked before the file is read (once per file per
//! process: a file whose size, modification time and recorded checksum are unchanged
//! since its last check is not read again) and by [`Store::verify`] (`indmon verify`).
//!
//! A dataset that cannot be read — a catalog record that does not parse, a file whose
//! bytes are not the ones recorded, a Parquet file the engine cannot open — is
//! *unavailable* ([`Unavailable`]): it alone fails, with the file named; every other
//! dataset is read as usual.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use indmon_core::VintageMeta;
use sha2::{Digest, Sha256};

use crate::{Error, Result, Store};

/// A dataset that cannot be read, the file that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// The dataset (its folder's name when its record is unreadable).
    pub dataset: String,
    /// The file that is wrong (full path).
    pub file: PathBuf,
    /// The same file relative to the data directory (`datasets/…/meta.json`), for
    /// answers that must not show where the data directory is.
    pub within: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Unavailable {
    pub(crate) fn new(store: &Store, dataset: &str, file: &Path, reason: String) -> Self {
        let within = file
            .strip_prefix(store.root())
            .unwrap_or(file)
            .display()
            .to_string();
        Self {
            dataset: dataset.to_string(),
            file: file.to_path_buf(),
            within,
            reason,
        }
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "dataset {} is unavailable: {}: {}",
            self.dataset,
            self.file.display(),
            self.reason
        )
    }
}

/// The outcome of checking one stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// The file's SHA-256 is the one its record states.
    Ok,
    /// The record was written before indmon recorded checksums: nothing to check against.
    NoChecksum,
    /// The file's bytes are not the ones recorded.
    Mismatch {
        /// The SHA-256 in the record.
        recorded: String,
        /// The SHA-256 of the file as it is.
        found: String,
    },
    /// The file is not there.
    Missing,
    /// The file cannot be read or, for a catalog record, does not parse.
    Unreadable(String),
}

impl FileStatus {
    /// Whether the file is damaged (anything but `Ok` and `NoChecksum`).
    pub fn is_problem(&self) -> bool {
        !matches!(self, FileStatus::Ok | FileStatus::NoChecksum)
    }
}

impl std::fmt::Display for FileStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileStatus::Ok => f.write_str("ok"),
            FileStatus::NoChecksum => f.write_str("no checksum recorded"),
            FileStatus::Mismatch { recorded, found } => write!(
                f,
                "checksum mismatch: the record says SHA-256 {recorded}, the file has {found}"
            ),
            FileStatus::Missing => f.write_str("missing"),
            FileStatus::Unreadable(why) => write!(f, "unreadable: {why}"),
        }
    }
}

/// One stored file as [`Store::verify`] found it.
#[derive(Debug, Clone)]
pub struct FileCheck {
    /// The dataset (its folder's name).
    pub dataset: String,
    /// The vintage (its folder's name without `vintage=`).
    pub vintage: String,
    /// The file (full path).
    pub file: PathBuf,
    /// The file relative to the data directory.
    pub within: String,
    /// What was found.
    pub status: FileStatus,
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// SHA-256 of bytes, hex.
pub(crate) fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file being written, hashed on the way: the Parquet writer writes front to back,
/// so the hash of what passed through is the hash of the file.
pub(crate) struct HashingFile {
    file: File,
    hasher: Sha256,
}

impl HashingFile {
    pub(crate) fn new(file: File) -> Self {
        Self {
            file,
            hasher: Sha256::new(),
        }
    }

    /// The file and the SHA-256 (hex) of everything written to it.
    pub(crate) fn finish(self) -> (File, String) {
        (self.file, hex(&self.hasher.finalize()))
    }
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// What the process knows about a file it has checked.
struct Checked {
    size: u64,
    modified: Option<SystemTime>,
    recorded: String,
    status: FileStatus,
}

fn checked() -> &'static Mutex<HashMap<PathBuf, Checked>> {
    static CHECKED: OnceLock<Mutex<HashMap<PathBuf, Checked>>> = OnceLock::new();
    CHECKED.get_or_init(Default::default)
}

thread_local! {
    /// How many files this thread has hashed to check them (for tests of the cache).
    static HASHED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Checks `path` against the checksum `recorded`. With `again`, the file is hashed even
/// when this process checked it before and it has not changed since.
fn check_file(path: &Path, recorded: &str, again: bool) -> FileStatus {
    let md = match std::fs::metadata(path) {
        Ok(md) => md,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileStatus::Missing,
        Err(e) => return FileStatus::Unreadable(e.to_string()),
    };
    let (size, modified) = (md.len(), md.modified().ok());
    if !again
        && let Some(c) = checked().lock().expect("integrity cache").get(path)
        && c.size == size
        && c.modified == modified
        && c.recorded == recorded
    {
        return c.status.clone();
    }
    HASHED.with(|n| n.set(n.get() + 1));
    let status = match sha256_file(path) {
        Ok(found) if found == recorded => FileStatus::Ok,
        Ok(found) => FileStatus::Mismatch {
            recorded: recorded.to_string(),
            found,
        },
        // a read that failed may succeed next time (no file handle free, a passing IO
        // error): said now, not remembered as damage
        Err(e) => return FileStatus::Unreadable(e.to_string()),
    };
    checked().lock().expect("integrity cache").insert(
        path.to_path_buf(),
        Checked {
            size,
            modified,
            recorded: recorded.to_string(),
            status: status.clone(),
        },
    );
    status
}

/// What is wrong with `path`, when this process found it damaged, its record still
/// states the same checksum and the file has not changed since.
pub(crate) fn known_damage(path: &Path, recorded: &str) -> Option<FileStatus> {
    let map = checked().lock().expect("integrity cache");
    let c = map.get(path)?;
    if c.recorded != recorded || !c.status.is_problem() {
        return None;
    }
    let unchanged = match std::fs::metadata(path) {
        Ok(md) => md.len() == c.size && md.modified().ok() == c.modified,
        Err(_) => c.status == FileStatus::Missing,
    };
    unchanged.then(|| c.status.clone())
}

#[cfg(test)]
pub(crate) fn hashed() -> u64 {
    HASHED.with(std::cell::Cell::get)
}

impl Store {
    /// Checks the Parquet file of a vintage before it is read: against its recorded
    /// checksum, once per file per process. A record without a checksum is read
    /// unchecked.
    pub(crate) fn check_vintage(&self, dir: &Path, meta: &VintageMeta) -> Result<()> {
        let Some(recorded) = &meta.data_sha256 else {
            return Ok(());
        };
        let file = dir.join("data.parquet");
        match check_file(&file, recorded, false) {
            FileStatus::Ok | FileStatus::NoChecksum => Ok(()),
            status => Err(Error::Unavailable(Unavailable::new(
                self,
                meta.dataset.as_str(),
                &file,
                status.to_string(),
            ))),
        }
    }

    /// Checks every stored file of every vintage (of `dataset` only, when given): each
    /// catalog record must parse and name its own folder, and each Parquet file must have
    /// the SHA-256 its record states (hashed again, whatever this process knew). Records
    /// written before checksums were kept are reported as such, not as damage.
    pub fn verify(&self, dataset: Option<&str>) -> Result<Vec<FileCheck>> {
        let root = self.root().join("datasets");
        let mut names: Vec<String> = match std::fs::read_dir(&root) {
            Ok(entries) => entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(crate::io_err(&root)(e)),
        };
        names.sort();
        if let Some(ds) = dataset {
            if !names.iter().any(|n| n == ds) {
                return Err(Error::NotFound(format!(
                    "no dataset {ds} in the store (`indmon sources` lists them)"
                )));
            }
            names.retain(|n| n == ds);
        }
        let mut out = Vec::new();
        let within = |p: &Path| {
            p.strip_prefix(self.root())
                .unwrap_or(p)
                .display()
                .to_string()
        };
        // the vintages as readers see them: while a release is being switched (or after
        // one was interrupted) its new vintages are not checked, and a replaced vintage
        // is checked where its previous version now is
        let catalog = self.catalog()?;
        for ds in names {
            let dir = root.join(&ds);
            let mut vintages: Vec<(String, PathBuf)> = if catalog.exact(&ds) {
                std::fs::read_dir(&dir)
                    .map_err(crate::io_err(&dir))?
                    .flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_str()?.to_string();
                        let v = name.strip_prefix("vintage=")?.to_string();
                        Some((v, e.path()))
                    })
                    .collect()
            } else {
                catalog
                    .vintages(&ds)
                    .iter()
                    .map(|m| (m.vintage.clone(), catalog.dir(self, &ds, &m.vintage)))
                    .collect()
            };
            vintages.sort();
            for (vintage, vdir) in vintages {
                let meta_path = vdir.join("meta.json");
                let check = |file: &Path, status| FileCheck {
                    dataset: ds.clone(),
                    vintage: vintage.clone(),
                    file: file.to_path_buf(),
                    within: within(file),
                    status,
                };
                let meta = match read_record(&meta_path, &ds, &vintage) {
                    Ok(m) => m,
                    Err(why) => {
                        out.push(check(&meta_path, FileStatus::Unreadable(why)));
                        continue;
                    }
                };
                out.push(check(&meta_path, FileStatus::Ok));
                let data = vdir.join("data.parquet");
                let status = match &meta.data_sha256 {
                    Some(recorded) => check_file(&data, recorded, true),
                    None if data.is_file() => FileStatus::NoChecksum,
                    None => FileStatus::Missing,
                };
                out.push(check(&data, status));
            }
        }
        Ok(out)
    }
}

/// Reads and parses a catalog record, which must name the dataset and vintage of its
/// folder; the error says what is wrong (without the path).
pub(crate) fn read_record(
    path: &Path,
    dataset: &str,
    vintage: &str,
) -> Result<VintageMeta, String> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "the catalog record is missing".to_string(),
        _ => e.to_string(),
    })?;
    let meta: VintageMeta =
        serde_json::from_str(&text).map_err(|e| format!("unreadable catalog record: {e}"))?;
    if meta.dataset.as_str() != dataset || meta.vintage != vintage {
        return Err(format!(
            "the catalog record is of {} vintage {}, not of its folder {dataset}/vintage={vintage}",
            meta.dataset, meta.vintage
        ));
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_hashed_once_until_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("data.parquet");
        std::fs::write(&p, b"some bytes").unwrap();
        let sha = sha256_file(&p).unwrap();
        let before = hashed();
        assert_eq!(check_file(&p, &sha, false), FileStatus::Ok);
        assert_eq!(check_file(&p, &sha, false), FileStatus::Ok);
        assert_eq!(hashed() - before, 1, "the second check read the file again");
        // another size: checked again, and found damaged
        std::fs::write(&p, b"other bytes!").unwrap();
        assert!(matches!(
            check_file(&p, &sha, false),
            FileStatus::Mismatch { .. }
        ));
        assert_eq!(hashed() - before, 2);
        assert!(known_damage(&p, &sha).is_some());
        // forced: hashed whatever is known
        check_file(&p, &sha, true);
        assert_eq!(hashed() - before, 3);
        std::fs::remove_file(&p).unwrap();
        assert_eq!(check_file(&p, &sha, false), FileStatus::Missing);
    }

    #[test]
    fn the_hash_of_what_was_written_is_the_hash_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let mut w = HashingFile::new(File::create(&p).unwrap());
        w.write_all(b"abc").unwrap();
        w.write_all(&[7u8; 100_000]).unwrap();
        let (_, sha) = w.finish();
        assert_eq!(sha, sha256_file(&p).unwrap());
    }
}
