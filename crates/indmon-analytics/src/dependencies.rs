//! The strategic-dependency screen: per HS6 product and year, how concentrated a
//! reporter's imports are and where they come from (the European Commission's 2021
//! criteria), how concentrated world supply is (as CEPII's GeoDep), persistence, a
//! re-export correction for transit hubs, and where others depend on the reporter.
//!
//! **Flows.** Bilateral trade (year t, exporter i, importer j, product k, value v) goes
//! through an [`Accumulator`] in one pass; the reporter R is a country or a bloc of
//! countries, and B ⊇ R is the reporter's bloc (the EU for NL; the EU itself for the
//! EU27). A bloc reports as the sum of its members: its imports are what its members
//! import from anywhere but themselves, its exports what they export to anywhere but
//! themselves, so the trade between members is part of both (as the Commission counts
//! total EU imports and exports). A country's trade with itself is not trade.
//!
//! **Metrics** per (t, k), for products the reporter imports:
//! - imports by origin m_o = Σ v (j ∈ R, i = o, i ≠ j) — for a bloc the members are
//!   origins too (what one member sells to the others); imports M = Σ_o m_o;
//! - trade within the reporter I = Σ_{o ∈ R} m_o (0 for a country); outside the bloc
//!   M_out = Σ_{o ∉ B} m_o;
//! - exports X = Σ v (i ∈ R, j ≠ i) = the exports to outside R + I;
//! - import HHI = Σ_o (m_o / M)²; outside HHI = Σ_{o ∉ B} (m_o / M_out)²;
//! - outside share = M_out / M; import/export ratio = M_out / X (none when X = 0);
//! - world HHI = Σ_e (W_e / W)² over all exporters' exports W_e of the product;
//! - the reporter's world-export share = its exports to outside R / (W − trade within
//!   R);
//! - top origin: the largest m_o (ties: the smaller code), and its share of M.
//!
//! For a country as reporter I = 0: M is all its imports, X all its exports, M_out its
//! imports from outside its bloc (for a member state: extra-EU). For the EU27 this is
//! the Commission's method (SWD(2021) 352, its bottom-up mapping of about
//! 5,200 HS6 products): criterion 1 is the HHI of extra-EU imports over their origins;
//! criterion 2 the share of extra-EU imports in **total EU imports, intra-EU trade
//! included** (against extra-EU imports alone the share would be 1 by construction);
//! criterion 3, the substitutability of imports by EU production, the ratio of extra-EU
//! imports to **total EU exports** (extra-EU exports plus intra-EU trade, the
//! production proxy). The criteria are restated, and extended, in Arjona, Connell and
//! Herghelegiu (2023), "An enhanced methodology to monitor the EU's strategic
//! dependencies and vulnerabilities", Single Market Economics Papers WP2023/14.
//!
//! **Criteria** ([`Thresholds`]): the EU 2021 criteria (outside HHI above 0.4, outside
//! share above 0.5, ratio above 1 — no exports counts as met), all three together;
//! persistence: met in at least 2 of the 3 years ending in t (when the data have those
//! years). World supply (HHI of world exports above 0.4) and persistence are CEPII's
//! GeoDep criteria (Lefebvre and Wibaux 2024, "Import dependencies: where does the EU
//! stand?", CEPII Policy Brief 47; database notes at
//! cepii.fr/cepii/en/bdd_modele/bdd_modele_item.asp?id=41: world-export HHI > 0.4; no
//! exports treated as a ratio of 9999, i.e. met; all criteria in at least two years of a
//! three-year window). Neither depends on how the reporter's own trade is counted: the
//! world HHI is over all exporting countries, and persistence repeats the criteria.
//!
//! **Re-export correction** ([`ReExport::Net`]): trade data do not separate re-exports,
//! so re-exports are taken as min(M, X) — every export of the product that imports can
//! cover is assumed to be a re-export (an upper bound). Imports for domestic use are
//! then M − min(M, X), a share r = max(0, M − X) / M of imports that scales every origin
//! (shares and HHIs unchanged), and the reporter's own exports X − min(M, X); the ratio
//! becomes M_out · r / max(0, X − M), met when there are no own exports. In effect a
//! net exporter of the product is never dependent on it, and a net importer meets the
//! ratio criterion. For a bloc the trade between members is in both M and X and cancels
//! in M − X: the retained imports and own exports are those of its outside trade, r is
//! their share of the total imports.

use std::collections::HashMap;

/// Version of these formulas, shown with every result.
pub const METHOD_VERSION: &str = "dependencies/2";

/// Largest BACI country code + 1.
const MAX_COUNTRY: usize = 1000;

/// One pass over bilateral flows, keeping per year dense country × product tables
/// (country-major: BACI files are sorted by exporter, importer and product, so the rows
/// of one exporter or importer touch neighbouring cells).
#[derive(Debug, Clone)]
pub struct Accumulator {
    in_reporter: Vec<bool>,
    in_bloc: Vec<bool>,
    /// Country code → compact index (u16::MAX: not seen).
    country_at: Vec<u16>,
    countries: Vec<u16>,
    /// HS6 code → product index (u32::MAX: not seen).
    product_at: Vec<u32>,
    products: Vec<u32>,
    /// Product capacity of a table row (one row per country).
    width: usize,
    years: Vec<i32>,
    tables: Vec<Tables>,
}

#[derive(Debug, Clone, Default)]
struct Tables {
    /// [exporter · width + p]: world exports.
    world: Vec<f64>,
    /// [origin · width + p]: imports of the reporter; for a bloc the members are
    /// origins too (what one member sells to the others).
    imports: Vec<f64>,
    /// [destination · width + p]: exports of the reporter to outside it.
    exports_to: Vec<f64>,
    /// [importer · width + p]: imports of every country, from everywhere.
    imports_all: Vec<f64>,
    /// [p]: trade within the reporter (with a country's trade with itself, should a
    /// file have it), left out of the reporter's share of world exports.
    intra: Vec<f64>,
}

/// Countries a table has room for when it is made (BACI has about 230).
const ROOM: usize = 256;

impl Tables {
    /// Room for `countries` rows of `width` products (and `width` intra cells). A
    /// table is made for [`ROOM`] countries at once (twice as many beyond): its memory
    /// comes zeroed from the system, and the pages of rows never written are never
    /// touched, so the room costs nothing until used and a new country costs no copy.
    fn grow(&mut self, countries: usize, width: usize) {
        for t in [
            &mut self.world,
            &mut self.imports,
            &mut self.exports_to,
            &mut self.imports_all,
        ] {
            if t.len() < countries * width {
                let rows = if countries <= ROOM {
                    ROOM
                } else {
                    countries * 2
                };
                let mut n = vec![0.0; rows * width];
                n[..t.len()].copy_from_slice(t);
                *t = n;
            }
        }
        if self.intra.len() < width {
            self.intra.resize(width, 0.0);
        }
    }

    /// Widens the rows from `old` to `new` products.
    fn relayout(&mut self, countries: usize, old: usize, new: usize) {
        for t in [
            &mut self.world,
            &mut self.imports,
            &mut self.exports_to,
            &mut self.imports_all,
        ] {
            let mut n = vec![0.0; countries.max(ROOM) * new];
            for c in 0..countries {
                n[c * new..c * new + old].copy_from_slice(&t[c * old..c * old + old]);
            }
            *t = n;
        }
        self.intra.resize(new, 0.0);
    }
}

impl Accumulator {
    /// An accumulator for reporter `reporter` (country codes) in bloc `bloc` (country
    /// codes; the reporter's codes are added to it).
    pub fn new(reporter: &[u16], bloc: &[u16]) -> Self {
        let mut in_reporter = vec![false; MAX_COUNTRY];
        let mut in_bloc = vec![false; MAX_COUNTRY];
        // BACI codes are below 1000; anything else cannot occur in a flow
        for &c in reporter.iter().filter(|&&c| usize::from(c) < MAX_COUNTRY) {
            in_reporter[usize::from(c)] = true;
            in_bloc[usize::from(c)] = true;
        }
        for &c in bloc.iter().filter(|&&c| usize::from(c) < MAX_COUNTRY) {
            in_bloc[usize::from(c)] = true;
        }
        Self {
            in_reporter,
            in_bloc,
            country_at: vec![u16::MAX; MAX_COUNTRY],
            countries: Vec::new(),
            product_at: vec![u32::MAX; 1_000_000],
            products: Vec::new(),
            width: 6144,
            years: Vec::new(),
            tables: Vec::new(),
        }
    }

    fn country(&mut self, code: u16) -> usize {
        let c = usize::from(code);
        let at = self.country_at[c];
        if at != u16::MAX {
            return usize::from(at);
        }
        let idx = self.countries.len();
        self.countries.push(code);
        self.country_at[c] = idx as u16;
        let (nc, w) = (self.countries.len(), self.width);
        for t in &mut self.tables {
            t.grow(nc, w);
        }
        idx
    }

    fn product(&mut self, k: u32) -> usize {
        let at = self.product_at[k as usize];
        if at != u32::MAX {
            return at as usize;
        }
        let idx = self.products.len();
        if idx == self.width {
            let new = self.width * 2;
            let nc = self.countries.len();
            for t in &mut self.tables {
                t.relayout(nc, self.width, new);
            }
            self.width = new;
        }
        self.products.push(k);
        self.product_at[k as usize] = idx as u32;
        idx
    }

    fn year(&mut self, t: i32) -> usize {
        if let Some(y) = self.years.iter().position(|&y| y == t) {
            return y;
        }
        self.years.push(t);
        let mut tables = Tables::default();
        tables.grow(self.countries.len(), self.width);
        self.tables.push(tables);
        self.years.len() - 1
    }

    /// The cells of one product over all countries seen, from a table of year `y`.
    fn column(&self, table: &[f64], p: usize) -> Vec<f64> {
        let w = self.width;
        (0..self.countries.len())
            .map(|c| table[c * w + p])
            .collect()
    }

    /// Adds one flow: year `t`, exporter `i`, importer `j` (BACI country codes below
    /// 1000), HS6 product `k` (below 1,000,000), value `v`.
    ///
    /// # Panics
    /// When a country code is 1000 or more, or a product code 1,000,000 or more (the
    /// caller checks its input).
    pub fn add(&mut self, t: i32, i: u16, j: u16, k: u32, v: f64) {
        let y = self.year(t);
        let p = self.product(k);
        let ci = self.country(i);
        let cj = self.country(j);
        let w = self.width;
        let (ri, rj) = (
            self.in_reporter[usize::from(i)],
            self.in_reporter[usize::from(j)],
        );
        let tb = &mut self.tables[y];
        tb.world[ci * w + p] += v;
        tb.imports_all[cj * w + p] += v;
        match (ri, rj) {
            (false, true) => tb.imports[ci * w + p] += v,
            (true, false) => tb.exports_to[cj * w + p] += v,
            (true, true) => {
                tb.intra[p] += v;
                // between two members of a bloc: an import of the bloc from the
                // exporting member (and so an export of the bloc); a country's trade
                // with itself is not trade
                if i != j {
                    tb.imports[ci * w + p] += v;
                }
            }
            (false, false) => {}
        }
    }

    /// Adds everything another accumulator (same reporter and bloc) has seen: the
    /// states of parallel readers are merged this way.
    pub fn merge(&mut self, other: &Accumulator) {
        let (w, nc) = (other.width, other.countries.len());
        for (oy, &year) in other.years.iter().enumerate() {
            let y = self.year(year);
            let ot = &other.tables[oy];
            for (op, &k) in other.products.iter().enumerate() {
                let p = self.product(k);
                for oc in 0..nc {
                    let cells = [
                        ot.world[oc * w + op],
                        ot.imports[oc * w + op],
                        ot.exports_to[oc * w + op],
                        ot.imports_all[oc * w + op],
                    ];
                    if cells.iter().all(|&x| x == 0.0) {
                        continue;
                    }
                    let c = self.country(other.countries[oc]);
                    let sw = self.width;
                    let t = &mut self.tables[y];
                    t.world[c * sw + p] += cells[0];
                    t.imports[c * sw + p] += cells[1];
                    t.exports_to[c * sw + p] += cells[2];
                    t.imports_all[c * sw + p] += cells[3];
                }
                self.tables[y].intra[p] += ot.intra[op];
            }
        }
    }

    /// How many distinct products were seen.
    pub fn product_count(&self) -> usize {
        self.products.len()
    }

    /// The years seen, in order of first appearance.
    pub fn years(&self) -> &[i32] {
        &self.years
    }

    /// The metrics of every (year, product) the reporter imports, by year and product
    /// code.
    pub fn metrics(&self) -> Vec<Metric> {
        let mut out = Vec::new();
        let mut order: Vec<usize> = (0..self.products.len()).collect();
        order.sort_by_key(|&p| self.products[p]);
        let mut years: Vec<usize> = (0..self.years.len()).collect();
        years.sort_by_key(|&y| self.years[y]);
        for y in years {
            let tb = &self.tables[y];
            for &p in &order {
                let row = self.column(&tb.imports, p);
                let imports: f64 = row.iter().sum();
                if imports <= 0.0 {
                    continue;
                }
                let (mut outside, mut within) = (0.0, 0.0);
                let (mut top, mut top_v) = (usize::MAX, f64::NEG_INFINITY);
                for (c, &m) in row.iter().enumerate() {
                    if m <= 0.0 {
                        continue;
                    }
                    let code = usize::from(self.countries[c]);
                    if !self.in_bloc[code] {
                        outside += m;
                    }
                    if self.in_reporter[code] {
                        within += m;
                    }
                    if m > top_v || (m == top_v && self.countries[c] < self.countries[top]) {
                        (top, top_v) = (c, m);
                    }
                }
                let import_hhi = row.iter().map(|m| (m / imports).powi(2)).sum();
                let outside_hhi = (outside > 0.0).then(|| {
                    row.iter()
                        .enumerate()
                        .filter(|(c, _)| !self.in_bloc[usize::from(self.countries[*c])])
                        .map(|(_, m)| (m / outside).powi(2))
                        .sum()
                });
                // exports to outside the reporter, and for a bloc the trade between
                // its members (what its members import from each other, they export)
                let exports_out: f64 = self.column(&tb.exports_to, p).iter().sum();
                let exports = exports_out + within;
                let world_row = self.column(&tb.world, p);
                let world: f64 = world_row.iter().sum();
                let world_hhi = if world > 0.0 {
                    world_row.iter().map(|x| (x / world).powi(2)).sum()
                } else {
                    f64::NAN
                };
                let market = world - tb.intra[p];
                out.push(Metric {
                    year: self.years[y],
                    product: self.products[p],
                    imports,
                    imports_outside_bloc: outside,
                    within_reporter: within,
                    exports,
                    import_hhi,
                    outside_hhi,
                    outside_share: outside / imports,
                    import_export_ratio: (exports > 0.0).then(|| outside / exports),
                    world_hhi,
                    world_exports: world,
                    reporter_world_share: (market > 0.0).then(|| exports_out / market),
                    top_origin: self.countries[top],
                    top_origin_share: top_v / imports,
                });
            }
        }
        out
    }

    /// The reporter's imports of `product` in `year` by origin (BACI code), largest
    /// first; for a bloc its members are origins too (their sales to the other members).
    pub fn origins(&self, year: i32, product: u32) -> Vec<(u16, f64)> {
        self.row(year, product, |t| &t.imports)
    }

    /// The reporter's exports of `product` in `year` to destinations outside it,
    /// largest first (for a bloc, the trade between its members is not listed).
    pub fn destinations(&self, year: i32, product: u32) -> Vec<(u16, f64)> {
        self.row(year, product, |t| &t.exports_to)
    }

    /// Every country's imports of `product` in `year` from everywhere, largest first.
    pub fn importers(&self, year: i32, product: u32) -> Vec<(u16, f64)> {
        self.row(year, product, |t| &t.imports_all)
    }

    fn row(&self, year: i32, product: u32, pick: impl Fn(&Tables) -> &Vec<f64>) -> Vec<(u16, f64)> {
        let (Some(y), Some(&p)) = (
            self.years.iter().position(|&t| t == year),
            self.product_at.get(product as usize),
        ) else {
            return Vec::new();
        };
        if p == u32::MAX {
            return Vec::new();
        }
        let row = self.column(pick(&self.tables[y]), p as usize);
        let mut v: Vec<(u16, f64)> = row
            .iter()
            .enumerate()
            .filter(|(_, x)| **x > 0.0)
            .map(|(c, x)| (self.countries[c], *x))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// For every product the reporter exports to outside it in `year`: (product, the
    /// reporter's share of world exports outside its own trade, world HHI, world
    /// exports).
    pub fn export_shares(&self, year: i32) -> Vec<(u32, f64, f64, f64)> {
        let Some(y) = self.years.iter().position(|&t| t == year) else {
            return Vec::new();
        };
        let tb = &self.tables[y];
        let mut out = Vec::new();
        for (p, &k) in self.products.iter().enumerate() {
            let x: f64 = self.column(&tb.exports_to, p).iter().sum();
            if x <= 0.0 {
                continue;
            }
            let row = self.column(&tb.world, p);
            let world: f64 = row.iter().sum();
            let market = world - tb.intra[p];
            if world > 0.0 && market > 0.0 {
                let h = row.iter().map(|v| (v / world).powi(2)).sum();
                out.push((k, x / market, h, world));
            }
        }
        out
    }

    /// Products (code) whose importers depend on the reporter: the reporter's share of
    /// the country's imports of the product is at least `min_share` and the country
    /// imports at least `min_value` of it. Gives (year, product, importer, reporter's
    /// exports to it, its imports).
    pub fn dependent_partners(
        &self,
        year: i32,
        min_share: f64,
        min_value: f64,
    ) -> Vec<(u32, u16, f64, f64)> {
        let Some(y) = self.years.iter().position(|&t| t == year) else {
            return Vec::new();
        };
        let (w, nc, tb) = (self.width, self.countries.len(), &self.tables[y]);
        let mut out = Vec::new();
        for (p, &k) in self.products.iter().enumerate() {
            for c in 0..nc {
                let all = tb.imports_all[c * w + p];
                let from_r = tb.exports_to[c * w + p];
                if from_r > 0.0 && all >= min_value && from_r / all >= min_share {
                    out.push((k, self.countries[c], from_r, all));
                }
            }
        }
        out.sort_by_key(|x| (x.1, x.0));
        out
    }
}

/// The metrics of one product in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Year.
    pub year: i32,
    /// HS6 code as a number.
    pub product: u32,
    /// Imports of the reporter from everywhere but itself (for a bloc: total imports,
    /// the trade between its members included).
    pub imports: f64,
    /// Of which from outside the bloc.
    pub imports_outside_bloc: f64,
    /// Of which between the members of the reporter (a bloc's internal trade, also part
    /// of its exports; 0 for a country).
    pub within_reporter: f64,
    /// Exports of the reporter to everywhere but itself (for a bloc: total exports, the
    /// trade between its members included).
    pub exports: f64,
    /// HHI of imports over all origins (for a bloc, its members included).
    pub import_hhi: f64,
    /// HHI of imports over origins outside the bloc; none without such imports.
    pub outside_hhi: Option<f64>,
    /// Imports from outside the bloc / imports.
    pub outside_share: f64,
    /// Imports from outside the bloc / exports; none without exports.
    pub import_export_ratio: Option<f64>,
    /// HHI of world exports over exporters.
    pub world_hhi: f64,
    /// World exports of the product.
    pub world_exports: f64,
    /// The reporter's exports to outside it / world exports less trade within the
    /// reporter.
    pub reporter_world_share: Option<f64>,
    /// The largest origin (BACI code).
    pub top_origin: u16,
    /// Its share of imports.
    pub top_origin_share: f64,
}

/// Thresholds of the criteria (all configurable).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Outside HHI above this (EU 2021: 0.4).
    pub outside_hhi: f64,
    /// Outside share above this (EU 2021: 0.5).
    pub outside_share: f64,
    /// Import/export ratio above this (EU 2021: 1).
    pub ratio: f64,
    /// World HHI above this counts as concentrated world supply (GeoDep: 0.4).
    pub world_hhi: f64,
    /// Persistence: met in at least `persist_min` of the `persist_window` years ending
    /// in the year (2 of 3).
    pub persist_min: usize,
    /// See `persist_min`.
    pub persist_window: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            outside_hhi: 0.4,
            outside_share: 0.5,
            ratio: 1.0,
            world_hhi: 0.4,
            persist_min: 2,
            persist_window: 3,
        }
    }
}

/// How re-exports are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReExport {
    /// All imports count.
    None,
    /// Imports are scaled by the retained share max(0, M − X) / M.
    Net,
}

/// The retained share of imports under `re`: 1, or max(0, M − X) / M.
pub fn retained_share(m: &Metric, re: ReExport) -> f64 {
    match re {
        ReExport::None => 1.0,
        ReExport::Net => ((m.imports - m.exports) / m.imports).clamp(0.0, 1.0),
    }
}

/// The exports of the reporter's own making under `re`: X, or max(0, X − M) (what is
/// left of the exports once the re-exports are taken out).
pub fn own_exports(m: &Metric, re: ReExport) -> f64 {
    match re {
        ReExport::None => m.exports,
        ReExport::Net => (m.exports - m.imports).max(0.0),
    }
}

/// The import/export ratio under `re`: retained imports from outside the bloc over the
/// reporter's own exports, M_out · r / X_own; none when there are no own exports.
pub fn corrected_ratio(m: &Metric, re: ReExport) -> Option<f64> {
    let own = own_exports(m, re);
    (own > 0.0).then(|| m.imports_outside_bloc * retained_share(m, re) / own)
}

/// Which of the three EU 2021 criteria a product meets in its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Criteria {
    /// Outside HHI above the threshold.
    pub concentration: bool,
    /// Outside share above the threshold.
    pub outside: bool,
    /// Import/export ratio above the threshold (or no exports).
    pub ratio: bool,
}

impl Criteria {
    /// All three.
    pub fn all(self) -> bool {
        self.concentration && self.outside && self.ratio
    }
}

/// The EU 2021 criteria for one metric row. Without own exports the ratio criterion
/// is met (when something is imported from outside the bloc); with the re-export
/// correction, a product whose imports are all re-exported (retained share 0) meets none.
pub fn criteria(m: &Metric, th: &Thresholds, re: ReExport) -> Criteria {
    let retained = retained_share(m, re);
    Criteria {
        concentration: m.outside_hhi.is_some_and(|h| h > th.outside_hhi),
        outside: m.outside_share > th.outside_share,
        ratio: retained > 0.0
            && match corrected_ratio(m, re) {
                Some(r) => r > th.ratio,
                None => m.imports_outside_bloc > 0.0,
            },
    }
}

/// Persistence of the criteria for each row of `metrics`: `Some(n)` = the number of
/// years of the window ending in the row's year in which all three criteria are met,
/// when the data have every year of the window; `None` when they do not.
pub fn persistence(metrics: &[Metric], th: &Thresholds, re: ReExport) -> Vec<Option<usize>> {
    let met: HashMap<(i32, u32), bool> = metrics
        .iter()
        .map(|m| ((m.year, m.product), criteria(m, th, re).all()))
        .collect();
    let years: std::collections::BTreeSet<i32> = metrics.iter().map(|m| m.year).collect();
    metrics
        .iter()
        .map(|m| {
            let window: Vec<i32> = (0..th.persist_window as i32).map(|d| m.year - d).collect();
            window.iter().all(|y| years.contains(y)).then(|| {
                window
                    .iter()
                    .filter(|&&y| met.get(&(y, m.product)).copied().unwrap_or(false))
                    .count()
            })
        })
        .collect()
}

/// Relations with a partner country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// In the reporter's bloc.
    Eu,
    /// Like-minded.
    LikeMinded,
    /// Other.
    Other,
    /// High-risk.
    HighRisk,
}

impl Relation {
    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            Relation::Eu => "EU",
            Relation::LikeMinded => "like-minded",
            Relation::Other => "other",
            Relation::HighRisk => "high-risk",
        }
    }
}

/// Thresholds of the disruption risk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskRule {
    /// High-risk origins supplying at least this share of outside imports: high risk.
    pub high_risk_share: f64,
    /// Other and high-risk origins supplying at least this share of outside imports
    /// under concentrated world supply: high risk.
    pub non_aligned_share: f64,
}

impl Default for RiskRule {
    fn default() -> Self {
        Self {
            high_risk_share: 0.25,
            non_aligned_share: 0.5,
        }
    }
}

/// The disruption risk of a dependency, with its reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// High risk.
    pub high: bool,
    /// Share of outside imports from high-risk origins.
    pub high_risk_share: f64,
    /// Share of outside imports from other and high-risk origins.
    pub non_aligned_share: f64,
    /// The reasons, in words (empty when not high).
    pub reasons: Vec<String>,
}

/// The disruption risk from the origins of outside imports (`origins`: code, value;
/// only those outside the bloc count), their relations and world concentration: high
/// when (a) the largest outside origin is high-risk, (b) high-risk origins supply at
/// least `rule.high_risk_share` of outside imports, or (c) world supply is concentrated
/// and other or high-risk origins supply at least `rule.non_aligned_share`.
#[allow(clippy::too_many_arguments)]
pub fn risk(
    origins: &[(u16, f64)],
    relation: impl Fn(u16) -> Relation,
    name: impl Fn(u16) -> String,
    bloc: &str,
    world_hhi: f64,
    th: &Thresholds,
    rule: &RiskRule,
) -> Risk {
    let outside: Vec<(u16, f64, Relation)> = origins
        .iter()
        .map(|&(c, v)| (c, v, relation(c)))
        .filter(|x| x.2 != Relation::Eu)
        .collect();
    let total: f64 = outside.iter().map(|x| x.1).sum();
    let share = |f: &dyn Fn(Relation) -> bool| {
        if total > 0.0 {
            outside.iter().filter(|x| f(x.2)).map(|x| x.1).sum::<f64>() / total
        } else {
            0.0
        }
    };
    let high_risk_share = share(&|r| r == Relation::HighRisk);
    let non_aligned_share = share(&|r| matches!(r, Relation::HighRisk | Relation::Other));
    let mut reasons = Vec::new();
    let top = outside
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    if let Some(&(c, v, Relation::HighRisk)) = top {
        reasons.push(format!(
            "the largest supplier outside {bloc}, {}, with {:.0} % of those imports, is high-risk",
            name(c),
            v / total * 100.0
        ));
    }
    if high_risk_share >= rule.high_risk_share && total > 0.0 {
        reasons.push(format!(
            "high-risk countries supply {:.0} % of imports from outside {bloc} (threshold {:.0} %)",
            high_risk_share * 100.0,
            rule.high_risk_share * 100.0
        ));
    }
    if world_hhi > th.world_hhi && non_aligned_share >= rule.non_aligned_share && total > 0.0 {
        reasons.push(format!(
            "world supply is concentrated (HHI {world_hhi:.2} > {:.2}) and countries that are not like-minded supply {:.0} % of imports from outside {bloc}",
            th.world_hhi,
            non_aligned_share * 100.0
        ));
    }
    Risk {
        high: !reasons.is_empty(),
        high_risk_share,
        non_aligned_share,
        reasons,
    }
}

/// Herfindahl-Hirschman index of the values' shares (none for an empty or all-zero
/// list).
pub fn hhi(values: &[f64]) -> Option<f64> {
    let total: f64 = values.iter().sum();
    (total > 0.0).then(|| values.iter().map(|v| (v / total).powi(2)).sum())
}
