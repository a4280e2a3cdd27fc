//! The taxonomy of the priority markets: which statistical codes make up each of the six
//! markets of the Dutch industrial policy.
//!
//! The taxonomy is reviewable data (`taxonomy/priority-markets.toml` in the repository,
//! embedded in the binary; a user may pass another file). Per market and sub-segment it
//! lists HS6 subheadings (goods, with the HS editions in which each exists), NACE Rev. 2
//! and Rev. 2.1 codes (activities) and CPA 2.1 codes (products), each with a rationale,
//! a confidence (`core`, `partial`, `proxy`) and a source. A segment without a clean code
//! (quantum technology, laser satellite communication) says so in `no_codes` instead of
//! forcing one.
//!
//! [`Taxonomy::parse`] reads the file and [`Taxonomy::validate`] checks it against the
//! code lists it is given ([`CodeLists`]), naming the line and entry of every problem.
//! This module does no IO: the caller loads the code lists.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

/// The HS editions the taxonomy can name, oldest first.
pub const EDITIONS: [&str; 4] = ["HS1992", "HS2012", "HS2017", "HS2022"];

/// The confidence levels of a code's membership in a market.
pub const CONFIDENCES: [&str; 3] = ["core", "partial", "proxy"];

/// How well traded-goods codes capture a market.
pub const COVERAGES: [&str; 3] = ["goods", "mixed", "services"];

/// The schema version this code reads.
pub const SCHEMA: u32 = 1;

/// The whole taxonomy file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// Schema version of the file (1).
    pub schema: u32,
    /// Version of the taxonomy (semantic version).
    pub version: String,
    /// Date of this version.
    pub date: String,
    /// Title.
    pub title: String,
    /// Where the six markets come from.
    pub policy_source: String,
    /// Changes, newest first.
    pub changelog: Vec<ChangelogEntry>,
    /// The markets.
    pub markets: Vec<Market>,
}

/// One version in the changelog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogEntry {
    /// The version.
    pub version: String,
    /// Its date.
    pub date: String,
    /// What changed.
    pub changes: Vec<String>,
}

/// One priority market.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// Identifier, e.g. `semiconductors`.
    pub id: Spanned<String>,
    /// English name.
    pub name_en: String,
    /// Dutch name.
    pub name_nl: String,
    /// The words of the policy page naming the market.
    pub policy_text: String,
    /// `goods`, `mixed` or `services`.
    pub coverage: Spanned<String>,
    /// What the codes capture and what they miss.
    pub coverage_note: String,
    /// Peers added for this market (ISO3 codes).
    #[serde(default)]
    pub extra_peers: Vec<String>,
    /// Eurostat `nama_10_a64` industries whose value added is a (broader) proxy.
    #[serde(default)]
    pub a64: Vec<String>,
    /// The sub-segments.
    #[serde(default)]
    pub segments: Vec<Segment>,
}

/// A sub-segment of a market.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// Identifier, unique within the market.
    pub id: Spanned<String>,
    /// English name.
    pub name_en: String,
    /// Dutch name.
    pub name_nl: String,
    /// Why the segment has no (or almost no) clean code.
    #[serde(default)]
    pub no_codes: Option<String>,
    /// HS6 subheadings.
    #[serde(default)]
    pub hs: Vec<HsEntry>,
    /// NACE codes.
    #[serde(default)]
    pub nace: Vec<NaceEntry>,
    /// CPA 2.1 codes.
    #[serde(default)]
    pub cpa: Vec<CpaEntry>,
}

/// An HS6 subheading in a segment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsEntry {
    /// Six digits.
    pub code: Spanned<String>,
    /// The HS editions in which the subheading exists with this meaning.
    pub editions: Vec<String>,
    /// `core`, `partial` or `proxy`.
    pub confidence: Spanned<String>,
    /// Why it belongs.
    pub rationale: String,
    /// Where the code and the assignment come from.
    pub source: String,
}

/// A NACE code in a segment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NaceEntry {
    /// As written by Eurostat, e.g. `26.11`.
    pub code: Spanned<String>,
    /// `2` or `2.1`.
    pub revision: String,
    /// `core`, `partial` or `proxy`.
    pub confidence: Spanned<String>,
    /// Why it belongs.
    pub rationale: String,
    /// Where the code and the assignment come from.
    pub source: String,
}

/// A CPA 2.1 code in a segment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpaEntry {
    /// As written by Eurostat, e.g. `26.11.22`.
    pub code: Spanned<String>,
    /// `core`, `partial` or `proxy`.
    pub confidence: Spanned<String>,
    /// Why it belongs.
    pub rationale: String,
    /// Where the code and the assignment come from.
    pub source: String,
}

/// The code lists a taxonomy is checked against.
#[derive(Debug, Clone, Default)]
pub struct CodeLists {
    /// HS6 subheadings per edition (keys from [`EDITIONS`]).
    pub hs: HashMap<String, HashSet<String>>,
    /// NACE Rev. 2 codes.
    pub nace2: HashSet<String>,
    /// NACE Rev. 2.1 codes.
    pub nace21: HashSet<String>,
    /// CPA 2.1 codes.
    pub cpa21: HashSet<String>,
}

/// A problem found in a taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Line in the file (1-based; 0 when not known).
    pub line: usize,
    /// The entry, e.g. `semiconductors / equipment / hs 848620`.
    pub entry: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}: {}", self.line, self.entry, self.message)
        } else {
            write!(f, "{}: {}", self.entry, self.message)
        }
    }
}

/// A code that more than one market claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    /// `hs`, `nace 2`, `nace 2.1` or `cpa`.
    pub kind: String,
    /// The code.
    pub code: String,
    /// The markets that list it.
    pub markets: Vec<String>,
}

/// The outcome of [`Taxonomy::validate`].
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Errors: the taxonomy must not be used while there are any.
    pub errors: Vec<Finding>,
    /// Codes shared between markets (allowed, reported).
    pub overlaps: Vec<Overlap>,
}

/// Counts of the codes of a market.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Segments.
    pub segments: usize,
    /// Distinct HS6 codes (any edition).
    pub hs: usize,
    /// NACE entries (both revisions).
    pub nace: usize,
    /// CPA entries.
    pub cpa: usize,
    /// Segments without a clean code (a `no_codes` text, or no codes at all).
    pub without_codes: usize,
}

impl Taxonomy {
    /// Parses the TOML text; `label` (the file name) prefixes a syntax error, which
    /// names the line.
    pub fn parse(label: &str, text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| format!("{label}: {e}"))
    }

    /// The market called `id` (also accepts its English or Dutch name, any case).
    pub fn market(&self, id: &str) -> Option<&Market> {
        let want = id.trim().to_lowercase().replace([' ', '-'], "_");
        self.markets.iter().find(|m| {
            m.id.get_ref().to_lowercase() == want
                || m.name_en.to_lowercase().replace([' ', '-'], "_") == want
                || m.name_nl.to_lowercase().replace([' ', '-'], "_") == want
        })
    }

    /// Checks the taxonomy: structure, allowed values, every code against the lists,
    /// duplicates within a market; reports overlaps between markets. `text` is the file
    /// the taxonomy was parsed from (for line numbers).
    pub fn validate(&self, text: &str, lists: &CodeLists) -> Report {
        let lines = Lines::new(text);
        let line = |span: std::ops::Range<usize>| lines.of(span.start);
        let mut errors = Vec::new();
        let mut err = |line: usize, entry: String, message: String| {
            errors.push(Finding {
                line,
                entry,
                message,
            });
        };
        if self.schema != SCHEMA {
            err(
                0,
                "schema".into(),
                format!(
                    "schema {} is not supported (this indmon reads {SCHEMA})",
                    self.schema
                ),
            );
        }
        match self.changelog.first() {
            None => err(0, "changelog".into(), "no changelog entry".into()),
            Some(c) if c.version != self.version => err(
                0,
                "version".into(),
                format!(
                    "version {} differs from the newest changelog entry ({})",
                    self.version, c.version
                ),
            ),
            Some(_) => {}
        }
        for (what, v) in [
            ("version", &self.version),
            ("date", &self.date),
            ("title", &self.title),
            ("policy_source", &self.policy_source),
        ] {
            if v.trim().is_empty() {
                err(0, what.into(), "is empty".into());
            }
        }
        if self.markets.is_empty() {
            err(0, "markets".into(), "no markets".into());
        }
        let mut market_ids = HashSet::new();
        // (kind, code) -> markets that list it
        let mut claims: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for m in &self.markets {
            let mid = m.id.get_ref().clone();
            let mline = line(m.id.span());
            if !is_identifier(&mid) {
                err(
                    mline,
                    format!("market {mid:?}"),
                    "id must be lower-case letters, digits and '_'".into(),
                );
            }
            if !market_ids.insert(mid.clone()) {
                err(mline, format!("market {mid}"), "listed twice".into());
            }
            if !COVERAGES.contains(&m.coverage.get_ref().as_str()) {
                err(
                    line(m.coverage.span()),
                    format!("market {mid}"),
                    format!(
                        "coverage {:?}: use one of {}",
                        m.coverage.get_ref(),
                        COVERAGES.join(", ")
                    ),
                );
            }
            for (what, v) in [
                ("name_en", &m.name_en),
                ("name_nl", &m.name_nl),
                ("policy_text", &m.policy_text),
                ("coverage_note", &m.coverage_note),
            ] {
                if v.trim().is_empty() {
                    err(mline, format!("market {mid}"), format!("{what} is empty"));
                }
            }
            for p in &m.extra_peers {
                if p.len() != 3 || !p.bytes().all(|b| b.is_ascii_uppercase()) {
                    err(
                        mline,
                        format!("market {mid}"),
                        format!("extra_peers: {p:?} is not an ISO 3166 alpha-3 code"),
                    );
                }
            }
            if m.segments.is_empty() {
                err(mline, format!("market {mid}"), "no segments".into());
            }
            let mut seg_ids = HashSet::new();
            let mut seen: HashSet<(String, String)> = HashSet::new();
            for s in &m.segments {
                let sid = s.id.get_ref().clone();
                let sline = line(s.id.span());
                let at = format!("{mid} / {sid}");
                if !is_identifier(&sid) {
                    err(
                        sline,
                        at.clone(),
                        "id must be lower-case letters, digits and '_'".into(),
                    );
                }
                if !seg_ids.insert(sid.clone()) {
                    err(
                        sline,
                        at.clone(),
                        "segment listed twice in this market".into(),
                    );
                }
                if s.hs.is_empty()
                    && s.nace.is_empty()
                    && s.cpa.is_empty()
                    && s.no_codes.as_deref().is_none_or(|t| t.trim().is_empty())
                {
                    err(
                        sline,
                        at.clone(),
                        "no codes and no `no_codes` text saying why".into(),
                    );
                }
                let mut check_common =
                    |kind: &str,
                     code: &Spanned<String>,
                     confidence: &Spanned<String>,
                     rationale: &str,
                     source: &str,
                     errors: &mut Vec<(usize, String, String)>| {
                        let l = line(code.span());
                        let entry = format!("{at} / {kind} {}", code.get_ref());
                        if !CONFIDENCES.contains(&confidence.get_ref().as_str()) {
                            errors.push((
                                line(confidence.span()),
                                entry.clone(),
                                format!(
                                    "confidence {:?}: use one of {}",
                                    confidence.get_ref(),
                                    CONFIDENCES.join(", ")
                                ),
                            ));
                        }
                        if rationale.trim().is_empty() {
                            errors.push((l, entry.clone(), "rationale is empty".into()));
                        }
                        if source.trim().is_empty() {
                            errors.push((l, entry.clone(), "source is empty".into()));
                        }
                        if !seen.insert((kind.to_string(), code.get_ref().clone())) {
                            errors.push((l, entry, "listed twice in this market".into()));
                        }
                        claims
                            .entry((kind.to_string(), code.get_ref().clone()))
                            .or_default()
                            .push(mid.clone());
                    };
                let mut found: Vec<(usize, String, String)> = Vec::new();
                for h in &s.hs {
                    check_common(
                        "hs",
                        &h.code,
                        &h.confidence,
                        &h.rationale,
                        &h.source,
                        &mut found,
                    );
                    let l = line(h.code.span());
                    let entry = format!("{at} / hs {}", h.code.get_ref());
                    let code = h.code.get_ref();
                    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                        found.push((l, entry.clone(), "an HS6 code is six digits".into()));
                    }
                    if h.editions.is_empty() {
                        found.push((l, entry.clone(), "no HS editions listed".into()));
                    }
                    for e in &h.editions {
                        if !EDITIONS.contains(&e.as_str()) {
                            found.push((
                                l,
                                entry.clone(),
                                format!("edition {e:?}: use one of {}", EDITIONS.join(", ")),
                            ));
                        } else if let Some(list) = lists.hs.get(e) {
                            if !list.contains(code) {
                                found.push((l, entry.clone(), format!("not a subheading of {e}")));
                            }
                        } else {
                            found.push((
                                l,
                                entry.clone(),
                                format!("no {e} code list to check against"),
                            ));
                        }
                    }
                }
                for n in &s.nace {
                    let kind = format!("nace {}", n.revision);
                    check_common(
                        &kind,
                        &n.code,
                        &n.confidence,
                        &n.rationale,
                        &n.source,
                        &mut found,
                    );
                    let l = line(n.code.span());
                    let entry = format!("{at} / {kind} {}", n.code.get_ref());
                    let list = match n.revision.as_str() {
                        "2" => Some((&lists.nace2, "NACE Rev. 2")),
                        "2.1" => Some((&lists.nace21, "NACE Rev. 2.1")),
                        _ => None,
                    };
                    match list {
                        None => found.push((
                            l,
                            entry,
                            format!("revision {:?}: use \"2\" or \"2.1\"", n.revision),
                        )),
                        Some((list, name)) if !list.contains(n.code.get_ref()) => {
                            found.push((l, entry, format!("not a code of {name}")));
                        }
                        Some(_) => {}
                    }
                }
                for c in &s.cpa {
                    check_common(
                        "cpa",
                        &c.code,
                        &c.confidence,
                        &c.rationale,
                        &c.source,
                        &mut found,
                    );
                    if !lists.cpa21.contains(c.code.get_ref()) {
                        found.push((
                            line(c.code.span()),
                            format!("{at} / cpa {}", c.code.get_ref()),
                            "not a code of CPA 2.1".into(),
                        ));
                    }
                }
                for (l, e, m) in found {
                    err(l, e, m);
                }
            }
        }
        let overlaps = claims
            .into_iter()
            .filter_map(|((kind, code), mut markets)| {
                markets.dedup();
                (markets.len() > 1).then_some(Overlap {
                    kind,
                    code,
                    markets,
                })
            })
            .collect();
        errors.sort_by_key(|f| f.line);
        Report { errors, overlaps }
    }
}

impl Market {
    /// The HS6 codes that exist in `edition`, each with its segment and entry, in
    /// taxonomy order, each code once.
    pub fn hs_in(&self, edition: &str) -> Vec<(&Segment, &HsEntry)> {
        let mut seen = HashSet::new();
        self.segments
            .iter()
            .flat_map(|s| s.hs.iter().map(move |h| (s, h)))
            .filter(|(_, h)| h.editions.iter().any(|e| e == edition))
            .filter(|(_, h)| seen.insert(h.code.get_ref().clone()))
            .collect()
    }

    /// Counts of segments and codes.
    pub fn counts(&self) -> Counts {
        let hs: HashSet<&String> = self
            .segments
            .iter()
            .flat_map(|s| s.hs.iter().map(|h| h.code.get_ref()))
            .collect();
        Counts {
            segments: self.segments.len(),
            hs: hs.len(),
            nace: self.segments.iter().map(|s| s.nace.len()).sum(),
            cpa: self.segments.iter().map(|s| s.cpa.len()).sum(),
            without_codes: self
                .segments
                .iter()
                .filter(|s| {
                    s.no_codes.is_some()
                        || (s.hs.is_empty() && s.nace.is_empty() && s.cpa.is_empty())
                })
                .count(),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The line numbers of a text's byte offsets, found by binary search over its line ends
/// (counting the line ends before each offset made a validation quadratic in the file's
/// size: minutes for a file of a few megabytes).
struct Lines<'a> {
    text: &'a str,
    ends: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let ends = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Self { text, ends }
    }

    /// The 1-based line of byte `offset`; 0 where the offset is not in the text.
    fn of(&self, offset: usize) -> usize {
        if !self.text.is_char_boundary(offset) {
            return 0;
        }
        self.ends.partition_point(|&e| e < offset) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_those_counted_from_the_start() {
        let text = "a\n\nbé\nc\n";
        let lines = Lines::new(text);
        for offset in 0..text.len() + 2 {
            let counted = text
                .get(..offset)
                .map_or(0, |s| s.bytes().filter(|&b| b == b'\n').count() + 1);
            assert_eq!(lines.of(offset), counted, "{offset}");
        }
    }

    const GOOD: &str = r#"
schema = 1
version = "1.1.0"
date = "2026-11-28"
title = "t"
policy_source = "p"

[[changelog]]
version = "1.1.0"
date = "2026-11-28"
changes = ["second"]

[[changelog]]
version = "1.0.0"
date = "2026-11-01"
changes = ["first"]

[[markets]]
id = "semiconductors"
name_en = "Semiconductors"
name_nl = "Halfgeleiders"
policy_text = "halfgeleiders"
coverage = "goods"
coverage_note = "goods"
extra_peers = ["USA"]
a64 = ["C26"]

[[markets.segments]]
id = "equipment"
name_en = "Equipment"
name_nl = "Machines"

[[markets.segments.hs]]
code = "848620"
editions = ["HS2012", "HS2022"]
confidence = "core"
rationale = "machines for semiconductor devices"
source = "HS"

[[markets.segments.nace]]
code = "28.99"
revision = "2"
confidence = "partial"
rationale = "special-purpose machinery"
source = "NACE"

[[markets.segments.cpa]]
code = "28.99.20"
confidence = "core"
rationale = "machines for semiconductors"
source = "CPA"

[[markets]]
id = "defence_growth"
name_en = "Defence growth markets"
name_nl = "Defensie"
policy_text = "defensie"
coverage = "mixed"
coverage_note = "little"

[[markets.segments]]
id = "quantum"
name_en = "Quantum"
name_nl = "Quantum"
no_codes = "No HS, NACE or CPA code separates quantum technology."

[[markets.segments]]
id = "equipment_overlap"
name_en = "x"
name_nl = "x"

[[markets.segments.hs]]
code = "848620"
editions = ["HS2022"]
confidence = "proxy"
rationale = "r"
source = "s"
"#;

    fn lists() -> CodeLists {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        CodeLists {
            hs: [
                ("HS2012".to_string(), set(&["848620", "854231"])),
                ("HS2022".to_string(), set(&["848620", "854231", "854143"])),
            ]
            .into_iter()
            .collect(),
            nace2: set(&["28.99", "26.11"]),
            nace21: set(&["28.99"]),
            cpa21: set(&["28.99.20"]),
        }
    }

    #[test]
    fn a_sound_taxonomy_passes_and_reports_overlaps() {
        let t = Taxonomy::parse("t.toml", GOOD).unwrap();
        let r = t.validate(GOOD, &lists());
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            r.overlaps,
            vec![Overlap {
                kind: "hs".into(),
                code: "848620".into(),
                markets: vec!["semiconductors".into(), "defence_growth".into()],
            }]
        );
        let m = t.market("Halfgeleiders").unwrap();
        assert_eq!(m.id.get_ref(), "semiconductors");
        assert_eq!(m.hs_in("HS2012").len(), 1);
        assert_eq!(m.hs_in("HS2017").len(), 0);
        let c = t.market("defence_growth").unwrap().counts();
        assert_eq!((c.segments, c.hs, c.without_codes), (2, 1, 1));
    }

    #[test]
    fn a_code_that_does_not_exist_is_named_with_its_line() {
        let bad = GOOD.replace(
            "code = \"848620\"\neditions = [\"HS2012\", \"HS2022\"]",
            "code = \"848699\"\neditions = [\"HS2012\", \"HS2022\"]",
        );
        let t = Taxonomy::parse("t.toml", &bad).unwrap();
        let r = t.validate(&bad, &lists());
        let line = bad.lines().position(|l| l.contains("848699")).unwrap() + 1;
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert_eq!(r.errors[0].line, line);
        assert_eq!(r.errors[0].entry, "semiconductors / equipment / hs 848699");
        assert_eq!(r.errors[0].message, "not a subheading of HS2012");
        assert_eq!(r.errors[1].message, "not a subheading of HS2022");
    }

    #[test]
    fn each_rule_is_enforced() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "\"28.99\"\nrevision = \"2\"",
                "\"28.98\"\nrevision = \"2\"",
                "not a code of NACE Rev. 2",
            ),
            ("revision = \"2\"", "revision = \"3\"", "revision \"3\""),
            (
                "code = \"28.99.20\"",
                "code = \"28.99.2\"",
                "not a code of CPA 2.1",
            ),
            (
                "confidence = \"partial\"",
                "confidence = \"likely\"",
                "confidence \"likely\"",
            ),
            (
                "coverage = \"mixed\"",
                "coverage = \"some\"",
                "coverage \"some\"",
            ),
            ("editions = [\"HS2022\"]", "editions = []", "no HS editions"),
            (
                "editions = [\"HS2022\"]",
                "editions = [\"HS2007\"]",
                "edition \"HS2007\"",
            ),
            (
                "no_codes = \"No HS, NACE or CPA code separates quantum technology.\"",
                "",
                "no `no_codes` text",
            ),
            (
                "version = \"1.1.0\"\ndate = \"2026-11-28\"\ntitle",
                "version = \"1.2.0\"\ndate = \"2026-11-28\"\ntitle",
                "differs from the newest changelog",
            ),
            (
                "rationale = \"r\"",
                "rationale = \" \"",
                "rationale is empty",
            ),
            (
                "id = \"equipment_overlap\"",
                "id = \"quantum\"",
                "segment listed twice",
            ),
            (
                "extra_peers = [\"USA\"]",
                "extra_peers = [\"US\"]",
                "alpha-3",
            ),
        ];
        for (from, to, want) in cases {
            assert!(GOOD.contains(from), "{from}");
            let bad = GOOD.replacen(from, to, 1);
            let t = Taxonomy::parse("t.toml", &bad).unwrap();
            let r = t.validate(&bad, &lists());
            assert!(
                r.errors.iter().any(|f| f.message.contains(want)),
                "{want}: {:?}",
                r.errors
            );
        }
        // a code twice in one market
        let twice = GOOD.replace(
            "[[markets.segments.nace]]",
            "[[markets.segments.hs]]\ncode = \"848620\"\neditions = [\"HS2022\"]\nconfidence = \"core\"\nrationale = \"r\"\nsource = \"s\"\n\n[[markets.segments.nace]]",
        );
        let t = Taxonomy::parse("t.toml", &twice).unwrap();
        let r = t.validate(&twice, &lists());
        assert!(
            r.errors
                .iter()
                .any(|f| f.message == "listed twice in this market")
        );
    }

    #[test]
    fn unknown_keys_and_bad_syntax_are_refused_with_the_line() {
        let e = Taxonomy::parse("t.toml", &GOOD.replace("a64 =", "a65 =")).unwrap_err();
        assert!(e.contains("t.toml") && e.contains("a65"), "{e}");
        let e = Taxonomy::parse("t.toml", "schema = 1\nversion = \n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }
}

/// The criticality mapping: which HS6 products are crucial for which public-interest
/// area (`taxonomy/criticality.toml`). The six priority markets are a further area,
/// taken from the market taxonomy by the caller.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criticality {
    /// Schema version (1).
    pub schema: u32,
    /// Version (semantic).
    pub version: String,
    /// Date of this version.
    pub date: String,
    /// Title.
    pub title: String,
    /// The basis of the mapping.
    pub source: String,
    /// Changes, newest first.
    pub changelog: Vec<ChangelogEntry>,
    /// The areas.
    pub areas: Vec<Area>,
    /// The products.
    pub entries: Vec<CriticalEntry>,
}

/// A public-interest area.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Identifier, e.g. `health`.
    pub id: Spanned<String>,
    /// English name.
    pub name_en: String,
    /// Dutch name.
    pub name_nl: String,
    /// What counts as crucial in it.
    pub description: String,
}

/// A product crucial for one or more areas.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticalEntry {
    /// Six digits.
    pub code: Spanned<String>,
    /// The HS editions in which the subheading exists with this meaning.
    pub editions: Vec<String>,
    /// Area ids.
    pub areas: Vec<String>,
    /// Why it is crucial.
    pub rationale: String,
    /// Where that comes from.
    pub source: String,
}

impl Criticality {
    /// Parses the TOML text; `label` prefixes a syntax error.
    pub fn parse(label: &str, text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| format!("{label}: {e}"))
    }

    /// Checks the mapping against the HS lists: codes, editions, areas, duplicates.
    pub fn validate(&self, text: &str, lists: &CodeLists) -> Vec<Finding> {
        let lines = Lines::new(text);
        let line = |span: std::ops::Range<usize>| lines.of(span.start);
        let mut out = Vec::new();
        let mut push = |line: usize, entry: String, message: String| {
            out.push(Finding {
                line,
                entry,
                message,
            });
        };
        if self.schema != SCHEMA {
            push(
                0,
                "schema".into(),
                format!("schema {} is not supported", self.schema),
            );
        }
        if self
            .changelog
            .first()
            .is_none_or(|c| c.version != self.version)
        {
            push(
                0,
                "version".into(),
                "differs from the newest changelog entry (or no changelog)".into(),
            );
        }
        let mut ids = HashSet::new();
        for a in &self.areas {
            if !is_identifier(a.id.get_ref()) || !ids.insert(a.id.get_ref().clone()) {
                push(
                    line(a.id.span()),
                    format!("area {}", a.id.get_ref()),
                    "id must be unique, lower-case letters, digits and '_'".into(),
                );
            }
            if a.name_en.trim().is_empty() || a.description.trim().is_empty() {
                push(
                    line(a.id.span()),
                    format!("area {}", a.id.get_ref()),
                    "name or description is empty".into(),
                );
            }
        }
        let mut seen = HashSet::new();
        for e in &self.entries {
            let code = e.code.get_ref();
            let l = line(e.code.span());
            let entry = format!("hs {code}");
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                push(l, entry.clone(), "an HS6 code is six digits".into());
            }
            if !seen.insert(code.clone()) {
                push(l, entry.clone(), "listed twice".into());
            }
            if e.editions.is_empty() {
                push(l, entry.clone(), "no HS editions listed".into());
            }
            for ed in &e.editions {
                match lists.hs.get(ed) {
                    Some(list) if !list.contains(code) => {
                        push(l, entry.clone(), format!("not a subheading of {ed}"));
                    }
                    Some(_) => {}
                    None => push(
                        l,
                        entry.clone(),
                        format!("edition {ed:?}: use one of {}", EDITIONS.join(", ")),
                    ),
                }
            }
            if e.areas.is_empty() {
                push(l, entry.clone(), "no areas".into());
            }
            for a in &e.areas {
                if !ids.contains(a) {
                    push(l, entry.clone(), format!("area {a:?} is not defined"));
                }
            }
            if e.rationale.trim().is_empty() || e.source.trim().is_empty() {
                push(l, entry, "rationale or source is empty".into());
            }
        }
        out.sort_by_key(|f| f.line);
        out
    }
}

/// The default relations with partner countries (`taxonomy/country-relations.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relations {
    /// Schema version (1).
    pub schema: u32,
    /// Version (semantic).
    pub version: String,
    /// Date of this version.
    pub date: String,
    /// Title.
    pub title: String,
    /// Changes, newest first.
    pub changelog: Vec<ChangelogEntry>,
    /// Groups of countries with their class.
    pub groups: Vec<RelationGroup>,
}

/// Countries of one class, with the reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationGroup {
    /// `eu`, `like_minded` or `high_risk` (every other country is `other`).
    pub class: String,
    /// ISO 3166 alpha-3 codes.
    pub countries: Vec<String>,
    /// Why these countries are in this class.
    pub rationale: String,
    /// The source of the list.
    pub source: String,
}

/// The relation classes a file or a setting may name.
pub const RELATION_CLASSES: [&str; 4] = ["eu", "like_minded", "other", "high_risk"];

impl Relations {
    /// Parses the TOML text; `label` prefixes a syntax error.
    pub fn parse(label: &str, text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| format!("{label}: {e}"))
    }

    /// The class of every listed country (ISO3 → class); an error names a bad class,
    /// a bad code or a country listed in two groups.
    pub fn classes(&self) -> Result<HashMap<String, String>, String> {
        let mut out = HashMap::new();
        for g in &self.groups {
            if !RELATION_CLASSES.contains(&g.class.as_str()) || g.class == "other" {
                return Err(format!(
                    "class {:?}: a group is eu, like_minded or high_risk (every other country is other)",
                    g.class
                ));
            }
            for c in &g.countries {
                if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(format!("{c:?} is not an ISO 3166 alpha-3 code"));
                }
                if let Some(prev) = out.insert(c.clone(), g.class.clone()) {
                    return Err(format!("{c} is in two groups ({prev} and {})", g.class));
                }
            }
        }
        Ok(out)
    }
}
