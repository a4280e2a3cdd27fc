//! Committing vintages as one unit: a *release* is one or more vintages, written
//! completely under `tmp/` and then switched into `datasets/` together.
//!
//! The switch, under the store's write lock:
//!
//! 1. `release.json` (the journal) is written atomically with state `switching`, the
//!    vintages (each: staging folder, where a replaced vintage goes, the SHA-256 of the
//!    new `meta.json` and of the one it replaces) and a generation number;
//! 2. each vintage is moved into place: a new one with one rename, a replaced one by
//!    exchanging the two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`; where
//!    the file system cannot, two renames — the journal covers the moment between them);
//! 3. the journal is rewritten with state `done` (the next generation's readers see the
//!    whole release; this is the commit point), and the replaced folders are removed.
//!
//! Readers (the catalog) read the journal before and after the folders, and read again
//! when it changed. While it says `switching` they show the store as it was before the
//! release: new vintages of the release are hidden, and a replaced vintage whose folder
//! already holds the new version is read from where the previous version now is. A
//! failure during the switch puts everything back at once; a process killed during it
//! leaves the journal at `switching`, and the next writer puts everything back before it
//! does anything else. So a reader never sees part of a release, and a release that did
//! not complete leaves the store exactly as it was.

use std::path::{Path, PathBuf};

use indmon_core::{DatasetId, VintageMeta};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::integrity::{Unavailable, read_record, sha256_bytes};
use crate::writer::{VintageWriter, WriteLock, sync_dir, unique, write_atomic};
use crate::{Error, Result, Store, fault, io_err};

/// The journal's file name, in the data directory.
pub(crate) const JOURNAL: &str = "release.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum State {
    Switching,
    Done,
}

/// The release journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Journal {
    generation: u64,
    state: State,
    entries: Vec<Entry>,
}

/// One vintage of a release being switched.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    dataset: String,
    vintage: String,
    /// The staging folder, relative to the data directory: the new vintage until it is
    /// switched; after an exchange, the replaced one.
    staged: String,
    /// Where a replaced vintage is moved when the folders cannot be exchanged.
    backup: String,
    /// SHA-256 of the new `meta.json`.
    new_record: String,
    /// Whether a vintage with this id is replaced.
    replaces: bool,
    /// SHA-256 of the replaced vintage's `meta.json` (none when it had none).
    old_record: Option<String>,
}

impl Journal {
    pub(crate) fn is_switching(&self) -> bool {
        self.state == State::Switching
    }
}

/// The journal's bytes, if there is one.
pub(crate) fn read_raw(root: &Path) -> Option<Vec<u8>> {
    std::fs::read(root.join(JOURNAL)).ok()
}

pub(crate) fn parse(bytes: &[u8]) -> Option<Journal> {
    serde_json::from_slice(bytes).ok()
}

fn write_journal(root: &Path, j: &Journal) -> Result<()> {
    let json = serde_json::to_vec_pretty(j).expect("the journal serialises");
    write_atomic(&root.join("tmp"), &root.join(JOURNAL), &json)?;
    sync_dir(root);
    Ok(())
}

/// The SHA-256 of a vintage folder's `meta.json`: `None` when the folder is not there,
/// `Some(None)` when it has no readable `meta.json`.
fn record_of(dir: &Path) -> Option<Option<String>> {
    if !dir.is_dir() {
        return None;
    }
    Some(
        std::fs::read(dir.join("meta.json"))
            .ok()
            .map(|b| sha256_bytes(&b)),
    )
}

/// Exchanges two folders in one step. `Ok(false)` when this system or file system
/// cannot (then nothing happened).
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    if fault::flag("no-exchange") {
        return Ok(false);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(io_err(to))
}

/// Shows in `catalog` the store as it was before the release in `j` (which is being
/// switched, or was interrupted).
pub(crate) fn as_before(store: &Store, j: &Journal, catalog: &mut Catalog) {
    for e in &j.entries {
        let target = store.vintage_dir(&e.dataset, &e.vintage);
        let now = record_of(&target);
        if !e.replaces {
            if now == Some(Some(e.new_record.clone())) {
                catalog.hide(&e.dataset, &e.vintage);
            }
            continue;
        }
        if now.is_some() && now == Some(e.old_record.clone()) {
            continue; // not switched yet
        }
        let old = [&e.staged, &e.backup]
            .map(|p| store.root().join(p))
            .into_iter()
            .find(|p| record_of(p) == Some(e.old_record.clone()));
        let meta_path = target.join("meta.json");
        match old.map(|dir| (read_record(&dir.join("meta.json"), &e.dataset, &e.vintage), dir)) {
            Some((Ok(meta), dir)) => catalog.replace(meta, dir),
            Some((Err(why), _)) => {
                catalog.set_unavailable(Unavailable::new(store, &e.dataset, &meta_path, why));
            }
            None => catalog.set_unavailable(Unavailable::new(
                store,
                &e.dataset,
                &meta_path,
                format!(
                    "an interrupted release left vintage {} half replaced and its previous version cannot be found",
                    e.vintage
                ),
            )),
        }
    }
}

/// Puts back what an interrupted or failed release switched (the journal says which),
/// and marks the journal done. Called by every writer before it writes.
pub(crate) fn recover(root: &Path) -> Result<()> {
    let Some(bytes) = read_raw(root) else {
        return Ok(());
    };
    let j = parse(&bytes).ok_or_else(|| Error::Corrupt {
        path: root.join(JOURNAL).display().to_string(),
        message: "the release journal is unreadable; remove it only if no release was interrupted"
            .into(),
    })?;
    if !j.is_switching() {
        return Ok(());
    }
    let tmp = root.join("tmp");
    for e in j.entries.iter().rev() {
        let ds_dir = root.join("datasets").join(&e.dataset);
        let target = ds_dir.join(format!("vintage={}", e.vintage));
        let now = record_of(&target);
        if !e.replaces {
            if now == Some(Some(e.new_record.clone())) {
                let away = tmp.join(format!("undone.{}", unique()));
                rename(&target, &away)?;
                sync_dir(&ds_dir);
                let _ = std::fs::remove_dir_all(&away);
                // a dataset folder the release created goes too
                if std::fs::remove_dir(&ds_dir).is_ok() {
                    sync_dir(&root.join("datasets"));
                }
            }
            continue;
        }
        if now.is_some() && now == Some(e.old_record.clone()) {
            continue;
        }
        let old = [&e.staged, &e.backup]
            .map(|p| root.join(p))
            .into_iter()
            .find(|p| record_of(p) == Some(e.old_record.clone()));
        let Some(old) = old else {
            // The switch leaves the previous version in one of those two places until
            // the journal says done; not finding it there (a read that failed, a folder
            // moved by hand) must not end in marking the release done and sweeping
            // tmp/, which may hold it: stop, change nothing, say where to look.
            return Err(Error::Corrupt {
                path: target.display().to_string(),
                message: format!(
                    "an interrupted release replaced this vintage and its previous version was found neither in place nor at {} or {}; nothing was changed (the journal {JOURNAL} and tmp/ are kept) — check those folders, then run the command again",
                    root.join(&e.staged).display(),
                    root.join(&e.backup).display()
                ),
            });
        };
        if now.is_none() {
            rename(&old, &target)?;
        } else if !exchange(&old, &target).map_err(io_err(&target))? {
            let away = tmp.join(format!("undone.{}", unique()));
            rename(&target, &away)?;
            rename(&old, &target)?;
        }
        sync_dir(&ds_dir);
    }
    sync_dir(&tmp);
    write_journal(
        root,
        &Journal {
            generation: j.generation + 1,
            state: State::Done,
            entries: Vec::new(),
        },
    )
}

/// A vintage written completely under `tmp/`, waiting for its release's commit.
struct Staged {
    meta: VintageMeta,
    dir: PathBuf,
    record: String,
}

/// A release being written: holds the store's write lock; vintages are added one by
/// one ([`Release::writer`], [`Release::add`]) and appear together at
/// [`Release::commit`]. Dropped without a commit, it leaves the store as it was.
pub struct Release {
    root: PathBuf,
    staged: Vec<Staged>,
    lock: Option<WriteLock>,
}

impl Store {
    /// Takes the store's write lock and starts a release. An interrupted earlier release
    /// is put back first, then stale staging folders are removed.
    pub fn release(&self) -> Result<Release> {
        let lock = WriteLock::take(self.root())?;
        recover(self.root())?;
        let tmp = self.root().join("tmp");
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for e in entries.flatten() {
                let p = e.path();
                let _ = if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
            }
        }
        Ok(Release {
            root: self.root().to_path_buf(),
            staged: Vec::new(),
            lock: Some(lock),
        })
    }

    /// Takes the store's write lock and starts a vintage of `dataset`, a release of its
    /// own (see [`Store::release`] for several vintages that appear together). Its
    /// schema is the first batch's (the parser has checked every batch against the
    /// dataset's declared schema); a later batch with another schema is an error.
    pub fn writer(&self, dataset: &DatasetId) -> Result<VintageWriter> {
        let mut release = self.release()?;
        let mut w = release.writer(dataset)?;
        w.solo = release.lock.take();
        Ok(w)
    }
}

impl VintageWriter {
    /// Finishes the Parquet file, writes the catalog record (with the file's SHA-256)
    /// and moves the vintage into place in one step. With `force`, an existing vintage
    /// of the same id is replaced (the two folders are exchanged at once: there is no
    /// moment without either); otherwise that is an error and nothing changes. Returns
    /// the record as stored.
    pub fn commit(mut self, meta: &VintageMeta, force: bool) -> Result<VintageMeta> {
        let Some(lock) = self.solo.take() else {
            return Err(Error::Corrupt {
                path: self.staging.display().to_string(),
                message: "a vintage of a release is committed with its release".into(),
            });
        };
        let mut release = Release {
            root: lock.root.clone(),
            staged: Vec::new(),
            lock: Some(lock),
        };
        release.add(self, meta)?;
        let mut stored = release.commit(force)?;
        Ok(stored.pop().expect("a release of one vintage"))
    }
}

impl Release {
    /// Starts a vintage of `dataset` in this release (see [`Store::writer`]).
    pub fn writer(&self, dataset: &DatasetId) -> Result<VintageWriter> {
        VintageWriter::start(&self.root, dataset)
    }

    /// Finishes `writer`'s vintage with its catalog record and adds it to the release.
    /// Returns the record as it will be stored (with its file's checksum).
    pub fn add(&mut self, writer: VintageWriter, meta: &VintageMeta) -> Result<VintageMeta> {
        let (meta, dir, record) = writer.finish(meta)?;
        if self
            .staged
            .iter()
            .any(|s| s.meta.dataset == meta.dataset && s.meta.vintage == meta.vintage)
        {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(Error::Corrupt {
                path: dir.display().to_string(),
                message: format!(
                    "{} vintage {} twice in one release",
                    meta.dataset, meta.vintage
                ),
            });
        }
        self.staged.push(Staged {
            meta: meta.clone(),
            dir,
            record,
        });
        Ok(meta)
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    /// Makes every vintage of the release visible at once (see the module docs). With
    /// `force`, vintages with the same ids are replaced; otherwise an existing one is an
    /// error and nothing changes. Returns the records as stored, in the order added.
    pub fn commit(mut self, force: bool) -> Result<Vec<VintageMeta>> {
        if self.staged.is_empty() {
            return Ok(Vec::new());
        }
        let root = self.root.clone();
        let rel = |p: &Path| {
            p.strip_prefix(&root)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned()
        };
        let mut entries = Vec::new();
        for (i, s) in self.staged.iter().enumerate() {
            let target = root
                .join("datasets")
                .join(s.meta.dataset.as_str())
                .join(format!("vintage={}", s.meta.vintage));
            let replaces = std::fs::symlink_metadata(&target).is_ok();
            if replaces && !force {
                return Err(Error::Exists {
                    dataset: s.meta.dataset.to_string(),
                    vintage: s.meta.vintage.clone(),
                });
            }
            entries.push(Entry {
                dataset: s.meta.dataset.to_string(),
                vintage: s.meta.vintage.clone(),
                staged: rel(&s.dir),
                backup: rel(&root.join("tmp").join(format!("replaced.{}.{i}", unique()))),
                new_record: s.record.clone(),
                replaces,
                old_record: if replaces {
                    record_of(&target).flatten()
                } else {
                    None
                },
            });
        }
        let generation = read_raw(&root)
            .as_deref()
            .and_then(parse)
            .map_or(0, |j| j.generation);
        let mut journal = Journal {
            generation: generation + 1,
            state: State::Switching,
            entries,
        };
        write_journal(&root, &journal)?;
        if let Err(e) = switch(&root, &journal) {
            // put back whatever was switched; if that fails too, the journal stays and
            // the staging folders (which may hold replaced vintages) are left for the
            // next writer, which tries again
            if recover(&root).is_err() {
                self.staged.clear();
            }
            return Err(e);
        }
        // from here a staging folder may hold a replaced vintage: never removed on drop
        let staged = std::mem::take(&mut self.staged);
        journal.state = State::Done;
        let switched = std::mem::take(&mut journal.entries);
        write_journal(&root, &journal)?;
        for e in switched.iter().filter(|e| e.replaces) {
            let _ = std::fs::remove_dir_all(root.join(&e.staged));
            let _ = std::fs::remove_dir_all(root.join(&e.backup));
        }
        Ok(staged.into_iter().map(|s| s.meta).collect())
    }
}

/// Moves every vintage of the journal into place.
fn switch(root: &Path, j: &Journal) -> Result<()> {
    fault::point("release-journal")?;
    for (i, e) in j.entries.iter().enumerate() {
        if i > 0 {
            fault::point("release-between")?;
        }
        let ds_dir = root.join("datasets").join(&e.dataset);
        if !ds_dir.is_dir() {
            // a new dataset: its folder's entry in datasets/ is made durable too
            std::fs::create_dir_all(&ds_dir).map_err(io_err(&ds_dir))?;
            sync_dir(&root.join("datasets"));
        }
        let target = ds_dir.join(format!("vintage={}", e.vintage));
        let staged = root.join(&e.staged);
        if !e.replaces {
            rename(&staged, &target)?;
        } else {
            if !exchange(&staged, &target).map_err(io_err(&target))? {
                rename(&target, &root.join(&e.backup))?;
                fault::point("force-between-renames")?;
                rename(&staged, &target)?;
            }
            fault::point("force-switched")?;
        }
        sync_dir(&ds_dir);
    }
    sync_dir(&root.join("tmp"));
    fault::point("release-switched")
}

impl Drop for Release {
    fn drop(&mut self) {
        for s in &self.staged {
            let _ = std::fs::remove_dir_all(&s.dir);
        }
    }
}
