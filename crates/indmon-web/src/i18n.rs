//! The two languages of the pages: Dutch (the default) and English. Texts are looked
//! up by key; numbers are written the way each language writes them (12,0 % / 12.0 %).

use serde::Deserialize;

/// A page language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Dutch.
    #[default]
    Nl,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code (`nl`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Self {
        match self {
            Self::Nl => Self::En,
            Self::En => Self::Nl,
        }
    }

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Nl => "Nederlands",
            Self::En => "English",
        }
    }

    /// `x` with `decimals` decimals in this language's style: decimal comma in Dutch,
    /// point in English; a thousands separator (`.` / `,`) for the integer part.
    pub fn number(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "—".into();
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let (group, point) = match self {
            Self::Nl => ('.', ','),
            Self::En => (',', '.'),
        };
        let mut out = String::new();
        for (k, c) in int.chars().enumerate() {
            if k > 0 && (int.len() - k) % 3 == 0 {
                out.push(group);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(point);
            out.push_str(frac);
        }
        // a value that rounds to zero is written without a sign
        let zero = s.bytes().all(|b| b == b'0' || b == b'.');
        if x < 0.0 && !zero {
            out.insert(0, '−');
        }
        out
    }

    /// A fraction as a percentage: 0.12034 → "12,0 %" (Dutch, 1 decimal).
    pub fn pct(self, fraction: f64, decimals: usize) -> String {
        format!("{} %", self.number(100.0 * fraction, decimals))
    }

    /// Percentage points with a sign: "+0,35 pp" / "−1.20 pp" (Dutch "procentpunt").
    pub fn pp(self, x: f64, decimals: usize) -> String {
        let sign = if x > 0.0 && self.number(x, decimals) != self.number(0.0, decimals) {
            "+"
        } else {
            ""
        };
        let unit = match self {
            Self::Nl => "%-punt",
            Self::En => "pp",
        };
        format!("{sign}{} {unit}", self.number(x, decimals))
    }

    /// The text for `key` in this language; the key itself when there is none (a bug
    /// the tests catch).
    pub fn t(self, key: &str) -> &'static str {
        let pair = TEXTS.iter().find(|(k, _, _)| *k == key);
        match (pair, self) {
            (Some((_, nl, _)), Self::Nl) => nl,
            (Some((_, _, en)), Self::En) => en,
            (None, _) => "??",
        }
    }
}

/// The query string of a page: its language.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// `nl` (default) or `en`; anything else is Dutch.
    pub lang: Option<String>,
}

impl PageQuery {
    /// The language asked for.
    pub fn lang(&self) -> Lang {
        match self.lang.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Nl,
        }
    }
}

/// (key, Dutch, English).
const TEXTS: &[(&str, &str, &str)] = &[
    (
        "app",
        "indmon — monitor industriebeleid",
        "indmon — industrial-policy monitor",
    ),
    ("skip", "Naar de inhoud", "Skip to content"),
    ("nav", "Hoofdmenu", "Main menu"),
    ("overview", "Overzicht", "Overview"),
    ("target", "Doel", "Target"),
    ("data", "Data", "Data"),
    ("programmes", "Programma's", "Programmes"),
    ("lang_switch", "English", "Nederlands"),
    (
        "headline_title",
        "Aandeel industrie in toegevoegde waarde",
        "Industry share of value added",
    ),
    (
        "headline",
        "Aandeel van de industrie in de totale toegevoegde waarde van {geo} in {year}",
        "Share of manufacturing in the total value added of {geo} in {year}",
    ),
    (
        "goal",
        "Ten minste {share} in {year}",
        "At least {share} in {year}",
    ),
    ("gap", "Verschil met het doel", "Gap to the target"),
    ("required", "Benodigde groei", "Required growth"),
    (
        "required_text",
        "De toegevoegde waarde van de industrie moet {g} per jaar sneller groeien dan die van de rest van de economie ({from}–{to}).",
        "Industry value added has to grow {g} a year faster than the rest of the economy ({from}–{to}).",
    ),
    (
        "required_rest",
        "Als de rest groeit zoals gemiddeld over de laatste {n} jaar ({r} per jaar), heeft de industrie {i} per jaar nodig.",
        "If the rest grows as over the last {n} years ({r} a year), industry needs {i} a year.",
    ),
    ("release", "Laatste publicatie", "Latest release"),
    ("release_col", "Publicatie", "Release"),
    (
        "outlook_prob",
        "Kans op ten minste {share} in {year} volgens de vooruitblik: {p}",
        "Probability of at least {share} in {year} by the outlook: {p}",
    ),
    (
        "outlook_none",
        "Geen vooruitblik: {why}",
        "No outlook: {why}",
    ),
    (
        "fig_share",
        "Aandeel industrie in toegevoegde waarde (%)",
        "Industry share of value added (%)",
    ),
    (
        "fig_share_desc",
        "Waargenomen aandeel, rechte lijn en constante groei naar het doel, de vooruitblik met 80 %- en 95 %-band, en de 15 %-lijn.",
        "Observed share, straight-line and constant-growth paths to the target, the outlook with its 80 % and 95 % bands, and the target line.",
    ),
    ("observed", "Waargenomen", "Observed"),
    ("linear", "Rechte lijn naar doel", "Straight line to target"),
    (
        "constant",
        "Constante groei naar doel",
        "Constant growth to target",
    ),
    ("median", "Vooruitblik (mediaan)", "Outlook (median)"),
    ("band80", "80 %-band", "80 % band"),
    ("band95", "95 %-band", "95 % band"),
    ("target_line", "Doel", "Target"),
    ("year", "Jaar", "Year"),
    ("table", "Tabel", "Table"),
    ("download", "Downloaden", "Download"),
    ("source", "Bron", "Source"),
    ("method", "Methode", "Method"),
    (
        "fig_peers",
        "Aandeel industrie bij vergelijkbare landen, {year} (%)",
        "Industry share in peer countries, {year} (%)",
    ),
    (
        "fig_peers_desc",
        "De vergelijkingsgroep gerangschikt naar aandeel; kwartiel onder de 27 EU-lidstaten (4 = hoogste).",
        "The peer panel ranked by share; quartile among the 27 EU member states (4 = highest).",
    ),
    ("country", "Land", "Country"),
    ("share", "Aandeel", "Share"),
    ("rank", "Rang", "Rank"),
    ("gap_focus", "Verschil met {geo}", "Gap to {geo}"),
    ("gap_eu", "Verschil met {eu}", "Gap to {eu}"),
    ("quartile", "EU-kwartiel", "EU quartile"),
    (
        "fig_decomp",
        "Verandering van het aandeel per jaar: bijdrage van industrie en rest (%-punt)",
        "Change of the share per year: contribution of industry and the rest (pp)",
    ),
    (
        "fig_decomp_desc",
        "Elke verandering van het aandeel gesplitst in de bijdrage van de groei van de industrie en die van de rest van de economie (exacte Shapley-verdeling; de bijdragen tellen op tot de verandering).",
        "Every change of the share split into the contribution of industry's growth and of the rest of the economy's growth (exact Shapley split; the contributions add up to the change).",
    ),
    ("years", "Jaren", "Years"),
    ("change", "Verandering", "Change"),
    (
        "industry_contrib",
        "Bijdrage industrie",
        "Industry's contribution",
    ),
    ("rest_contrib", "Bijdrage rest", "The rest's contribution"),
    ("industry_growth", "Groei industrie", "Industry growth"),
    ("rest_growth", "Groei rest", "Growth of the rest"),
    ("whole_span", "hele periode", "whole span"),
    (
        "fig_outlook",
        "Vooruitblik naar {year}: waaier van het aandeel (%)",
        "Outlook to {year}: fan of the share (%)",
    ),
    (
        "fig_outlook_desc",
        "Mediaan met 80 %- en 95 %-band van een random walk met drift op de jaarlijkse veranderingen, getoetst op de eigen historie.",
        "Median with 80 % and 95 % bands of a random walk with drift on the yearly changes, backtested on the series' own history.",
    ),
    ("model", "Model", "Model"),
    (
        "backtest",
        "Toets op de historie: {n} voorspellingen; de 80 %-band omvatte {c80}, de 95 %-band {c95} van de uitkomsten; gemiddelde fout {err}.",
        "Backtest on history: {n} forecasts; the 80 % band covered {c80}, the 95 % band {c95} of outcomes; mean error {err}.",
    ),
    (
        "revisions",
        "Herzieningen: het aandeel van {year} per publicatie",
        "Revisions: the {year} share in each release",
    ),
    (
        "revisions_desc",
        "Hetzelfde jaar zoals elke publicatie en bron het gaf, oudste publicatie eerst.",
        "The same year as each release and source gave it, oldest release first.",
    ),
    ("dataset", "Dataset", "Dataset"),
    ("vintage", "Versie", "Vintage"),
    ("series", "Reeks", "Series"),
    ("how", "Hoe", "How"),
    (
        "data_title",
        "Bronnen, versies en downloads",
        "Sources, vintages and downloads",
    ),
    (
        "data_intro",
        "Elk getal in indmon komt uit een vastgelegde versie (vintage) van een officiële bron. Hieronder staan alle datasets in de opslag met uitgever, publicatiedatum, licentie en controlegetal.",
        "Every figure in indmon comes from a recorded version (vintage) of an official source. Below are all datasets in the store with publisher, release date, licence and checksum.",
    ),
    ("publisher", "Uitgever", "Publisher"),
    ("title", "Titel", "Title"),
    ("licence", "Licentie", "Licence"),
    ("rows", "Rijen", "Rows"),
    ("input", "Invoer", "Input"),
    ("synthetic", "synthetisch", "synthetic"),
    ("downloads", "Downloads", "Downloads"),
    ("provenance", "Herkomst", "Provenance"),
    (
        "api",
        "API-beschrijving (OpenAPI)",
        "API description (OpenAPI)",
    ),
    ("not_published", "niet vermeld", "not stated"),
    (
        "unavailable_title",
        "Niet leesbare datasets",
        "Datasets that cannot be read",
    ),
    (
        "unavailable_intro",
        "Van deze datasets is een opgeslagen bestand beschadigd; ze worden niet gebruikt tot ze opnieuw zijn ingelezen. Alle andere gegevens worden gewoon gelezen.",
        "A stored file of these datasets is damaged; they are not used until they are ingested again. All other data is read as usual.",
    ),
    ("error", "Fout", "Error"),
    (
        "not_found",
        "Deze pagina bestaat niet.",
        "This page does not exist.",
    ),
    ("no_data", "Geen gegevens", "No data"),
    ("csv_of", "CSV van de gegevens", "CSV of the data"),
    ("png", "Grafiek als PNG", "Chart as PNG"),
    ("svg", "Grafiek als SVG", "Chart as SVG"),
    (
        "footer",
        "indmon volgt het doel van ten minste 15 % industrie in de totale toegevoegde waarde in 2030, met officiële statistiek per publicatie.",
        "indmon tracks the goal of at least 15 % industry in total value added by 2030, with official statistics kept per release.",
    ),
    (
        "peer_panel",
        "Vergelijking met andere landen",
        "Comparison with other countries",
    ),
    ("markets", "Markten", "Markets"),
    (
        "markets_title",
        "Prioritaire markten — {geo}, {year}",
        "Priority markets — {geo}, {year}",
    ),
    (
        "markets_intro",
        "De zes markten van het industriebeleid, afgebakend in de taxonomie {tax} (versie {version}): handelscodes, export, wereldexportaandeel, RCA, rang onder de vergelijkingslanden, trend en risicovolle strategische afhankelijkheden.",
        "The six markets of the industrial policy, defined in the taxonomy {tax} (version {version}): trade codes, exports, world-export share, RCA, rank among peers, trend and risky strategic dependencies.",
    ),
    (
        "fig_markets",
        "Wereldexportaandeel per markt, {geo} {year} (%)",
        "World-export share per market, {geo} {year} (%)",
    ),
    (
        "fig_markets_desc",
        "Aandeel van {geo} in de wereldexport van de handelscodes van elke markt die in de data voorkomen.",
        "{geo}'s share of world exports of each market's trade codes present in the data.",
    ),
    ("market", "Markt", "Market"),
    ("codes_in_data", "HS6-codes in data", "HS6 codes in data"),
    ("exports_musd", "Export (mln USD)", "Exports (million USD)"),
    ("world_share", "Wereldaandeel", "World share"),
    ("trend", "Trend", "Trend"),
    ("status", "Status", "Status"),
    (
        "risky_deps",
        "Risicovolle strategische afhankelijkheden",
        "Risky strategic dependencies",
    ),
    (
        "synthetic_banner",
        "SYNTHETISCHE DATA: gegenereerd voor tests en demonstratie, geen statistiek.",
        "SYNTHETIC DATA: generated for tests and demonstration, not statistics.",
    ),
    ("notes", "Toelichting", "Notes"),
    (
        "filter_caveat",
        "Alleen handelsstromen van ten minste USD {m} miljoen ({dataset}): kleinere stromen ontbreken, dus totalen zijn ondergrenzen en wereldaandelen, RCA en concentratie gelden alleen binnen die stromen. De drempel is vast in nominale dollars: een trend over de jaren telt ook stromen die erboven groeien.",
        "Only flows of at least USD {m} million ({dataset}): smaller flows are absent, so totals are lower bounds, and world shares, RCA and concentration are among those flows only. The threshold is fixed in nominal dollars: a trend over the years also counts flows growing past it.",
    ),
    ("trade_data", "Handelsgegevens", "Trade data"),
    ("dependencies", "Afhankelijkheden", "Dependencies"),
    (
        "deps_title",
        "Strategische afhankelijkheden — {geo}, {year}",
        "Strategic dependencies — {geo}, {year}",
    ),
    (
        "deps_intro",
        "Per HS6-product de criteria van de Europese Commissie (2021): concentratie en aandeel van de invoer van buiten de EU, invoer tegenover uitvoer; daarna strategisch (cruciaal voor publieke belangen) en risicovol (hoog verstoringsrisico gezien de relaties met de leveranciers).",
        "Per HS6 product the European Commission's 2021 criteria: concentration and share of imports from outside the EU, imports against exports; then strategic (crucial for public interests) and risky (high disruption risk given the relations with the suppliers).",
    ),
    ("imported", "Ingevoerde producten", "Products imported"),
    ("tier_dependency", "Afhankelijkheden", "Dependencies"),
    ("tier_strategic", "Strategisch", "Strategic"),
    ("tier_risky", "Risicovol strategisch", "Risky strategic"),
    ("tier_none", "Geen afhankelijkheid", "Not a dependency"),
    (
        "fig_deps",
        "Concentratie en herkomst van de invoer per product, {geo} {year}",
        "Concentration and origin of imports per product, {geo} {year}",
    ),
    (
        "fig_deps_desc",
        "Horizontaal de concentratie (HHI) van de invoer van buiten de EU, verticaal het aandeel van de invoer van buiten de EU; de lijnen zijn de drempels van de Europese Commissie. De kleur geeft de trede.",
        "Horizontally the concentration (HHI) of imports from outside the EU, vertically the share of imports from outside the EU; the lines are the European Commission's thresholds. The colour gives the tier.",
    ),
    ("product", "Product", "Product"),
    ("tier", "Trede", "Tier"),
    ("imports_musd", "Invoer (mln USD)", "Imports (million USD)"),
    (
        "outside_share",
        "Aandeel van buiten de EU",
        "Share from outside the EU",
    ),
    ("outside_hhi", "HHI buiten de EU", "HHI outside the EU"),
    ("ratio", "Invoer / uitvoer", "Imports / exports"),
    ("top_origin", "Grootste herkomst", "Largest origin"),
    ("areas", "Gebieden", "Areas"),
    ("risk", "Verstoringsrisico", "Disruption risk"),
    (
        "no_dependencies",
        "Geen afhankelijkheden in deze data.",
        "No dependencies in these data.",
    ),
    ("evaluation", "Evaluatie", "Evaluation"),
    (
        "eval_title",
        "Synthetische controle: het industrieaandeel van {geo} na {year}",
        "Synthetic control: the industry share of {geo} after {year}",
    ),
    (
        "eval_intro",
        "Hoe had het industrieaandeel van {geo} zich zonder het beleid vanaf {year} ontwikkeld? Een synthetisch {geo} is een gewogen gemiddelde van andere EU-landen dat het aandeel vóór {year} zo goed mogelijk volgt (Abadie, Diamond & Hainmueller). Het verschil daarna is de geschatte werking; dezelfde berekening voor elk donorland als placebo laat zien hoe groot zulke verschillen toevallig zijn.",
        "How would the industry share of {geo} have developed without the policy from {year}? A synthetic {geo} is a weighted average of other EU countries that tracks the share before {year} as closely as possible (Abadie, Diamond & Hainmueller). The gap afterwards is the estimated effect; the same computation for every donor country as a placebo shows how large such gaps are by chance.",
    ),
    ("synthetic_unit", "Synthetisch", "Synthetic"),
    (
        "fig_synth_paths",
        "Industrieaandeel van {geo} en van het synthetische {geo}",
        "Industry share of {geo} and of the synthetic {geo}",
    ),
    (
        "fig_synth_paths_desc",
        "Aandeel van de industrie in de toegevoegde waarde (%), {geo} en het gewogen gemiddelde van de donorlanden; de stippellijn markeert {year}.",
        "Industry's share of value added (%), {geo} and the weighted average of the donor countries; the dashed line marks {year}.",
    ),
    (
        "fig_synth_gaps",
        "Verschil met het synthetische land: {geo} tegen de placebo's",
        "Gap to the synthetic country: {geo} against the placebos",
    ),
    (
        "fig_synth_gaps_desc",
        "Werkelijk min synthetisch aandeel (procentpunt) voor {geo} (dik) en voor elk donorland als placebo behandeld (grijs).",
        "Actual minus synthetic share (percentage points) for {geo} (bold) and for every donor country treated as a placebo (grey).",
    ),
    (
        "fig_synth_weights",
        "Waaruit het synthetische {geo} bestaat",
        "What the synthetic {geo} is made of",
    ),
    (
        "fig_synth_weights_desc",
        "Gewicht van elk donorland in het synthetische {geo} (samen 1); landen met gewicht 0 staan alleen in de tabel.",
        "Weight of each donor country in the synthetic {geo} (summing to 1); countries with weight 0 are in the table only.",
    ),
    ("unit", "Eenheid", "Unit"),
    ("weight", "Gewicht", "Weight"),
    ("rmspe_pre", "RMSPE vóór", "RMSPE before"),
    ("rmspe_post", "RMSPE na", "RMSPE after"),
    ("rmspe_ratio", "Verhouding na/vóór", "Ratio after/before"),
    ("role", "Rol", "Role"),
    ("treated", "behandeld", "treated"),
    ("placebo", "placebo", "placebo"),
    (
        "att",
        "Gemiddeld effect na de start",
        "Average effect after the start",
    ),
    ("att_se", "Standaardfout", "Standard error"),
    (
        "placebo_p",
        "Placebo-p-waarde (rang / eenheden)",
        "Placebo p-value (rank / units)",
    ),
    ("donors", "Donorlanden", "Donor countries"),
    ("caveats", "Waar u op moet letten", "What to keep in mind"),
    (
        "caveat_fit",
        "Het verschil na de start zegt alleen iets als het synthetische land het aandeel vóór de start goed volgt: vergelijk de RMSPE vóór met de schaal van het aandeel.",
        "The gap after the start means something only if the synthetic country tracks the share well before it: compare the RMSPE before with the scale of the share.",
    ),
    (
        "caveat_donors",
        "Er zijn {n} donorlanden; landen zonder aandeel in elk jaar vallen af. Andere EU-landen voerden in dezelfde jaren ook industriebeleid, dus de vergelijking is er een met landen die zelf ook beleid hadden.",
        "There are {n} donor countries; countries without the share in every year are left out. Other EU countries ran industrial policies in the same years, so the comparison is with countries that had policies of their own.",
    ),
    (
        "caveat_p",
        "De placebo-p-waarde is de rang van de verhouding na/vóór onder {n} eenheden: met zo weinig eenheden is de kleinst mogelijke p-waarde {p}, en een grote p-waarde betekent niet dat er geen effect is.",
        "The placebo p-value is the rank of the after/before ratio among {n} units: with so few units the smallest attainable p-value is {p}, and a large p-value does not mean there is no effect.",
    ),
    (
        "caveat_causal",
        "Een schatting, geen bewijs: andere schokken na de start (crises, wisselkoersen, herzieningen van de statistiek) tellen mee in het verschil.",
        "An estimate, not a proof: other shocks after the start (crises, exchange rates, revisions of the statistics) count in the gap.",
    ),
    (
        "v_weights",
        "Gewichten van de voorspellers (V)",
        "Weights of the predictors (V)",
    ),
    ("predictor", "Voorspeller", "Predictor"),
    ("pp_unit", "procentpunt", "pp"),
    ("gap_synth", "Verschil", "Gap"),
    (
        "mutual",
        "Wederzijdse afhankelijkheden",
        "Mutual dependencies",
    ),
    ("crm", "Kritieke grondstoffen", "Critical raw materials"),
    (
        "dp_story_intro",
        "Het afhankelijkheidsverhaal van dit product voor {geo} in {year}, stap voor stap zoals `indmon dependencies explain` het geeft.",
        "This product's dependency story for {geo} in {year}, step by step as `indmon dependencies explain` gives it.",
    ),
    ("dp_verdict", "Oordeel", "Verdict"),
    (
        "dp_back_to_screen",
        "Terug naar alle afhankelijkheden",
        "Back to all dependencies",
    ),
    ("dp_steps", "Alle stappen", "Every step"),
    ("dp_step", "Stap", "Step"),
    ("dp_value", "Waarde", "Value"),
    ("dp_threshold", "Drempel", "Threshold"),
    ("dp_met", "Voldaan", "Met"),
    ("dp_yes", "ja", "yes"),
    ("dp_no", "nee", "no"),
    ("dp_explanation", "Toelichting (Engels)", "Explanation"),
    ("dp_step_product", "Product", "Product"),
    (
        "dp_step_imports",
        "Invoer (dzd USD)",
        "Imports (thousand USD)",
    ),
    (
        "dp_step_concentration",
        "1. Concentratie (HHI buiten de EU)",
        "1. Concentration (HHI outside the EU)",
    ),
    (
        "dp_step_outside",
        "2. Aandeel van buiten de EU",
        "2. Share from outside the EU",
    ),
    (
        "dp_step_ratio",
        "3. Invoer van buiten / uitvoer",
        "3. Imports from outside / exports",
    ),
    (
        "dp_step_persistence",
        "Persistentie (jaren)",
        "Persistence (years)",
    ),
    (
        "dp_step_suppliers",
        "Leveranciers (grootste aandeel)",
        "Suppliers (largest share)",
    ),
    (
        "dp_step_world_supply",
        "Wereldaanbod (HHI)",
        "World supply (HHI)",
    ),
    (
        "dp_step_crucial",
        "Cruciaal voor publieke belangen",
        "Crucial for public interests",
    ),
    (
        "dp_step_risk",
        "Verstoringsrisico (aandeel niet-gelijkgezind)",
        "Disruption risk (share not like-minded)",
    ),
    ("dp_step_verdict", "Oordeel", "Verdict"),
    ("dp_kusd", "dzd USD", "thousand USD"),
    (
        "dp_imports_kusd",
        "Invoer (dzd USD)",
        "Imports (thousand USD)",
    ),
    ("dp_origin", "Herkomst", "Origin"),
    (
        "dp_share_of_imports",
        "Aandeel in de invoer",
        "Share of imports",
    ),
    ("dp_relation", "Relatie", "Relation"),
    ("dp_rel_eu", "EU", "EU"),
    ("dp_rel_like_minded", "Gelijkgezind", "Like-minded"),
    ("dp_rel_other", "Overig", "Other"),
    ("dp_rel_high_risk", "Hoog risico", "High-risk"),
    (
        "dp_fig_suppliers",
        "Invoer naar herkomst, {geo} {year} (dzd USD)",
        "Imports by origin, {geo} {year} (thousand USD)",
    ),
    (
        "dp_fig_suppliers_desc",
        "Per land van herkomst de invoer van dit product; de kleur geeft de relatie van de leverancier: EU, gelijkgezind, overig of hoog risico.",
        "The imports of this product per country of origin; the colour gives the supplier's relation: EU, like-minded, other or high-risk.",
    ),
    (
        "dp_fig_criteria",
        "De drie criteria per jaar, {geo}",
        "The three criteria per year, {geo}",
    ),
    (
        "dp_fig_criteria_desc",
        "De concentratie (HHI) en het aandeel van de invoer van buiten de EU (linker as) en de verhouding invoer van buiten de EU / uitvoer (rechter as) in elk jaar van het venster dat de data hebben; de stippellijnen zijn de drempels.",
        "The concentration (HHI) and the share of imports from outside the EU (left axis) and the ratio of imports from outside the EU to exports (right axis) in every year of the window the data have; the dashed lines are the thresholds.",
    ),
    ("dp_crit_concentration", "1 voldaan", "1 met"),
    ("dp_crit_outside", "2 voldaan", "2 met"),
    ("dp_crit_ratio", "3 voldaan", "3 met"),
    ("dp_crit_all", "Alle drie", "All three"),
    ("dp_persistence", "Persistentie", "Persistence"),
    (
        "dp_persistence_met",
        "De drie criteria zijn voldaan in {n} van de {window} jaren van het venster (nodig: {min}).",
        "The three criteria are met in {n} of the {window} years of the window (needed: {min}).",
    ),
    (
        "dp_persistence_unchecked",
        "Niet gecontroleerd: de data hebben niet alle {window} jaren tot {year}.",
        "Not checked: the data do not have all {window} years to {year}.",
    ),
    ("dp_world_supply", "Wereldaanbod", "World supply"),
    (
        "dp_world_hhi",
        "HHI van de wereldexport",
        "HHI of world exports",
    ),
    ("dp_concentrated", "Geconcentreerd", "Concentrated"),
    (
        "dp_world_exports_kusd",
        "Wereldexport (dzd USD)",
        "World exports (thousand USD)",
    ),
    (
        "dp_reporter_world_share",
        "Aandeel van {geo} in de wereldexport",
        "{geo}'s share of world exports",
    ),
    (
        "dp_bloc_share_note",
        "Het aandeel laat de handel binnen het blok weg.",
        "The share leaves out the bloc's own trade.",
    ),
    (
        "dp_reexport",
        "Correctie voor wederuitvoer",
        "Re-export correction",
    ),
    ("dp_correction", "Correctie", "Correction"),
    (
        "dp_ratio_before",
        "Invoer van buiten / uitvoer, ongecorrigeerd",
        "Imports from outside / exports, uncorrected",
    ),
    (
        "dp_ratio_used",
        "Verhouding na correctie",
        "Ratio after the correction",
    ),
    (
        "dp_retained_share",
        "Aandeel van de invoer voor binnenlands gebruik",
        "Share of imports retained for domestic use",
    ),
    (
        "dp_dependency_uncorrected",
        "Afhankelijkheid zonder correctie",
        "Dependency without the correction",
    ),
    (
        "dp_crucial_areas",
        "Cruciaal voor publieke belangen: gebieden en onderbouwing",
        "Crucial for public interests: areas and rationale",
    ),
    (
        "dp_no_areas",
        "Het product valt in geen gebied dat cruciaal is voor publieke belangen.",
        "The product is in no area crucial for public interests.",
    ),
    ("dp_area_source", "Bron", "Source"),
    ("dp_segment", "Segment", "Segment"),
    ("dp_confidence", "Zekerheid", "Confidence"),
    ("dp_rationale", "Onderbouwing", "Rationale"),
    ("dp_risk_high", "Hoog", "High"),
    (
        "dp_high_risk_share",
        "Aandeel van buiten de EU uit landen met hoog risico",
        "Share from outside the EU from high-risk countries",
    ),
    (
        "dp_non_aligned_share",
        "Aandeel van buiten de EU uit niet-gelijkgezinde landen",
        "Share from outside the EU from countries not like-minded",
    ),
    ("dp_in_words", "In woorden", "In words"),
    ("dp_not_met", "Niet voldaan", "Not met"),
    (
        "dp_mutual_title",
        "Waar anderen afhankelijk zijn van {geo} — {year}",
        "Where others depend on {geo} — {year}",
    ),
    (
        "dp_mutual_intro",
        "Producten waarvan {geo} ten minste {share} van de wereldexport levert bij een wereldaanbod met een HHI van ten minste {hhi}; een land is afhankelijk van {geo} als {geo} ten minste {pshare} van zijn invoer levert (ten minste {min} dzd USD). Tweezijdig: partners die van {geo} afhangen en waarvan {geo} afhangt.",
        "Products of which {geo} supplies at least {share} of world exports where world supply has an HHI of at least {hhi}; a country depends on {geo} when {geo} supplies at least {pshare} of its imports (at least {min} thousand USD). Two-way: partners that depend on {geo} and on which {geo} depends.",
    ),
    ("dp_mutual_products", "Producten", "Products"),
    (
        "dp_two_way_partners",
        "Tweezijdige partners",
        "Two-way partners",
    ),
    (
        "dp_reporter_dependencies",
        "Afhankelijkheden van {geo}",
        "Dependencies of {geo}",
    ),
    (
        "dp_fig_mutual_products",
        "Producten waarin {geo} een groot deel van de wereld levert, {year}",
        "Products in which {geo} supplies a large share of the world, {year}",
    ),
    (
        "dp_fig_mutual_products_desc",
        "Het aandeel van {geo} in de wereldexport per product (ten minste {share}, wereld-HHI ten minste {hhi}); de stippellijn is de drempel.",
        "{geo}'s share of world exports per product (at least {share}, world HHI at least {hhi}); the dashed line is the threshold.",
    ),
    (
        "dp_dependent_partners",
        "Landen die afhankelijk zijn (aandeel van de reporter in hun invoer)",
        "Dependent countries (the reporter's share of their imports)",
    ),
    (
        "dp_no_mutual_products",
        "In deze data levert {geo} van geen enkel product een zo groot deel van een geconcentreerd wereldaanbod.",
        "In these data {geo} supplies no product at such a share of concentrated world supply.",
    ),
    (
        "dp_fig_mutual_partners",
        "Landen die afhankelijk zijn van {geo}, {year}",
        "Countries that depend on {geo}, {year}",
    ),
    (
        "dp_fig_mutual_partners_desc",
        "Per land en product het aandeel van {geo} in de invoer van dat land (afhankelijk vanaf {share} en {min} dzd USD); de stippellijn is de drempel.",
        "Per country and product {geo}'s share of that country's imports (dependent from {share} and {min} thousand USD); the dashed line is the threshold.",
    ),
    (
        "dp_no_dependent_partners",
        "Geen land is in deze data afhankelijk van {geo} voor deze producten.",
        "No country depends on {geo} for these products in these data.",
    ),
    ("dp_partner", "Partner", "Partner"),
    (
        "dp_imports_from_reporter",
        "Invoer uit {geo} (dzd USD)",
        "Imports from {geo} (thousand USD)",
    ),
    (
        "dp_partner_imports_kusd",
        "Hun invoer (dzd USD)",
        "Their imports (thousand USD)",
    ),
    (
        "dp_share_from_reporter",
        "Aandeel van de reporter in hun invoer",
        "The reporter's share of their imports",
    ),
    (
        "dp_fig_two_way",
        "Tweezijdige afhankelijkheden van {geo}, {year}",
        "Two-way dependencies of {geo}, {year}",
    ),
    (
        "dp_fig_two_way_desc",
        "Per partner het aantal producten waarvoor {geo} van hem afhangt en waarvoor hij van {geo} afhangt.",
        "Per partner the number of products for which {geo} depends on it and for which it depends on {geo}.",
    ),
    (
        "dp_no_two_way",
        "In deze data is er geen partner met afhankelijkheid in beide richtingen met {geo}.",
        "In these data no partner has dependence both ways with {geo}.",
    ),
    ("dp_products_count", "producten", "products"),
    (
        "dp_we_depend",
        "{geo} hangt af van partner (HS6)",
        "{geo} depends on the partner (HS6)",
    ),
    (
        "dp_they_depend",
        "Partner hangt af van {geo} (HS6)",
        "The partner depends on {geo} (HS6)",
    ),
    (
        "dp_crm_title",
        "Kritieke grondstoffen van de EU — beoordeling {year}",
        "EU critical raw materials — {year} assessment",
    ),
    (
        "dp_crm_intro",
        "Het leveringsrisico (SR) en het economisch belang (EI) van elke grondstof zoals de studie van de Europese Commissie ze publiceert; kritiek bij SR ≥ 1 en EI ≥ 2,8. Klik op een grondstof voor haar geschiedenis sinds 2011 en haar aanbod per fase.",
        "Each material's supply risk (SR) and economic importance (EI) as the European Commission's study publishes them; critical at SR ≥ 1 and EI ≥ 2.8. Follow a material for its history since 2011 and its supply per stage.",
    ),
    (
        "dp_materials_scored",
        "Grondstoffen met scores",
        "Materials with scores",
    ),
    ("dp_crm_critical", "Kritiek", "Critical"),
    ("dp_crm_not_critical", "Niet kritiek", "Not critical"),
    (
        "dp_fig_crm",
        "Leveringsrisico tegenover economisch belang, beoordeling {year}",
        "Supply risk against economic importance, {year} assessment",
    ),
    (
        "dp_fig_crm_desc",
        "Horizontaal het economisch belang (EI), verticaal het leveringsrisico (SR); de stippellijnen zijn de drempels (EI 2,8, SR 1). Rood: kritiek.",
        "Horizontally the economic importance (EI), vertically the supply risk (SR); the dashed lines are the thresholds (EI 2.8, SR 1). Red: critical.",
    ),
    ("dp_material", "Grondstof", "Material"),
    ("dp_sr", "Leveringsrisico (SR)", "Supply risk (SR)"),
    (
        "dp_ei",
        "Economisch belang (EI)",
        "Economic importance (EI)",
    ),
    ("dp_critical", "Kritiek", "Critical"),
    ("dp_critical_in", "Kritiek in", "Critical in"),
    (
        "dp_top_supplier",
        "Grootste leverancier wereldwijd",
        "Largest global supplier",
    ),
    ("dp_extraction", "winning", "extraction"),
    ("dp_processing", "verwerking", "processing"),
    (
        "dp_fig_crm_supply",
        "Concentratie van het wereldaanbod per fase, beoordeling {year} (HHI)",
        "Concentration of global supply per stage, {year} assessment (HHI)",
    ),
    (
        "dp_fig_crm_supply_desc",
        "De HHI van de gepubliceerde aandelen in het wereldaanbod, winning en verwerking, per grondstof waarvoor de studie ze geeft (een ondergrens: kleine aandelen ontbreken); de tabel geeft ook de EU-inkoop.",
        "The HHI of the published shares of global supply, extraction and processing, per material the study gives them for (a lower bound: small shares are missing); the table gives EU sourcing too.",
    ),
    (
        "dp_hhi_global_extraction",
        "HHI wereld, winning",
        "HHI global, extraction",
    ),
    (
        "dp_hhi_global_processing",
        "HHI wereld, verwerking",
        "HHI global, processing",
    ),
    (
        "dp_hhi_eu_extraction",
        "HHI EU-inkoop, winning",
        "HHI EU sourcing, extraction",
    ),
    (
        "dp_hhi_eu_processing",
        "HHI EU-inkoop, verwerking",
        "HHI EU sourcing, processing",
    ),
    (
        "dp_crm_codes",
        "HS6-codes van kritieke grondstoffen en de invoerafhankelijkheid van {geo}, {year}",
        "HS6 codes of critical raw materials and {geo}'s import dependency, {year}",
    ),
    (
        "dp_crm_codes_desc",
        "De handelscodes die een grondstof bevatten, met de criteria en de trede uit de afhankelijkhedenscan van {geo}.",
        "The trade codes that hold a material, with the criteria and the tier from {geo}'s dependency screen.",
    ),
    ("dp_not_imported", "niet ingevoerd", "not imported"),
    (
        "dp_back_to_crm",
        "Terug naar alle kritieke grondstoffen",
        "Back to all critical raw materials",
    ),
    (
        "dp_not_scored",
        "De studie geeft deze grondstof geen eigen scores (zij is in een groep beoordeeld).",
        "The study gives this material no scores of its own (it is assessed in a group).",
    ),
    (
        "dp_fig_crm_history",
        "Leveringsrisico en economisch belang per beoordeling — {material}",
        "Supply risk and economic importance per assessment — {material}",
    ),
    (
        "dp_fig_crm_history_desc",
        "SR en EI in elke beoordeling sinds 2011; de stippellijnen zijn de drempels van de methode van 2017 (SR 1, EI 2,8); in 2011 en 2014 gold EI 5 op een andere schaal.",
        "SR and EI in every assessment since 2011; the dashed lines are the thresholds of the 2017 method (SR 1, EI 2.8); in 2011 and 2014 the threshold was EI 5 on another scale.",
    ),
    ("dp_assessment", "Beoordeling", "Assessment"),
    ("dp_supply_by_stage", "Aanbod per fase", "Supply per stage"),
    (
        "dp_no_supply",
        "De studie publiceert voor deze grondstof geen aandelen per land.",
        "The study publishes no shares per country for this material.",
    ),
    ("dp_eu_sourcing", "EU-inkoop", "EU sourcing"),
    ("dp_global_supply", "Wereldaanbod", "Global supply"),
    (
        "dp_hs6_codes",
        "HS6-codes in de handelsdata",
        "HS6 codes in the trade data",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::Nl.pct(0.120_34, 1), "12,0 %");
        assert_eq!(Lang::En.pct(0.120_34, 1), "12.0 %");
        assert_eq!(Lang::Nl.number(962_084.0, 0), "962.084");
        assert_eq!(Lang::En.number(962_084.4, 1), "962,084.4");
        assert_eq!(Lang::En.number(-1234.5, 1), "−1,234.5");
        assert_eq!(Lang::Nl.number(-0.04, 1), "0,0");
        assert_eq!(Lang::En.pp(0.354, 2), "+0.35 pp");
        assert_eq!(Lang::Nl.pp(-1.2, 2), "−1,20 %-punt");
        assert_eq!(Lang::En.number(999.0, 0), "999");
        assert_eq!(Lang::En.number(1000.0, 0), "1,000");
    }

    #[test]
    fn every_key_has_both_languages_and_no_key_twice() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|t| t.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is defined twice");
        for (k, nl, en) in TEXTS {
            assert!(!nl.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(Lang::Nl.t("overview"), "Overzicht");
        assert_eq!(Lang::En.t("no such key"), "??");
    }
}
