//! Running the binary against a fresh data directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Indmon {
    pub dir: tempfile::TempDir,
    pub config: Option<PathBuf>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Indmon {
    /// A fresh, empty data directory (the first command loads the bundled snapshot).
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            config: None,
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_indmon"));
        c.arg("--data-dir").arg(self.data()).arg("--quiet");
        // the ledger is the data directory's own unless a test names another
        c.env_remove("INDMON_LEDGER");
        if let Some(cfg) = &self.config {
            c.arg("--config").arg(cfg);
        } else {
            // never pick up an indmon.toml of the working directory
            c.arg("--config").arg(self.dir.path().join("none.toml"));
            let _ = std::fs::write(self.dir.path().join("none.toml"), "");
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command().args(args).output().unwrap().into()
    }

    /// Writes a settings file used by later runs.
    pub fn with_config(mut self, toml: &str) -> Self {
        let p = self.dir.path().join("indmon.toml");
        std::fs::write(&p, toml).unwrap();
        self.config = Some(p);
        self
    }
}

impl Indmon {
    /// The folder of a dataset's only vintage.
    pub fn vintage_dir(&self, dataset: &str) -> PathBuf {
        let dir = self.data().join("datasets").join(dataset);
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(v.len(), 1, "{v:?}");
        v.pop().unwrap()
    }
}

/// Every file and folder under `root` with its bytes: equal snapshots mean the store
/// and catalog are byte-for-byte the same.
/// The temporary files of unfinished outputs (`.NAME.….partial`) left in `dir`.
pub fn partial_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect()
}

pub fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Names of the entries that differ between two snapshots.
pub fn diff(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// CSV text as rows of column → value.
pub fn parse_csv(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}
