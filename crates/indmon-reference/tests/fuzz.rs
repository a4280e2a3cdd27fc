//! Fuzzing the taxonomy files' parsers (issue 19, item 7): the shipped priority-market
//! taxonomy, criticality mapping and country relations, mutated with a seeded generator
//! ([`indmon_fuzz`], which also changes TOML as a tree) and read, validated against the
//! bundled classification lists and used (counts, lookups, relation classes); each must
//! answer `Ok` or an error naming the file: never panic, hang or take memory without
//! bound. `INDMON_FUZZ_SECS=S` for a long run (README, "Fuzzing").

use indmon_core::taxonomy::{Criticality, Relations};
use indmon_fuzz::Fuzz;
use indmon_reference::{CRITICALITY, RELATIONS, Reference, TAXONOMY};

/// A shipped file's first `n` lines or so, up to the next line that opens a `table` (a
/// smaller valid file of the same shape: mutations of the whole file, 170 kB, are slow to
/// read in a debug build; the whole files are read and checked by `Reference::bundled`).
fn head(text: &str, n: usize, table: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let cut = (n.min(lines.len())..lines.len())
        .find(|&i| lines[i] == table)
        .unwrap_or(lines.len());
    lines[..cut].join("\n") + "\n"
}

#[test]
fn priority_markets_toml() {
    let reference = Reference::bundled().unwrap();
    Fuzz::new("taxonomy_toml")
        .seed(head(TAXONOMY, 150, "[[markets]]"))
        .seed(head(TAXONOMY, 400, "[[markets]]"))
        .dictionary([
            &b"[[markets]]\n"[..],
            b"[[markets.segments]]\n",
            b"[[markets.segments.hs]]\n",
            b"edition = \"HS2022\"\n",
            b"code = \"854231\"\n",
            b"nace",
            b"cpa",
            b"no_codes",
            b"HS1992",
            b"HS2017",
            b"2710",
        ])
        .cases(100)
        .errors_name("markets.toml")
        .run(move |bytes: &[u8]| {
            let text = std::str::from_utf8(bytes).map_err(|e| format!("markets.toml: {e}"))?;
            let file = reference
                .taxonomy_file("markets.toml", text)
                .map_err(|e| e.to_string())?;
            for m in &file.taxonomy.markets {
                let _ = file.taxonomy.market(m.id.get_ref());
                let _ = m.counts();
                for e in ["HS1992", "HS2012", "HS2017", "HS2022"] {
                    let _ = m.hs_in(e);
                }
            }
            file.valid().map(|_| ()).map_err(|e| e.to_string())
        });
}

#[test]
fn criticality_toml() {
    let reference = Reference::bundled().unwrap();
    Fuzz::new("criticality_toml")
        .seed(head(CRITICALITY, 150, "[[entries]]"))
        .seed(head(CRITICALITY, 400, "[[entries]]"))
        .cases(150)
        .errors_name("criticality.toml")
        .run(move |bytes: &[u8]| {
            let text = std::str::from_utf8(bytes).map_err(|e| format!("criticality.toml: {e}"))?;
            let c = Criticality::parse("criticality.toml", text)?;
            match c.validate(text, &reference.lists.codes).first() {
                Some(p) => Err(format!("criticality.toml: {p}")),
                None => Ok(()),
            }
        });
}

#[test]
fn country_relations_toml() {
    Fuzz::new("relations_toml")
        .seed(RELATIONS)
        .dictionary([
            &b"[[groups]]\n"[..],
            b"class = \"eu\"\n",
            b"\"high_risk\"",
            b"\"CHN\"",
            b"\"XX\"",
            b"countries = []\n",
        ])
        .cases(1000)
        .errors_name("relations.toml")
        .run(|bytes: &[u8]| {
            let text = std::str::from_utf8(bytes).map_err(|e| format!("relations.toml: {e}"))?;
            let r = Relations::parse("relations.toml", text)?;
            r.classes().map_err(|e| format!("relations.toml: {e}"))
        });
}

// Inputs the fuzzing found, each a regression test named after it.

/// A taxonomy of 835 kB (the shipped one with its code entries repeated) took more than
/// the fuzzing's 10 s to validate: every entry's line number was counted from the start
/// of the text (quadratic in the file's size). Now a file of 4 MB — five and a half
/// minutes before, in a debug build — validates well within that limit, its duplicates found on the right lines.
#[test]
fn taxonomy_of_four_megabytes_validates_within_the_time_limit() {
    let reference = Reference::bundled().unwrap();
    // the shipped file with its first market's CPA entries repeated until ~4 MB
    let at = TAXONOMY
        .find("[[markets.segments.cpa]]")
        .expect("a CPA entry");
    let end = TAXONOMY[at + 1..]
        .find("\n[[")
        .map_or(TAXONOMY.len(), |e| at + 1 + e + 1);
    let entry = &TAXONOMY[at..end];
    let mut text = TAXONOMY[..end].to_string();
    while text.len() < 4 << 20 {
        text.push_str(entry);
    }
    text.push_str(&TAXONOMY[end..]);
    let started = std::time::Instant::now();
    let file = reference.taxonomy_file("big.toml", &text).expect("parses");
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    let e = file.valid().unwrap_err().to_string();
    assert!(
        e.starts_with("big.toml: the taxonomy has") && e.contains("twice"),
        "{e}"
    );
    // the first repeat is named with the line of its code (after its table header)
    let first_repeat = TAXONOMY[..end].lines().count() + 2;
    assert!(
        e.contains(&format!("line {first_repeat}")),
        "{first_repeat}: {e}"
    );
}
