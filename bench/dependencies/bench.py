#!/usr/bin/env python3
"""Dependency-screen benchmark: the strategic-dependency metrics of a reporter (NL, or the EU27 as one
bloc) per (year, HS6 product), computed from the same BACI-format trade file by indmon, DuckDB SQL and
pandas, in one run, each in its own process. Prints wall time, rows/s, peak RSS and the ratios to
indmon as a Markdown table, and checks that the three outputs agree.

    python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install -r bench/requirements.txt
    cargo build --release
    /tmp/benchvenv/bin/python bench/dependencies/bench.py [--rows 11000000] [--indmon target/release/indmon]
    /tmp/benchvenv/bin/python bench/dependencies/bench.py --scaling        # indmon alone, 1, 4, 16 M rows

The input is synthetic (`indmon synth baci --rows N --seed 1 --years 2024`), generated once per N into
--work and reused; --input FILE|FOLDER runs on an existing BACI-format file instead (e.g. real BACI).
What each tool does (the whole process is timed, interpreter start and imports included):
  indmon  indmon --quiet --data-dir TMP dependencies metrics --reporter R --trade FILE --format csv --out OUT
  duckdb  metrics_duckdb.py: read_csv with explicit types, the metrics in one SQL query, COPY to CSV
  pandas  metrics_pandas.py: read_csv with the same dtypes, the metrics with groupby, to_csv
The definitions (README.md) are in codes.py and the two reference runners. Agreement: same header,
same rows in the same order (year, hs6), reporter / hs6 / year / top_origin identical, every numeric
column within 1e-9 relative (empty where the other is empty), and the same dependency count — pandas
against DuckDB always, indmon against DuckDB when indmon ran.
"""
import argparse
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from codes import COLUMNS, FLOAT_COLUMNS, REPORTERS, is_dependency  # noqa: E402

TOLERANCE = 1e-9
GNU_TIME = "/usr/bin/time"


def run(cmd):
    """Runs a command; returns (seconds, peak RSS in MiB, stdout, stderr) of that process alone.
    Peak RSS comes from GNU time when present (as bench/complexity does): the rusage of a child
    forked straight from this Python process can include this process's memory from before the exec.
    Without GNU time, os.wait4 on the child (as bench/ingest does)."""
    if os.path.exists(GNU_TIME):
        start = time.perf_counter()
        p = subprocess.run([GNU_TIME, "-f", "maxrss_kb=%M", *cmd], capture_output=True)
        secs = time.perf_counter() - start
        out, err = p.stdout.decode(), p.stderr.decode()
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{err}")
        lines = err.splitlines()
        rss = [line for line in lines if line.startswith("maxrss_kb=")][-1]
        err = "\n".join(line for line in lines if not line.startswith("maxrss_kb="))
        return secs, int(rss.split("=")[1]) / 1024, out, err
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        secs = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{stderr}")
    return secs, usage.ru_maxrss / 1024, stdout, stderr


def generate(generator, work, rows):
    """The synthetic BACI file for `rows` rows, generated once into --work."""
    out = os.path.join(work, f"synth-{rows}")
    path = os.path.join(out, "BACI_HS12_Y2024_VSYNTHETIC.csv")
    if not os.path.exists(path):
        if not os.path.exists(generator):
            sys.exit(f"{generator} not found (needed to generate the input: cargo build --release, "
                     f"or --generator PATH)")
        data = os.path.join(work, "synth-data")
        os.makedirs(data, exist_ok=True)
        print(f"generating {rows:,} rows into {out} …", file=sys.stderr)
        subprocess.run([generator, "--quiet", "--data-dir", data, "synth", "baci", "--rows", str(rows),
                        "--seed", "1", "--years", "2024", "--out", out], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def trade_files(path):
    """BACI trade files of a file or folder (the folder is passed to indmon as it is)."""
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "BACI_*_Y*_V*.csv")))
        if not files:
            sys.exit(f"no BACI_*_Y*_V*.csv in {path}")
        return files
    return [path]


def count_rows(files):
    n = 0
    for f in files:
        with open(f, "rb") as fh:
            n += sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 24), b"")) - 1
    return n


def run_indmon(indmon, work, reporter, trade, out):
    data = tempfile.mkdtemp(prefix="indmon-data-", dir=work)
    try:
        secs, rss, _, _ = run([indmon, "--quiet", "--data-dir", data, "dependencies", "metrics",
                               "--reporter", reporter, "--trade", trade, "--format", "csv", "--out", out])
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return secs, rss, None


def run_reference(python, script, reporter, files, out):
    secs, rss, stdout, _ = run([python, os.path.join(HERE, script), "--reporter", reporter,
                                "--out", out, *files])
    return secs, rss, json.loads(stdout.strip().splitlines()[-1])


def load(path, reporter):
    """The rows of an output CSV, checked for the layout every tool must write."""
    with open(path, newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        if header != COLUMNS:
            sys.exit(f"{path}: columns {header}, expected {COLUMNS}")
        rows = list(r)
    keys = [(int(x[2]), x[1]) for x in rows]
    problems = []
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        problems.append("rows not sorted by (year, hs6) or repeated")
    if any(x[0] != reporter for x in rows):
        problems.append(f"reporter other than {reporter}")
    if any(len(x[1]) != 6 or not x[1].isdigit() for x in rows):
        problems.append("hs6 not six digits")
    if problems:
        sys.exit(f"{path}: " + "; ".join(problems))
    return rows


def number(s):
    return None if s == "" else float(s)


def dependencies(rows):
    ix = {c: COLUMNS.index(c) for c in ("outside_hhi", "outside_share", "import_export_ratio", "exports")}
    return sum(is_dependency(number(x[ix["outside_hhi"]]), number(x[ix["outside_share"]]),
                             number(x[ix["import_export_ratio"]]), number(x[ix["exports"]])) for x in rows)


def compare(a, b):
    """Compares two outputs (lists of rows). Returns (ok, text)."""
    if len(a) != len(b):
        return False, f"row counts differ: {len(a):,} against {len(b):,}"
    exact = [COLUMNS.index(c) for c in ("reporter", "hs6", "year", "top_origin")]
    floats = [COLUMNS.index(c) for c in FLOAT_COLUMNS]
    bad_keys, bad_top, worst, worst_col, bad_null = 0, 0, 0.0, "", 0
    for x, y in zip(a, b):
        if x[:3] != y[:3]:
            bad_keys += 1
            continue
        if int(x[exact[3]]) != int(y[exact[3]]):
            bad_top += 1
        for c in floats:
            u, v = number(x[c]), number(y[c])
            if (u is None) != (v is None):
                bad_null += 1
                continue
            if u is None or u == v:
                continue
            rel = abs(u - v) / max(abs(u), abs(v))
            if rel > worst:
                worst, worst_col = rel, COLUMNS[c]
    da, db = dependencies(a), dependencies(b)
    ok = not (bad_keys or bad_top or bad_null) and worst <= TOLERANCE and da == db
    text = (f"{len(a):,} rows, dependencies {da:,} / {db:,}, largest relative difference {worst:.1e}"
            + (f" ({worst_col})" if worst_col else ""))
    if bad_keys:
        text += f", {bad_keys:,} rows with other (reporter, hs6, year)"
    if bad_top:
        text += f", {bad_top:,} other top origins"
    if bad_null:
        text += f", {bad_null:,} values empty in one output only"
    return ok, text


def versions(python):
    p = subprocess.run([python, "-c", "import duckdb, pandas; print(duckdb.__version__, pandas.__version__)"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{python} lacks duckdb or pandas (pip install -r bench/requirements.txt):\n{p.stderr}")
    return p.stdout.split()


def compare_tools(a):
    indmon = os.path.abspath(a.indmon)
    tools = a.tools.split(",")
    if "indmon" in tools and not os.path.exists(indmon):
        print(f"note: {indmon} not found; indmon is left out (cargo build --release)", file=sys.stderr)
        tools.remove("indmon")
    elif "indmon" in tools:
        p = subprocess.run([indmon, "dependencies", "metrics", "--help"], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"note: {indmon} has no `dependencies metrics` command; indmon is left out "
                  f"(cargo build --release)", file=sys.stderr)
            tools.remove("indmon")
    if a.input:
        trade = os.path.abspath(a.input)
        files = trade_files(trade)
        nrows = count_rows(files)
        label = trade
    else:
        trade = generate(os.path.abspath(a.generator or a.indmon), a.work, a.rows)
        files, nrows, label = [trade], a.rows, f"{trade} (SYNTHETIC, seed 1)"
    dv, pv = versions(a.python)
    names = {"indmon": "**indmon**", "duckdb": f"DuckDB {dv}", "pandas": f"pandas {pv}"}
    size = sum(os.path.getsize(f) for f in files)
    print(f"input: {label}: {nrows:,} rows, {size / 2**20:.0f} MiB; {os.cpu_count()} cores; "
          f"best of {a.repeat}; peak RSS by {'GNU time' if os.path.exists(GNU_TIME) else 'wait4'}", flush=True)
    outdir = os.path.join(a.work, "out")
    os.makedirs(outdir, exist_ok=True)
    table, checks, failed = [], [], False
    for reporter in a.reporters.split(","):
        best, reported, outputs = {}, {}, {}
        for _ in range(a.repeat):
            for tool in tools:
                out = os.path.join(outdir, f"{tool}-{reporter}-{nrows}.csv")
                if tool == "indmon":
                    secs, rss, rep = run_indmon(indmon, a.work, reporter, trade, out)
                else:
                    secs, rss, rep = run_reference(a.python, f"metrics_{tool}.py", reporter, files, out)
                if tool not in best or secs < best[tool][0]:
                    best[tool] = (secs, rss)
                reported[tool], outputs[tool] = rep, out
        rows = {t: load(outputs[t], reporter) for t in tools}
        for tool in tools:
            secs, rss = best[tool]
            ratio = f"{secs / best['indmon'][0]:.2f}" if "indmon" in best else "—"
            table.append(f"| {nrows:,} | {reporter} | {names[tool]} | {secs:.2f} | {nrows / secs:,.0f} | "
                         f"{rss:,.0f} | {ratio} | {len(rows[tool]):,} | {dependencies(rows[tool]):,} |")
            rep = reported[tool]
            if rep and (rep["rows"] != len(rows[tool]) or rep["dependencies"] != dependencies(rows[tool])):
                failed = True
                checks.append(f"- {reporter}: {tool} reported {rep} but its CSV has {len(rows[tool])} rows, "
                              f"{dependencies(rows[tool])} dependencies")
        pairs = [("pandas", "duckdb"), ("indmon", "duckdb")]
        if "duckdb" not in tools:
            pairs = [("indmon", "pandas")]
        for x, y in pairs:
            if x in rows and y in rows:
                ok, text = compare(rows[x], rows[y])
                failed |= not ok
                checks.append(f"- {reporter}, {x} against {y}: {'agree' if ok else 'DIFFER'}: {text}")
    print("\n| input rows | reporter | tool | seconds | rows/s | peak RSS MiB | time / indmon | output rows "
          "| dependencies |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(table))
    print(f"\nAgreement (numeric columns within {TOLERANCE:g} relative; dependency = outside_hhi > 0.4, "
          "outside_share > 0.5, import_export_ratio > 1 or no exports):")
    print("\n".join(checks) if checks else "- nothing to compare")
    if failed:
        sys.exit("the outputs do not agree")


def scaling(a):
    indmon = os.path.abspath(a.indmon)
    if not os.path.exists(indmon):
        sys.exit(f"{indmon} not found (cargo build --release)")
    outdir = os.path.join(a.work, "out")
    os.makedirs(outdir, exist_ok=True)
    print(f"indmon alone, {os.cpu_count()} cores, best of {a.repeat}; inputs SYNTHETIC (seed 1, one year)")
    print("\n| input rows | reporter | seconds | rows/s | peak RSS MiB | s per million rows | output rows |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n in (int(x) for x in a.scaling_rows.split(",")):
        trade = generate(os.path.abspath(a.generator or a.indmon), a.work, n)
        for reporter in a.reporters.split(","):
            out = os.path.join(outdir, f"indmon-{reporter}-{n}.csv")
            secs, rss, _ = min(run_indmon(indmon, a.work, reporter, trade, out) for _ in range(a.repeat))
            print(f"| {n:,} | {reporter} | {secs:.2f} | {n / secs:,.0f} | {rss:,.0f} | {secs / n * 1e6:.3f} | "
                  f"{len(load(out, reporter)):,} |", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=11_000_000, help="rows of the synthetic input")
    ap.add_argument("--input", help="an existing BACI-format file or folder instead of the synthetic one")
    ap.add_argument("--indmon", default=os.path.join(ROOT, "target/release/indmon"))
    ap.add_argument("--generator", help="indmon binary that generates the input (default: --indmon)")
    ap.add_argument("--python", default=sys.executable, help="Python with duckdb and pandas")
    ap.add_argument("--work", default="/tmp/indmon-bench-deps")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool; the fastest is kept")
    ap.add_argument("--reporters", default="NL,EU27")
    ap.add_argument("--tools", default="indmon,duckdb,pandas")
    ap.add_argument("--scaling", action="store_true", help="indmon alone at --scaling-rows")
    ap.add_argument("--scaling-rows", default="1000000,4000000,16000000")
    a = ap.parse_args()
    for r in a.reporters.split(","):
        if r not in REPORTERS:
            sys.exit(f"unknown reporter {r}; known: {', '.join(REPORTERS)}")
    for t in a.tools.split(","):
        if t not in ("indmon", "duckdb", "pandas"):
            sys.exit(f"unknown tool {t}")
    os.makedirs(a.work, exist_ok=True)
    scaling(a) if a.scaling else compare_tools(a)


if __name__ == "__main__":
    main()
