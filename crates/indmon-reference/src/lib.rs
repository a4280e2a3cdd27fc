//! The reference data bundled with indmon, loaded and validated once.
//!
//! The bundled snapshot (`data/` at the repository root, embedded at build time: see
//! `build.rs`) holds real datasets, which `indmon init` loads into the store, and the
//! classification lists — HS 1992/2012/2022 with names, CN→HS 2017, NACE Rev. 2 and
//! 2.1, CPA 2.1. The `taxonomy/` folder holds reviewed data: the priority-market
//! taxonomy, the mapping of products to areas crucial for public interests
//! (criticality) and the default relations with countries. [`Reference`] reads all of
//! them once, checks the taxonomy and the mapping against the lists, and is shared by
//! the command line, the reports and the dashboard. No other IO.

pub mod bundle;

use std::collections::HashMap;
use std::sync::OnceLock;

use indmon_core::ErrorKind;
use indmon_core::taxonomy::{CodeLists, Criticality, Relations, Report, Taxonomy};

/// The priority-market taxonomy shipped with indmon.
pub const TAXONOMY: &str = include_str!("../../../taxonomy/priority-markets.toml");
/// How the shipped taxonomy is named in texts.
pub const TAXONOMY_NAME: &str = "taxonomy/priority-markets.toml (bundled)";
/// The mapping of products to areas crucial for public interests, shipped with indmon.
pub const CRITICALITY: &str = include_str!("../../../taxonomy/criticality.toml");
/// The relations with countries (EU, like-minded, high-risk), shipped with indmon.
pub const RELATIONS: &str = include_str!("../../../taxonomy/country-relations.toml");

/// A bundled file is missing or malformed, or a taxonomy does not validate.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);

/// Why a taxonomy cannot be used: it does not parse, or it does not validate against
/// the classification lists (every finding with its line).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{label}: {message}")]
pub struct TaxonomyError {
    /// The file, as named in texts.
    pub label: String,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// A damaged installation: a bug or a broken build.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

impl TaxonomyError {
    /// The user's file is bad input.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Input
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A priority-market taxonomy with its text (for line numbers) and its validation.
#[derive(Debug, Clone)]
pub struct TaxonomyFile {
    /// The parsed taxonomy.
    pub taxonomy: Taxonomy,
    /// How it is named in texts (a path, or the bundled file's name).
    pub label: String,
    /// Its text.
    pub text: String,
    /// Its validation against the classification lists.
    pub report: Report,
}

impl TaxonomyFile {
    /// Parses and validates a taxonomy; a file that does not parse is an error, one that
    /// does not validate is returned with its findings (`indmon markets validate` shows
    /// them; [`TaxonomyFile::valid`] refuses it).
    pub fn read(label: &str, text: &str, lists: &Lists) -> Result<Self, TaxonomyError> {
        if text.trim().is_empty() {
            return Err(TaxonomyError {
                label: label.into(),
                message: "the file is empty".into(),
            });
        }
        let taxonomy = Taxonomy::parse(label, text).map_err(|e| TaxonomyError {
            label: label.into(),
            message: e.trim_start_matches(&format!("{label}: ")).to_string(),
        })?;
        let report = taxonomy.validate(text, &lists.codes);
        Ok(Self {
            taxonomy,
            label: label.into(),
            text: text.into(),
            report,
        })
    }

    /// The taxonomy, when it has no validation errors (a typo must never quietly drop a
    /// code); otherwise the first 20 findings.
    pub fn valid(&self) -> Result<&Taxonomy, TaxonomyError> {
        if self.report.errors.is_empty() {
            return Ok(&self.taxonomy);
        }
        let mut message = format!("the taxonomy has {} error(s):", self.report.errors.len());
        for f in self.report.errors.iter().take(20) {
            message.push_str(&format!("\n  {f}"));
        }
        if self.report.errors.len() > 20 {
            message.push_str(&format!("\n  … and {} more", self.report.errors.len() - 20));
        }
        Err(TaxonomyError {
            label: self.label.clone(),
            message,
        })
    }
}

/// Everything indmon's reference data holds, read and checked once.
#[derive(Debug)]
pub struct Reference {
    /// The classification lists.
    pub lists: Lists,
    /// The priority-market taxonomy shipped with indmon (validated).
    pub taxonomy: TaxonomyFile,
    /// The criticality mapping (validated against the lists).
    pub criticality: Criticality,
    /// The default relations with countries.
    pub relations: Relations,
    /// The relations as ISO alpha-3 → class (`eu`, `like_minded`, `high_risk`).
    pub relation_classes: HashMap<String, String>,
}

impl Reference {
    /// The bundled reference data, read and validated on first use. A failure is a
    /// damaged build, reported the same way on every call.
    pub fn bundled() -> Result<&'static Reference> {
        static REF: OnceLock<Result<Reference>> = OnceLock::new();
        REF.get_or_init(Self::read).as_ref().map_err(Clone::clone)
    }

    fn read() -> Result<Reference> {
        let lists = Lists::read()?;
        let taxonomy = TaxonomyFile::read(TAXONOMY_NAME, TAXONOMY, &lists)
            .map_err(|e| Error(e.to_string()))?;
        taxonomy.valid().map_err(|e| Error(e.to_string()))?;
        let criticality =
            Criticality::parse("taxonomy/criticality.toml", CRITICALITY).map_err(Error)?;
        if let Some(p) = criticality.validate(CRITICALITY, &lists.codes).first() {
            return Err(Error(format!("taxonomy/criticality.toml: {p}")));
        }
        let relations =
            Relations::parse("taxonomy/country-relations.toml", RELATIONS).map_err(Error)?;
        let relation_classes = relations
            .classes()
            .map_err(|e| Error(format!("taxonomy/country-relations.toml: {e}")))?;
        Ok(Reference {
            lists,
            taxonomy,
            criticality,
            relations,
            relation_classes,
        })
    }

    /// A user's taxonomy file read and validated against the bundled lists.
    pub fn taxonomy_file(&self, label: &str, text: &str) -> Result<TaxonomyFile, TaxonomyError> {
        TaxonomyFile::read(label, text, &self.lists)
    }
}

/// The classification lists of the bundled snapshot, with names.
#[derive(Debug, Clone)]
pub struct Lists {
    /// The codes per classification, for validation.
    pub codes: CodeLists,
    /// Product names per edition, by HS6 code.
    hs_names: HashMap<&'static str, HashMap<String, String>>,
    nace_names: HashMap<(String, String), String>,
    cpa_names: HashMap<String, String>,
}

fn bundled_csv(path: &str) -> Result<csv::Reader<&'static [u8]>> {
    let bytes = bundle::file(path).ok_or_else(|| Error(format!("bundled file {path} missing")))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Ok(csv::ReaderBuilder::new().flexible(true).from_reader(bytes))
}

fn column(r: &mut csv::Reader<&'static [u8]>, path: &str, name: &str) -> Result<usize> {
    r.headers()
        .map_err(|e| Error(format!("{path}: {e}")))?
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| Error(format!("bundled file {path} has no column {name}")))
}

fn records(
    r: &mut csv::Reader<&'static [u8]>,
    path: &str,
) -> impl Iterator<Item = Result<csv::StringRecord>> {
    let path = path.to_string();
    r.records()
        .map(move |rec| rec.map_err(|e| Error(format!("{path}: {e}"))))
}

impl Lists {
    /// Reads the lists from the bundled snapshot (`atlas-common-data/hs92.csv`,
    /// `eurostat-classifications/…`).
    pub fn read() -> Result<Self> {
        let mut codes = CodeLists::default();
        let mut hs_names: HashMap<&'static str, HashMap<String, String>> = HashMap::new();
        for (edition, path) in [
            ("HS1992", "atlas-common-data/hs92.csv"),
            ("HS2012", "atlas-common-data/hs12.csv"),
            ("HS2022", "atlas-common-data/hs22.csv"),
        ] {
            let mut r = bundled_csv(path)?;
            let (c, l, n) = (
                column(&mut r, path, "code")?,
                column(&mut r, path, "product_level")?,
                column(&mut r, path, "name_en")?,
            );
            let set = codes.hs.entry(edition.to_string()).or_default();
            let names = hs_names.entry(edition).or_default();
            for rec in records(&mut r, path) {
                let rec = rec?;
                if rec.get(l) == Some("6") {
                    let code = rec.get(c).unwrap_or_default().to_string();
                    names.insert(code.clone(), rec.get(n).unwrap_or_default().to_string());
                    set.insert(code);
                }
            }
        }
        // CN 2021 is built on HS 2017, CN 2022 on HS 2022: their first six digits.
        for (edition, path, col) in [
            (
                "HS2017",
                "eurostat-classifications/CN2021_CPA21.csv",
                "CN 2021",
            ),
            (
                "HS2022",
                "eurostat-classifications/CN2022_CPA21.csv",
                "CN 2022",
            ),
        ] {
            let mut r = bundled_csv(path)?;
            let c = column(&mut r, path, col)?;
            let set = codes.hs.entry(edition.to_string()).or_default();
            for rec in records(&mut r, path) {
                let rec = rec?;
                if let Some(code) = rec.get(c).filter(|s| s.len() >= 6) {
                    set.insert(code[..6].to_string());
                }
            }
        }
        let mut nace_names = HashMap::new();
        for (rev, path, col) in [
            ("2", "eurostat-classifications/nace2_en.csv", "nace2"),
            ("2.1", "eurostat-classifications/nace21_en.csv", "nace21"),
        ] {
            let mut r = bundled_csv(path)?;
            let (c, n) = (column(&mut r, path, col)?, column(&mut r, path, "NAME")?);
            for rec in records(&mut r, path) {
                let rec = rec?;
                let code = rec.get(c).unwrap_or_default().to_string();
                nace_names.insert(
                    (rev.to_string(), code.clone()),
                    rec.get(n).unwrap_or_default().to_string(),
                );
                if rev == "2" {
                    codes.nace2.insert(code);
                } else {
                    codes.nace21.insert(code);
                }
            }
        }
        let mut cpa_names = HashMap::new();
        let path = "eurostat-classifications/CPA21.csv";
        let mut r = bundled_csv(path)?;
        let (c, n) = (
            column(&mut r, path, "CPA 2.1")?,
            column(&mut r, path, "Name")?,
        );
        for rec in records(&mut r, path) {
            let rec = rec?;
            let code = rec.get(c).unwrap_or_default().to_string();
            cpa_names.insert(code.clone(), rec.get(n).unwrap_or_default().to_string());
            codes.cpa21.insert(code);
        }
        Ok(Self {
            codes,
            hs_names,
            nace_names,
            cpa_names,
        })
    }

    /// The name of an HS6 code, from the list of `edition` or the nearest one that has it.
    pub fn hs_name(&self, edition: &str, code: &str) -> Option<&str> {
        let order: &[&str] = match edition {
            "HS1992" => &["HS1992", "HS2012", "HS2022"],
            "HS2012" => &["HS2012", "HS2022", "HS1992"],
            _ => &["HS2022", "HS2012", "HS1992"],
        };
        order
            .iter()
            .find_map(|e| self.hs_names.get(e).and_then(|n| n.get(code)))
            .map(String::as_str)
    }

    /// The name of a NACE code of revision `revision` (`2` or `2.1`).
    pub fn nace_name(&self, revision: &str, code: &str) -> Option<&str> {
        self.nace_names
            .get(&(revision.to_string(), code.to_string()))
            .map(String::as_str)
    }

    /// The name of a CPA 2.1 code.
    pub fn cpa_name(&self, code: &str) -> Option<&str> {
        self.cpa_names.get(code).map(String::as_str)
    }
}
