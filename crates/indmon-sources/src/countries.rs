//! BACI's country list by ISO 3166 alpha-3 code, for inputs that name countries by ISO3
//! (format `baci-iso3`): below the parser contract, which carries it in the options.

use std::collections::HashMap;

use crate::input::{CsvHeader, csv_error, csv_reader};
use crate::{InputError, Result};

/// BACI's country list by ISO3 code: the numeric code of each country.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountryCodes {
    /// The list's name, for messages (e.g. `country_codes_V202601.csv`).
    pub label: String,
    by_iso3: HashMap<String, u16>,
}

impl CountryCodes {
    /// Reads a BACI country list (`country_code,country_name,country_iso2,country_iso3`,
    /// UTF-8). A code outside 0–999, or an ISO3 code given to two country codes, is an
    /// error naming the line: the conversion would be ambiguous.
    pub fn from_baci_list(label: &str, bytes: &[u8]) -> Result<Self> {
        let body = crate::input::strip_bom(label, bytes)?;
        let mut rdr = csv_reader(body);
        let header = CsvHeader::read(label, &mut rdr, crate::input::Encoding::Utf8)?;
        let pos = header.positions(label, &["country_code", "country_iso3"])?;
        let mut by_iso3: HashMap<String, u16> = HashMap::new();
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(csv_error(label, e).into()),
            }
            let line = rec.position().map_or(0, |p| p.line());
            let code: u16 = rec[pos[0]]
                .trim()
                .parse()
                .ok()
                .filter(|c| *c < 1000)
                .ok_or_else(|| {
                    InputError::file(
                        label,
                        format!("bad country code {}", indmon_core::quote(&rec[pos[0]])),
                    )
                    .at_line(line)
                    .in_field("country_code")
                    .expected("a whole number 0-999")
                })?;
            let iso3 = rec[pos[1]].trim().to_ascii_uppercase();
            if iso3.is_empty() {
                continue;
            }
            if let Some(other) = by_iso3.get(&iso3)
                && *other != code
            {
                return Err(InputError::file(
                    label,
                    format!("ISO3 code {iso3} is given to country codes {other} and {code}"),
                )
                .at_line(line)
                .in_field("country_iso3")
                .into());
            }
            by_iso3.insert(iso3, code);
        }
        Ok(Self {
            label: label.rsplit('/').next().unwrap_or(label).to_string(),
            by_iso3,
        })
    }

    /// BACI's code of the country with this ISO3 code; `TWN` falls back to BACI's own
    /// label for Taiwan, `S19`.
    pub fn code_of(&self, iso3: &str) -> Option<u16> {
        let get = |k: &str| self.by_iso3.get(k).copied();
        get(iso3).or_else(|| if iso3 == "TWN" { get("S19") } else { None })
    }

    /// The number of countries with an ISO3 code.
    pub fn len(&self) -> usize {
        self.by_iso3.len()
    }

    /// True when the list has no country with an ISO3 code.
    pub fn is_empty(&self) -> bool {
        self.by_iso3.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taiwan_falls_back_to_bacis_own_label() {
        let list = b"country_code,country_name,country_iso2,country_iso3\n490,\"Other Asia, nes\",,S19\n528,Netherlands,NL,NLD\n";
        let c = CountryCodes::from_baci_list("c.csv", list).unwrap();
        assert_eq!(c.code_of("TWN"), Some(490));
        assert_eq!(c.code_of("NLD"), Some(528));
        assert_eq!(c.code_of("XXX"), None);
        let twice = b"country_code,country_name,country_iso2,country_iso3\n1,A,,AAA\n2,B,,AAA\n";
        let e = CountryCodes::from_baci_list("c.csv", twice)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("AAA"), "{e}");
    }
}
