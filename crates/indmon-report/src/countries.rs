//! Countries and editions: the countries of a BACI country list, the resolution of a
//! reporter's or a market unit's name (ISO alpha-2, alpha-3, Eurostat's codes, EU27),
//! and the HS edition of a trade dataset. The dependency screen and the markets board
//! share them.

use std::collections::HashMap;

use indmon_store::{QueryOptions, Select, Store};

use crate::{Error, Result};

/// The countries of a BACI country list: code → (ISO3, name), and ISO2 → ISO3.
#[derive(Debug, Clone, Default)]
pub struct Countries {
    by_code: HashMap<u16, (String, String)>,
    iso3_of_iso2: HashMap<String, String>,
}

/// Eurostat's codes that differ from ISO 3166 alpha-2 (`EL`, `UK`) as ISO codes.
pub fn iso_of_eurostat(code: &str) -> String {
    match code.to_ascii_uppercase().as_str() {
        "EL" => "GR".into(),
        "UK" => "GB".into(),
        c => c.into(),
    }
}

/// The Eurostat geo code of an ISO 3166 alpha-2 code.
pub fn eurostat_of_iso2(code: &str) -> String {
    match code {
        "GR" => "EL".into(),
        "GB" => "UK".into(),
        c => c.into(),
    }
}

/// ISO alpha-2 → alpha-3 for the EU members and the countries users name most, for
/// country lists without alpha-2 codes.
fn iso2_to_iso3(c: &str) -> &str {
    match c {
        "AT" => "AUT",
        "BE" => "BEL",
        "BG" => "BGR",
        "CY" => "CYP",
        "CZ" => "CZE",
        "DE" => "DEU",
        "DK" => "DNK",
        "EE" => "EST",
        "EL" | "GR" => "GRC",
        "ES" => "ESP",
        "FI" => "FIN",
        "FR" => "FRA",
        "HR" => "HRV",
        "HU" => "HUN",
        "IE" => "IRL",
        "IT" => "ITA",
        "LT" => "LTU",
        "LU" => "LUX",
        "LV" => "LVA",
        "MT" => "MLT",
        "NL" => "NLD",
        "PL" => "POL",
        "PT" => "PRT",
        "RO" => "ROU",
        "SE" => "SWE",
        "SI" => "SVN",
        "SK" => "SVK",
        "US" => "USA",
        "CN" => "CHN",
        "JP" => "JPN",
        "KR" => "KOR",
        "TW" => "TWN",
        "UK" | "GB" => "GBR",
        "CH" => "CHE",
        "NO" => "NOR",
        other => other,
    }
}

impl Countries {
    /// Adds a country: its BACI code, ISO alpha-3 code and name.
    pub fn insert(&mut self, code: u16, iso3: &str, name: &str) {
        self.by_code
            .insert(code, (iso3.trim().to_string(), name.to_string()));
    }

    /// Records that an ISO alpha-2 code stands for an alpha-3 code.
    pub fn insert_iso2(&mut self, iso2: &str, iso3: &str) {
        self.iso3_of_iso2.insert(
            iso2.trim().to_ascii_uppercase(),
            iso3.trim().to_ascii_uppercase(),
        );
    }

    /// Reads a BACI country table of the store (`baci_countries` or
    /// `synth_baci_countries`).
    pub async fn read(store: &Store, table: &str) -> Result<Self> {
        let mut countries = Self::default();
        let rows = store
            .fetch(
                &Select::from(table).columns([
                    "country_code",
                    "country_iso3",
                    "country_name",
                    "country_iso2",
                ]),
                &QueryOptions::default(),
            )
            .await?;
        let (code, i3, n, i2) = (
            rows.i64s(0)?,
            rows.texts(1)?,
            rows.texts(2)?,
            rows.texts(3)?,
        );
        for r in 0..rows.len() {
            if let (Some(i2), Some(i3)) = (&i2[r], &i3[r])
                && i2.trim().len() == 2
            {
                countries.insert_iso2(i2, i3);
            }
            if let (Some(code), Some(i3)) = (code[r], &i3[r])
                && let Ok(code) = u16::try_from(code)
            {
                countries.insert(code, i3, n[r].as_deref().unwrap_or_default());
            }
        }
        Ok(countries)
    }

    /// The ISO alpha-3 code of a BACI code (the number when unknown).
    pub fn iso3(&self, c: u16) -> String {
        self.by_code
            .get(&c)
            .map_or_else(|| c.to_string(), |x| x.0.clone())
    }

    /// "Name (ISO3)" of a BACI code.
    pub fn label(&self, c: u16) -> String {
        self.by_code
            .get(&c)
            .map_or_else(|| format!("country {c}"), |x| format!("{} ({})", x.1, x.0))
    }

    /// The BACI codes of an ISO alpha-2 (Eurostat's `EL` and `UK` too) or alpha-3 code,
    /// sorted; empty when the list does not have it.
    pub fn codes_of(&self, iso: &str) -> Vec<u16> {
        let mut iso = iso.trim().to_ascii_uppercase();
        if iso.len() == 2 {
            let i2 = iso_of_eurostat(&iso);
            iso = self
                .iso3_of_iso2
                .get(&i2)
                .cloned()
                .unwrap_or_else(|| iso2_to_iso3(&i2).to_string());
        }
        let mut codes: Vec<u16> = self
            .by_code
            .iter()
            .filter(|(_, (i3, _))| i3.eq_ignore_ascii_case(&iso))
            .map(|(c, _)| *c)
            .collect();
        codes.sort_unstable();
        codes
    }

    /// The ISO alpha-2 code of an alpha-2 or alpha-3 code, when the list has it.
    pub fn iso2_of(&self, iso: &str) -> Option<String> {
        let iso = iso_of_eurostat(iso.trim());
        if iso.len() == 2 {
            return Some(iso);
        }
        self.iso3_of_iso2
            .iter()
            .filter(|(_, i3)| **i3 == iso)
            .map(|(i2, _)| i2.clone())
            .min()
    }

    /// The BACI codes of the EU27 member states.
    pub fn eu27(&self) -> Vec<u16> {
        let mut v = Vec::new();
        for g in indmon_analytics::peers::EU27 {
            v.extend(self.codes_of(g));
        }
        v
    }

    /// Whether two names stand for the same country.
    pub fn same(&self, a: &str, b: &str) -> bool {
        let (a, b) = (
            iso_of_eurostat(&a.trim().to_ascii_uppercase()),
            iso_of_eurostat(&b.trim().to_ascii_uppercase()),
        );
        if a == b {
            return true;
        }
        let (x, y) = (self.codes_of(&a), self.codes_of(&b));
        !x.is_empty() && x == y
    }
}

/// Whether a name stands for the EU27 as one bloc.
pub fn is_eu27(name: &str) -> bool {
    matches!(
        name.trim().to_ascii_uppercase().as_str(),
        "EU27" | "EU27_2020" | "EU"
    )
}

/// The reporter's and its bloc's country codes.
#[derive(Debug, Clone)]
pub struct Reporter {
    /// As named (upper case), or `EU27`.
    pub name: String,
    /// Its BACI codes.
    pub codes: Vec<u16>,
    /// The codes of its bloc (the EU27 for a member; empty otherwise).
    pub bloc: Vec<u16>,
    /// Name of the bloc in texts.
    pub bloc_name: String,
}

impl Reporter {
    /// Resolves a reporter: a country (ISO alpha-2 or alpha-3) or the EU27.
    pub fn resolve(name: &str, countries: &Countries) -> Result<Self> {
        let up = name.trim().to_ascii_uppercase();
        let bloc = countries.eu27();
        if is_eu27(&up) {
            return Ok(Self {
                name: "EU27".into(),
                codes: bloc.clone(),
                bloc,
                bloc_name: "the EU".into(),
            });
        }
        let codes = countries.codes_of(&up);
        if codes.is_empty() {
            return Err(Error::Invalid(format!(
                "--reporter {name}: not a country in the BACI country list (use ISO alpha-2 or alpha-3, e.g. NL or NLD, or EU27)"
            )));
        }
        let in_eu = codes.iter().all(|c| bloc.contains(c));
        Ok(Self {
            name: up.clone(),
            codes,
            bloc: if in_eu { bloc } else { Vec::new() },
            bloc_name: if in_eu { "the EU".into() } else { up },
        })
    }
}

/// The HS edition of a trade dataset, from its name (BACI's `hs17` …).
pub fn edition_of(dataset: &str) -> Result<&'static str, String> {
    let d = dataset.to_ascii_lowercase();
    for (tag, ed) in [
        ("hs92", "HS1992"),
        ("hs12", "HS2012"),
        ("hs17", "HS2017"),
        ("hs22", "HS2022"),
    ] {
        if d.contains(tag) {
            return Ok(ed);
        }
    }
    for tag in ["hs96", "hs02", "hs07"] {
        if d.contains(tag) {
            return Err(format!(
                "dataset {dataset} is in {}; the taxonomy lists codes for HS 1992, 2012, 2017 and 2022 — load a BACI release in one of those",
                tag.to_uppercase()
            ));
        }
    }
    Err(format!(
        "cannot tell the HS edition of dataset {dataset} from its name (it should contain hs92, hs12, hs17 or hs22, as BACI's files do)"
    ))
}

/// The HS edition of a BACI name or tag (`HS17`, `baci_hs17` …).
pub fn edition_of_hs(hs: &str) -> Result<&'static str> {
    edition_of(&hs.to_ascii_lowercase()).map_err(Error::Invalid)
}
