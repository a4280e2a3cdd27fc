//! Output files outside the store (`--out` of the commands, exports of results): each
//! is written whole to a temporary file beside its final path, synced, and renamed into
//! place, so a reader of the path sees the old file or the complete new one, never a
//! part, and a failure, a panic or a killed process leaves no part behind under the
//! final name.
//!
//! Syncing a large file at the end waits for all of its pages to reach the disk (a
//! 150 MB CSV: 80 ms here). [`OutFile`] therefore asks for the written pages to be
//! synced while it is still being written — a second thread syncs the file's data after
//! every [`SYNC_EVERY`] bytes — so that the final sync only waits for the last part.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::writer::{sync_dir, unique};
use crate::{Error, Result, io_err};

/// Bytes written between two early syncs of an [`OutFile`].
pub const SYNC_EVERY: u64 = 16 << 20;

/// A file being written to a temporary name beside `path`; [`OutFile::finish`] syncs it
/// and renames it into place. Dropped unfinished (an error or a panic), it removes the
/// temporary file. Unbuffered: wrap it in a `BufWriter` for small writes.
pub struct OutFile {
    path: PathBuf,
    tmp: PathBuf,
    file: File,
    /// Bytes written since the last early sync was asked for.
    unsynced: u64,
    /// The thread that syncs the file's data while it is written (started at the first
    /// [`SYNC_EVERY`] bytes), and its wake-up.
    syncer: Option<(SyncSender<()>, JoinHandle<io::Result<()>>)>,
    /// No early syncs (the thread could not be started): the final sync does it all.
    spare: bool,
    done: bool,
}

impl OutFile {
    /// Creates a temporary file `.<name>.<process>-<time>-<n>.partial` beside `path`, new
    /// (two writers of the same path never share one).
    pub fn create(path: &Path) -> Result<Self> {
        let name = path
            .file_name()
            .ok_or_else(|| Error::Refused(format!("{}: not a file name", path.display())))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        static MADE: AtomicU64 = AtomicU64::new(0);
        let n = MADE.fetch_add(1, Ordering::Relaxed);
        tmp_name.push(format!(".{}-{n}.partial", unique()));
        let tmp = parent(path).join(tmp_name);
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io_err(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            file,
            unsynced: 0,
            syncer: None,
            spare: false,
            done: false,
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs the file (after the early syncs still running) and renames it to its final
    /// path, which it replaces.
    pub fn finish(mut self) -> Result<()> {
        if let Some((wake, syncer)) = self.syncer.take() {
            drop(wake);
            syncer
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the sync thread panicked")))
                .map_err(io_err(&self.path))?;
        }
        self.file.sync_all().map_err(io_err(&self.path))?;
        std::fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path))?;
        self.done = true;
        sync_dir(parent(&self.path));
        Ok(())
    }

    /// Asks the sync thread (started here the first time) to sync what is written; the
    /// error of an early sync that failed.
    fn sync_early(&mut self) -> io::Result<()> {
        if self.spare {
            return Ok(());
        }
        if self.syncer.is_none() {
            // one wake-up waits at most: a sync still running when more is written
            // takes the new pages with it
            let (wake, woken) = sync_channel::<()>(1);
            let started = self.file.try_clone().and_then(|file| {
                std::thread::Builder::new()
                    .name("indmon-sync".into())
                    .spawn(move || woken.iter().try_for_each(|()| file.sync_data()))
            });
            match started {
                Ok(syncer) => self.syncer = Some((wake, syncer)),
                Err(_) => {
                    // an optimisation only: `finish` syncs the whole file
                    self.spare = true;
                    return Ok(());
                }
            }
        }
        if let Some((wake, syncer)) = &self.syncer {
            if syncer.is_finished() {
                // the thread ends early only when a sync failed
                let (_, syncer) = self.syncer.take().expect("checked");
                return syncer
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("the sync thread panicked")));
            }
            // full: a wake-up is waiting already
            let _ = wake.try_send(());
        }
        Ok(())
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.unsynced >= SYNC_EVERY {
            // before the next write, so that an error is never reported for bytes
            // that were written
            self.unsynced = 0;
            self.sync_early()?;
        }
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if !self.done {
            if let Some((wake, syncer)) = self.syncer.take() {
                drop(wake);
                let _ = syncer.join();
            }
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The folder of `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_file_replaces_the_old_one_and_an_unfinished_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, b"old").unwrap();
        // more than SYNC_EVERY bytes, so that the early syncs run too
        let block = vec![b'x'; 1 << 20];
        let mut f = OutFile::create(&path).unwrap();
        for _ in 0..(SYNC_EVERY >> 20) * 2 + 1 {
            f.write_all(&block).unwrap();
        }
        assert!(f.syncer.is_some(), "the early syncs started");
        // not yet in place: the old file is still there
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        f.finish().unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            ((SYNC_EVERY >> 20) * 2 + 1) << 20
        );

        let mut g = OutFile::create(&path).unwrap();
        g.write_all(b"new, but never finished").unwrap();
        drop(g);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.csv"], "no temporary file is left");
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            ((SYNC_EVERY >> 20) * 2 + 1) << 20
        );
    }

    #[test]
    fn two_writers_of_one_path_do_not_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut a = OutFile::create(&path).unwrap();
        let mut b = OutFile::create(&path).unwrap();
        a.write_all(b"from a, complete\n").unwrap();
        b.write_all(b"from b").unwrap();
        a.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"from a, complete\n");
        b.write_all(b", complete\n").unwrap();
        b.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"from b, complete\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_is_written() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(std::ffi::OsStr::from_bytes(b"r\xe9sultat.csv"));
        let mut f = OutFile::create(&path).unwrap();
        f.write_all(b"x\n").unwrap();
        f.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x\n");
    }
}
