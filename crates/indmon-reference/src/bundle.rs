//! The bundled snapshot of real data, embedded at build time from the repository's
//! `data/` folder (see `build.rs` and `data/README.md`).

include!(concat!(env!("OUT_DIR"), "/bundle.rs"));

/// The bytes of a bundled file, by its path under `data/`.
pub fn file(path: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}
