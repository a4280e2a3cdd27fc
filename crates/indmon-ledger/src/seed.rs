//! What a new ledger starts with: the facts the policy page states
//! (`rijksoverheid.nl`, "Beleidsdoel industriebeleid"; a copy is in the project's seed
//! folder), and nothing invented. Unknown amounts, dates and kinds stay empty; each
//! record names the page as its source. The seed is written by the actor [`ACTOR`], so
//! it is version 1 of each record in the audit trail.

use crate::{Incoming, schema};

/// Who the audit trail names for the seed.
pub const ACTOR: &str = "indmon seed (policy page)";

/// The source of every seeded record.
pub const SOURCE: &str = "Rijksoverheid, beleidsdoel industriebeleid (policy page, seed copy beleidsdoel-industriebeleid.txt)";

/// The id of the seeded goal.
pub const GOAL: &str = "industriebeleid";

/// The stated 2024 total, in euros: "ongeveer 338,3 miljoen euro".
pub const TOTAL_2024_EUR: i64 = 338_300_000;

/// The budget document the 2024 total comes from.
pub const TOTAL_2024_SOURCE: &str = "Ontwerpbegroting 2026 van het ministerie van Economische Zaken, verslagjaar 2024 (as cited on the policy page)";

/// The six programmes: (id = market id, Dutch name, English name).
pub const PROGRAMMES: &[(&str, &str, &str)] = &[
    ("semiconductors", "Halfgeleiders", "Semiconductors"),
    ("biotechnology", "Biotechnologie", "Biotechnology"),
    (
        "digital_ai",
        "Digitale diensten (met name AI)",
        "Digital services (AI in particular)",
    ),
    ("machine_building", "Machinebouw", "Machine building"),
    (
        "innovative_chemistry",
        "Innovatieve chemie",
        "Innovative chemistry",
    ),
    (
        "defence_growth",
        "Groeimarkten gerelateerd aan de Defensie Strategie voor Industrie en Innovatie (DSII) 2025-2029, zoals 6G, radar, lasersatellietcommunicatie en quantum",
        "Growth markets related to the Defence Strategy for Industry and Innovation (DSII) 2025-2029, such as 6G, radar, laser satellite communication and quantum",
    ),
];

/// The nine action types: (id, Dutch name, English name, the page's description).
pub const ACTION_TYPES: &[(&str, &str, &str, &str)] = &[
    (
        "capacity_knowledge",
        "Capaciteit en kennis",
        "Capacity and knowledge",
        "We zetten op ieder programma extra capaciteit in om kansen en knelpunten aan te pakken en we versterken onze kennispositie op de zes markten.",
    ),
    (
        "ecosystems",
        "Ecosystemen bouwen",
        "Building ecosystems",
        "Investeren in het samenbrengen van ondernemers, onderzoekers en ontwerpers in creatieve ecosystemen, met oog voor spillovers tussen markten en technologieën.",
    ),
    (
        "finance",
        "Financiering",
        "Finance",
        "Vergroten van de toegang tot (private) financiering om de toegang tot grotere financieringsbedragen voor doorgroei te vergroten.",
    ),
    (
        "regulation",
        "Regelgeving",
        "Regulation",
        "Wegnemen van belemmerende regels, zowel in Nederland als op EU-niveau, in samenwerking met de Europese Commissie en andere lidstaten.",
    ),
    (
        "space_infrastructure",
        "Ruimte, infrastructuur, water en gebouwen",
        "Space, infrastructure, water and buildings",
        "Oplossen van knelpunten rond fysieke ruimte, milieuruimte, infrastructuur, waterbeschikbaarheid, (woning)bouw, netcongestie en vergunningen voor specifieke markten.",
    ),
    (
        "internationalisation",
        "Internationalisering en acquisitie",
        "Internationalisation and acquisition",
        "Versterken van de interne markt en geopolitieke positie via handelsbevordering. Acquisitie van buitenlandse investeringen en bedrijven met hulp van de Netherlands Foreign Investment Agency (NFIA), waarbij economische veiligheidsbelangen worden meegewogen in welke bedrijven wel en niet worden aangetrokken. Europese samenwerking op specifieke markten (onder andere via de IPCEI's, Horizon Europe, Net Zero Industry Act).",
    ),
    (
        "human_capital",
        "Menselijk kapitaal",
        "Human capital",
        "Nederland profileren als magneet en opleidplek voor digitaal en technisch talent, in samenwerking met het bedrijfsleven.",
    ),
    (
        "market_creation",
        "Marktcreatie",
        "Market creation",
        "Creëren en stimuleren van nieuwe markten in Nederland en Europa, onder andere via strategische inkoop.",
    ),
    (
        "research",
        "Kennis en onderzoek",
        "Knowledge and research",
        "Investeren in fundamenteel en praktijkgericht onderzoek als spillover tussen kennisinstellingen en bedrijven.",
    ),
];

fn inc(id: &str, fields: &[(&str, &str)]) -> Incoming {
    Incoming {
        id: id.into(),
        version: None,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// The seed: the records a new ledger starts with, parents first.
pub fn batch() -> Vec<(&'static schema::Entity, Incoming)> {
    let e = |name: &str| schema::entity(name).expect("seed entity");
    let total = TOTAL_2024_EUR.to_string();
    let mut batch = vec![(
        e("goal"),
        inc(
            GOAL,
            &[
                (
                    "name_nl",
                    "Industriebeleid: de industrie vormt in 2030 ten minste 15 procent van de totale toegevoegde waarde",
                ),
                (
                    "name_en",
                    "Industrial policy: industry at least 15 per cent of total value added in 2030",
                ),
                (
                    "statement",
                    "Het doel van ons industriebeleid is drieledig: het verdienvermogen versterken; de economische veiligheid vergroten (risicovolle strategische afhankelijkheden voorkomen en waar mogelijk proportioneel verminderen); en inzetten op markten die ook bijdragen aan maatschappelijke opgaven. De ambitie is dat de industrie als onderdeel van een gediversifieerde economie in 2030 ten minste 15 procent vormt van onze totale toegevoegde waarde.",
                ),
                ("source", SOURCE),
            ],
        ),
    )];
    for (id, nl, en) in PROGRAMMES {
        batch.push((
            e("programme"),
            inc(
                id,
                &[
                    ("goal_id", GOAL),
                    ("market", id),
                    ("name_nl", nl),
                    ("name_en", en),
                    ("status", "in_preparation"),
                    ("source", SOURCE),
                    (
                        "notes",
                        "\"Op dit moment wordt gewerkt aan de verdere uitwerking van dit beleid\" (najaar 2025 aangekondigd).",
                    ),
                ],
            ),
        ));
    }
    for (i, (id, nl, en, description)) in ACTION_TYPES.iter().enumerate() {
        let pos = (i + 1).to_string();
        batch.push((
            e("action_type"),
            inc(
                id,
                &[
                    ("position", &pos),
                    ("name_nl", nl),
                    ("name_en", en),
                    ("description", description),
                    ("source", SOURCE),
                ],
            ),
        ));
    }
    let kind_unstated = "The policy page does not state the kind of instrument; set it when known.";
    batch.push((
        e("instrument"),
        inc(
            "tki",
            &[
                ("kind", "other"),
                ("name_nl", "Topconsortia voor Kennis en Innovatie (TKI's)"),
                ("name_en", "Top Consortia for Knowledge and Innovation (TKIs)"),
                ("goal_id", GOAL),
                ("source", SOURCE),
                (
                    "notes",
                    &format!(
                        "\"blijven een belangrijke rol spelen in het stimuleren van publiek-private samenwerkingen\". {kind_unstated}"
                    ),
                ),
            ],
        ),
    ));
    batch.push((
        e("instrument"),
        inc(
            "pps_innovatieregeling",
            &[
                ("kind", "other"),
                ("name_nl", "PPS-Innovatieregeling"),
                ("name_en", "PPP innovation scheme (PPS-Innovatieregeling)"),
                ("goal_id", GOAL),
                ("source", SOURCE),
                (
                    "notes",
                    &format!(
                        "\"wordt herzien om samenwerking tussen bedrijven en kennispartners verder te bevorderen\". {kind_unstated}"
                    ),
                ),
            ],
        ),
    ));
    batch.push((
        e("budget_line"),
        inc(
            "totaal-2024",
            &[
                ("goal_id", GOAL),
                ("year", "2024"),
                ("kind", "expenditure"),
                ("covers", "expenditure,tax_expenditure"),
                ("amount_eur", &total),
                ("prices", "current"),
                ("source_document", TOTAL_2024_SOURCE),
                (
                    "notes",
                    "Stated total, \"ongeveer 338,3 miljoen euro\" of business-policy spending linked to this tactical goal, including the budgetary cost of tax instruments on a transaction basis in current prices. Not itemised on the page.",
                ),
            ],
        ),
    ));
    batch.push((
        e("indicator"),
        inc(
            "industry_share",
            &[
                ("goal_id", GOAL),
                ("level", "impact"),
                ("name_nl", "Aandeel industrie in de totale toegevoegde waarde"),
                ("name_en", "Industry share of total value added"),
                ("unit", "%"),
                ("target_value", "15"),
                ("target_year", "2030"),
                ("series", "industry_share"),
                ("source", SOURCE),
                (
                    "notes",
                    "Headline indicator; the actuals come from the store (indmon target). The page gives no baseline year, only \"redelijk stabiel ... op ongeveer 12 procent\".",
                ),
            ],
        ),
    ));
    batch.push((
        e("milestone"),
        inc(
            "einde-topsectorenbeleid",
            &[
                ("goal_id", GOAL),
                ("name_nl", "Topsectorenbeleid afgerond"),
                ("name_en", "Top-sector policy ended"),
                ("date", "2026-01-01"),
                ("status", "reached"),
                ("source", SOURCE),
            ],
        ),
    ));
    batch.push((
        e("milestone"),
        inc(
            "aankondiging-industriebeleid",
            &[
                ("goal_id", GOAL),
                ("name_nl", "Nieuw industriebeleid met focus aangekondigd"),
                ("name_en", "New focused industrial policy announced"),
                ("status", "reached"),
                ("source", SOURCE),
                (
                    "notes",
                    "\"in het najaar van 2025\"; the page gives no exact date.",
                ),
            ],
        ),
    ));
    batch.push((
        e("evaluation"),
        inc(
            "eerdere-sectorsteun",
            &[
                ("goal_id", GOAL),
                ("kind", "synthesis"),
                (
                    "finding",
                    "De beschikbare evaluaties van eerdere sectorspecifieke steun laten zien dat deze doorgaans directe effecten opleveren. De doelmatigheid en effecten op lange termijn zijn echter onzeker.",
                ),
                ("source", SOURCE),
                ("notes", "The page names no single report or date."),
            ],
        ),
    ));
    batch
}
