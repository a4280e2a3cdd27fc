//! Source descriptions: what a publisher's dataset looks like, as data.
//!
//! Each source is a TOML file in `specs/` (embedded in the binary): publisher,
//! licence, citation, the input format and encoding, the declared columns (inline or
//! a shared schema from `specs/schemas/`), units, where the bundled copy lives, and
//! how to fetch it live. The code that reads a format lives in [`crate::formats`].

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use indmon_core::TableSchema;
use serde::Deserialize;

use crate::input::Encoding;
use crate::{Error, Result};

/// The input formats indmon reads. A format names the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Eurostat dissemination data: SDMX-CSV (code, code-and-label or label form) or
    /// JSON-stat 2.0, recognised by content.
    Eurostat,
    /// OECD SDMX-CSV (`csvfile` codes only, or `csvfilewithlabels`).
    OecdSdmxCsv,
    /// UNdata National Accounts Official Country Data table export (CSV with a
    /// footnote block at the end).
    UndataCsv,
    /// CBS (Statistics Netherlands) OData v4 or v3 JSON.
    CbsOdata,
    /// A plain CSV table whose columns are all declared in the description.
    CsvTable,
    /// CEPII BACI bilateral trade (`t,i,j,k,v,q`).
    Baci,
    /// BACI flows in an extract's own layout (`year,exporter,importer,hs_code,value_usd,
    /// quantity_tonnes`: ISO3 codes, USD), converted into BACI's schema through BACI's
    /// country list (see [`crate::formats::baci_iso3`]).
    BaciIso3,
}

/// The columns of a source: a shared schema by name, or declared inline.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SchemaRef {
    /// A shared schema from `specs/schemas/`.
    Named(String),
    /// Declared in the source description.
    Inline(TableSchema),
}

/// How a source is fetched live.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSpec {
    /// The API: `eurostat`, `oecd`, `cbs-odata4` or `cbs-odata3`.
    pub api: String,
    /// Base URL of the API.
    pub base: String,
    /// The dataset, dataflow or table at that API.
    pub dataset: String,
    /// Default selection (dimension → code), overridable on the command line.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
}

/// One source description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Source id; also the dataset id (and SQL table name) it fills by default.
    pub id: String,
    /// Human title of the dataset.
    pub title: String,
    /// Publisher (e.g. "Eurostat").
    pub publisher: String,
    /// What the dataset holds and how indmon maps it.
    #[serde(default)]
    pub description: String,
    /// Where a person finds the source.
    #[serde(default)]
    pub homepage: Option<String>,
    /// Licence of the data.
    pub licence: String,
    /// How to cite it.
    pub citation: String,
    /// Input format (the parser).
    pub format: Format,
    /// Text encoding of the files.
    #[serde(default)]
    pub encoding: Encoding,
    /// The declared columns.
    pub schema: SchemaRef,
    /// Path of the bundled copy under the repository's `data/` folder.
    #[serde(default)]
    pub bundled: Option<String>,
    /// What the bundled copy covers, shown with every figure from it (e.g. "2024, 30
    /// critical-material HS6 codes"). Files a user ingests get their own scope.
    #[serde(default)]
    pub scope: Option<String>,
    /// Release date of the bundled copy, when the source states it outside the file.
    #[serde(default)]
    pub release: Option<String>,
    /// How that release date is known.
    #[serde(default)]
    pub release_basis: Option<String>,
    /// How to fetch the source live.
    #[serde(default)]
    pub live: Option<LiveSpec>,
    /// Code maps used by the parser (map name → source code → indmon code).
    #[serde(default)]
    pub maps: BTreeMap<String, BTreeMap<String, String>>,
    /// Repair text that the file carries double-encoded (UTF-8 bytes read as Latin-1
    /// and written out again as UTF-8, e.g. `CÃ´te d'Ivoire` → `Côte d'Ivoire`).
    #[serde(default)]
    pub repair_mojibake: bool,
    /// Skip data lines that repeat the header (a file concatenated from parts).
    #[serde(default)]
    pub skip_repeated_headers: bool,
    /// The smallest flow an extract keeps, in USD, when its publisher dropped smaller
    /// ones (recorded in the catalog; a row below it is refused).
    #[serde(default)]
    pub min_flow_usd: Option<f64>,
    /// The BACI country list (path under `data/`) that turns an extract's ISO3 codes
    /// into BACI's numeric codes (format `baci-iso3`).
    #[serde(default)]
    pub country_list: Option<String>,
}

impl SourceSpec {
    /// The resolved table schema.
    pub fn table(&self) -> Arc<TableSchema> {
        match &self.schema {
            SchemaRef::Inline(t) => Arc::new(t.clone()),
            SchemaRef::Named(n) => registry()
                .schema(n)
                .unwrap_or_else(|| panic!("source {}: schema {n} is not shipped", self.id)),
        }
    }

    /// The parser name and version recorded in the catalog.
    pub fn parser(&self) -> String {
        let name = match self.format {
            Format::Eurostat => "eurostat",
            Format::OecdSdmxCsv => "oecd-sdmx-csv",
            Format::UndataCsv => "undata-csv",
            Format::CbsOdata => "cbs-odata",
            Format::CsvTable => "csv-table",
            Format::Baci => "baci",
            Format::BaciIso3 => "baci-iso3",
        };
        format!("{name}/{}", crate::parse::PARSER_VERSION)
    }
}

macro_rules! embedded {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../specs/", $file)))),*]
    };
}

/// The shipped source descriptions.
const SPECS: &[(&str, &str)] = embedded!(
    "estat_nama_10_a64.toml",
    "oecd_naag_iv.toml",
    "un_sna_2_4.toml",
    "cbs_va.toml",
    "wdi_macro.toml",
    "hs92.toml",
    "hs12.toml",
    "hs22.toml",
    "hs92_ps_edges.toml",
    "hs92_ps_clusters.toml",
    "atlas_countries.toml",
    "atlas_groups.toml",
    "atlas_group_members.toml",
    "nace_r2.toml",
    "nace_r21.toml",
    "cpa21.toml",
    "nace2_cpa21.toml",
    "cn2021_cpa21.toml",
    "cn2022_cpa21.toml",
    "bec4.toml",
    "cn2021_bec4.toml",
    "baci.toml",
    "baci_countries.toml",
    "baci_products.toml",
    "baci_hs17_semis.toml",
    "baci_semis_countries.toml",
    "baci_semis_products.toml",
    "eucrm_scores.toml",
    "eucrm_global_supply.toml",
    "eucrm_eu_sourcing.toml",
    "eucrm_material_use.toml",
    "eucrm_groupings.toml",
    "growthlab_trade_sample.toml",
    "growthlab_population_sample.toml",
);

/// The shipped shared schemas.
const SCHEMAS: &[(&str, &str)] = embedded!("schemas/na_obs.toml", "schemas/baci_trade.toml");

/// All shipped source descriptions and shared schemas, parsed and checked once.
pub struct Registry {
    specs: Vec<SourceSpec>,
    schemas: BTreeMap<String, Arc<TableSchema>>,
}

impl Registry {
    fn load() -> Result<Self> {
        let mut schemas = BTreeMap::new();
        for (file, text) in SCHEMAS {
            let s: TableSchema = toml::from_str(text).map_err(|e| Error::Spec {
                id: file.to_string(),
                message: e.to_string(),
            })?;
            s.check().map_err(|e| Error::Spec {
                id: file.to_string(),
                message: e.to_string(),
            })?;
            schemas.insert(s.name.clone(), Arc::new(s));
        }
        let mut specs = Vec::new();
        for (file, text) in SPECS {
            let spec: SourceSpec = toml::from_str(text).map_err(|e| Error::Spec {
                id: file.to_string(),
                message: e.to_string(),
            })?;
            indmon_core::DatasetId::new(&spec.id).map_err(|e| Error::Spec {
                id: file.to_string(),
                message: e.to_string(),
            })?;
            match &spec.schema {
                SchemaRef::Named(n) if !schemas.contains_key(n) => {
                    return Err(Error::Spec {
                        id: spec.id.clone(),
                        message: format!("unknown shared schema '{n}'"),
                    });
                }
                SchemaRef::Inline(t) => t.check().map_err(|e| Error::Spec {
                    id: spec.id.clone(),
                    message: e.to_string(),
                })?,
                SchemaRef::Named(_) => {}
            }
            if specs.iter().any(|s: &SourceSpec| s.id == spec.id) {
                return Err(Error::Spec {
                    id: spec.id.clone(),
                    message: "declared twice".into(),
                });
            }
            specs.push(spec);
        }
        Ok(Self { specs, schemas })
    }

    /// All source descriptions, in the order they are shipped.
    pub fn all(&self) -> &[SourceSpec] {
        &self.specs
    }

    /// The source with this id.
    pub fn get(&self, id: &str) -> Result<&SourceSpec> {
        self.specs
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::UnknownSource {
                name: id.to_string(),
                known: self
                    .specs
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// A shared schema by name.
    pub fn schema(&self, name: &str) -> Option<Arc<TableSchema>> {
        self.schemas.get(name).cloned()
    }
}

/// The registry of shipped sources. Panics if a shipped description is broken —
/// a bug that the unit tests catch before release.
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| Registry::load().unwrap_or_else(|e| panic!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_description_parses_and_checks() {
        let reg = Registry::load().unwrap();
        assert_eq!(reg.all().len(), SPECS.len());
        for s in reg.all() {
            let t = s.table();
            assert!(!t.columns.is_empty(), "{}", s.id);
            assert!(
                !s.licence.is_empty() && s.citation.len() > 5,
                "{}: licence and citation",
                s.id
            );
        }
    }

    #[test]
    fn unknown_sources_list_the_known_ones() {
        let e = registry().get("nama").unwrap_err().to_string();
        assert!(
            e.contains("unknown source 'nama'") && e.contains("estat_nama_10_a64"),
            "{e}"
        );
    }
}
