#!/usr/bin/env python3
"""Ingest benchmark: one BACI-format CSV converted to Parquet by indmon, DuckDB and pandas + pyarrow,
in one run, each in its own process. Prints rows/s, wall time, peak RSS and the ratios to indmon.

    python3 bench/ingest/bench.py --rows 10000000 [--indmon target/release/indmon] [--work /tmp/indmon-bench]

The CSV is synthetic (indmon synth baci, seed 1, one year), generated once and reused, in two
orders: as generated (sorted by exporter, importer, product, as BACI files are) and shuffled
(coreutils `shuf` with a fixed random source), which sends indmon's duplicate check down its
hash-set path.
What each tool does:
  indmon  `indmon ingest baci FILE`: parse, check every value (types, ranges, 6-digit codes restored,
          duplicates of (t,i,j,k)), SHA-256 of the input, Parquet (Snappy), catalog record, atomic commit
  duckdb  COPY (SELECT * FROM read_csv(FILE)) TO OUT (FORMAT parquet)   (type inference; Snappy)
  pandas  read_csv(FILE, dtype={'k': str}).to_parquet(OUT)            (pyarrow engine; Snappy)
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

DUCKDB = """
import duckdb, sys
con = duckdb.connect()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)")
"""

PANDAS = """
import pandas as pd, sys
pd.read_csv(sys.argv[1], dtype={'k': str}).to_parquet(sys.argv[2], engine='pyarrow', index=False)
"""


def run(cmd):
    """Runs a command; returns (seconds, peak RSS in MiB) of that process alone."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - start
    err = p.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return secs, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--indmon", default="target/release/indmon")
    ap.add_argument("--work", default="/tmp/indmon-bench-ingest")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    indmon = os.path.abspath(a.indmon)
    os.makedirs(a.work, exist_ok=True)
    src_dir = os.path.join(a.work, f"synth-{a.rows}")
    csv = os.path.join(src_dir, "BACI_HS12_Y2024_VSYNTHETIC.csv")
    if not os.path.exists(csv):
        subprocess.run([indmon, "--quiet", "synth", "baci", "--rows", str(a.rows), "--seed", "1",
                        "--years", "2024", "--out", src_dir], check=True)
    shuffled = os.path.join(a.work, f"shuffled-{a.rows}", "BACI_HS12_Y2024_VSYNTHETIC.csv")
    if not os.path.exists(shuffled):
        os.makedirs(os.path.dirname(shuffled), exist_ok=True)
        subprocess.run(["bash", "-c", f"(head -n 1 {csv}; tail -n +2 {csv} | shuf --random-source=<(yes)) > {shuffled}"],
                       check=True)
    import duckdb, pandas, pyarrow  # noqa: E401  versions for the record
    print(f"duckdb {duckdb.__version__}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
          f"{os.cpu_count()} cores; best of {a.repeat}")
    for label, path in (("sorted (as BACI)", csv), ("shuffled", shuffled)):
        size = os.path.getsize(path)
        print(f"\ninput, {label}: {path}: {a.rows:,} rows, {size / 2**20:.0f} MiB (SYNTHETIC, BACI layout)")
        results = {}
        for _ in range(a.repeat):
            data = os.path.join(a.work, "store")
            shutil.rmtree(data, ignore_errors=True)
            subprocess.run([indmon, "--quiet", "--data-dir", data, "init"], check=True)
            results.setdefault("indmon", []).append(run([indmon, "--quiet", "--data-dir", data, "ingest", "baci", path]))
            results.setdefault("duckdb", []).append(
                run([sys.executable, "-c", DUCKDB, path, os.path.join(a.work, "duckdb.parquet")]))
            results.setdefault("pandas+pyarrow", []).append(
                run([sys.executable, "-c", PANDAS, path, os.path.join(a.work, "pandas.parquet")]))
        best = {k: min(v) for k, v in results.items()}
        base = best["indmon"][0]
        print(f"{'tool':16} {'seconds':>8} {'rows/s':>12} {'peak RSS MiB':>13} {'time / indmon':>14}")
        for k, (secs, rss) in best.items():
            print(f"{k:16} {secs:8.2f} {a.rows / secs:12,.0f} {rss:13.0f} {secs / base:14.2f}")


if __name__ == "__main__":
    main()
