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
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::writer::sync_dir;
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
    done: bool,
}

impl OutFile {
    /// Creates the temporary file `.<name>.partial` beside `path`.
    pub fn create(path: &Path) -> Result<Self> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::Refused(format!("{}: not a file name", path.display())))?;
        let tmp = parent(path).join(format!(".{name}.partial"));
        let file = File::create(&tmp).map_err(io_err(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            file,
            unsynced: 0,
            syncer: None,
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

    /// Asks the sync thread (started here the first time) to sync what is written.
    fn sync_early(&mut self) -> io::Result<()> {
        if self.syncer.is_none() {
            let file = self.file.try_clone()?;
            // one wake-up waits at most: a sync still running when more is written
            // takes the new pages with it
            let (wake, woken) = sync_channel::<()>(1);
            let syncer = std::thread::Builder::new()
                .name("indmon-sync".into())
                .spawn(move || woken.iter().try_for_each(|()| file.sync_data()))?;
            self.syncer = Some((wake, syncer));
        }
        if let Some((wake, _)) = &self.syncer {
            // full: a wake-up is waiting already; disconnected: a sync failed, and
            // `finish` reports it
            let _ = wake.try_send(());
        }
        Ok(())
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            self.sync_early()?;
        }
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
}
