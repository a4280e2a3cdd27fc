"""Builds geo.csv, indmon's geography code list, from ISO 3166 (the `pycountry` package)
and the names the bundled sources use. Run: pip install pycountry==26.2.16; python3 make_geo.py

Columns of geo.csv:
  code     indmon's geo code = Eurostat's: ISO 3166-1 alpha-2, except EL (Greece), UK (United
           Kingdom), XK (Kosovo), and Eurostat aggregates such as EU27_2020; a few sub-national
           areas that UNdata reports separately get codes of the form XX_NAME.
  iso3     ISO 3166-1 alpha-3 (empty for aggregates)
  numeric  ISO 3166-1 numeric (empty for aggregates)
  kind     country | aggregate | area
  label    English name (Eurostat's label where Eurostat has the country)
  aliases  other names used by the bundled sources (UNdata, OECD, BACI, Atlas), separated by '|'
"""
import csv
import pycountry

EUROSTAT_CODE = {"GR": "EL", "GB": "UK"}
# Eurostat labels (SDMX-CSV label form) where they differ from the ISO short name.
EUROSTAT_LABEL = {
    "CZ": "Czechia", "NL": "Netherlands", "MK": "North Macedonia", "TR": "Türkiye",
    "GB": "United Kingdom", "MD": "Moldova", "BA": "Bosnia and Herzegovina", "RU": "Russia",
    "US": "United States", "KR": "South Korea", "VN": "Viet Nam", "IR": "Iran",
    "TW": "Taiwan", "BO": "Bolivia", "VE": "Venezuela", "TZ": "Tanzania", "SY": "Syria",
    "LA": "Laos", "PS": "Palestine", "CD": "Democratic Republic of the Congo",
    "CG": "Congo", "CI": "Côte d'Ivoire", "KP": "North Korea", "FM": "Micronesia",
    "BN": "Brunei", "CV": "Cabo Verde", "SZ": "Eswatini", "HK": "Hong Kong",
    "MO": "Macao", "VA": "Holy See",
}
# Names of the bundled sources that are not an ISO name.
ALIASES = {
    "BS": ["Bahamas"], "BN": ["Brunei Darussalam"], "GM": ["Gambia"],
    "HK": ["China, Hong Kong Special Administrative Region", "China, Hong Kong SAR", "Hong Kong SAR"],
    "MO": ["China, Macao Special Administrative Region", "China, Macao SAR"],
    "IR": ["Iran (Islamic Republic of)"], "LA": ["Lao People's Democratic Republic", "Lao PDR"],
    "KR": ["Republic of Korea", "Korea", "Rep. of Korea", "Korea, Rep."],
    "KP": ["Democratic People's Republic of Korea", "Dem. People's Rep. of Korea"],
    "MD": ["Republic of Moldova", "Rep. of Moldova"], "PS": ["State of Palestine"],
    "TR": ["Turkey", "Türkiye"], "US": ["United States", "United States of America", "USA"],
    "VN": ["Viet Nam", "Vietnam"], "RU": ["Russian Federation", "Russia"],
    "CN": ["China (People’s Republic of)", "China (People's Republic of)"],
    "SK": ["Slovak Republic"], "CZ": ["Czech Republic"], "GB": ["United Kingdom", "UK"],
    "MK": ["North Macedonia", "The former Yugoslav Republic of Macedonia"],
    "TZ": ["United Republic of Tanzania", "United Rep. of Tanzania"],
    "BO": ["Bolivia (Plurinational State of)"], "VE": ["Venezuela (Bolivarian Republic of)"],
    "SY": ["Syrian Arab Republic"], "CD": ["Democratic Republic of the Congo", "Dem. Rep. of the Congo"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire"], "CV": ["Cabo Verde", "Cape Verde"],
    "SZ": ["Eswatini", "Swaziland"], "TW": ["Taiwan", "Chinese Taipei", "Other Asia, nes"],
    "FM": ["Micronesia (Federated States of)", "Micronesia (Fed. States of)"],
    "VG": ["British Virgin Islands", "Br. Virgin Isds"], "KY": ["Cayman Isds"],
    "WF": ["Wallis and Futuna Isds"], "CW": ["Curaçao", "Curacao"], "SX": ["Sint Maarten", "Saint Maarten"],
    "VA": ["Holy See (Vatican City State)"], "LI": ["Liechtenstein"], "MC": ["Monaco"],
    "NL": ["Netherlands (Kingdom of the)"],
}
EXTRA = [
    ("EU27_2020", "", "", "aggregate", "European Union - 27 countries (from 2020)", ["EU27", "European Union (27 countries)"]),
    ("EU28", "", "", "aggregate", "European Union - 28 countries (2013-2020)", []),
    ("EA20", "", "", "aggregate", "Euro area – 20 countries (from 2023)", ["Euro area - 20 countries (from 2023)"]),
    ("EA19", "", "", "aggregate", "Euro area - 19 countries  (2015-2022)", []),
    ("XK", "XKX", "", "country", "Kosovo*", ["Kosovo"]),
    ("TZ_MAINLAND", "", "", "area", "Tanzania - Mainland", []),
    ("TZ_ZANZIBAR", "", "", "area", "Zanzibar", []),
]

rows = []
for c in pycountry.countries:
    a2 = c.alpha_2
    label = EUROSTAT_LABEL.get(a2, getattr(c, "common_name", None) or c.name)
    names = {c.name, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name)}
    names.update(ALIASES.get(a2, []))
    names.discard(label)
    rows.append((EUROSTAT_CODE.get(a2, a2), c.alpha_3, c.numeric, "country", label, sorted(names)))
rows.extend(EXTRA)
rows.sort(key=lambda r: r[0])
with open("geo.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "iso3", "numeric", "kind", "label", "aliases"])
    for code, iso3, num, kind, label, aliases in rows:
        w.writerow([code, iso3, num, kind, label, "|".join(aliases)])
