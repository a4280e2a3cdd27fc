//! Fault injection for the tests of the commit (feature `fault-injection`, enabled only
//! by the test builds of the binary): `INDMON_FAULT` is a comma-separated list of
//! `POINT=abort` (the process dies there, as on a kill: nothing is cleaned up) or
//! `POINT=fail` (the commit fails there with an error), and `no-exchange` (replace a
//! vintage with two renames, as on a file system without `RENAME_EXCHANGE`). Without the
//! feature every point is a no-op and the variable is never read.
//!
//! Points: `release-journal` (the journal is written, nothing switched), `release-between`
//! (before each vintage of a release after the first), `force-between-renames` (a
//! replaced vintage moved away, the new one not yet in place), `force-switched` (a
//! replaced vintage switched), `release-switched` (every vintage switched, the journal
//! not yet marked done).

use crate::Result;

#[cfg(feature = "fault-injection")]
fn spec() -> Vec<String> {
    std::env::var("INDMON_FAULT")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect()
}

/// Stops or fails here when `INDMON_FAULT` asks for it.
#[cfg(feature = "fault-injection")]
pub(crate) fn point(name: &str) -> Result<()> {
    for item in spec() {
        match item.split_once('=') {
            Some((p, "abort")) if p == name => std::process::abort(),
            Some((p, "fail")) if p == name => {
                return Err(crate::Error::Corrupt {
                    path: "INDMON_FAULT".into(),
                    message: format!("injected failure at {name}"),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether `INDMON_FAULT` holds `name`.
#[cfg(feature = "fault-injection")]
pub(crate) fn flag(name: &str) -> bool {
    spec().iter().any(|s| s == name)
}

/// Stops or fails here when `INDMON_FAULT` asks for it (never, in this build).
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(crate) fn point(_name: &str) -> Result<()> {
    Ok(())
}

/// Whether `INDMON_FAULT` holds `name` (never, in this build).
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(crate) fn flag(_name: &str) -> bool {
    false
}
