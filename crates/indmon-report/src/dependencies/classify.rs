//! Classification: the rules, mapping and relations a screen applies, every product
//! and year classified into the tiers, and the notes every result of the screen carries.

use std::collections::{BTreeMap, HashMap};

use indmon_analytics::dependencies::{
    self as dep, Criteria, Metric, ReExport, Relation, Risk, RiskRule, Thresholds,
};
use indmon_core::settings::DependencySettings;
use indmon_core::taxonomy::{Criticality, Taxonomy};
use indmon_reference::{Lists, Reference};
use serde::Serialize;

use super::Trade;
use crate::Result;

/// The tiers, each within the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Not a dependency.
    None,
    /// The EU 2021 criteria (and persistence) are met.
    Dependency,
    /// A dependency on a product crucial for public interests.
    Strategic,
    /// A strategic dependency with high disruption risk.
    Risky,
}

impl Tier {
    /// The name printed ("" for none).
    pub fn label(self) -> &'static str {
        match self {
            Tier::None => "",
            Tier::Dependency => "dependency",
            Tier::Strategic => "strategic dependency",
            Tier::Risky => "risky strategic dependency",
        }
    }
}

/// One product and year, classified.
#[derive(Debug, Clone)]
pub struct Row {
    /// The EU 2021 inputs.
    pub m: Metric,
    /// The criteria met (after the correction chosen).
    pub crit: Criteria,
    /// Years met in the window, when the data have the window.
    pub persist: Option<usize>,
    /// Criteria and persistence met.
    pub dependency: bool,
    /// The same without the re-export correction (to show its effect).
    pub dependency_uncorrected: bool,
    /// Areas crucial for public interests the product belongs to.
    pub areas: Vec<String>,
    /// Disruption risk, for dependencies in an area.
    pub risk: Option<Risk>,
    /// The tier.
    pub tier: Tier,
}

/// The rules, mapping and relations a screen applies.
pub struct Setup<'a> {
    /// Thresholds of the criteria.
    pub th: Thresholds,
    /// The disruption-risk rule.
    pub rule: RiskRule,
    /// The re-export correction.
    pub re: ReExport,
    /// HS6 → areas (area names) for the data's edition.
    pub areas: HashMap<u32, Vec<String>>,
    /// ISO3 → relation.
    pub relations: HashMap<String, Relation>,
    /// The overrides from the settings.
    pub overrides: BTreeMap<String, String>,
    /// Which relations apply, in words.
    pub relations_note: String,
    /// Which mapping applies, in words.
    pub criticality_note: String,
    /// The priority-market taxonomy (validated by the caller).
    pub tax: &'a Taxonomy,
    /// The criticality mapping.
    pub crit: Criticality,
    /// The classification lists.
    pub lists: &'a Lists,
}

/// The re-export correction the settings name (`net`, else none).
pub fn reexport_of(s: &DependencySettings) -> ReExport {
    if s.reexport == "net" {
        ReExport::Net
    } else {
        ReExport::None
    }
}

/// Sets up the screen for the data's `edition`: thresholds and relations from the
/// settings (`re` overrides the settings' correction), the criticality mapping and the
/// core and partial codes of `tax` (which the caller has validated against the lists).
pub fn setup<'a>(
    s: &DependencySettings,
    re: Option<ReExport>,
    edition: &str,
    tax: &'a Taxonomy,
    reference: &'a Reference,
) -> Result<Setup<'a>> {
    let th = Thresholds {
        outside_hhi: s.outside_hhi,
        outside_share: s.outside_share,
        ratio: s.import_export_ratio,
        world_hhi: s.world_hhi,
        persist_min: s.persistence_min,
        persist_window: s.persistence_window,
    };
    let rule = RiskRule {
        high_risk_share: s.risk_high_risk_share,
        non_aligned_share: s.risk_non_aligned_share,
    };
    let re = re.unwrap_or_else(|| reexport_of(s));
    let crit = reference.criticality.clone();
    let area_name: HashMap<&str, &str> = crit
        .areas
        .iter()
        .map(|a| (a.id.get_ref().as_str(), a.name_en.as_str()))
        .collect();
    let mut areas: HashMap<u32, Vec<String>> = HashMap::new();
    for e in crit
        .entries
        .iter()
        .filter(|e| e.editions.iter().any(|x| x == edition))
    {
        if let Ok(k) = e.code.get_ref().parse::<u32>() {
            for a in &e.areas {
                areas
                    .entry(k)
                    .or_default()
                    .push(area_name.get(a.as_str()).copied().unwrap_or(a).to_string());
            }
        }
    }
    for mk in &tax.markets {
        // core and partial codes: a proxy stands in for a market, it is not part of it
        for (_, h) in mk
            .hs_in(edition)
            .into_iter()
            .filter(|(_, h)| h.confidence.get_ref() != "proxy")
        {
            if let Ok(k) = h.code.get_ref().parse::<u32>() {
                let a = format!("priority market {}", mk.name_en.to_lowercase());
                let v = areas.entry(k).or_default();
                if !v.contains(&a) {
                    v.push(a);
                }
            }
        }
    }
    let rel = &reference.relations;
    let mut classes = reference.relation_classes.clone();
    for (k, v) in &s.relations {
        classes.insert(k.clone(), v.clone());
    }
    let relations = classes
        .into_iter()
        .map(|(k, v)| {
            let r = match v.as_str() {
                "eu" => Relation::Eu,
                "like_minded" => Relation::LikeMinded,
                "high_risk" => Relation::HighRisk,
                _ => Relation::Other,
            };
            (k, r)
        })
        .collect();
    Ok(Setup {
        th,
        rule,
        re,
        areas,
        relations,
        overrides: s.relations.clone(),
        relations_note: format!(
            "Relations: taxonomy/country-relations.toml version {} (EU; like-minded = OECD members outside the EU; high-risk = broad EU sanctions regimes; others: other){}.",
            rel.version,
            if s.relations.is_empty() {
                String::new()
            } else {
                format!(
                    ", overridden in the settings for {}",
                    s.relations.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            }
        ),
        criticality_note: format!(
            "Crucial for public interests: taxonomy/criticality.toml version {} ({} products) and the core and partial codes of the priority-market taxonomy version {}.",
            crit.version,
            crit.entries.len(),
            tax.version
        ),
        tax,
        crit,
        lists: &reference.lists,
    })
}

/// The relation of a supplier to the reporter.
pub fn relation_of(setup: &Setup, trade: &Trade, code: u16) -> Relation {
    if trade.reporter.bloc.contains(&code) {
        return Relation::Eu;
    }
    setup
        .relations
        .get(&trade.countries.iso3(code))
        .copied()
        // outside the reporter's bloc an "eu" country is a partner like the like-minded
        // ones (the reporter is not in the EU, or the class was set by hand)
        .map(|r| {
            if r == Relation::Eu {
                Relation::LikeMinded
            } else {
                r
            }
        })
        .unwrap_or(Relation::Other)
}

/// Every product and year of the trade, classified.
pub fn classify(trade: &Trade, setup: &Setup) -> Vec<Row> {
    let metrics = trade.acc.metrics();
    let persist = dep::persistence(&metrics, &setup.th, setup.re);
    let persist_raw = dep::persistence(&metrics, &setup.th, ReExport::None);
    metrics
        .into_iter()
        .zip(persist.into_iter().zip(persist_raw))
        .map(|(m, (persist, persist_raw))| {
            let crit = dep::criteria(&m, &setup.th, setup.re);
            let dependency = crit.all() && persist.is_none_or(|n| n >= setup.th.persist_min);
            let dependency_uncorrected = dep::criteria(&m, &setup.th, ReExport::None).all()
                && persist_raw.is_none_or(|n| n >= setup.th.persist_min);
            let areas = setup.areas.get(&m.product).cloned().unwrap_or_default();
            let risk = (dependency && !areas.is_empty()).then(|| {
                let origins = trade.acc.origins(m.year, m.product);
                dep::risk(
                    &origins,
                    |c| relation_of(setup, trade, c),
                    |c| trade.countries.label(c),
                    &trade.reporter.bloc_name,
                    m.world_hhi,
                    &setup.th,
                    &setup.rule,
                )
            });
            let tier = match (
                dependency,
                areas.is_empty(),
                risk.as_ref().is_some_and(|r| r.high),
            ) {
                (false, _, _) => Tier::None,
                (true, true, _) => Tier::Dependency,
                (true, false, false) => Tier::Strategic,
                (true, false, true) => Tier::Risky,
            };
            Row {
                m,
                crit,
                persist,
                dependency,
                dependency_uncorrected,
                areas,
                risk,
                tier,
            }
        })
        .collect()
}

/// A product code with its leading zeros.
pub fn hs6(k: u32) -> String {
    format!("{k:06}")
}

/// For a reporter of several countries (the EU27), how its imports and exports are
/// counted: the Commission's method (SWD(2021) 352) for the EU as a whole.
pub(super) fn bloc_note(trade: &Trade) -> Option<String> {
    (trade.reporter.codes.len() > 1).then(|| {
        format!(
            "{r}: imports and exports are the totals of its members, the trade between them included (they are origins too); imports from outside {b} are the extra-EU imports. So the share of criterion 2 is extra-EU / total EU imports and the ratio of criterion 3 extra-EU imports / total EU exports, as in the Commission's method (SWD(2021) 352); the world-export share leaves out the trade between the members.",
            r = trade.reporter.name,
            b = trade.reporter.bloc_name
        )
    })
}

/// The notes every output of the screen carries: the trade, its scope, the method, the
/// mapping, the relations and overrides that cannot act, the risk rule. `million`: the
/// values shown are in million USD (else thousand USD, as BACI).
pub fn common_notes(trade: &Trade, setup: &Setup, year: i32, million: bool) -> Vec<String> {
    let mut notes = trade.notes.clone();
    if trade.products_in_data < 1000 {
        notes.push(format!(
            "Scope: the trade data hold only {} products; the screen covers those alone.",
            trade.products_in_data
        ));
    }
    let th = &setup.th;
    notes.push(format!(
        "Method {}: EU 2021 criteria — HHI of imports from outside {bloc} > {}, their share > {}, imports from outside {bloc} / exports > {} (no exports: met); persistence: met in {} of the {} years to {year} where the data have them; re-export correction: {}; values in {}.",
        dep::METHOD_VERSION,
        th.outside_hhi,
        th.outside_share,
        th.ratio,
        th.persist_min,
        th.persist_window,
        match setup.re {
            ReExport::None => "none",
            ReExport::Net => "net (re-exports taken as min(imports, exports): retained imports over own exports)",
        },
        if million {
            "million USD"
        } else {
            "thousand USD, as BACI (ratio_used: the ratio after the re-export correction)"
        },
        bloc = trade.reporter.bloc_name,
    ));
    notes.extend(bloc_note(trade));
    notes.push(setup.criticality_note.clone());
    notes.push(setup.relations_note.clone());
    // overrides that cannot act: a member of the reporter's bloc is always "EU", and
    // "eu" outside the bloc counts as like-minded
    for (iso, class) in &setup.overrides {
        let in_bloc = trade
            .countries
            .codes_of(iso)
            .iter()
            .any(|c| trade.reporter.bloc.contains(c) || trade.reporter.codes.contains(c));
        if in_bloc && class != "eu" {
            notes.push(format!(
                "Note: the setting {iso} = \"{class}\" has no effect here: {iso} is in {}, whose imports from it are not imports from outside.",
                trade.reporter.bloc_name
            ));
        } else if !in_bloc && class == "eu" {
            notes.push(format!(
                "Note: the setting {iso} = \"eu\" counts as like-minded here: {iso} is not in {}.",
                trade.reporter.bloc_name
            ));
        }
    }
    notes.push(format!(
        "Risk is high when the largest supplier outside {} is high-risk, high-risk countries supply ≥ {:.0} % of those imports, or world supply is concentrated (HHI > {}) and countries that are not like-minded supply ≥ {:.0} %.",
        trade.reporter.bloc_name,
        setup.rule.high_risk_share * 100.0,
        setup.th.world_hhi,
        setup.rule.non_aligned_share * 100.0
    ));
    notes
}
