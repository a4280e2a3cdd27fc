//! The EU critical raw materials (2023 assessment): supply risk (SR) and economic
//! importance (EI) as published, the critical flag, their history since 2011, and the
//! concentration (HHI) of global supply and of EU sourcing per stage, from the study's
//! tables in the store (`eucrm_scores`, `eucrm_global_supply`, `eucrm_eu_sourcing`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use indmon_store::{Catalog, QueryOptions, Select, Store};
use serde::Serialize;

use crate::target::source_lines;
use crate::{Cell, Col, Error, Result, Source, Table, Tabular};

/// The assessment the list shows.
pub const ASSESSMENT: i32 = 2023;

/// The study's tables.
const TABLES: [&str; 3] = ["eucrm_scores", "eucrm_global_supply", "eucrm_eu_sourcing"];

/// What the list is asked for.
#[derive(Debug, Clone, Default)]
pub struct CrmRequest {
    /// Only the critical materials.
    pub critical_only: bool,
}

/// The largest global supplier of a material.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TopSupplier {
    /// Country, as the study names it.
    pub country: String,
    /// Its share of global supply at that stage.
    pub share: f64,
    /// `processing` or `extraction` (processing when the study gives it).
    pub stage: String,
}

/// One material of the 2023 assessment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrmMaterial {
    /// Material.
    pub material: String,
    /// Supply risk, 2023.
    pub sr: f64,
    /// Economic importance, 2023.
    pub ei: f64,
    /// Critical: SR ≥ 1 and EI ≥ 2.8.
    pub critical: bool,
    /// HHI of global supply, extraction (a lower bound: see the notes).
    pub hhi_global_extraction: Option<f64>,
    /// HHI of global supply, processing.
    pub hhi_global_processing: Option<f64>,
    /// HHI of EU sourcing, extraction.
    pub hhi_eu_extraction: Option<f64>,
    /// HHI of EU sourcing, processing.
    pub hhi_eu_processing: Option<f64>,
    /// The largest global supplier.
    pub top_global_supplier: Option<TopSupplier>,
    /// The assessments in which it was critical.
    pub critical_in: Vec<i32>,
    /// The HS6 codes of the bundled BACI extract that hold it.
    pub hs6: Vec<String>,
}

/// The EU critical raw materials of the 2023 assessment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Crm {
    /// The assessment (2023).
    pub assessment: i32,
    /// Materials with scores in it.
    pub materials_with_scores: usize,
    /// Of which critical.
    pub critical: usize,
    /// The materials shown (all, or the critical ones).
    pub materials: Vec<CrmMaterial>,
    /// What the figures mean.
    pub notes: Vec<String>,
    /// The study's tables read.
    pub sources: Vec<Source>,
}

/// One material asked for.
#[derive(Debug, Clone, Default)]
pub struct MaterialRequest {
    /// The material, as the study names it (any case).
    pub material: String,
}

/// A material's scores in one assessment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoreYear {
    /// Assessment year.
    pub year: i32,
    /// Supply risk.
    pub sr: Option<f64>,
    /// Economic importance.
    pub ei: Option<f64>,
    /// Critical by the thresholds of that assessment (none when not assessed).
    pub critical: Option<bool>,
}

/// One country's share of a material's supply.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplierShare {
    /// Country, as the study names it.
    pub country: String,
    /// Its share.
    pub share: f64,
}

/// The supply of a material at one stage, globally or to the EU.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageSupply {
    /// `global` (global supply) or `eu` (EU sourcing).
    pub scope: String,
    /// `extraction` or `processing`.
    pub stage: String,
    /// HHI of the published shares.
    pub hhi: f64,
    /// The shares, the largest first.
    pub shares: Vec<SupplierShare>,
}

/// One material: its scores by assessment and its supply shares.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MaterialDetail {
    /// Material.
    pub material: String,
    /// Whether the study scores it (not when it is assessed in a group).
    pub scored: bool,
    /// SR, EI and the critical flag by assessment.
    pub history: Vec<ScoreYear>,
    /// Supply shares per scope and stage.
    pub supply: Vec<StageSupply>,
    /// The HS6 codes of the bundled BACI extract that hold it.
    pub hs6: Vec<String>,
    /// What the figures mean.
    pub notes: Vec<String>,
    /// The study's tables read.
    pub sources: Vec<Source>,
}

/// Whether scores make a material critical in the assessment of `year`: SR ≥ 1 and
/// EI ≥ 2.8 since the 2017 method; the 2011 and 2014 assessments used another EI scale
/// with the threshold at 5.
pub fn critical_in(year: i32, sr: f64, ei: f64) -> bool {
    sr >= 1.0 && ei >= if year < 2017 { 5.0 } else { 2.8 }
}

/// The name a material has in the supply-share tables (lower case): the score table
/// and the share tables of the 2023 study spell some materials differently.
pub fn supply_name(score_name: &str) -> String {
    let l = score_name.to_lowercase();
    match l.as_str() {
        "baryte" => "barytes".into(),
        "boron" => "borate".into(),
        "phosphorus" => "phosphorous".into(),
        "kaolin clay" => "kaolin".into(),
        _ => l,
    }
}

/// A published share: "12.5%", "<0.1%" (taken as 0.05 %, the middle of its range).
pub fn share_value(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.starts_with('<') {
        let v: f64 = t
            .trim_start_matches('<')
            .trim_end_matches('%')
            .trim()
            .parse()
            .ok()?;
        return Some(v / 2.0 / 100.0);
    }
    t.trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .ok()
        .map(|v| v / 100.0)
}

/// SR and EI by assessment year.
type Scores = BTreeMap<i32, (Option<f64>, Option<f64>)>;
/// Shares per (material in lower case, stage `E`/`P`), the largest first.
type Shares = BTreeMap<(String, String), Vec<(String, f64)>>;

/// The study's tables, read.
struct Study {
    scores: BTreeMap<String, Scores>,
    global: Shares,
    eu: Shares,
    /// material (lower case) → HS6 codes of the bundled BACI extract
    hs_of: HashMap<String, Vec<String>>,
    sources: Vec<Source>,
}

/// Words separated by single spaces.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Study {
    async fn read(store: &Store) -> Result<Self> {
        let catalog = store.catalog()?;
        for d in TABLES {
            if catalog.latest(d).is_none() {
                return Err(indmon_store::Error::NotFound(format!(
                    "{d} is not in the store: run `indmon init` (bundled) or `indmon ingest {d} FILE`"
                ))
                .into());
            }
        }
        let opts = QueryOptions::default();
        let mut scores: BTreeMap<String, Scores> = BTreeMap::new();
        let b = store
            .fetch(
                &Select::from("eucrm_scores").columns(["material", "year", "sr", "ei"]),
                &opts,
            )
            .await?;
        let (m, y, sr, ei) = (b.texts(0)?, b.i64s(1)?, b.f64s(2)?, b.f64s(3)?);
        for r in 0..b.len() {
            if let (Some(m), Some(y)) = (&m[r], y[r]) {
                scores
                    .entry(squeeze(m))
                    .or_default()
                    .insert(y as i32, (sr[r], ei[r]));
            }
        }
        let global = read_shares(store, "eucrm_global_supply").await?;
        let eu = read_shares(store, "eucrm_eu_sourcing").await?;
        // the HS6 codes of the bundled BACI extract name their material
        let mut hs_of: HashMap<String, Vec<String>> = HashMap::new();
        if catalog.latest("baci_products").is_some() {
            let b = store
                .fetch(
                    &Select::from("baci_products").columns(["code", "description"]),
                    &opts,
                )
                .await?;
            let (c, d) = (b.texts(0)?, b.texts(1)?);
            for r in 0..b.len() {
                if let (Some(c), Some(d)) = (&c[r], &d[r])
                    && let Some(m) = d.strip_prefix("critical raw material: ")
                {
                    for part in m.split('+') {
                        hs_of
                            .entry(part.trim().to_lowercase())
                            .or_default()
                            .push(c.clone());
                    }
                }
            }
        }
        Ok(Self {
            scores,
            global,
            eu,
            hs_of,
            sources: sources(&catalog),
        })
    }

    /// The HS6 codes that hold a material.
    fn hs_for(&self, material: &str) -> Vec<String> {
        let l = material.to_lowercase();
        let mut v: Vec<String> = self
            .hs_of
            .iter()
            .filter(|(k, _)| {
                l == **k
                    || l.split_whitespace().any(|w| w == k.as_str())
                    || (l.starts_with(k.as_str()) && k.len() > 4)
            })
            .flat_map(|(_, c)| c.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// HHI of the published shares of a material at a stage.
    fn hhi(s: &Shares, material: &str, stage: &str) -> Option<f64> {
        s.get(&(supply_name(material), stage.to_string()))
            .map(|v| v.iter().map(|(_, x)| x * x).sum())
    }
}

async fn read_shares(store: &Store, table: &str) -> Result<Shares> {
    let mut out: Shares = BTreeMap::new();
    let b = store
        .fetch(
            &Select::from(table).columns(["material", "stage", "country", "share"]),
            &QueryOptions::default(),
        )
        .await?;
    let (m, st, c, sh) = (b.texts(0)?, b.texts(1)?, b.texts(2)?, b.texts(3)?);
    for r in 0..b.len() {
        if let (Some(m), Some(st), Some(c), Some(v)) =
            (&m[r], &st[r], &c[r], sh[r].as_deref().and_then(share_value))
        {
            out.entry((squeeze(m).to_lowercase(), st.clone()))
                .or_default()
                .push((c.clone(), v));
        }
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
    }
    Ok(out)
}

fn sources(catalog: &Catalog) -> Vec<Source> {
    let used: BTreeSet<(String, String)> = TABLES
        .iter()
        .filter_map(|d| {
            catalog
                .latest(d)
                .map(|m| (d.to_string(), m.vintage.clone()))
        })
        .collect();
    Source::list(catalog, &used)
}

/// The notes of both results: groups, the critical rule and the HHI, what is not
/// recomputed.
fn method_notes() -> Vec<String> {
    vec![
        "Groups (HREEs, LREEs, PGMs) have scores but their supply shares are published per element: see `indmon crm --material` for an element's shares where the study gives them.".to_string(),
        "Critical: SR ≥ 1 and EI ≥ 2.8 (the 2017 method, used by the 2017, 2020 and 2023 assessments; the 2011 and 2014 assessments: SR ≥ 1 and EI ≥ 5, on their own scale). HHI: Σ share² of the published supply shares per stage (E extraction, P processing); shares published as \"<0.1%\" count as 0.05 %, and shares below the publication threshold (1 % for EU sourcing) are missing, so the HHI is a lower bound close to the true value.".to_string(),
        "SR and EI are not recomputed: the shipped tables lack the governance indicators (WGI), import reliance, end-of-life recycling input rates and substitution indices the EU formula needs.".to_string(),
    ]
}

/// The stage's name.
fn stage_name(st: &str) -> &'static str {
    if st == "E" {
        "extraction"
    } else {
        "processing"
    }
}

/// The materials of the 2023 assessment with their scores and supply concentration.
pub async fn crm(store: &Store, req: &CrmRequest) -> Result<Crm> {
    let study = Study::read(store).await?;
    let mut all = Vec::new();
    for (m, by_year) in &study.scores {
        let Some(&(Some(sr), Some(ei))) = by_year.get(&ASSESSMENT) else {
            continue;
        };
        let top = ["P", "E"].iter().find_map(|st| {
            study
                .global
                .get(&(supply_name(m), st.to_string()))
                .and_then(|v| v.first())
                .map(|(c, x)| TopSupplier {
                    country: c.clone(),
                    share: *x,
                    stage: stage_name(st).into(),
                })
        });
        all.push(CrmMaterial {
            material: m.clone(),
            sr,
            ei,
            critical: critical_in(ASSESSMENT, sr, ei),
            hhi_global_extraction: Study::hhi(&study.global, m, "E"),
            hhi_global_processing: Study::hhi(&study.global, m, "P"),
            hhi_eu_extraction: Study::hhi(&study.eu, m, "E"),
            hhi_eu_processing: Study::hhi(&study.eu, m, "P"),
            top_global_supplier: top,
            critical_in: by_year
                .iter()
                .filter_map(|(y, (s, e))| match (s, e) {
                    (Some(s), Some(e)) if critical_in(*y, *s, *e) => Some(*y),
                    _ => None,
                })
                .collect(),
            hs6: study.hs_for(m),
        });
    }
    let critical = all.iter().filter(|m| m.critical).count();
    let materials_with_scores = all.len();
    let materials: Vec<CrmMaterial> = all
        .into_iter()
        .filter(|m| m.critical || !req.critical_only)
        .collect();
    let mut notes = vec![format!(
        "EU critical raw materials, {ASSESSMENT} assessment: {} materials with scores, {critical} critical by SR ≥ 1 and EI ≥ 2.8.",
        materials.len()
    )];
    notes.extend(method_notes());
    Ok(Crm {
        assessment: ASSESSMENT,
        materials_with_scores,
        critical,
        materials,
        notes,
        sources: study.sources,
    })
}

/// One material: its scores in every assessment, its supply shares per stage and the
/// HS6 codes that hold it. A material the study does not name is a usage error.
pub async fn material(store: &Store, req: &MaterialRequest) -> Result<MaterialDetail> {
    let study = Study::read(store).await?;
    let want = req.material.trim();
    let want_l = want.to_lowercase();
    let in_shares = study
        .global
        .keys()
        .chain(study.eu.keys())
        .any(|(k, _)| *k == want_l);
    let m = study
        .scores
        .keys()
        .find(|m| m.eq_ignore_ascii_case(want))
        .cloned()
        .or_else(|| in_shares.then(|| want.to_string()))
        .ok_or_else(|| {
            Error::Invalid(format!(
                "no material {} in the {ASSESSMENT} study; `indmon crm` lists the assessed ones",
                indmon_core::quote(&req.material)
            ))
        })?;
    let history: Vec<ScoreYear> = study
        .scores
        .get(&m)
        .map(|by_year| {
            by_year
                .iter()
                .map(|(y, (sr, ei))| ScoreYear {
                    year: *y,
                    sr: *sr,
                    ei: *ei,
                    critical: match (sr, ei) {
                        (Some(s), Some(e)) => Some(critical_in(*y, *s, *e)),
                        _ => None,
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let mut supply = Vec::new();
    for (scope, s) in [("global", &study.global), ("eu", &study.eu)] {
        for st in ["E", "P"] {
            if let Some(v) = s.get(&(supply_name(&m), st.to_string())) {
                supply.push(StageSupply {
                    scope: scope.into(),
                    stage: stage_name(st).into(),
                    hhi: v.iter().map(|(_, x)| x * x).sum(),
                    shares: v
                        .iter()
                        .map(|(c, x)| SupplierShare {
                            country: c.clone(),
                            share: *x,
                        })
                        .collect(),
                });
            }
        }
    }
    Ok(MaterialDetail {
        hs6: study.hs_for(&m),
        scored: !history.is_empty(),
        material: m,
        history,
        supply,
        notes: method_notes(),
        sources: study.sources,
    })
}

impl MaterialDetail {
    /// The heading of the text view.
    pub fn heading(&self) -> String {
        if self.scored {
            format!(
                "{}: supply risk (SR) and economic importance (EI) by assessment",
                self.material
            )
        } else {
            format!(
                "{}: no scores of its own in the study (assessed in a group); supply shares:",
                self.material
            )
        }
    }

    /// The supply shares in words: per scope and stage the HHI and the eight largest
    /// suppliers.
    pub fn supply_lines(&self) -> Vec<String> {
        self.supply
            .iter()
            .map(|s| {
                format!(
                    "{}, {}: HHI {:.2}; {}",
                    if s.scope == "global" {
                        "Global supply"
                    } else {
                        "EU sourcing"
                    },
                    s.stage,
                    s.hhi,
                    s.shares
                        .iter()
                        .take(8)
                        .map(|c| format!("{} {:.1} %", c.country, c.share * 100.0))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect()
    }
}

/// `x` rounded to two decimals, as the list gives the HHI.
fn round2(x: Option<f64>) -> Cell {
    Cell::opt_num(x.map(|v| (v * 100.0).round() / 100.0))
}

fn yes_no(b: bool) -> Cell {
    if b { "yes" } else { "no" }.into()
}

/// The columns of the list.
const MATERIALS: &[Col<CrmMaterial>] = &[
    Col {
        name: "material",
        unit: "",
        meaning: "Material, as the study names it.",
        decimals: None,
        get: |r| (&r.material).into(),
    },
    Col {
        name: "sr_2023",
        unit: "",
        meaning: "Supply risk in the 2023 assessment, as published.",
        decimals: None,
        get: |r| r.sr.into(),
    },
    Col {
        name: "ei_2023",
        unit: "",
        meaning: "Economic importance in the 2023 assessment, as published.",
        decimals: None,
        get: |r| r.ei.into(),
    },
    Col {
        name: "critical",
        unit: "",
        meaning: "Critical in 2023: SR ≥ 1 and EI ≥ 2.8 (yes/no).",
        decimals: None,
        get: |r| yes_no(r.critical),
    },
    Col {
        name: "hhi_global_extraction",
        unit: "",
        meaning: "HHI of the published global supply shares, extraction (two decimals).",
        decimals: Some(2),
        get: |r| round2(r.hhi_global_extraction),
    },
    Col {
        name: "hhi_global_processing",
        unit: "",
        meaning: "HHI of the published global supply shares, processing (two decimals).",
        decimals: Some(2),
        get: |r| round2(r.hhi_global_processing),
    },
    Col {
        name: "hhi_eu_extraction",
        unit: "",
        meaning: "HHI of the published EU sourcing shares, extraction (two decimals).",
        decimals: Some(2),
        get: |r| round2(r.hhi_eu_extraction),
    },
    Col {
        name: "hhi_eu_processing",
        unit: "",
        meaning: "HHI of the published EU sourcing shares, processing (two decimals).",
        decimals: Some(2),
        get: |r| round2(r.hhi_eu_processing),
    },
    Col {
        name: "top_global_supplier",
        unit: "",
        meaning: "The largest global supplier with its share, at processing where the study gives it, else extraction.",
        decimals: None,
        get: |r| {
            Cell::opt_text(
                r.top_global_supplier
                    .as_ref()
                    .map(|t| format!("{} {:.0} % ({})", t.country, t.share * 100.0, t.stage)),
            )
        },
    },
    Col {
        name: "critical_in",
        unit: "",
        meaning: "The assessments (2011, 2014, 2017, 2020, 2023) in which it was critical.",
        decimals: None,
        get: |r| {
            r.critical_in
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
                .into()
        },
    },
    Col {
        name: "hs6",
        unit: "",
        meaning: "HS6 codes of the bundled BACI extract that hold the material.",
        decimals: None,
        get: |r| r.hs6.join(" ").into(),
    },
];

impl Tabular for Crm {
    fn table(&self) -> Table {
        Table::of(MATERIALS, &self.materials)
    }
    fn notes(&self) -> Vec<String> {
        let mut n = self.notes.clone();
        n.extend(source_lines(&self.sources));
        n
    }
    fn file_stem(&self) -> String {
        format!("indmon-crm-{}", self.assessment)
    }
}

/// The columns of a material's history.
const HISTORY: &[Col<ScoreYear>] = &[
    Col {
        name: "year",
        unit: "year",
        meaning: "Assessment year.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "sr",
        unit: "",
        meaning: "Supply risk, as published.",
        decimals: None,
        get: |r| Cell::opt_num(r.sr),
    },
    Col {
        name: "ei",
        unit: "",
        meaning: "Economic importance, as published (the 2011 and 2014 assessments on their own scale).",
        decimals: None,
        get: |r| Cell::opt_num(r.ei),
    },
    Col {
        name: "critical",
        unit: "",
        meaning: "Critical by the thresholds of that assessment (yes, no, not assessed).",
        decimals: None,
        get: |r| match r.critical {
            Some(b) => yes_no(b),
            None => "not assessed".into(),
        },
    },
];

impl Tabular for MaterialDetail {
    fn table(&self) -> Table {
        Table::of(HISTORY, &self.history)
    }
    fn notes(&self) -> Vec<String> {
        let mut n = self.notes.clone();
        n.extend(source_lines(&self.sources));
        n
    }
    fn file_stem(&self) -> String {
        format!(
            "indmon-crm-{}",
            self.material.to_lowercase().replace(' ', "-")
        )
    }
}

/// One HS6 code that holds a material of the assessment, with the reporter's import
/// dependency on it as the dependency screen finds it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrmCode {
    /// Material.
    pub material: String,
    /// Critical in the assessment.
    pub critical: bool,
    /// HS6 code of the bundled BACI extract that holds it.
    pub hs6: String,
    /// The product's row of the screen (its criteria and tier); none when the reporter
    /// imports none of it in the screen's year.
    pub screen: Option<super::ScreenRow>,
}

/// Every HS6 code of every material of `crm`, in the list's order, joined to its row of
/// `screen` (a screen of every tier, so that a code that is no dependency still shows
/// its criteria). Nothing is recomputed: the figures are the screen's.
pub fn crm_codes(crm: &Crm, screen: &super::Screen) -> Vec<CrmCode> {
    let rows: HashMap<&str, &super::ScreenRow> =
        screen.rows.iter().map(|r| (r.hs6.as_str(), r)).collect();
    crm.materials
        .iter()
        .flat_map(|m| {
            m.hs6.iter().map(|code| CrmCode {
                material: m.material.clone(),
                critical: m.critical,
                hs6: code.clone(),
                screen: rows.get(code.as_str()).map(|r| (*r).clone()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_shares_are_read_as_fractions() {
        assert_eq!(share_value("12.5%"), Some(0.125));
        assert_eq!(share_value("<0.1%"), Some(0.0005));
        assert_eq!(share_value(" 3% "), Some(0.03));
        assert_eq!(share_value("n/a"), None);
        assert_eq!(supply_name("Baryte"), "barytes");
        assert_eq!(supply_name("Natural graphite"), "natural graphite");
    }

    #[test]
    fn the_critical_threshold_follows_the_method_of_the_assessment() {
        // EI 3.7 was below the 2011 threshold of 5 and is above the 2017 one of 2.8
        assert!(!critical_in(2011, 1.2, 3.7));
        assert!(critical_in(2017, 1.2, 3.7));
        assert!(!critical_in(2023, 0.9, 6.0));
    }
}
