//! Fuzzing the settings parser (issue 19, item 7): the `indmon.toml` example the README
//! documents, and small files setting each section, mutated with a seeded generator
//! ([`indmon_fuzz`], which also changes TOML as a tree: a value replaced by a huge,
//! negative or odd one, removed or repeated) and read by `Settings::from_toml`, which
//! must answer `Ok` or an error naming the file: never panic or hang.
//! `INDMON_FUZZ_SECS=S` for a long run (README, "Fuzzing").

use indmon_core::settings::Settings;
use indmon_fuzz::Fuzz;

/// The ```toml block after "**Settings.**" in the README.
fn readme_example() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let after = &text[text.find("**Settings.**").expect("the README's settings")..];
    let block = &after[after.find("```toml\n").expect("a toml block") + 8..];
    block[..block.find("```").expect("the block's end")].to_string()
}

#[test]
fn settings_toml() {
    Fuzz::new("settings_toml")
        .seed(readme_example())
        .seed(&b""[..])
        .seed(&b"data_dir = '/tmp/d'\n[fetch]\nretries = 1\ntimeout_secs = 5\nbackoff_ms = 10\n[cbs]\nodata4_base = 'http://localhost:1/'\n"[..])
        .seed(&b"[markets]\npeers = [\"DE\", \"FRA\"]\nalpha = 0.01\n[dependencies]\npersistence_min = 2\npersistence_window = 3\n[dependencies.relations]\nCHN = \"high_risk\"\n"[..])
        .dictionary([&b"[target]\n"[..], b"[markets]\n", b"[dependencies]\n", b"[dependencies.relations]\n", b"[fetch]\n", b"[cbs]\n", b"= 1e309\n", b"= -1\n", b"= 18446744073709551615\n", b"= nan\n", b"= inf\n", b"'''", b"\"\"\""])
        .cases(1500)
        .errors_name("indmon.toml")
        .run(|bytes: &[u8]| {
            let text = std::str::from_utf8(bytes).map_err(|e| format!("indmon.toml: {e}"))?;
            Settings::from_toml("indmon.toml", text).map_err(|e| e.to_string())
        });
}
