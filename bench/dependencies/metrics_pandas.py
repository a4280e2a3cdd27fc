#!/usr/bin/env python3
"""Reference implementation in pandas of the dependency screen's metrics (see README.md).

    python3 metrics_pandas.py --reporter NL|EU27 --out OUT.csv BACI.csv [BACI.csv ...]

Writes the metrics table as CSV and prints one JSON line: {"rows": N, "dependencies": D}.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from codes import BLOC, COLUMNS, HHI, RATIO, REPORTERS, SHARE  # noqa: E402

DTYPES = {"t": "int32", "i": "int32", "j": "int32", "k": "int32", "v": "float64", "q": "str"}


def metrics(flows, reporter):
    r, b = REPORTERS[reporter], BLOC
    i_in_r, j_in_r = flows["i"].isin(r), flows["j"].isin(r)
    trade = flows["i"] != flows["j"]
    # Per (year, product, exporter): world sales w, sales into R (m; for a bloc a member's sales to
    # the other members count), sales of R to anyone but the exporter itself (x); zeros where a flow
    # does not count (they add nothing to sums or squares).
    flows = flows.assign(m=flows["v"].where(j_in_r & trade, 0.0),
                         x=flows["v"].where(i_in_r & trade, 0.0))
    g = flows.groupby(["t", "k", "i"], sort=True)[["v", "m", "x"]].sum().reset_index()
    g = g.rename(columns={"v": "w"})
    outside = ~g["i"].isin(b)
    g["w2"] = g["w"] * g["w"]
    g["m2"] = g["m"] * g["m"]
    g["o"] = g["m"].where(outside, 0.0)
    g["o2"] = g["m2"].where(outside, 0.0)
    by = g.groupby(["t", "k"], sort=True)
    p = by.agg(imports=("m", "sum"), outside=("o", "sum"), exports=("x", "sum"), m2=("m2", "sum"),
               o2=("o2", "sum"), world=("w", "sum"), w2=("w2", "sum"), m_top=("m", "max"))
    # Top origin: g is sorted by (t, k, i) and idxmax takes the first maximum, i.e. the smallest code.
    p["top_origin"] = g.loc[by["m"].idxmax().to_numpy(), "i"].to_numpy()
    p = p[p["imports"] > 0].reset_index()
    out = p[["t", "k"]].copy()
    out.insert(0, "reporter", reporter)
    out["hs6"] = p["k"].astype(str).str.zfill(6)
    out["year"] = p["t"]
    out["imports"] = p["imports"]
    out["imports_outside_bloc"] = p["outside"]
    out["exports"] = p["exports"]
    out["import_hhi"] = p["m2"] / (p["imports"] * p["imports"])
    out["outside_hhi"] = (p["o2"] / (p["outside"] * p["outside"])).where(p["outside"] > 0)
    out["outside_share"] = p["outside"] / p["imports"]
    out["import_export_ratio"] = (p["outside"] / p["exports"]).where(p["exports"] > 0)
    out["world_hhi"] = p["w2"] / (p["world"] * p["world"])
    out["top_origin"] = p["top_origin"]
    out["top_origin_share"] = p["m_top"] / p["imports"]
    return out[COLUMNS].sort_values(["year", "hs6"], kind="stable").reset_index(drop=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reporter", choices=sorted(REPORTERS), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    import pandas as pd
    frames = [pd.read_csv(f, dtype=DTYPES, usecols=["t", "i", "j", "k", "v"]) for f in a.files]
    flows = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    out = metrics(flows, a.reporter)
    out.to_csv(a.out, index=False)
    dep = ((out["outside_hhi"] > HHI) & (out["outside_share"] > SHARE)
           & ((out["import_export_ratio"] > RATIO) | (out["exports"] == 0)))
    print(json.dumps({"rows": len(out), "dependencies": int(dep.sum())}))


if __name__ == "__main__":
    main()
