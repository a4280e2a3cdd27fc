"""Shared definitions of the dependency-screen benchmark: BACI country codes, reporters, output columns,
the dependency criteria. Imported by bench.py and by the DuckDB and pandas reference runners."""

# The EU27 (since 1 February 2020) by BACI numeric code, checked against
# data/baci-crm-2024/country_codes_V202601.csv. BACI uses its own codes where they differ from ISO
# 3166-1 numeric: France 251 (not 250), Italy 381 (not 380); the USA is 842, Switzerland 757.
EU27 = {
    "AUT": 40, "BEL": 56, "BGR": 100, "CYP": 196, "CZE": 203, "DEU": 276, "DNK": 208, "EST": 233,
    "ESP": 724, "FIN": 246, "FRA": 251, "HRV": 191, "HUN": 348, "IRL": 372, "ITA": 381, "LTU": 440,
    "LUX": 442, "LVA": 428, "MLT": 470, "NLD": 528, "POL": 616, "PRT": 620, "ROU": 642, "SWE": 752,
    "SVN": 705, "SVK": 703, "GRC": 300,
}
assert len(EU27) == 27 and len(set(EU27.values())) == 27

# Reporter R and bloc B (the bloc is the EU27 for both reporters).
REPORTERS = {"NL": [528], "EU27": sorted(EU27.values())}
BLOC = sorted(EU27.values())

COLUMNS = ["reporter", "hs6", "year", "imports", "imports_outside_bloc", "exports", "import_hhi",
           "outside_hhi", "outside_share", "import_export_ratio", "world_hhi", "top_origin",
           "top_origin_share"]
FLOAT_COLUMNS = ["imports", "imports_outside_bloc", "exports", "import_hhi", "outside_hhi",
                 "outside_share", "import_export_ratio", "world_hhi", "top_origin_share"]

# A product is a dependency when outside_hhi > HHI AND outside_share > SHARE AND
# (import_export_ratio > RATIO OR exports = 0).
HHI, SHARE, RATIO = 0.4, 0.5, 1.0


def is_dependency(outside_hhi, outside_share, ratio, exports):
    """The criteria on one row; None stands for an empty (NULL) value."""
    return (outside_hhi is not None and outside_hhi > HHI and outside_share > SHARE
            and ((ratio is not None and ratio > RATIO) or exports == 0))
