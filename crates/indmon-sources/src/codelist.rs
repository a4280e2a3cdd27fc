//! Code lists that map the labels and names sources write back to codes: geography
//! (`codelists/geo.csv`), Eurostat `nace_r2` (`estat_nace_r2.csv`) and the Eurostat
//! `freq`, `unit` and `na_item` codes (`estat_dims.csv`). See `codelists/README.md`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One geography.
#[derive(Debug, Clone)]
pub struct Geo {
    /// indmon's (Eurostat's) code, e.g. `NL`, `EL`, `EU27_2020`.
    pub code: String,
    /// ISO 3166 alpha-3, where there is one.
    pub iso3: Option<String>,
    /// ISO 3166 numeric, where there is one.
    pub numeric: Option<u16>,
    /// country, aggregate or area.
    pub kind: String,
    /// English label (Eurostat's where Eurostat has the country).
    pub label: String,
}

/// The loaded code lists.
pub struct Codelists {
    geos: Vec<Geo>,
    geo_by_code: HashMap<String, usize>,
    geo_by_name: HashMap<String, usize>,
    geo_by_iso3: HashMap<String, usize>,
    geo_by_numeric: HashMap<u16, usize>,
    /// dim → (code → label)
    estat_codes: HashMap<String, HashMap<String, String>>,
    /// dim → (lower-case label → code)
    estat_labels: HashMap<String, HashMap<String, String>>,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

impl Codelists {
    fn load() -> Self {
        let mut geos = Vec::new();
        let mut geo_by_code = HashMap::new();
        let mut geo_by_name = HashMap::new();
        let mut geo_by_iso3 = HashMap::new();
        let mut geo_by_numeric = HashMap::new();
        let mut rdr = csv::Reader::from_reader(include_str!("../codelists/geo.csv").as_bytes());
        for rec in rdr.records() {
            let rec = rec.expect("codelists/geo.csv is valid CSV");
            let i = geos.len();
            let iso3 = Some(rec[1].to_string()).filter(|s| !s.is_empty());
            let numeric = rec[2].parse::<u16>().ok();
            geo_by_code.insert(rec[0].to_string(), i);
            geo_by_name.insert(norm(&rec[4]), i);
            for alias in rec[5].split('|').filter(|a| !a.is_empty()) {
                geo_by_name.entry(norm(alias)).or_insert(i);
            }
            if let Some(iso3) = &iso3 {
                geo_by_iso3.insert(iso3.clone(), i);
            }
            if let Some(n) = numeric {
                geo_by_numeric.insert(n, i);
            }
            geos.push(Geo {
                code: rec[0].to_string(),
                iso3,
                numeric,
                kind: rec[3].to_string(),
                label: rec[4].to_string(),
            });
        }
        let mut estat_codes: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut estat_labels: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut add = |dim: &str, code: &str, label: &str| {
            estat_codes
                .entry(dim.to_string())
                .or_default()
                .insert(code.to_string(), label.to_string());
            estat_labels
                .entry(dim.to_string())
                .or_default()
                .entry(norm(label))
                .or_insert_with(|| code.to_string());
        };
        let mut rdr =
            csv::Reader::from_reader(include_str!("../codelists/estat_nace_r2.csv").as_bytes());
        for rec in rdr.records() {
            let rec = rec.expect("codelists/estat_nace_r2.csv is valid CSV");
            add("nace_r2", &rec[0], &rec[1]);
        }
        let mut rdr =
            csv::Reader::from_reader(include_str!("../codelists/estat_dims.csv").as_bytes());
        for rec in rdr.records() {
            let rec = rec.expect("codelists/estat_dims.csv is valid CSV");
            add(&rec[0], &rec[1], &rec[2]);
        }
        Self {
            geos,
            geo_by_code,
            geo_by_name,
            geo_by_iso3,
            geo_by_numeric,
            estat_codes,
            estat_labels,
        }
    }

    /// All geographies.
    pub fn geos(&self) -> &[Geo] {
        &self.geos
    }

    /// The geography with this indmon code.
    pub fn geo(&self, code: &str) -> Option<&Geo> {
        self.geo_by_code.get(code).map(|&i| &self.geos[i])
    }

    /// The code of a geography given by name (Eurostat label, UNdata, OECD or Atlas
    /// name; case-insensitive).
    pub fn geo_from_name(&self, name: &str) -> Option<&str> {
        self.geo_by_name
            .get(&norm(name))
            .map(|&i| self.geos[i].code.as_str())
    }

    /// The code of a geography given by ISO 3166 alpha-3.
    pub fn geo_from_iso3(&self, iso3: &str) -> Option<&str> {
        self.geo_by_iso3
            .get(iso3.trim())
            .map(|&i| self.geos[i].code.as_str())
    }

    /// The code of a geography given by ISO 3166 numeric.
    pub fn geo_from_numeric(&self, n: u16) -> Option<&str> {
        self.geo_by_numeric
            .get(&n)
            .map(|&i| self.geos[i].code.as_str())
    }

    /// Maps a value of a Eurostat dimension to its code. The value may be a code, a
    /// `CODE:Label` pair (the "both" label form) or a label. For `geo` the geography
    /// list is used. Returns `None` for a label that is in no list; an unknown value
    /// that is shaped like a code (upper-case letters, digits, `_`, `-`) is taken as a
    /// code, since Eurostat adds codes faster than any list is updated.
    pub fn estat_code(&self, dim: &str, value: &str) -> Option<String> {
        let value = value.trim();
        let is_code = |v: &str| -> bool {
            if dim == "geo" {
                self.geo_by_code.contains_key(v)
            } else {
                self.estat_codes.get(dim).is_some_and(|m| m.contains_key(v))
            }
        };
        if is_code(value) {
            return Some(value.to_string());
        }
        if let Some((code, _label)) = value.split_once(':')
            && is_code(code.trim())
        {
            return Some(code.trim().to_string());
        }
        let by_label = if dim == "geo" {
            self.geo_from_name(value).map(str::to_string)
        } else {
            self.estat_labels
                .get(dim)
                .and_then(|m| m.get(&norm(value)).cloned())
        };
        if by_label.is_some() {
            return by_label;
        }
        let code_shaped = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
        code_shaped.then(|| value.to_string())
    }
}

/// The code lists, loaded once.
pub fn codelists() -> &'static Codelists {
    static CL: OnceLock<Codelists> = OnceLock::new();
    CL.get_or_init(Codelists::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geographies_by_every_name_the_sources_use() {
        let c = codelists();
        assert_eq!(c.geo_from_name("Netherlands"), Some("NL"));
        assert_eq!(c.geo_from_name("Greece"), Some("EL"));
        assert_eq!(c.geo_from_name("United Kingdom"), Some("UK"));
        assert_eq!(
            c.geo_from_name("European Union - 27 countries (from 2020)"),
            Some("EU27_2020")
        );
        assert_eq!(c.geo_from_name("Türkiye"), Some("TR"));
        assert_eq!(c.geo_from_name("Republic of Korea"), Some("KR"));
        assert_eq!(
            c.geo_from_name("China, Hong Kong Special Administrative Region"),
            Some("HK")
        );
        assert_eq!(c.geo_from_name("Slovak Republic"), Some("SK"));
        assert_eq!(c.geo_from_name("China (People’s Republic of)"), Some("CN"));
        assert_eq!(c.geo_from_iso3("NLD"), Some("NL"));
        assert_eq!(c.geo_from_iso3("GRC"), Some("EL"));
        assert_eq!(c.geo_from_numeric(528), Some("NL"));
        assert_eq!(c.geo_from_name("Atlantis"), None);
    }

    #[test]
    fn eurostat_values_in_all_three_forms() {
        let c = codelists();
        assert_eq!(c.estat_code("nace_r2", "C").as_deref(), Some("C"));
        assert_eq!(
            c.estat_code("nace_r2", "Manufacturing").as_deref(),
            Some("C")
        );
        assert_eq!(
            c.estat_code("nace_r2", "Total - all NACE activities")
                .as_deref(),
            Some("TOTAL")
        );
        assert_eq!(
            c.estat_code(
                "nace_r2",
                "C26:Manufacture of computer, electronic and optical products"
            )
            .as_deref(),
            Some("C26")
        );
        assert_eq!(
            c.estat_code("unit", "Current prices, million euro")
                .as_deref(),
            Some("CP_MEUR")
        );
        assert_eq!(
            c.estat_code("na_item", "Value added, gross").as_deref(),
            Some("B1G")
        );
        assert_eq!(c.estat_code("freq", "Annual").as_deref(), Some("A"));
        assert_eq!(
            c.estat_code("geo", "NL: Netherlands").as_deref(),
            Some("NL")
        );
        // unknown but code-shaped: accepted as a code
        assert_eq!(c.estat_code("geo", "NL11").as_deref(), Some("NL11"));
        // unknown label: refused
        assert_eq!(c.estat_code("nace_r2", "Manufacturing of dreams"), None);
    }
}
