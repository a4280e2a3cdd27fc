#!/usr/bin/env python3
"""Synthetic-control benchmark: `pysyncon` (Synth + PlaceboTest) against `indmon evaluate synth
--placebo` on the same SYNTHETIC panel, in one run, each in its own process.
Prints wall time of each, and how far their weights, ATT and placebo p-values are apart.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pysyncon==1.7.0
    /tmp/venv/bin/python bench/evaluation/synth_bench.py --indmon target/release/indmon [--donors 27 --years 30]

The panel is SYNTHETIC (not statistics), generated below with numpy default_rng(seed=20261208):
units D01…DJ (donors) and T (treated), years 1990…1990+Y−1. A two-factor model:
    y_it = a_i + l_i1 f_1t + l_i2 f_2t + e_it,   e_it ~ N(0, 0.05²)
with a_i ~ N(10, 1), loadings l_i ~ N(1, 0.3²), factors random walks N(0, 0.2²) per year. The treated
unit's intercept and loadings are the 0.5/0.3/0.2 mix of donors D01–D03 (so a synthetic control
exists), and from the treatment year (the 21st year) its outcome falls by 1.0. Two covariates per unit and
year, x1 = 2 a_i + N(0, 0.1²) and x2 = l_i1 + N(0, 0.1²).
Design: predictors x1, x2 (mean over the first 20 years); special predictors the outcome means over
years 1–5, 6–10, 11–15 and 16–20; V optimised over years 1–20; ATT over the years from the 21st.

What is timed (wall clock, one run each, sequentially):
  pysyncon  in-process: Dataprep + Synth.fit (Nelder–Mead from equal V, as its tests) + att() +
            PlaceboTest.fit with max_workers=1 (one process: indmon uses one core) + pvalue.
            Reading the CSV is not counted.
  indmon    the whole process `indmon evaluate synth --spec SPEC --placebo --format json`: reading the
            CSV, the fit, the J placebo fits, the JSON.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def generate(donors: int, years: int, seed: int = 20261208) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(years)
    f = np.cumsum(rng.normal(0, 0.2, size=(2, years)), axis=1)
    a = rng.normal(10, 1, donors)
    lo = rng.normal(1, 0.3, size=(donors, 2))
    mix = np.zeros(donors)
    mix[:3] = [0.5, 0.3, 0.2]
    a_t = mix @ a
    lo_t = mix @ lo
    rows = []
    t0 = 20
    for i in range(donors + 1):
        name = "T" if i == donors else f"D{i + 1:02d}"
        ai, li = (a_t, lo_t) if i == donors else (a[i], lo[i])
        y = ai + li[0] * f[0] + li[1] * f[1] + rng.normal(0, 0.05, years)
        if i == donors:
            y = y - 1.0 * (t >= t0)
        x1 = 2 * ai + rng.normal(0, 0.1, years)
        x2 = li[0] + rng.normal(0, 0.1, years)
        for k in range(years):
            rows.append((name, 1990 + k, y[k], x1[k], x2[k]))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "x1", "x2"])


SPEC = """data = "panel.csv"
unit = "unit"
time = "year"
outcome = "y"
treated = "T"
predictors = ["x1", "x2"]
predictors_op = "mean"
predictor_years = "1990..2009"
special_predictors = [
    {{ variable = "y", years = "1990..1994" }},
    {{ variable = "y", years = "1995..1999" }},
    {{ variable = "y", years = "2000..2004" }},
    {{ variable = "y", years = "2005..2009" }},
]
optimize_years = "1990..2009"
treatment_year = 2010
att_years = "2010..{last}"
"""


def run_pysyncon(df: pd.DataFrame, last: int) -> dict:
    from pysyncon import Dataprep, Synth
    from pysyncon.utils import PlaceboTest

    controls = sorted(u for u in df.unit.unique() if u != "T")
    start = time.perf_counter()
    dp = Dataprep(
        foo=df,
        predictors=["x1", "x2"],
        predictors_op="mean",
        time_predictors_prior=range(1990, 2010),
        special_predictors=[
            ("y", range(1990, 1995), "mean"),
            ("y", range(1995, 2000), "mean"),
            ("y", range(2000, 2005), "mean"),
            ("y", range(2005, 2010), "mean"),
        ],
        dependent="y",
        unit_variable="unit",
        time_variable="year",
        treatment_identifier="T",
        controls_identifier=controls,
        time_optimize_ssr=range(1990, 2010),
    )
    s = Synth()
    s.fit(dataprep=dp, optim_method="Nelder-Mead", optim_initial="equal")
    att = s.att(time_period=range(2010, last + 1))
    fit_s = time.perf_counter() - start
    pt = PlaceboTest()
    pt.fit(dataprep=dp, scm=Synth(), scm_options={"optim_method": "Nelder-Mead", "optim_initial": "equal"},
           max_workers=1, verbose=False)
    p = pt.pvalue(treatment_time=2010)
    total = time.perf_counter() - start
    return {
        "weights": dict(zip(controls, map(float, s.W))),
        "att": att["att"],
        "se": att["se"],
        "p_value": float(p),
        "mspe": float(s.loss_V),
        "seconds_fit": fit_s,
        "seconds_total": total,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--indmon", default="target/release/indmon")
    ap.add_argument("--donors", type=int, default=27)
    ap.add_argument("--years", type=int, default=30)
    args = ap.parse_args()
    df = generate(args.donors, args.years)
    last = 1990 + args.years - 1
    with tempfile.TemporaryDirectory() as d:
        df.to_csv(os.path.join(d, "panel.csv"), index=False)
        spec = os.path.join(d, "panel.toml")
        with open(spec, "w") as fh:
            fh.write(SPEC.format(last=last))
        none = os.path.join(d, "none.toml")  # no settings file of the working directory
        open(none, "w").close()
        cmd = [args.indmon, "--quiet", "--data-dir", os.path.join(d, "data"), "--config", none,
               "evaluate", "synth", "--spec", spec, "--placebo", "--format", "json"]
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        ind_s = time.perf_counter() - start
        if out.returncode != 0:
            sys.exit(f"indmon failed: {out.stderr}")
        ind = json.loads(out.stdout)
    py = run_pysyncon(df, last)
    wdiff = max(abs(ind["weights"][u] - w) for u, w in py["weights"].items())
    top = lambda w: sorted(w.items(), key=lambda kv: -kv[1])[:4]
    print(f"panel: SYNTHETIC, {args.donors} donors x {args.years} years, seed 20261208")
    print(f"indmon  : {ind_s:8.2f} s  (whole process: fit + {args.donors} placebo fits)  "
          f"att {ind['att']['att']:.4f} se {ind['att']['se']:.4f} p {ind['placebo']['p_value']:.4f} "
          f"mspe {ind['mspe_optimize']:.6f}")
    print(f"pysyncon: {py['seconds_total']:8.2f} s  (fit {py['seconds_fit']:.2f} s; placebos on 1 worker)  "
          f"att {py['att']:.4f} se {py['se']:.4f} p {py['p_value']:.4f} mspe {py['mspe']:.6f}")
    print(f"ratio pysyncon / indmon: {py['seconds_total'] / ind_s:.1f}")
    print(f"largest weight difference: {wdiff:.4f}")
    print(f"indmon top weights  : {[(u, round(w, 4)) for u, w in top(ind['weights'])]}")
    print(f"pysyncon top weights: {[(u, round(w, 4)) for u, w in top(py['weights'])]}")
    print("p-values: indmon's is rank/(J+1) with the treated unit counted; pysyncon's counts the donors at or "
          "above the treated unit's ratio over J+1 (treatment year in both windows).")


if __name__ == "__main__":
    main()
