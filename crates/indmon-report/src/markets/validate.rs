//! The taxonomy's validation: every code checked against the shipped classification
//! lists (findings with their lines), the codes in more than one market, and the code
//! counts per market.

use indmon_reference::TaxonomyFile;
use serde::Serialize;

use crate::table::{Col, Table, Tabular};

/// One problem of the taxonomy: where and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FindingRow {
    /// Line in the file (1-based).
    pub line: usize,
    /// The entry, e.g. `semiconductors / equipment / hs 848699`.
    pub entry: String,
    /// What is wrong.
    pub message: String,
}

/// A code in more than one market (allowed; worth checking it is deliberate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OverlapRow {
    /// The classification, e.g. `hs` or `nace 2`.
    pub kind: String,
    /// The code.
    pub code: String,
    /// The markets that list it.
    pub markets: Vec<String>,
}

/// One market's definition in numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MarketCounts {
    /// Market id.
    pub market: String,
    /// How well codes cover the market.
    pub coverage: String,
    /// Segments.
    pub segments: usize,
    /// Segments without a clean code.
    pub segments_without_clean_code: usize,
    /// HS6 codes (all editions).
    pub hs6: usize,
    /// NACE codes.
    pub nace: usize,
    /// CPA 2.1 codes.
    pub cpa: usize,
}

/// The validation of a taxonomy against the classification lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Validation {
    /// The taxonomy, as named (a path, or the bundled file's name).
    pub taxonomy: String,
    /// Its version.
    pub version: String,
    /// Its date.
    pub date: String,
    /// No errors: every code exists in the list of its classification.
    pub valid: bool,
    /// Every problem, with its line.
    pub errors: Vec<FindingRow>,
    /// Codes in more than one market.
    pub overlaps: Vec<OverlapRow>,
    /// Code counts per market, in the taxonomy's order.
    pub markets: Vec<MarketCounts>,
    /// What was checked against what.
    pub notes: Vec<String>,
}

/// The lists a taxonomy is checked against, in words.
const CHECKED_AGAINST: &str = "Checked against: HS 1992, 2012, 2022 (Growth Lab lists), HS 2017 (first six digits of CN 2021), NACE Rev. 2 and Rev. 2.1, CPA 2.1 (Eurostat).";

/// The validation of a taxonomy read with [`TaxonomyFile::read`] (or
/// [`super::taxonomy_file`]).
pub fn validation(file: &TaxonomyFile) -> Validation {
    let tax = &file.taxonomy;
    Validation {
        taxonomy: file.label.clone(),
        version: tax.version.clone(),
        date: tax.date.clone(),
        valid: file.report.errors.is_empty(),
        errors: file
            .report
            .errors
            .iter()
            .map(|f| FindingRow {
                line: f.line,
                entry: f.entry.clone(),
                message: f.message.clone(),
            })
            .collect(),
        overlaps: file
            .report
            .overlaps
            .iter()
            .map(|o| OverlapRow {
                kind: o.kind.clone(),
                code: o.code.clone(),
                markets: o.markets.clone(),
            })
            .collect(),
        markets: tax
            .markets
            .iter()
            .map(|m| {
                let c = m.counts();
                MarketCounts {
                    market: m.id.get_ref().clone(),
                    coverage: m.coverage.get_ref().clone(),
                    segments: c.segments,
                    segments_without_clean_code: c.without_codes,
                    hs6: c.hs,
                    nace: c.nace,
                    cpa: c.cpa,
                }
            })
            .collect(),
        notes: vec![
            format!(
                "Taxonomy: {}, version {} of {}.",
                file.label, tax.version, tax.date
            ),
            CHECKED_AGAINST.to_string(),
        ],
    }
}

const COUNTS: &[Col<MarketCounts>] = &[
    Col {
        name: "market",
        unit: "",
        meaning: "The market's id in the taxonomy.",
        decimals: None,
        get: |r| r.market.as_str().into(),
    },
    Col {
        name: "coverage",
        unit: "",
        meaning: "How well statistical codes cover the market.",
        decimals: None,
        get: |r| r.coverage.as_str().into(),
    },
    Col {
        name: "segments",
        unit: "",
        meaning: "Segments of the market.",
        decimals: None,
        get: |r| r.segments.into(),
    },
    Col {
        name: "segments_without_clean_code",
        unit: "",
        meaning: "Segments that no statistical code captures (named in the taxonomy, with why).",
        decimals: None,
        get: |r| r.segments_without_clean_code.into(),
    },
    Col {
        name: "hs6",
        unit: "codes",
        meaning: "HS6 codes (all editions).",
        decimals: None,
        get: |r| r.hs6.into(),
    },
    Col {
        name: "nace",
        unit: "codes",
        meaning: "NACE Rev. 2 and 2.1 codes.",
        decimals: None,
        get: |r| r.nace.into(),
    },
    Col {
        name: "cpa",
        unit: "codes",
        meaning: "CPA 2.1 codes.",
        decimals: None,
        get: |r| r.cpa.into(),
    },
];

impl Tabular for Validation {
    fn table(&self) -> Table {
        Table::of(COUNTS, &self.markets)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        "indmon-taxonomy-validation".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indmon_core::taxonomy::EDITIONS;
    use indmon_reference::Reference;

    #[test]
    fn the_bundled_taxonomy_is_valid() {
        let r = Reference::bundled().unwrap();
        let v = validation(&r.taxonomy);
        assert!(v.valid, "{}: {:?}", v.taxonomy, v.errors);
        let ids: Vec<&str> = v.markets.iter().map(|m| m.market.as_str()).collect();
        assert_eq!(
            ids,
            [
                "semiconductors",
                "biotechnology",
                "digital_ai",
                "machine_building",
                "innovative_chemistry",
                "defence_growth"
            ]
        );
        for e in EDITIONS {
            assert!(r.lists.codes.hs[e].len() > 5000, "{e}");
        }
        assert_eq!(r.lists.codes.hs["HS2017"].len(), 5387);
        assert_eq!(
            v.table().header(),
            COUNTS.iter().map(|c| c.name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_wrong_code_is_named_with_its_line() {
        let r = Reference::bundled().unwrap();
        let bad = indmon_reference::TAXONOMY.replacen("code = \"848620\"", "code = \"848699\"", 1);
        let line = bad.lines().position(|l| l.contains("\"848699\"")).unwrap() + 1;
        let f = super::super::taxonomy_file(r, "bad.toml", bad.as_bytes()).unwrap();
        let v = validation(&f);
        assert!(!v.valid);
        // one finding per edition the entry claims
        assert_eq!(v.errors.len(), 3, "{:?}", v.errors);
        for e in &v.errors {
            assert_eq!(e.line, line);
            assert_eq!(e.entry, "semiconductors / equipment / hs 848699");
            assert!(e.message.starts_with("not a subheading of HS20"), "{e:?}");
        }
        assert!(f.valid().unwrap_err().to_string().starts_with("bad.toml: "));
    }

    #[test]
    fn files_that_are_not_utf8_or_empty_are_refused_by_name() {
        let r = Reference::bundled().unwrap();
        let e = super::super::taxonomy_file(r, "x.toml", b"name = \"\xE9\"").unwrap_err();
        assert_eq!(e.label, "x.toml");
        assert!(e.message.contains("not UTF-8"), "{e}");
        let e = super::super::taxonomy_file(r, "e.toml", b"\xEF\xBB\xBF \n").unwrap_err();
        assert!(e.message.contains("the file is empty"), "{e}");
        let with_bom = format!("\u{feff}{}", indmon_reference::TAXONOMY);
        assert!(
            super::super::taxonomy_file(r, "bom.toml", with_bom.as_bytes())
                .unwrap()
                .valid()
                .is_ok()
        );
    }

    #[test]
    fn editions_come_from_dataset_names() {
        use super::super::edition_of;
        assert_eq!(edition_of("baci_hs17"), Ok("HS2017"));
        assert_eq!(edition_of("synth_baci_hs12"), Ok("HS2012"));
        assert!(edition_of("baci_hs07").unwrap_err().contains("HS07"));
        assert!(edition_of("trade").is_err());
    }
}
