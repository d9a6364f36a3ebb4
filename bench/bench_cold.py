"""Cold start: what a user meets first, in new processes, beside raw pyoxigraph.

For each size (default 1M; 5M when asked, on a quiet machine) it builds the store of
``bench/bench_impact.py`` plus the import record the pipeline writes (so ``svckg`` sees a
store it committed itself and does not drop the landscape as an orphan graph), then measures:

- ``svckg impact LEAF --format json`` in a new process: first run (no snapshot: builds the
  index and writes the snapshot), then warm runs (the snapshot is loaded); wall time and peak
  RSS from ``/usr/bin/time``-like ``resource`` figures of the child;
- raw pyoxigraph: a new process opening the store read-only and running one property-path
  query (the peer);
- ``svckg serve``: start to first impact answer over HTTP, and the server's RSS after it;
- bytes per edge of the index (snapshot size and in-process arrays).

``--startup STORE[,STORE]`` measures only the start of the server, median of ``--repeat`` new
processes per store (``demo`` is a store directory holding the demo landscape, made once):
``create_app`` wall time including its imports, start of ``svckg serve`` to the port
answering ``/healthz``, and to the first ``/graphql`` answer (the schema may still be
building when the port opens; that request waits for it).

The load average is printed beside each table (the machine may be shared).

Usage::

    .venv/bin/python bench/bench_cold.py --sizes 1M
    .venv/bin/python bench/bench_cold.py --sizes 1M,5M --json /tmp/cold.json
    .venv/bin/python bench/bench_cold.py --startup demo,/tmp/lean-1m

Not a test: never collected by pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.bench_impact import IMPACT_QUERY, IMPORT_GRAPH, build_disk_store  # noqa: E402
from bench.landscape import parse_size, unit_iri  # noqa: E402

PYTHON = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
CLI_SCRIPT = "import sys; from svckg.cli import main; main(sys.argv[1:])"
"""What the ``svckg`` console script runs."""
SERVE_SCRIPT = CLI_SCRIPT
RAW_SCRIPT = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
rows = list(store.query(sys.argv[2], use_default_graph_as_union=True))
print(len(rows))
"""


def record_import(store_dir: Path) -> None:
    """Write the import record of the landscape graph, as ``svckg import`` would."""
    from svckg.ingest import records
    from svckg.store.embedded import EmbeddedStore

    store = EmbeddedStore(store_dir)
    try:
        stamp = records.now()
        rec = records.ImportRecord(
            import_id="bench",
            source="landscape.nt",
            graph=IMPORT_GRAPH,
            inferred_graph=IMPORT_GRAPH + "/inferred",
            version=1,
            sha256="0" * 64,
            byte_size=0,
            triple_count=store.count(IMPORT_GRAPH),
            inferred_count=store.count(IMPORT_GRAPH + "/inferred"),
            format="n-triples",
            started=stamp,
            ended=stamp,
            agent="bench",
            validated=False,
            conforms=True,
            violations=0,
            warnings=0,
            forced=False,
            allowed_violations=False,
            added=0,
            removed=0,
            diff_truncated=False,
        )
        store.update(records.commit_update([rec], [], stamp))
    finally:
        store.close()


def cli_store(size: int, seed: int, workdir: Path) -> Path:
    """A copy of the bench store with its import record (built once per generator)."""
    source, _ = build_disk_store(size, seed, workdir)
    target = workdir / f"cli-{source.name}"
    if not (target / "RECORDED").exists():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("LOCK"))
        record_import(target)
        (target / "RECORDED").write_text("ok")
    return target


def timed_child(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB, from ``/usr/bin/time``) and stdout of a child process."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "MAXRSS %M", *argv], capture_output=True, env=ENV, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{argv[:4]} failed ({done.returncode}): {done.stderr[-2000:]}")
    rss_kb = [
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("MAXRSS")
    ]
    return wall, (rss_kb[-1] / 1024 if rss_kb else 0.0), done.stdout


def cli_impact(store_dir: Path, element: str) -> tuple[float, float, int]:
    """``svckg impact ELEMENT --format json`` in a new process: seconds, MB, impacted count."""
    wall, rss, out = timed_child(
        [PYTHON, "-c", CLI_SCRIPT, "impact", element, "--format", "json", "--store", str(store_dir)]
    )
    return wall, rss, len(json.loads(out)["impacted"])


def raw_query(store_dir: Path, element: str) -> tuple[float, float, int]:
    """Raw pyoxigraph in a new process: one property-path query."""
    wall, rss, out = timed_child([PYTHON, "-c", RAW_SCRIPT, str(store_dir), IMPACT_QUERY % element])
    return wall, rss, int(out.strip())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_serve(store_dir: Path) -> tuple[subprocess.Popen, int, float]:
    """``svckg serve`` on ``store_dir`` and a free port: the process, the port, its start time."""
    port = _free_port()
    proc = subprocess.Popen(
        [PYTHON, "-c", SERVE_SCRIPT, "serve", "--no-demo", "--store", str(store_dir),
         "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV,
    )  # fmt: skip
    return proc, port, time.perf_counter()


def _port_open(base: str, started: float) -> float | None:
    """Seconds from ``started`` until ``/healthz`` answers (None after 300 s)."""
    while time.perf_counter() - started < 300:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
                response.read()
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.005)
    return None


def serve_first_impact(store_dir: Path, element: str) -> dict[str, float]:
    """``svckg serve``: seconds from start to the port opening and to the first impact answer
    (any status other than 200 counts as a failed request), and the RSS after it."""
    proc, port, started = _start_serve(store_dir)
    first = index_s = None
    failures = 0
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/impact?element={urllib.parse.quote(element)}"
    try:
        opened = _port_open(base, started)
        while first is None and time.perf_counter() - started < 600:
            try:
                with urllib.request.urlopen(url, timeout=120) as response:
                    response.read()
                first = time.perf_counter() - started
            except urllib.error.HTTPError:
                failures += 1
        while index_s is None and time.perf_counter() - started < 900:
            if _ready_mode(port) == "index":
                index_s = time.perf_counter() - started
            else:
                time.sleep(0.1)
        rss = _rss_mb(proc.pid)
        mode = _ready_mode(port)
    finally:
        proc.terminate()  # graceful: closes the store, which saves the snapshot
        proc.wait(timeout=300)
    return {
        "index_s": index_s or -1.0,
        "port_s": opened or 0.0,
        "first_s": first or -1.0,
        "failures": failures,
        "rss_mb": rss,
        "mode": mode,
    }


def oxigraph_first_answer(store_dir: Path, element: str) -> dict[str, float]:
    """``oxigraph serve-read-only`` on the same store (read-only: its files stay as svckg left
    them): seconds to its first answer of the impact property path, and its RSS then."""
    binary = Path(PYTHON).parent / "oxigraph"
    port = _free_port()
    proc = subprocess.Popen(
        [str(binary), "serve-read-only", "--location", str(store_dir), "--bind",
         f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    started = time.perf_counter()
    query = urllib.parse.urlencode({"query": IMPACT_QUERY % element})
    first = None
    try:
        while first is None and time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/query?{query}", timeout=60
                ) as response:
                    response.read()
                first = time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
        rss = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"first_s": first or -1.0, "rss_mb": rss}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ready_mode(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:
            return str(json.loads(response.read()).get("mode", "?"))
    except (OSError, ValueError):
        return "?"


CREATE_APP_SCRIPT = """
import sys, time
started = time.perf_counter()
from svckg.api.app import create_app
from svckg.config import Settings
app = create_app(Settings(store=sys.argv[1]))
print(time.perf_counter() - started)
app.state.svckg.stop()
"""


def demo_store(workdir: Path) -> Path:
    """A store directory holding the demo landscape (as ``svckg serve --demo`` loads it)."""
    target = workdir / "demo-store"
    if not (target / "READY").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [PYTHON, "-c", "import sys; from svckg.cli.serve import prepare_store; "
             "from svckg.store import open_store; from svckg.config import Settings; "
             "s = open_store(Settings(store=sys.argv[1])); prepare_store(s); s.close()",
             str(target)],
            check=True, env=ENV,
        )  # fmt: skip
        (target / "READY").write_text("ok")
    return target


def serve_port_open(store_dir: Path) -> tuple[float, float]:
    """Seconds from starting ``svckg serve`` to ``/healthz`` answering, and to the first
    ``/graphql`` answer (a 200 with data, else the bench stops)."""
    proc, port, started = _start_serve(store_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        opened = _port_open(base, started)
        request = urllib.request.Request(
            f"{base}/graphql",
            data=b'{"query":"{ __typename }"}',
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = json.loads(response.read())
        if body.get("data") != {"__typename": "Query"}:
            raise SystemExit(f"/graphql answered {body}")
        graphql = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=300)
    return opened or -1.0, graphql


def startup(stores: list[str], args: argparse.Namespace) -> list[dict]:
    """``create_app`` and port-open times, median of ``--repeat`` new processes per store."""
    results = []
    for name in stores:
        store_dir = demo_store(Path(args.workdir)) if name == "demo" else Path(name)
        load = os.getloadavg()
        create = [
            float(timed_child([PYTHON, "-c", CREATE_APP_SCRIPT, str(store_dir)])[2])
            for _ in range(args.repeat)
        ]
        served = [serve_port_open(store_dir) for _ in range(args.repeat)]
        row = {
            "store": name,
            "create_app_s": statistics.median(create),
            "port_s": statistics.median(p for p, _ in served),
            "first_graphql_s": statistics.median(g for _, g in served),
            "load_before": load,
            "load_after": os.getloadavg(),
        }
        print(
            f"{name}: create_app {row['create_app_s']:.2f} s, port open "
            f"{row['port_s']:.2f} s, first /graphql answer {row['first_graphql_s']:.2f} s "
            f"(median of {args.repeat}; load average "
            + " / ".join(f"{x:.2f}" for x in load)
            + " before, "
            + " / ".join(f"{x:.2f}" for x in row["load_after"])
            + " after)"
        )
        results.append(row)
    return results


def _children(pid: int) -> list[int]:
    """Child processes of ``pid`` (started by any of its threads)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _peak_mb(pid: int) -> float:
    """Peak RSS (VmHWM) of a live process, MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def warmup_probe(store_dir: Path, element: str, window: float = 900.0) -> dict:
    """``svckg serve`` on ``store_dir`` without its snapshot: impact requests one after the
    other from the port opening until ``/readyz`` says the index serves (and 5 after): the
    first answer, p50 / max latency while the engine served, non-200 count, peak RSS of the
    server and of any child it started. Stops ``window`` seconds after the port opened even
    if the index is not serving yet."""
    from svckg.analysis.snapshot import snapshot_dir

    shutil.rmtree(snapshot_dir(store_dir), ignore_errors=True)
    proc, port, started = _start_serve(store_dir)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/impact?element={urllib.parse.quote(element)}"
    during: list[float] = []
    slow: list[tuple[float, float]] = []
    failures = 0
    first = index_s = None
    child_peak = 0.0
    after = 0
    try:
        opened = _port_open(base, started) or 0.0
        while after < 5 and time.perf_counter() - started - opened < window:
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=120) as response:
                    response.read()
                if first is None:
                    first = time.perf_counter() - started
            except urllib.error.HTTPError:
                failures += 1
            latency = time.perf_counter() - t0
            if latency > 0.3:
                slow.append((round(t0 - started - opened, 2), round(latency, 2)))
            for child in _children(proc.pid):
                child_peak = max(child_peak, _peak_mb(child))
            if index_s is None:
                during.append(latency)
                if _ready_mode(port) == "index":
                    index_s = time.perf_counter() - started
            else:
                after += 1
            time.sleep(0.02)
        rss, peak = _rss_mb(proc.pid), _peak_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=300)
    ordered = sorted(during) or [0.0]
    return {
        "port_s": opened,
        "first_after_port_s": (first or -1.0) - opened,
        "index_after_port_s": (index_s or -1.0) - opened,
        "requests_during_build": len(during),
        "p50_ms": 1000 * statistics.median(ordered),
        "max_ms": 1000 * ordered[-1],
        "failures": failures,
        "rss_mb": rss,
        "peak_mb": peak,
        "child_peak_mb": child_peak,
        "slow": slow,
    }


def warmup(stores: list[str], args: argparse.Namespace) -> list[dict]:
    """:func:`warmup_probe` ``--repeat`` times per store, the load average beside each run."""
    rows = []
    for name in stores:
        for _ in range(args.repeat):
            load = os.getloadavg()
            row = {"store": name, **warmup_probe(Path(name), unit_iri("infra", 0), args.window)}
            row["load"] = load
            print(
                f"{name}: first impact {row['first_after_port_s']:.2f} s after the port "
                f"(port {row['port_s']:.2f} s), index {row['index_after_port_s']:.2f} s after it; "
                f"{row['requests_during_build']} requests meanwhile p50 {row['p50_ms']:.0f} ms "
                f"max {row['max_ms']:.0f} ms, non-200 {row['failures']}; "
                f"RSS {row['rss_mb']:.0f} MB (peak {row['peak_mb']:.0f}, "
                f"child peak {row['child_peak_mb']:.0f}); load "
                + " / ".join(f"{x:.2f}" for x in load),
                flush=True,
            )
            rows.append(row)
    return rows


def snapshot_bytes(store_dir: Path) -> int:
    """Size of the index snapshot files next to the store."""
    from svckg.analysis.snapshot import snapshot_dir

    folder = snapshot_dir(store_dir)
    return sum(p.stat().st_size for p in folder.glob("*")) if folder.exists() else 0


def run_size(size: int, args: argparse.Namespace) -> dict:
    """Every measurement at one size."""
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    store_dir = cli_store(size, args.seed, workdir)
    leaf = unit_iri("infra", 0)
    from svckg.analysis.snapshot import snapshot_dir

    shutil.rmtree(snapshot_dir(store_dir), ignore_errors=True)
    out: dict = {"size": size, "load_before": os.getloadavg()}
    out["cli_first"] = cli_impact(store_dir, leaf)
    warm = [cli_impact(store_dir, leaf) for _ in range(args.repeat)]
    out["cli_warm_s"] = statistics.median(w for w, _, _ in warm)
    out["cli_warm_rss_mb"] = max(r for _, r, _ in warm)
    out["cli_count"] = warm[0][2]
    raw = [raw_query(store_dir, leaf) for _ in range(args.repeat)]
    out["raw_s"] = statistics.median(w for w, _, _ in raw)
    out["raw_rss_mb"] = max(r for _, r, _ in raw)
    out["raw_count"] = raw[0][2]
    out["snapshot_bytes"] = snapshot_bytes(store_dir)
    out["oxigraph"] = oxigraph_first_answer(store_dir, leaf)
    out["serve"] = serve_first_impact(store_dir, leaf)
    shutil.rmtree(snapshot_dir(store_dir), ignore_errors=True)
    out["serve_cold"] = serve_first_impact(store_dir, leaf)
    out["load_after"] = os.getloadavg()
    return out


def report(r: dict) -> None:
    """One table per size, the load average beside it."""
    load = " / ".join(f"{x:.2f}" for x in r["load_before"])
    print(f"\n{r['size']:,} triples (load average before: {load})")
    first = r["cli_first"]
    print(f"  svckg impact, new process, no snapshot : {first[0]:7.2f} s  {first[1]:7.0f} MB")
    print(
        f"  svckg impact, new process, snapshot    : {r['cli_warm_s']:7.2f} s  "
        f"{r['cli_warm_rss_mb']:7.0f} MB  ({r['cli_count']} impacted)"
    )
    print(
        f"  raw pyoxigraph, one property path      : {r['raw_s']:7.2f} s  "
        f"{r['raw_rss_mb']:7.0f} MB  ({r['raw_count']} rows)  "
        f"ratio {r['cli_warm_s'] / r['raw_s']:.1f}x"
    )
    for name in ("serve", "serve_cold"):
        s = r[name]
        print(
            f"  {name:<10} port {s['port_s']:6.2f} s, first impact {s['first_s']:6.2f} s, "
            f"index serving {s['index_s']:6.2f} s, "
            f"non-200 {s['failures']}, RSS {s['rss_mb']:.0f} MB, mode {s['mode']}"
        )
    ox_ = r["oxigraph"]
    print(
        f"  oxigraph serve-read-only: first answer {ox_['first_s']:6.2f} s, "
        f"RSS {ox_['rss_mb']:.0f} MB"
    )
    print(f"  snapshot on disk: {r['snapshot_bytes'] / 1e6:.1f} MB")
    print("  load average after: " + " / ".join(f"{x:.2f}" for x in r["load_after"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workdir", default="/tmp/svckg-bench-impact")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--startup", help="only the server start, on these stores (demo: the demo)")
    ap.add_argument(
        "--warmup", help="only a cold server (its snapshot removed!) on these store copies"
    )
    ap.add_argument("--window", type=float, default=900.0, help="--warmup: seconds at most")
    args = ap.parse_args()
    if args.warmup:
        rows = warmup(args.warmup.split(","), args)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2))
        return
    if args.startup:
        rows = startup(args.startup.split(","), args)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2))
        return
    results = []
    for size in (parse_size(s) for s in args.sizes.split(",")):
        result = run_size(size, args)
        report(result)
        results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
