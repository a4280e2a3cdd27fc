//! Dataset identifiers and the catalog record of one dataset vintage.
//!
//! A *dataset* is one statistical table as a source publishes it (e.g. Eurostat
//! `nama_10_a64`); a *vintage* is what the source published at one moment, as
//! ingested from one input file or download. The store keeps every vintage; the
//! catalog record says where it came from and how it was read.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Identifier of a dataset in the store and its table name in SQL: lower-case ASCII
/// letters, digits and `_`, starting with a letter, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DatasetId(String);

impl DatasetId {
    /// Checks and wraps an identifier.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        let mut chars = id.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if first_ok && rest_ok && id.len() <= 64 && !id.contains("__") && !id.ends_with('_') {
            Ok(Self(id))
        } else {
            Err(Error::DatasetId(id))
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DatasetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DatasetId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl TryFrom<String> for DatasetId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::new(s)
    }
}

impl From<DatasetId> for String {
    fn from(id: DatasetId) -> String {
        id.0
    }
}

/// Parses an ISO 8601 calendar date, or a year-month (`2026-01`, the first of the
/// month) or a year (`2025`, 1 January). Used for release dates and `--as-of`.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    let parsed = match s.len() {
        4 => s
            .parse::<i32>()
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
        7 => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok(),
        _ => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
    };
    parsed.ok_or_else(|| Error::Date(s.to_string()))
}

/// The catalog record of one dataset vintage: everything needed to say where a
/// number came from. Written next to the vintage's Parquet file and never changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VintageMeta {
    /// The dataset (and its SQL table name).
    pub dataset: DatasetId,
    /// The vintage identifier, unique within the dataset: the release date (or, when
    /// the source states none, the retrieval date) and the first 8 hex digits of the
    /// input's SHA-256, e.g. `2025-03-12-3f9a1c2b`.
    pub vintage: String,
    /// Human title of the dataset.
    pub title: String,
    /// Who publishes it, e.g. "Eurostat".
    pub publisher: String,
    /// The source description (in `indmon-sources`) it was read with.
    pub source: String,
    /// The input: a file path, a URL, or `bundled:PATH` for the snapshot in the repository.
    pub input: String,
    /// When indmon read the input (UTC).
    pub retrieved_at: DateTime<Utc>,
    /// The source's own release or last-update date, when known.
    pub release: Option<NaiveDate>,
    /// The release as the source writes it (e.g. `12/03/25 23:00:00`, `V202601`).
    pub release_label: Option<String>,
    /// How the release date was established (e.g. "LAST UPDATE column of the file").
    pub release_basis: Option<String>,
    /// SHA-256 of the input bytes, hex.
    pub sha256: String,
    /// Size of the input in bytes.
    pub input_bytes: u64,
    /// Number of rows stored.
    pub rows: u64,
    /// Name of the declared schema the rows follow.
    pub schema: String,
    /// Version of that schema.
    pub schema_version: u32,
    /// Parser name and version, e.g. `eurostat-sdmx-csv/1`.
    pub parser: String,
    /// Licence of the data.
    pub licence: String,
    /// How to cite the data.
    pub citation: String,
    /// Scope note shown with every figure from this vintage (e.g. "2024, 30 critical-material HS6 codes").
    pub scope: Option<String>,
    /// True for generated data; such data is labelled *synthetic* wherever it is shown.
    pub synthetic: bool,
    /// The smallest flow the data keep, in US dollars, when the publisher of an extract
    /// dropped smaller ones (e.g. 10,000,000): every total from it is a lower bound and
    /// shares are among those flows only. Said wherever its figures are shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_flow_usd: Option<f64>,
    /// Version of indmon that wrote the vintage.
    pub indmon_version: String,
    /// SHA-256 of the stored Parquet file (`data.parquet`), hex, set by the store when
    /// it commits the vintage; the file is checked against it when it is read and by
    /// `indmon verify`. Records written before indmon kept it have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sha256: Option<String>,
}

impl VintageMeta {
    /// The date that orders vintages and answers "as of": the release date when the
    /// source states one, otherwise the day the input was retrieved.
    pub fn effective_date(&self) -> NaiveDate {
        self.release
            .unwrap_or_else(|| self.retrieved_at.date_naive())
    }

    /// The vintage identifier for an input: its effective date and the first 8 hex
    /// digits of its SHA-256.
    pub fn make_id(date: NaiveDate, sha256_hex: &str) -> String {
        let short = sha256_hex.get(..8).unwrap_or(sha256_hex);
        format!("{}-{short}", date.format("%Y-%m-%d"))
    }

    /// One line that cites this vintage under a figure.
    pub fn source_line(&self) -> String {
        let release = match (&self.release, &self.release_label) {
            (Some(d), _) => format!("release {d}"),
            (None, Some(l)) => format!("release {l}"),
            (None, None) => format!(
                "release date not stated by the source; retrieved {}",
                self.retrieved_at.date_naive()
            ),
        };
        let mut line = format!(
            "{} — {}, {release}, vintage {}",
            self.publisher, self.title, self.vintage
        );
        if let Some(scope) = &self.scope {
            line.push_str(&format!(" ({scope})"));
        }
        if let Some(min) = self.min_flow_usd
            && !self
                .scope
                .as_deref()
                .is_some_and(|s| s.contains("at least USD"))
        {
            line.push_str(&format!(" (only flows of at least {})", usd_words(min)));
        }
        if self.synthetic {
            line.push_str(" [SYNTHETIC DATA]");
        }
        line
    }

    /// The note that every figure from a filtered extract carries (none for complete
    /// data): which flows it holds and what that means for totals, shares and RCA.
    pub fn filter_note(&self) -> Option<String> {
        self.min_flow_usd.map(|min| {
            format!(
                "Dataset {} holds only flows of at least {}: smaller flows are absent, so every total from it (world, exports, imports) is a lower bound, and world shares, RCA and concentration are computed among those flows only (not bounds of the full figures); the threshold is fixed in nominal USD, so a change over the years (a trend, persistence) also counts flows growing past it.",
                self.dataset.as_str(),
                usd_words(min)
            )
        })
    }
}

/// An amount of US dollars in words: `USD 10 million`, `USD 250,000`.
pub fn usd_words(usd: f64) -> String {
    if usd >= 1e6 && (usd / 1e6).fract() == 0.0 {
        format!("USD {} million", usd / 1e6)
    } else {
        let whole = format!("{:.0}", usd);
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("USD {out}")
    }
}

/// Orders vintages of one dataset from oldest to newest: by effective date, then by
/// retrieval time. The last one is "latest".
pub fn sort_vintages(v: &mut [VintageMeta]) {
    v.sort_by(|a, b| {
        (a.effective_date(), a.retrieved_at, &a.vintage).cmp(&(
            b.effective_date(),
            b.retrieved_at,
            &b.vintage,
        ))
    });
}

/// The vintage of a dataset that was current on `date`: the newest vintage whose
/// effective date is on or before `date`. `vintages` must be sorted by [`sort_vintages`].
pub fn as_of(vintages: &[VintageMeta], date: NaiveDate) -> Option<&VintageMeta> {
    vintages.iter().rev().find(|v| v.effective_date() <= date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::INDMON_VERSION;

    fn meta(vintage: &str, release: Option<&str>, retrieved: &str) -> VintageMeta {
        VintageMeta {
            dataset: DatasetId::new("d").unwrap(),
            vintage: vintage.into(),
            title: "t".into(),
            publisher: "p".into(),
            source: "s".into(),
            input: "i".into(),
            retrieved_at: format!("{retrieved}T12:00:00Z").parse().unwrap(),
            release: release.map(|r| parse_date(r).unwrap()),
            release_label: None,
            release_basis: None,
            sha256: "00".into(),
            input_bytes: 1,
            rows: 1,
            schema: "x".into(),
            schema_version: 1,
            parser: "x/1".into(),
            licence: "l".into(),
            citation: "c".into(),
            scope: None,
            synthetic: false,
            min_flow_usd: None,
            indmon_version: INDMON_VERSION.into(),
            data_sha256: None,
        }
    }

    #[test]
    fn dataset_ids_are_checked() {
        assert!(DatasetId::new("estat_nama_10_a64").is_ok());
        for bad in [
            "",
            "1abc",
            "Abc",
            "a-b",
            "a.b",
            "a b",
            "a__vintages",
            "a_",
            &"a".repeat(65),
        ] {
            assert!(DatasetId::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn dates_parse_in_three_precisions() {
        assert_eq!(parse_date("2025-03-12").unwrap().to_string(), "2025-03-12");
        assert_eq!(parse_date("2026-01").unwrap().to_string(), "2026-01-01");
        assert_eq!(parse_date("2025").unwrap().to_string(), "2025-01-01");
        assert!(parse_date("12/03/25").is_err());
        assert!(parse_date("2025-13-01").is_err());
    }

    #[test]
    fn as_of_picks_the_newest_vintage_released_by_then() {
        let mut v = vec![
            meta("b", Some("2025-03-12"), "2026-11-01"),
            meta("a", Some("2024-03-01"), "2026-11-01"),
            // no release date: ordered by its retrieval date
            meta("c", None, "2026-11-02"),
        ];
        sort_vintages(&mut v);
        let ids: Vec<_> = v.iter().map(|m| m.vintage.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let d = |s| parse_date(s).unwrap();
        assert_eq!(as_of(&v, d("2024-02-28")).map(|m| &m.vintage[..]), None);
        assert_eq!(as_of(&v, d("2024-03-01")).unwrap().vintage, "a");
        assert_eq!(as_of(&v, d("2025-12-31")).unwrap().vintage, "b");
        assert_eq!(as_of(&v, d("2026-11-02")).unwrap().vintage, "c");
    }

    #[test]
    fn vintage_ids_and_source_lines() {
        let d = parse_date("2025-03-12").unwrap();
        assert_eq!(VintageMeta::make_id(d, "3f9a1c2b77"), "2025-03-12-3f9a1c2b");
        let mut m = meta("v", Some("2025-03-12"), "2026-11-01");
        assert!(m.source_line().contains("release 2025-03-12"));
        m.synthetic = true;
        assert!(m.source_line().ends_with("[SYNTHETIC DATA]"));
    }
}
