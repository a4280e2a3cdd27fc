//! Settings: `indmon.toml`, overridden by environment variables and flags, resolved
//! once into a [`Settings`] value that the rest of the code takes by reference.
//! Every field has a default, so indmon works with no file at all.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The resolved settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The data directory (store and catalog). Default: the platform data directory
    /// (e.g. `~/.local/share/indmon`); overridden by `INDMON_DATA_DIR` and `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// How live sources are fetched.
    pub fetch: FetchSettings,
    /// CBS (Statistics Netherlands) OData settings.
    pub cbs: CbsSettings,
    /// The industry-share target and its comparison panel.
    pub target: TargetSettings,
    /// The priority-market status board.
    pub markets: MarketsSettings,
    /// The strategic-dependency screen.
    pub dependencies: DependencySettings,
    /// Limits of every query (`indmon sql`, the reports, the server's computations).
    pub query: QuerySettings,
    /// Limits of `indmon serve`'s requests and connections.
    pub server: ServerSettings,
}

/// The limits of `indmon serve` that keep slow, idle or numerous clients from holding
/// the server: how long a request's headers may take, how long a connection may stay
/// silent, how long a request may take to be answered, and how many connections may be
/// open at once. Values outside their range are refused with the key named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Longest a client may take to send a request's headers, in seconds (on a new
    /// connection, or on a kept-alive one after its last answer).
    pub header_timeout_secs: u64,
    /// A connection on which no byte moves either way for this long is closed, in
    /// seconds; longer than `request_timeout_secs`.
    pub idle_timeout_secs: u64,
    /// Longest a request may take to be answered (503 after it), in seconds.
    pub request_timeout_secs: u64,
    /// The most connections open at once (at the cap, a new connection closes the
    /// oldest idle one).
    pub max_connections: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            header_timeout_secs: 10,
            idle_timeout_secs: 60,
            request_timeout_secs: 30,
            max_connections: 128,
        }
    }
}

impl ServerSettings {
    /// Checks the values make sense; the message names the key.
    pub fn check(&self) -> Result<()> {
        let err = |m: String| {
            Err(Error::Settings {
                path: "[server]".into(),
                message: m,
            })
        };
        const DAY: u64 = 24 * 3600;
        for (k, v, max) in [
            ("header_timeout_secs", self.header_timeout_secs, 3600),
            ("request_timeout_secs", self.request_timeout_secs, DAY),
            ("idle_timeout_secs", self.idle_timeout_secs, DAY),
        ] {
            if !(1..=max).contains(&v) {
                return err(format!(
                    "{k} = {v}: a number of seconds between 1 and {max}"
                ));
            }
        }
        if self.idle_timeout_secs <= self.request_timeout_secs {
            return err(format!(
                "idle_timeout_secs = {} must be longer than request_timeout_secs = {} (a connection waiting for its answer would be closed as idle)",
                self.idle_timeout_secs, self.request_timeout_secs
            ));
        }
        if !(1..=65536).contains(&self.max_connections) {
            return err(format!(
                "max_connections = {}: a number of connections between 1 and 65536",
                self.max_connections
            ));
        }
        Ok(())
    }

    /// The header timeout.
    pub fn header_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.header_timeout_secs)
    }

    /// The idle timeout.
    pub fn idle_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.idle_timeout_secs)
    }

    /// The request timeout.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_timeout_secs)
    }
}

/// The limits every query runs under: the memory it may hold (the query engine's memory
/// pool, which sorts, joins, groups and collected results draw from; nothing is spilled
/// to disk) and the time it may take. A query over either limit fails with a message
/// that names the setting. The pool does not count the batches streaming between
/// operators (the rows a scan reads, the arrays a scalar function or a projection
/// computes, 8,192 rows at a time): the batch size and the time limit bound those, and
/// a function that builds very large values can use more memory than `memory_mb`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuerySettings {
    /// Memory one query may use, in MiB (the server's computations share it).
    pub memory_mb: u64,
    /// Longest a query may run, in seconds.
    pub timeout_secs: u64,
}

impl Default for QuerySettings {
    fn default() -> Self {
        Self {
            memory_mb: 4096,
            timeout_secs: 300,
        }
    }
}

impl QuerySettings {
    /// Checks the values make sense; the message names the key.
    pub fn check(&self) -> Result<()> {
        let err = |m: String| {
            Err(Error::Settings {
                path: "[query]".into(),
                message: m,
            })
        };
        // at most 1 TiB, so that the byte count fits every platform's usize
        if !(1..=1 << 20).contains(&self.memory_mb) {
            return err(format!(
                "memory_mb = {}: a size in MiB between 1 and 1048576",
                self.memory_mb
            ));
        }
        if !(1..=7 * 24 * 3600).contains(&self.timeout_secs) {
            return err(format!(
                "timeout_secs = {}: a number of seconds between 1 and 604800 (a week)",
                self.timeout_secs
            ));
        }
        Ok(())
    }

    /// The memory limit in bytes.
    pub fn memory_bytes(&self) -> usize {
        usize::try_from(self.memory_mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
    }

    /// The time limit.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout_secs)
    }
}

/// The strategic-dependency screen: thresholds of the criteria (the European
/// Commission's 2021 values by default), persistence, the re-export correction, the
/// disruption-risk rule, mutual dependence, and relations with partner countries that
/// override the shipped default (`taxonomy/country-relations.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DependencySettings {
    /// HHI of imports from outside the bloc above this (EU 2021: 0.4).
    pub outside_hhi: f64,
    /// Share of imports from outside the bloc above this (EU 2021: 0.5).
    pub outside_share: f64,
    /// Imports from outside the bloc / exports above this (EU 2021: 1).
    pub import_export_ratio: f64,
    /// World-export HHI above this is concentrated world supply (CEPII GeoDep: 0.4).
    pub world_hhi: f64,
    /// Persistence: met in at least this many of `persistence_window` years.
    pub persistence_min: usize,
    /// See `persistence_min` (3 years).
    pub persistence_window: usize,
    /// `none` (all imports) or `net` (imports less exports, the transit-hub proxy).
    pub reexport: String,
    /// High-risk origins with at least this share of imports from outside the bloc make
    /// the risk high.
    pub risk_high_risk_share: f64,
    /// Under concentrated world supply, other and high-risk origins with at least this
    /// share make the risk high.
    pub risk_non_aligned_share: f64,
    /// Mutual dependence: the reporter supplies at least this share of world exports.
    pub mutual_share: f64,
    /// ... and world supply has at least this HHI.
    pub mutual_world_hhi: f64,
    /// A partner depends on the reporter for a product when the reporter supplies at
    /// least this share of its imports of it.
    pub partner_share: f64,
    /// ... and it imports at least this much of it (thousand USD, as BACI).
    pub partner_min_value: f64,
    /// Relations overriding the default: ISO alpha-3 → `eu`, `like_minded`, `other`
    /// or `high_risk`.
    pub relations: std::collections::BTreeMap<String, String>,
}

impl Default for DependencySettings {
    fn default() -> Self {
        Self {
            outside_hhi: 0.4,
            outside_share: 0.5,
            import_export_ratio: 1.0,
            world_hhi: 0.4,
            persistence_min: 2,
            persistence_window: 3,
            reexport: "none".into(),
            risk_high_risk_share: 0.25,
            risk_non_aligned_share: 0.5,
            mutual_share: 0.2,
            mutual_world_hhi: 0.15,
            partner_share: 0.5,
            partner_min_value: 1000.0,
            relations: Default::default(),
        }
    }
}

impl DependencySettings {
    /// Checks the values make sense; the message names the key.
    pub fn check(&self) -> Result<()> {
        let err = |m: String| {
            Err(Error::Settings {
                path: "[dependencies]".into(),
                message: m,
            })
        };
        for (k, v) in [
            ("outside_hhi", self.outside_hhi),
            ("outside_share", self.outside_share),
            ("world_hhi", self.world_hhi),
            ("risk_high_risk_share", self.risk_high_risk_share),
            ("risk_non_aligned_share", self.risk_non_aligned_share),
            ("mutual_share", self.mutual_share),
            ("mutual_world_hhi", self.mutual_world_hhi),
            ("partner_share", self.partner_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return err(format!("{k} = {v}: a share between 0 and 1"));
            }
        }
        if self.import_export_ratio.is_nan()
            || self.partner_min_value.is_nan()
            || self.import_export_ratio < 0.0
            || self.partner_min_value < 0.0
        {
            return err("import_export_ratio and partner_min_value must be 0 or more".into());
        }
        if self.persistence_min == 0 || self.persistence_min > self.persistence_window {
            return err(format!(
                "persistence_min = {} of persistence_window = {}: need 1 ≤ min ≤ window",
                self.persistence_min, self.persistence_window
            ));
        }
        if !matches!(self.reexport.as_str(), "none" | "net") {
            return err(format!(
                "reexport = {:?}: use \"none\" or \"net\"",
                self.reexport
            ));
        }
        for (c, class) in &self.relations {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return err(format!(
                    "relations: {c:?} is not an ISO 3166 alpha-3 code (e.g. CHN)"
                ));
            }
            if !matches!(class.as_str(), "eu" | "like_minded" | "other" | "high_risk") {
                return err(format!(
                    "relations.{c} = {class:?}: use eu, like_minded, other or high_risk"
                ));
            }
        }
        Ok(())
    }
}

/// The status board of the priority markets: the country is `[target] geo`; these are
/// the peers it is compared with (a market of the taxonomy may add its own, e.g. the
/// United States, China, Japan, Korea and Taiwan for semiconductors) and the
/// significance level of the trend test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarketsSettings {
    /// Peers: ISO 3166 alpha-2 or alpha-3 codes, or `EU27` (the sum of the member states).
    pub peers: Vec<String>,
    /// Two-sided significance level of the trend test (a colour only below it).
    pub alpha: f64,
}

impl Default for MarketsSettings {
    fn default() -> Self {
        Self {
            peers: ["EU27", "BE", "DK", "DE", "SE"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            alpha: 0.05,
        }
    }
}

impl MarketsSettings {
    /// Checks the values make sense; the message names the key.
    pub fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 0.5) {
            return Err(Error::Settings {
                path: "[markets]".into(),
                message: format!(
                    "alpha = {}: a significance level between 0 and 0.5",
                    self.alpha
                ),
            });
        }
        Ok(())
    }
}

/// The industry-share target: by default the Dutch goal of at least 15 % industry
/// (manufacturing, NACE C) in total gross value added in 2030, compared with the EU
/// and Belgium, Denmark, Germany and Sweden. Another country sets its own `geo`,
/// `value`, `year` and `peers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetSettings {
    /// The country whose target it is (Eurostat geo code).
    pub geo: String,
    /// The target share, in percent.
    pub value: f64,
    /// The year the target is for.
    pub year: i32,
    /// Industry definition: `C` (manufacturing) or `B-E` (industry except construction).
    pub industry: String,
    /// Denominator: `gva` (total gross value added) or `gdp` (gross domestic product).
    pub denominator: String,
    /// The comparison panel (besides `geo`).
    pub peers: Vec<String>,
    /// The EU aggregate used for gaps (Eurostat geo code).
    pub eu: String,
    /// Years over which the rest of the economy's average growth is taken as the
    /// assumption for the required industry growth.
    pub rest_growth_years: usize,
}

impl Default for TargetSettings {
    fn default() -> Self {
        Self {
            geo: "NL".into(),
            value: 15.0,
            year: 2030,
            industry: "C".into(),
            denominator: "gva".into(),
            peers: ["EU27_2020", "BE", "DK", "DE", "SE"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            eu: "EU27_2020".into(),
            rest_growth_years: 10,
        }
    }
}

impl TargetSettings {
    /// Checks the values make sense; the message names the key.
    pub fn check(&self) -> Result<()> {
        let err = |m: String| Error::Settings {
            path: "[target]".into(),
            message: m,
        };
        if !(self.value > 0.0 && self.value < 100.0) {
            return Err(err(format!(
                "value = {}: a percentage between 0 and 100",
                self.value
            )));
        }
        if !matches!(self.industry.as_str(), "C" | "B-E") {
            return Err(err(format!(
                "industry = \"{}\": use \"C\" (manufacturing) or \"B-E\" (industry except construction)",
                self.industry
            )));
        }
        if !matches!(self.denominator.as_str(), "gva" | "gdp") {
            return Err(err(format!(
                "denominator = \"{}\": use \"gva\" or \"gdp\"",
                self.denominator
            )));
        }
        if self.rest_growth_years == 0 {
            return Err(err("rest_growth_years must be at least 1".into()));
        }
        Ok(())
    }
}

/// Network behaviour of the live fetchers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Timeout for connecting and for each response, in seconds.
    pub timeout_secs: u64,
    /// How many times a failed request (connection error, 429, 5xx, truncated body)
    /// is retried before giving up.
    pub retries: u32,
    /// First backoff delay in milliseconds; doubles on each retry (a `Retry-After`
    /// header from the server takes precedence).
    pub backoff_ms: u64,
    /// Longest wait indmon accepts from a `Retry-After` header, in seconds.
    pub max_retry_after_secs: u64,
    /// Directory of the download cache; default `<data_dir>/cache`.
    pub cache_dir: Option<PathBuf>,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            timeout_secs: 60,
            retries: 4,
            backoff_ms: 500,
            max_retry_after_secs: 300,
            cache_dir: None,
        }
    }
}

/// CBS OData settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CbsSettings {
    /// Base URL of the CBS OData v4 service.
    pub odata4_base: String,
    /// Base URL of the older CBS OData v3 service (the bulk "feed" endpoint, which pages).
    pub odata3_base: String,
}

impl Default for CbsSettings {
    fn default() -> Self {
        Self {
            odata4_base: "https://datasets.cbs.nl/odata/v1/CBS".into(),
            odata3_base: "https://opendata.cbs.nl/ODataFeed/odata".into(),
        }
    }
}

impl Settings {
    /// Parses the text of an `indmon.toml`. Unknown keys are an error, so that a
    /// misspelt setting is never silently ignored.
    pub fn from_toml(path: &str, text: &str) -> Result<Self> {
        let s: Self = toml::from_str(text).map_err(|e| Error::Settings {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        s.target
            .check()
            .and_then(|()| s.markets.check())
            .and_then(|()| s.dependencies.check())
            .and_then(|()| s.query.check())
            .and_then(|()| s.server.check())
            .map_err(|e| Error::Settings {
                path: path.to_string(),
                message: e.to_string(),
            })?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(Settings::from_toml("x", "").unwrap(), Settings::default());
    }

    #[test]
    fn values_override_defaults() {
        let s = Settings::from_toml("x", "data_dir = '/tmp/d'\n[fetch]\nretries = 1\n").unwrap();
        assert_eq!(s.data_dir, Some(PathBuf::from("/tmp/d")));
        assert_eq!(s.fetch.retries, 1);
        assert_eq!(s.fetch.timeout_secs, 60);
    }

    #[test]
    fn the_target_is_configurable_and_checked() {
        let s =
            Settings::from_toml("x", "[target]\ngeo = 'DK'\nvalue = 20\nyear = 2035\n").unwrap();
        assert_eq!(
            (s.target.geo.as_str(), s.target.value, s.target.year),
            ("DK", 20.0, 2035)
        );
        assert_eq!(s.target.industry, "C");
        let e = Settings::from_toml("x", "[target]\nindustry = 'manufacturing'\n").unwrap_err();
        assert!(e.to_string().contains("B-E"), "{e}");
        assert!(Settings::from_toml("x", "[target]\nvalue = 150\n").is_err());
    }

    #[test]
    fn query_limits_have_defaults_and_are_checked() {
        let s = Settings::from_toml("x", "").unwrap();
        assert_eq!((s.query.memory_mb, s.query.timeout_secs), (4096, 300));
        assert_eq!(s.query.memory_bytes(), 4 << 30);
        let s = Settings::from_toml("x", "[query]\nmemory_mb = 8\ntimeout_secs = 2\n").unwrap();
        assert_eq!(s.query.memory_bytes(), 8 << 20);
        assert_eq!(s.query.timeout(), std::time::Duration::from_secs(2));
        for (bad, want) in [
            ("[query]\nmemory_mb = 0\n", "memory_mb = 0"),
            ("[query]\ntimeout_secs = 0\n", "timeout_secs = 0"),
            ("[query]\nmemory = 1\n", "memory"),
        ] {
            let e = Settings::from_toml("x", bad).unwrap_err().to_string();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }

    #[test]
    fn server_limits_have_defaults_and_are_checked() {
        let s = Settings::from_toml("x", "").unwrap();
        assert_eq!(s.server, ServerSettings::default());
        assert_eq!(
            (
                s.server.header_timeout(),
                s.server.idle_timeout(),
                s.server.request_timeout(),
                s.server.max_connections
            ),
            (
                std::time::Duration::from_secs(10),
                std::time::Duration::from_secs(60),
                std::time::Duration::from_secs(30),
                128
            )
        );
        let s = Settings::from_toml(
            "x",
            "[server]\nheader_timeout_secs = 1\nidle_timeout_secs = 5\nrequest_timeout_secs = 2\nmax_connections = 3\n",
        )
        .unwrap();
        assert_eq!(
            (
                s.server.header_timeout_secs,
                s.server.idle_timeout_secs,
                s.server.request_timeout_secs,
                s.server.max_connections
            ),
            (1, 5, 2, 3)
        );
        for (bad, want) in [
            (
                "[server]\nheader_timeout_secs = 0\n",
                "[server]: header_timeout_secs = 0",
            ),
            (
                "[server]\nheader_timeout_secs = 86400\n",
                "header_timeout_secs = 86400",
            ),
            ("[server]\nidle_timeout_secs = 0\n", "idle_timeout_secs = 0"),
            (
                "[server]\nrequest_timeout_secs = 0\n",
                "request_timeout_secs = 0",
            ),
            (
                "[server]\nidle_timeout_secs = 30\n",
                "idle_timeout_secs = 30 must be longer",
            ),
            ("[server]\nmax_connections = 0\n", "max_connections = 0"),
            (
                "[server]\nmax_connections = 1000000\n",
                "max_connections = 1000000",
            ),
            (
                "[server]\nheader_timeout_secs = -1\n",
                "header_timeout_secs",
            ),
            ("[server]\nmax_conections = 5\n", "max_conections"),
        ] {
            let e = Settings::from_toml("indmon.toml", bad)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{bad}: {e}");
            assert!(e.starts_with("indmon.toml:"), "{bad}: {e}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_with_the_file_name() {
        let e = Settings::from_toml("indmon.toml", "[fetch]\nretires = 1\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("indmon.toml:"), "{msg}");
        assert!(msg.contains("retires"), "{msg}");
    }
}

#[cfg(test)]
mod markets_tests {
    use super::*;

    #[test]
    fn markets_settings_are_read_and_checked() {
        let s = Settings::from_toml("x", "[markets]\npeers = [\"DE\", \"FRA\"]\n").unwrap();
        assert_eq!(s.markets.peers, vec!["DE", "FRA"]);
        assert_eq!(s.markets.alpha, 0.05);
        let e = Settings::from_toml("x", "[markets]\nalpha = 0.7\n").unwrap_err();
        assert!(e.to_string().contains("[markets]: alpha = 0.7"), "{e}");
        let s =
            Settings::from_toml("x", "[dependencies.relations]\nCHN = \"high_risk\"\n").unwrap();
        assert_eq!(s.dependencies.relations["CHN"], "high_risk");
        for (bad, want) in [
            ("[dependencies.relations]\nCN = \"high_risk\"\n", "alpha-3"),
            (
                "[dependencies.relations]\nCHN = \"enemy\"\n",
                "relations.CHN",
            ),
            ("[dependencies]\nreexport = \"gross\"\n", "reexport"),
            ("[dependencies]\noutside_hhi = 4\n", "outside_hhi = 4"),
            (
                "[dependencies]\npersistence_min = 4\n",
                "persistence_min = 4",
            ),
        ] {
            let e = Settings::from_toml("x", bad).unwrap_err().to_string();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }
}
