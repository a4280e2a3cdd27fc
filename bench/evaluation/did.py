#!/usr/bin/env python3
"""Staggered DiD benchmark: `indmon evaluate did` against the Python packages `csdid` 0.4.3 and
`differences` 0.3.0 (Callaway & Sant'Anna ATT(g,t) with analytic standard errors and the simple
aggregation), on the same panels, in one run, each tool in its own process.

    python3 -m venv /tmp/didvenv && /tmp/didvenv/bin/pip install csdid==0.4.3 differences==0.3.0
    cargo build --release
    /tmp/didvenv/bin/python bench/evaluation/did.py --indmon target/release/indmon [--scale 100]

Panels:
  mpdta      the real `mpdta` of R `did` (500 US counties × 2003–2007; the copy in
             crates/indmon-analytics/tests/fixtures/evaluation/mpdta.csv).
  SYNTHETIC  --scale × as many units (100: 50,000 units × 5 years = 250,000 rows), from the seeded
             generator below (numpy default_rng(seed=18)), written once to --work and reused.

The generator: units get the groups of mpdta in its proportions (never treated 61.8 %, first
treated 2004 4 %, 2006 8 %, 2007 26.2 %), a covariate lpop ~ N(3, 1.5), a unit effect ~ N(8, 1);
y_it = unit effect + 0.02 (t − 2003) + 0.01 · lpop · (t − 2003) + effect + N(0, 0.1²), with the
effect −0.03 − 0.02 (t − g) from t ≥ g (so the parallel trends hold only given lpop).

Scenarios: doubly robust, never-treated comparison, without covariates (as the must-show) and with
lpop. What is timed:
  python  fitting the ATT(g,t) and the simple aggregation, in-process (perf_counter), after the CSV
          is read; peak RSS is the whole process (GNU time).
  indmon  the whole process `indmon evaluate did --data CSV ... --aggregate simple --format json`:
          reading and checking the CSV, all ATT(g,t), the aggregation, the Wald test, the JSON
          (best of --repeat runs); peak RSS by GNU time.
Agreement: the simple ATT and its standard error of each tool against indmon's.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MPDTA = os.path.join(ROOT, "crates/indmon-analytics/tests/fixtures/evaluation/mpdta.csv")

CSDID_RUN = r"""
import json, sys, time, warnings, io, contextlib
warnings.simplefilter("ignore")
import pandas as pd
from csdid.att_gt import ATTgt
df = pd.read_csv(sys.argv[1])
formula = "lemp~lpop" if sys.argv[2] == "lpop" else "lemp~1"
t = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    fit = ATTgt(yname="lemp", tname="year", idname="countyreal", gname="first.treat",
                xformla=formula, data=df).fit(est_method="dr", bstrap=False)
    fit.aggte(typec="simple", bstrap=False)
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "att": float(fit.atte["overall_att"]), "se": float(fit.atte["overall_se"])}))
"""

DIFFERENCES_RUN = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from differences import ATTgt
df = pd.read_csv(sys.argv[1])
df["g"] = df["first.treat"].where(df["first.treat"] > 0)
d = df.set_index(["countyreal", "year"])
formula = "lemp ~ lpop" if sys.argv[2] == "lpop" else "lemp"
t = time.perf_counter()
att = ATTgt(data=d, cohort_column="g")
att.fit(formula=formula, est_method="dr", control_group="never_treated", progress_bar=False)
s = att.aggregate("simple")
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "att": float(s.iloc[0, 0]), "se": float(s.iloc[0, 1])}))
"""


def synthetic(path, scale, seed=18):
    rng = np.random.default_rng(seed)
    n = 500 * scale
    groups = rng.choice([0, 2004, 2006, 2007], size=n, p=[0.618, 0.04, 0.08, 0.262])
    lpop = rng.normal(3.0, 1.5, n)
    alpha = rng.normal(8.0, 1.0, n)
    years = np.arange(2003, 2008)
    rows = []
    for t in years:
        eff = np.where((groups > 0) & (t >= groups), -0.03 - 0.02 * (t - groups), 0.0)
        y = alpha + 0.02 * (t - 2003) + 0.01 * lpop * (t - 2003) + eff + rng.normal(0, 0.1, n)
        rows.append(pd.DataFrame({
            "year": t, "countyreal": np.arange(1, n + 1), "lpop": lpop, "lemp": y,
            "first.treat": groups, "treat": (groups > 0).astype(int),
        }))
    df = pd.concat(rows).sort_values(["countyreal", "year"])
    df.to_csv(path, index=False, float_format="%.17g")


def timed(cmd):
    """Runs cmd under GNU time; returns (stdout, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name] + cmd,
                             check=True, capture_output=True, text=True)
        rss = int(tf.read().strip().splitlines()[-1]) / 1024
    return out.stdout, rss


def run_indmon(binary, data, covariate, repeat, work):
    cmd = [binary, "--data-dir", os.path.join(work, "indmon-data"), "--quiet", "evaluate", "did",
           "--data", data, "--outcome", "lemp", "--time", "year", "--id", "countyreal",
           "--group", "first.treat", "--aggregate", "simple", "--format", "json"]
    if covariate:
        cmd += ["--covariates", "lpop"]
    best, rss, out = None, 0, None
    import time
    for _ in range(repeat):
        t = time.perf_counter()
        stdout, r = timed(cmd)
        secs = time.perf_counter() - t
        best = secs if best is None else min(best, secs)
        rss = max(rss, r)
        out = json.loads(stdout)
    a = out["aggregation"][0]
    return {"seconds": best, "rss": rss, "att": a["overall_att"], "se": a["overall_se"]}


def run_python(script, data, covariate):
    stdout, rss = timed([sys.executable, "-c", script, data, "lpop" if covariate else "none"])
    r = json.loads(stdout.strip().splitlines()[-1])
    r["rss"] = rss
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--indmon", default=os.path.join(ROOT, "target/release/indmon"))
    ap.add_argument("--scale", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "indmon-bench-did"))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    big = os.path.join(a.work, f"did_synthetic_x{a.scale}.csv")
    if not os.path.exists(big):
        synthetic(big, a.scale)
    panels = [("mpdta 500×5", MPDTA), (f"SYNTHETIC {500 * a.scale}×5", big)]
    print("| panel | covariates | tool | seconds | peak RSS MiB | simple ATT | SE | |ΔATT| vs indmon | |ΔSE| vs indmon | tool / indmon (time) |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path in panels:
        for cov in (False, True):
            ind = run_indmon(a.indmon, path, cov, a.repeat, a.work)
            rows = [("indmon (whole process)", ind)]
            for tool, script in (("csdid 0.4.3 (fit)", CSDID_RUN), ("differences 0.3.0 (fit)", DIFFERENCES_RUN)):
                try:
                    rows.append((tool, run_python(script, path, cov)))
                except subprocess.CalledProcessError as e:
                    print(f"<!-- {tool} failed: {e.stderr[-300:]} -->", file=sys.stderr)
            for tool, r in rows:
                print(f"| {name} | {'lpop' if cov else 'none'} | {tool} | {r['seconds']:.3f} | {r['rss']:.0f} | "
                      f"{r['att']:.7f} | {r['se']:.7f} | {abs(r['att'] - ind['att']):.1e} | "
                      f"{abs(r['se'] - ind['se']):.1e} | {r['seconds'] / ind['seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
