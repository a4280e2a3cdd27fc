//! Mutation fuzzing on stable Rust, for the parsers' tests.
//!
//! A [`Fuzz`] takes real inputs as seeds (fixtures, excerpts of the bundled files, a
//! ledger's exports), changes them the ways files go wrong or are made hostile (bits
//! flipped, bytes inserted and deleted, truncation, two inputs spliced, numbers made huge,
//! negative or NaN, separators and quotes inserted, invalid UTF-8, byte-order marks, lines
//! repeated, JSON and TOML values replaced — [`mutate`]) with a seeded generator, and
//! feeds each result to a parser, which must answer `Ok` or `Err`:
//!
//! - a **panic** fails the test with the input, shrunk to a small one that still panics;
//! - an answer that takes longer than the **time limit** (default 10 s; the parser runs on
//!   a worker thread) fails it as a hang;
//! - a **peak of memory** above the limit (default 512 MiB more than before the input;
//!   measured on Linux with the process's peak resident size, reset before each input)
//!   fails it as unbounded allocation — an allocation so large that it fails outright
//!   aborts the process, which fails the test as well (`INDMON_FUZZ_TRACE=1` prints each
//!   input's number first, to find it);
//! - an error that does not name the input (where [`Fuzz::errors_name`] asks for it)
//!   fails it too: a bad input names its file.
//!
//! The failing input is printed as a Rust byte string and saved under the system's
//! temporary directory (`indmon-fuzz/`), ready for a regression test.
//!
//! Environment: `INDMON_FUZZ_SECS=S` runs every target for S seconds of mutated inputs
//! instead of a count (a long run; a target that is one of k sharing a test gets S/k,
//! [`Fuzz::share`]); `INDMON_FUZZ_CASES` sets the number of mutated inputs per target
//! (default: the count the test gives, small enough for CI); `INDMON_FUZZ_SEED` changes
//! the generator's seed (default: one per target, so CI runs are the same every time);
//! `INDMON_FUZZ_CORPUS=DIR` writes every target's seeds to `DIR/<target>/`.

pub mod mutate;
mod rng;
mod structured;

use std::fmt::Display;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

pub use mutate::{Mutator, Rng};

/// The name of the worker threads (their panics are recorded, not printed).
const WORKER: &str = "indmon-fuzz-worker";

/// One fuzz target: a parser, its seeds and its limits.
pub struct Fuzz {
    name: String,
    seeds: Vec<Vec<u8>>,
    must_parse: Vec<bool>,
    dict: Vec<Vec<u8>>,
    cases: usize,
    time_limit: Duration,
    memory_limit: u64,
    errors_name: Option<String>,
    mutator: Option<CustomMutator>,
    share: u32,
}

/// A mutation of a target's own (e.g. a member of a zip archive changed and the archive
/// written again), given the generic mutator.
pub type CustomMutator = Box<dyn Fn(&mut Mutator<'_>, &[u8]) -> Vec<u8>>;

/// What a run saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Inputs tried (seeds included).
    pub inputs: usize,
    /// Inputs the parser accepted.
    pub ok: usize,
    /// Inputs the parser refused with an error.
    pub err: usize,
    /// The slowest answer.
    pub slowest: Duration,
    /// The largest peak of memory above the level before an input, in bytes (0 where it
    /// cannot be measured: see `memory_measured`).
    pub peak_memory: u64,
    /// Whether memory could be measured here (Linux's `/proc/self/clear_refs`); where
    /// it cannot, the memory limit is not checked, and the summary line says so.
    pub memory_measured: bool,
    /// The whole run.
    pub elapsed: Duration,
}

impl Fuzz {
    /// A target called `name` (the name in messages, saved inputs and the corpus).
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            seeds: Vec::new(),
            must_parse: Vec::new(),
            dict: Vec::new(),
            cases: 500,
            time_limit: Duration::from_secs(10),
            memory_limit: 512 << 20,
            errors_name: None,
            mutator: None,
            share: 1,
        }
    }

    /// A seed the parser must accept as it is (checked before any mutation, so the
    /// target is known to reach past the first checks).
    pub fn seed(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.seeds.push(bytes.into());
        self.must_parse.push(true);
        self
    }

    /// A seed the parser may refuse (e.g. an error response a server sends).
    pub fn seed_refused(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.seeds.push(bytes.into());
        self.must_parse.push(false);
        self
    }

    /// Words of the format (column names, keys, codes) that mutations insert.
    pub fn dictionary<I, W>(mut self, words: I) -> Self
    where
        I: IntoIterator<Item = W>,
        W: AsRef<[u8]>,
    {
        self.dict
            .extend(words.into_iter().map(|w| w.as_ref().to_vec()));
        self
    }

    /// The number of mutated inputs (unless `INDMON_FUZZ_CASES` says otherwise).
    pub fn cases(mut self, n: usize) -> Self {
        self.cases = n;
        self
    }

    /// This target is one of `k` in one test: under `INDMON_FUZZ_SECS` it runs for a
    /// `k`-th of the time.
    pub fn share(mut self, k: usize) -> Self {
        self.share = u32::try_from(k.max(1)).unwrap_or(u32::MAX);
        self
    }

    /// The longest an answer may take.
    pub fn time_limit(mut self, d: Duration) -> Self {
        self.time_limit = d;
        self
    }

    /// The most memory an input may take (peak resident size above the level before it).
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Every error must contain `text` (the input's name): a bad input names its file.
    pub fn errors_name(mut self, text: &str) -> Self {
        self.errors_name = Some(text.to_string());
        self
    }

    /// Mutates with `f` instead of the generic mutator (which `f` is given).
    pub fn mutator(mut self, f: impl Fn(&mut Mutator<'_>, &[u8]) -> Vec<u8> + 'static) -> Self {
        self.mutator = Some(Box::new(f));
        self
    }

    /// The seeds (for a corpus).
    pub fn seeds(&self) -> &[Vec<u8>] {
        &self.seeds
    }

    /// Runs the seeds and then the mutated inputs through `parse`; panics (failing the
    /// test) at the first input that makes it panic, hang, take too much memory or answer
    /// with an error that does not name the input. Prints a summary to stderr.
    pub fn run<T, E, F>(self, parse: F) -> Summary
    where
        F: Fn(&[u8]) -> Result<T, E> + Send + Sync + 'static,
        E: Display,
    {
        assert!(
            !self.seeds.is_empty(),
            "fuzz target {}: no seeds",
            self.name
        );
        install_panic_hook();
        if let Ok(dir) = std::env::var("INDMON_FUZZ_CORPUS") {
            self.write_corpus(std::path::Path::new(&dir));
        }
        let cases = env_number("INDMON_FUZZ_CASES").map_or(self.cases, |n| n as usize);
        // a time budget instead of a count (a long run)
        let budget = env_number("INDMON_FUZZ_SECS").map(|s| Duration::from_secs(s) / self.share);
        let seed = env_number("INDMON_FUZZ_SEED").unwrap_or_else(|| fnv(self.name.as_bytes()));
        let trace = std::env::var_os("INDMON_FUZZ_TRACE").is_some();
        let started = Instant::now();
        let mut worker = Worker::start(Arc::new(move |b: &[u8]| match parse(b) {
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        }));
        let mut summary = Summary::default();
        let mut rng = Rng::new(seed);
        let last = match budget {
            Some(_) => usize::MAX,
            None => self.seeds.len() + cases,
        };
        for i in 0..last {
            if i >= self.seeds.len()
                && let Some(b) = budget
                && started.elapsed() >= b
            {
                break;
            }
            let input = if i < self.seeds.len() {
                self.seeds[i].clone()
            } else {
                let mut m = Mutator::new(Rng::new(rng.next_u64()), &self.seeds, &self.dict);
                let s = m.seed();
                match &self.mutator {
                    Some(f) => f(&mut m, s),
                    None => m.mutate(s),
                }
            };
            if trace {
                eprintln!("fuzz {}: input {i} ({} bytes)", self.name, input.len());
            }
            let before = memory::reset_peak();
            let t = Instant::now();
            let outcome = worker.call(&input, self.time_limit);
            let took = t.elapsed();
            let peak = match (before, memory::peak()) {
                (Some(b), Some(p)) => {
                    summary.memory_measured = true;
                    p.saturating_sub(b)
                }
                _ => 0,
            };
            summary.inputs += 1;
            summary.slowest = summary.slowest.max(took);
            summary.peak_memory = summary.peak_memory.max(peak);
            let what = if i < self.seeds.len() {
                format!("seed {i}")
            } else {
                format!("input {i} (generator seed {seed:#x})")
            };
            match outcome {
                Outcome::Ok => summary.ok += 1,
                Outcome::Err(msg) => {
                    summary.err += 1;
                    if i < self.seeds.len() && self.must_parse[i] {
                        self.fail(&input, &format!("{what} was refused: {msg}"));
                    }
                    if msg.trim().is_empty() {
                        self.fail(&input, &format!("{what}: an error with no message"));
                    }
                    if let Some(name) = &self.errors_name
                        && !msg.contains(name.as_str())
                    {
                        self.fail(
                            &input,
                            &format!("{what}: the error does not name the input ({name}): {msg}"),
                        );
                    }
                }
                Outcome::Panic(msg) => {
                    let small = shrink(&mut worker, &input, self.time_limit);
                    let msg = match worker.call(&small, self.time_limit) {
                        Outcome::Panic(m) => m,
                        _ => msg,
                    };
                    self.fail(
                        &small,
                        &format!(
                            "{what} panicked (shrunk from {} to {} bytes):\n{msg}",
                            input.len(),
                            small.len()
                        ),
                    );
                }
                Outcome::Hang => self.fail(
                    &input,
                    &format!("{what} took longer than {:?} (a hang?)", self.time_limit),
                ),
            }
            if peak > self.memory_limit {
                self.fail(
                    &input,
                    &format!(
                        "{what} took {} MiB of memory (limit {} MiB)",
                        peak >> 20,
                        self.memory_limit >> 20
                    ),
                );
            }
        }
        summary.elapsed = started.elapsed();
        let memory = if summary.memory_measured {
            format!("peak memory +{} KiB", summary.peak_memory >> 10)
        } else {
            "memory NOT MEASURED (no /proc/self/clear_refs here: the memory limit was not checked)"
                .to_string()
        };
        eprintln!(
            "fuzz {}: {} inputs ({} seeds, generator seed {seed:#x}): {} accepted, {} refused; slowest {:?}, {memory}, {:.2?} in all",
            self.name,
            summary.inputs,
            self.seeds.len(),
            summary.ok,
            summary.err,
            summary.slowest,
            summary.elapsed
        );
        summary
    }

    /// Saves the input and panics with the message and the input as a byte string.
    fn fail(&self, input: &[u8], message: &str) -> ! {
        let dir = std::env::temp_dir().join("indmon-fuzz");
        let path = dir.join(format!("{}-{:016x}.bin", self.name, fnv(input)));
        let saved = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, input))
            .map_or_else(
                |e| format!("(not saved: {e})"),
                |()| format!("saved as {}", path.display()),
            );
        let shown = &input[..input.len().min(4096)];
        panic!(
            "fuzz target {}: {message}\ninput ({} bytes, {saved}){}:\nb\"{}\"",
            self.name,
            input.len(),
            if shown.len() < input.len() {
                ", first 4096 bytes"
            } else {
                ""
            },
            shown.escape_ascii()
        );
    }

    fn write_corpus(&self, dir: &std::path::Path) {
        let dir = dir.join(&self.name);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for (i, s) in self.seeds.iter().enumerate() {
            let p = dir.join(format!("seed-{i:03}"));
            std::fs::write(&p, s).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}

/// Removes ever smaller parts of a panicking input while it still panics (at most 30 s).
fn shrink(worker: &mut Worker, input: &[u8], limit: Duration) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut cur = input.to_vec();
    // passes with chunks of half, a quarter … one byte, until a pass removes nothing
    loop {
        let before = cur.len();
        let mut chunk = cur.len() / 2;
        while chunk >= 1 && Instant::now() < deadline {
            let mut start = 0;
            while start < cur.len() && Instant::now() < deadline {
                let end = (start + chunk).min(cur.len());
                let mut cand = cur[..start].to_vec();
                cand.extend_from_slice(&cur[end..]);
                if matches!(worker.call(&cand, limit), Outcome::Panic(_)) {
                    cur = cand;
                } else {
                    start += chunk;
                }
            }
            chunk /= 2;
        }
        if cur.len() == before || Instant::now() >= deadline {
            return cur;
        }
    }
}

/// How the parser answered one input.
enum Outcome {
    Ok,
    Err(String),
    Panic(String),
    Hang,
}

type Target = Arc<dyn Fn(&[u8]) -> Result<(), String> + Send + Sync>;

/// The parser on a thread of its own, so that a hang can be noticed.
struct Worker {
    target: Target,
    tx: mpsc::Sender<Vec<u8>>,
    rx: mpsc::Receiver<Outcome>,
}

impl Worker {
    fn start(target: Target) -> Self {
        let (tx, in_rx) = mpsc::channel::<Vec<u8>>();
        let (out_tx, rx) = mpsc::channel::<Outcome>();
        let t = target.clone();
        std::thread::Builder::new()
            .name(WORKER.into())
            .spawn(move || {
                for input in in_rx {
                    let r = std::panic::catch_unwind(AssertUnwindSafe(|| t(&input)));
                    let o = match r {
                        Ok(Ok(())) => Outcome::Ok,
                        Ok(Err(m)) => Outcome::Err(m),
                        Err(_) => Outcome::Panic(
                            LAST_PANIC.with(|p| p.borrow_mut().take().unwrap_or_default()),
                        ),
                    };
                    if out_tx.send(o).is_err() {
                        break;
                    }
                }
            })
            .expect("a worker thread");
        Self { target, tx, rx }
    }

    fn call(&mut self, input: &[u8], limit: Duration) -> Outcome {
        if self.tx.send(input.to_vec()).is_err() {
            // the worker is gone (it cannot be: panics are caught); start another
            *self = Worker::start(self.target.clone());
            return self.call(input, limit);
        }
        match self.rx.recv_timeout(limit) {
            Ok(o) => o,
            Err(_) => {
                // the hung thread is left behind; the next input goes to a fresh one
                *self = Worker::start(self.target.clone());
                Outcome::Hang
            }
        }
    }
}

thread_local! {
    /// The message and place of the last panic on this (worker) thread.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Records panics on worker threads instead of printing them (a shrink panics hundreds of
/// times); other threads' panics are printed as before.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(WORKER) {
                let bt = std::backtrace::Backtrace::capture();
                let text = match bt.status() {
                    std::backtrace::BacktraceStatus::Captured => format!("{info}\n{bt}"),
                    _ => format!("{info}\n(RUST_BACKTRACE=1 shows where)"),
                };
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
}

/// A number from the environment (decimal, or hex with `0x`).
fn env_number(var: &str) -> Option<u64> {
    let v = std::env::var(var).ok()?;
    let v = v.trim().replace('_', "");
    let n = match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => v.parse(),
    };
    Some(n.unwrap_or_else(|_| panic!("{var}={v}: not a number")))
}

/// FNV-1a, for the default generator seed of a target and the names of saved inputs.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The process's peak resident size (Linux: `VmHWM`, reset through `clear_refs`).
mod memory {
    /// Resets the peak to the current resident size and returns it (bytes).
    pub fn reset_peak() -> Option<u64> {
        std::fs::write("/proc/self/clear_refs", "5").ok()?;
        field("VmHWM:")
    }

    /// The peak resident size since the last reset (bytes).
    pub fn peak() -> Option<u64> {
        field("VmHWM:")
    }

    fn field(name: &str) -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib << 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_pairs(b: &[u8]) -> Result<usize, String> {
        let s = std::str::from_utf8(b).map_err(|e| format!("in.csv: {e}"))?;
        let mut n = 0;
        for line in s.lines() {
            let (a, v) = line.split_once(',').ok_or("in.csv: no comma")?;
            let v: u32 = v.parse().map_err(|_| "in.csv: not a number".to_string())?;
            n += a.len() + v as usize;
        }
        Ok(n)
    }

    #[test]
    fn a_sound_parser_passes() {
        let s = Fuzz::new("pairs")
            .seed(&b"a,1\nb,2\n"[..])
            .cases(300)
            .errors_name("in.csv")
            .run(parse_pairs);
        assert_eq!(s.inputs, 301);
        assert!(s.ok >= 1 && s.err > 100, "{s:?}");
    }

    #[test]
    fn a_panic_is_found_shrunk_and_named() {
        let r = std::panic::catch_unwind(|| {
            Fuzz::new("pairs_that_panic")
                .seed(&b"a,1\nb,2\nc,3\n"[..])
                .cases(2000)
                .run(|b: &[u8]| {
                    let n = parse_pairs(b)?;
                    // a bug: a number over 9 on any line
                    assert!(
                        !b.windows(2)
                            .any(|w| w[0].is_ascii_digit() && w[1].is_ascii_digit()),
                        "two digits"
                    );
                    Ok::<_, String>(n)
                })
        });
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert!(
            msg.contains("panicked") && msg.contains("two digits"),
            "{msg}"
        );
        // shrunk to the two digits
        let shown = msg.rsplit("b\"").next().unwrap();
        assert!(shown.len() <= 4, "{msg}");
    }

    #[test]
    fn a_hang_is_found() {
        let r = std::panic::catch_unwind(|| {
            Fuzz::new("pairs_that_hang")
                .seed(&b"a,1\n"[..])
                .cases(2000)
                .time_limit(Duration::from_millis(200))
                .run(|b: &[u8]| {
                    if b.contains(&b'"') {
                        std::thread::sleep(Duration::from_secs(3600));
                    }
                    parse_pairs(b)
                })
        });
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert!(msg.contains("took longer than"), "{msg}");
    }

    #[test]
    fn unbounded_memory_is_found() {
        if memory::reset_peak().is_none() {
            // not Linux: nothing to measure with (said, not passed in silence)
            eprintln!("unbounded_memory_is_found: NOT RUN: no /proc/self/clear_refs here");
            return;
        }
        let r = std::panic::catch_unwind(|| {
            Fuzz::new("pairs_that_grow")
                .seed(&b"a,1\n"[..])
                .cases(100)
                .memory_limit(64 << 20)
                .run(|b: &[u8]| {
                    let n = parse_pairs(b)?;
                    // a bug: memory in proportion to the number read
                    let v = vec![1u8; n.min(256) << 20];
                    // one byte per page read back: the pages are written (held), and a
                    // loaded machine does not take the sum for a hang
                    Ok::<_, String>(v.iter().step_by(4096).map(|x| *x as usize).sum::<usize>())
                })
        });
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert!(msg.contains("MiB of memory"), "{msg}");
    }

    #[test]
    fn errors_must_name_the_input() {
        let r = std::panic::catch_unwind(|| {
            Fuzz::new("pairs_nameless")
                .seed(&b"a,1\n"[..])
                .cases(100)
                .errors_name("in.csv")
                .run(|b: &[u8]| parse_pairs(b).map_err(|e| e.replace("in.csv: ", "")))
        });
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert!(msg.contains("does not name the input"), "{msg}");
    }

    #[test]
    fn a_seed_that_does_not_parse_is_reported() {
        let r = std::panic::catch_unwind(|| {
            Fuzz::new("pairs_bad_seed")
                .seed(&b"a;1\n"[..])
                .cases(0)
                .run(parse_pairs)
        });
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert!(msg.contains("seed 0 was refused"), "{msg}");
    }
}
