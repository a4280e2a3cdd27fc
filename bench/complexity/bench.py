#!/usr/bin/env python3
"""Complexity benchmark: the Growth Lab's Python package `ecomplexity` 0.5.3 against
`indmon complexity --convention python` on the same panels, in one run, each in its own process.
Prints wall time, peak RSS, the ratio and the largest difference between the two per column.

    pip install -r bench/requirements.txt
    python3 bench/complexity/bench.py [--indmon target/release/indmon] [--panels sample,140x1200x3,230x5000x1]

Panels:
  sample       the real Growth Lab sample, data/py-ecomplexity/trade_data_sample.csv (10 × 30 × 2)
  CxPxY        SYNTHETIC: C countries × P products × Y years from the seeded generator below
               (numpy default_rng(seed=1)); written once to --work and reused.

The generator: each country has a capability a_c ~ N(0, 1) and a size s_c ~ lognormal(0, 1); each
product a complexity b_p ~ N(0, 1) and a market size m_p ~ lognormal(0, 1). Country c exports p with
probability sigmoid(1.5 (a_c − b_p) + 0.5), and then the value s_c · m_p · exp(a_c − b_p) ·
lognormal(0, 1) (thousand USD); every country exports its likeliest product and every product has its
likeliest exporter, so no row or column is empty. Each later year moves a_c by N(0, 0.1). This gives
the nested structure real export matrices have (capable countries export more, and more complex,
products) at about half the cells filled.

What is timed:
  python  `ecomplexity(df, cols)` alone, in-process (perf_counter), default options; reading the CSV
          and writing the result are not counted. Peak RSS is the whole process (pandas included).
  indmon  the whole process `indmon complexity --panel CSV --convention python --format csv --out
          OUT --no-save`: reading and checking the CSV, computing, writing every row as CSV (best
          of --repeat runs); the same with `--out OUT.parquet` (every row as Parquet); and its
          computation alone, the per-year times it reports on stderr.
Agreement: both outputs (indmon's CSV and its Parquet file, each) are joined on (year, location,
product); per column the largest
|indmon − python| and the largest |indmon − python| / max(1, |python|) are printed.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COLUMNS = ["rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"]

PYTHON_RUN = r"""
import json, sys, time, warnings
import pandas as pd
from ecomplexity import ecomplexity
warnings.simplefilter("ignore")
df = pd.read_csv(sys.argv[1], dtype={"origin": str, "hs92": str})
cols = {"time": "year", "loc": "origin", "prod": "hs92", "val": "export_val"}
t = time.perf_counter()
out = ecomplexity(df, cols, check_logsupermodularity=False, verbose=False)
secs = time.perf_counter() - t
out.to_csv(sys.argv[2], index=False, float_format="%.17g")
print(json.dumps({"seconds": secs}))
"""


def synthetic(c, p, years, path, seed=1):
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 1, c)
    s = rng.lognormal(0, 1, c)
    b = rng.normal(0, 1, p)
    m = rng.lognormal(0, 1, p)
    frames = []
    for y in range(years):
        if y:
            a = a + rng.normal(0, 0.1, c)
        gap = a[:, None] - b[None, :]
        prob = 1 / (1 + np.exp(-(1.5 * gap + 0.5)))
        exports = rng.random((c, p)) < prob
        exports[np.arange(c), prob.argmax(1)] = True
        exports[prob.argmax(0), np.arange(p)] = True
        value = s[:, None] * m[None, :] * np.exp(gap) * rng.lognormal(0, 1, (c, p))
        ci, pi = np.nonzero(exports)
        frames.append(pd.DataFrame({
            "year": 2000 + y,
            "origin": [f"c{i:03d}" for i in ci],
            "hs92": [f"p{j:04d}" for j in pi],
            "export_val": np.round(value[ci, pi], 3),
        }))
    df = pd.concat(frames)
    df.to_csv(path, index=False)
    return len(df)


def run(cmd):
    """Runs a command; returns (seconds, peak RSS in MiB, stdout, stderr) of that process alone.
    Peak RSS comes from GNU time (/usr/bin/time): the rusage of a child forked from this Python
    process would include this process's own memory from before the exec."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "maxrss_kb=%M", *cmd], capture_output=True)
    secs = time.perf_counter() - start
    err = p.stderr.decode()
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    rss = [line for line in err.splitlines() if line.startswith("maxrss_kb=")][-1]
    return secs, int(rss.split("=")[1]) / 1024, p.stdout.decode(), err


def compare(indmon_out, python_csv):
    if indmon_out.endswith(".parquet"):
        a = pd.read_parquet(indmon_out)
    else:
        a = pd.read_csv(indmon_out, dtype={"location": str, "product": str})
    b = pd.read_csv(python_csv, dtype={"origin": str, "hs92": str})
    b = b.rename(columns={"origin": "location", "hs92": "product"})
    j = a.merge(b, on=["year", "location", "product"], suffixes=("_i", "_p"), how="outer", indicator=True)
    if (j["_merge"] != "both").any():
        sys.exit("the two outputs do not have the same rows")
    worst = {}
    for col in COLUMNS:
        x, y = j[col + "_i"].astype(float), j[col + "_p"].astype(float)
        both_nan = x.isna() & y.isna()
        if (x.isna() != y.isna()).any():
            worst[col] = (float("inf"), float("inf"))
            continue
        d = (x - y).abs()[~both_nan]
        rel = (d / y.abs()[~both_nan].clip(lower=1)).max()
        worst[col] = (float(d.max()) if len(d) else 0.0, float(rel) if len(d) else 0.0)
    return worst, len(j)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--indmon", default=os.path.join(ROOT, "target/release/indmon"))
    ap.add_argument("--work", default="/tmp/indmon-bench-complexity")
    ap.add_argument("--panels", default="sample,140x1200x3,230x5000x1")
    ap.add_argument("--python", default=sys.executable, help="Python with ecomplexity 0.5.3")
    ap.add_argument("--repeat", type=int, default=3, help="indmon runs per panel (best is kept)")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    indmon = os.path.abspath(a.indmon)
    results = []
    for name in a.panels.split(","):
        if name == "sample":
            csv = os.path.join(ROOT, "data/py-ecomplexity/trade_data_sample.csv")
            label = "real sample 10×30×2"
        else:
            c, p, y = (int(v) for v in name.split("x"))
            csv = os.path.join(a.work, f"SYNTHETIC_{name}.csv")
            if not os.path.exists(csv):
                rows = synthetic(c, p, y, csv)
                print(f"wrote {csv}: {rows} rows", file=sys.stderr)
            label = f"SYNTHETIC {c}×{p}×{y}"
        py_out = os.path.join(a.work, f"python_{name}.csv")
        im_out = os.path.join(a.work, f"indmon_{name}.csv")
        py_wall, py_rss, py_stdout, _ = run([a.python, "-c", PYTHON_RUN, csv, py_out])
        py_secs = json.loads(py_stdout.strip().splitlines()[-1])["seconds"]
        # indmon: best of --repeat whole runs; its computation time is the sum of the per-year
        # times it reports on stderr ("2000: … , 0.52 s").
        im_runs = []
        for _ in range(a.repeat):
            secs, rss, _, err = run([indmon, "complexity", "--panel", csv, "--convention", "python",
                                     "--format", "csv", "--out", im_out, "--no-save"])
            compute = sum(float(m) for m in re.findall(r"^\d+: .*, ([0-9.]+) s$", err, re.M))
            im_runs.append((secs, rss, compute))
        im_secs, im_rss, im_compute = min(im_runs)
        pq_out = os.path.join(a.work, f"indmon_{name}.parquet")
        pq_runs = []
        for _ in range(a.repeat):
            secs, rss, _, _ = run([indmon, "complexity", "--panel", csv, "--convention", "python",
                                   "--out", pq_out, "--no-save"])
            pq_runs.append((secs, rss))
        pq_secs, pq_rss = min(pq_runs)
        worst, n = compare(im_out, py_out)
        worst_pq, n_pq = compare(pq_out, py_out)
        if n_pq != n:
            sys.exit("indmon's Parquet and CSV outputs do not have the same rows")
        worst = {c: max(worst[c], worst_pq[c]) for c in worst}
        results.append((label, n, py_secs, py_wall, py_rss, im_secs, im_rss, im_compute, worst,
                        pq_secs, pq_rss))
        print(f"\n{label} ({n} rows)")
        print(f"  python ecomplexity(): {py_secs:9.3f} s  (process {py_wall:.2f} s, peak RSS {py_rss:7.0f} MiB)")
        print(f"  indmon whole run:     {im_secs:9.3f} s  (computation {im_compute:.3f} s, peak RSS {im_rss:7.0f} MiB)")
        print(f"  indmon, Parquet out:  {pq_secs:9.3f} s  (peak RSS {pq_rss:7.0f} MiB)")
        print(f"  python / indmon:      {py_secs / im_secs:9.1f} × whole run (CSV), "
              f"{py_secs / pq_secs:.1f} × whole run (Parquet), "
              f"{py_secs / max(im_compute, 0.001):.1f} × computation")
        print("  largest |indmon − python| over CSV and Parquet (absolute; relative to max(1, |python|)):")
        for col, (d, r) in worst.items():
            print(f"    {col:<10} {d:.3e}  {r:.3e}")
    print("\n| panel | rows | python `ecomplexity()` s | python peak RSS MiB | indmon whole run, CSV out s | "
          "indmon whole run, Parquet out s | indmon computation s | indmon peak RSS MiB (CSV / Parquet) | "
          "python / indmon, CSV | python / indmon, Parquet | python / indmon (computation) | "
          "largest rel. difference |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, ps, _, pr, s, r, comp, worst, qs, qr in results:
        big = max(v[1] for v in worst.values())
        print(f"| {label} | {n:,} | {ps:.3f} | {pr:,.0f} | {s:.3f} | {qs:.3f} | {comp:.3f} | {r:,.0f} / {qr:,.0f} | "
              f"{ps / s:,.1f} | {ps / qs:,.1f} | {ps / max(comp, 0.001):,.0f} | {big:.1e} |")


if __name__ == "__main__":
    main()
