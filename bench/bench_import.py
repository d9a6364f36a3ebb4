"""Import throughput: the svckg pipeline (with and without validation) beside pyoxigraph's raw
bulk load, on the synthetic landscape (``bench/landscape.py``), each run in its own process so
peak memory (``ru_maxrss``) is that run's alone.

Usage::

    .venv/bin/python bench/bench_import.py                 # 100k and 1M, in memory
    .venv/bin/python bench/bench_import.py 1M --disk --remote --modes raw,validated
    .venv/bin/python bench/bench_import.py 100k 1M 5M --disk --json /tmp/bench.json

Modes per size:

- ``raw``: ``pyoxigraph.Store().bulk_load(path, N-Triples)`` into one named graph.
- ``pipeline``: ``svckg.ingest.pipeline.import_sources(validate=False)``: read, parse check,
  bulk load into a version graph, dependsOn inference, provenance switch.
- ``validated``: the same with validation (staging store, context, SHACL shapes).

Files are read as the CLI reads them (``uploads=False``: the HTTP upload limit does not apply),
so 5M runs by default. ``--remote`` adds a third store, ``oxigraph serve`` on 127.0.0.1 (a
fresh one per run, stopped by PID): ``raw`` there is one Graph Store ``POST`` of the whole
file (the engine's own HTTP load path); the pipeline modes go through
:class:`svckg.store.remote.RemoteStore` (bulk N-Triples chunks). ``server MB`` is the
server's peak RSS (``VmHWM``). The table header carries the load average before and after:
the machine may be shared.

The store starts with the system graphs (ontology, concepts) loaded, as every svckg store
does; that setup is not timed. Seconds per pipeline phase come from ``ImportOutcome.timings``.
``CPU s`` is the worker's process CPU time (all threads) over the same span: on a shared,
loaded machine it varies far less than wall time, so compare both ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODES = ("raw", "pipeline", "validated")


def _worker(mode: str, path: str, disk: str | None) -> dict:
    import pyoxigraph as ox

    if disk is not None and disk.startswith("http"):
        return _remote_worker(mode, path, disk)
    if mode == "raw":
        store = ox.Store(disk) if disk else ox.Store()
        t0, c0 = time.perf_counter(), time.process_time()
        store.bulk_load(
            path=path,
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode("https://w3id.org/svckg/graph/raw"),
        )
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        triples = len(store)
        timings: dict[str, float] = {}
    else:
        from svckg.store.embedded import EmbeddedStore
        from svckg.store.system import ensure_system_graphs

        store = EmbeddedStore(disk)
        ensure_system_graphs(store)
        return _timed_import(store, path, mode)
    return _result(mode, triples, elapsed, cpu, timings)


def _timed_import(store, path: str, mode: str) -> dict:  # noqa: ANN001
    """One import of ``path`` through the pipeline into ``store`` (closed afterwards), timed;
    the shapes are parsed before the clock starts (that is not import work)."""
    from svckg.ingest.pipeline import import_sources, read_sources

    if mode == "validated":
        from svckg.validation import shacl

        shacl.fast_validator(shacl.load_shapes())
    t0, c0 = time.perf_counter(), time.process_time()
    outcome = import_sources(
        store,
        read_sources([path], uploads=False),
        format="ntriples",
        force=True,
        validate=(mode == "validated"),
        agent="bench",
        settings=_unlimited(),
    )
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    triples, timings = _outcome(outcome)
    store.close()
    return _result(mode, triples, elapsed, cpu, timings)


def _unlimited():  # noqa: ANN202
    from svckg.config import Settings

    return Settings(max_upload_bytes=1 << 50)  # local files: the upload limit is for HTTP


def _outcome(outcome) -> tuple[int, dict]:  # noqa: ANN001
    rec = outcome.sources[0].record
    assert rec is not None
    timings = {k: round(v, 2) for k, v in outcome.timings.items()}
    timings["results"] = len(outcome.report.results)
    return rec.triple_count, timings


def _remote_worker(mode: str, path: str, base: str) -> dict:
    """One run against the ``oxigraph serve`` at ``base``."""
    if mode == "raw":
        import httpx

        t0, c0 = time.perf_counter(), time.process_time()
        with open(path, "rb") as body:
            httpx.post(
                f"{base}/store",
                params={"graph": "https://w3id.org/svckg/graph/raw"},
                content=body,
                headers={"Content-Type": "application/n-triples"},
                timeout=3600,
            ).raise_for_status()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        count = httpx.post(
            f"{base}/query",
            data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "text/csv"},
            timeout=3600,
        )
        return _result(mode, int(count.text.split()[1]), elapsed, cpu, {})
    from svckg.store.remote import RemoteStore
    from svckg.store.system import ensure_system_graphs

    store = RemoteStore(
        f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store", timeout_s=3600
    )
    ensure_system_graphs(store)
    return _timed_import(store, path, mode)


def _result(mode: str, triples: int, elapsed: float, cpu: float, timings: dict) -> dict:
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mode": mode,
        "triples": triples,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "triples_per_s": round(triples / elapsed),
        "peak_rss_mb": round(rss_mb),
        "timings": timings,
    }


def _run_where(mode: str, path: Path, where: str, scratch: Path) -> dict:
    """One run of ``mode`` on a fresh store of kind ``where`` (``scratch``: its directory)."""
    if where == "memory":
        return _run(mode, path, None)
    if where == "disk":
        try:
            return _run(mode, path, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    port = _free_port()
    argv = [str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", str(scratch)]
    argv += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, server)
        result = _run(mode, path, f"http://127.0.0.1:{port}")
        cpu, hwm = _process_usage(server.pid)
        if "cpu_seconds" in result:
            result["server_cpu_seconds"] = cpu
            result["cpu_seconds"] = round(result["cpu_seconds"] + cpu, 2)
        result["server_peak_rss_mb"] = hwm
        return result
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(scratch, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited ({server.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("oxigraph serve did not start")


def _process_usage(pid: int) -> tuple[float, int]:
    """(CPU seconds, peak RSS in MB) of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) // 1024
    return round(cpu, 2), hwm


def _table(results: list[dict], load_before: tuple, load_after: tuple) -> str:
    """The Markdown table, the load average (1, 5, 15 min) before and after above it."""
    lines = [
        f"load average before {_load(load_before)}, after {_load(load_after)} "
        f"({os.cpu_count()} cores; the machine may be shared)",
        "",
        "| size | store | mode | triples | s | triples/s | vs raw | CPU s | CPU vs raw "
        "| peak RSS MB | server MB | phases (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    raw = {(r["size"], r["where"]): r for r in results if r["mode"] == "raw" and "error" not in r}
    for r in results:
        if "error" in r:
            lines.append(f"| {r['size']} | {r['where']} | {r['mode']} | error: {r['error']} ||||||")
            continue
        base = raw.get((r["size"], r["where"]))
        ratio = f"{r['seconds'] / base['seconds']:.2f}x" if base else ""
        cpu_ratio = f"{r['cpu_seconds'] / base['cpu_seconds']:.2f}x" if base else ""
        phases = ", ".join(f"{k} {v}" for k, v in r["timings"].items())
        lines.append(
            f"| {r['size']} | {r['where']} | {r['mode']} | {r['triples']:,} | {r['seconds']} "
            f"| {r['triples_per_s']:,} | {ratio} | {r['cpu_seconds']} | {cpu_ratio} "
            f"| {r['peak_rss_mb']} | {r.get('server_peak_rss_mb', '')} | {phases} |"
        )
    return "\n".join(lines)


def _load(avg: tuple) -> str:
    return " / ".join(f"{x:.2f}" for x in avg)


def _run(mode: str, path: Path, disk: Path | str | None) -> dict:
    cmd = [sys.executable, __file__, "--worker", mode, str(path)]
    if disk is not None:
        cmd += ["--store", str(disk)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        return {"mode": mode, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    ap = argparse.ArgumentParser(description="svckg import benchmark")
    ap.add_argument("sizes", nargs="*", default=["100k", "1M"])
    ap.add_argument("--disk", action="store_true", help="also measure on-disk stores")
    ap.add_argument(
        "--remote", action="store_true", help="also measure a remote oxigraph serve (127.0.0.1)"
    )
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per mode, interleaved; the fastest counts (shared machines)",
    )
    ap.add_argument("--json", help="write all results here")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--store", help=argparse.SUPPRESS)
    ap.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args(argv)
    if args.worker:
        path = rest[0] if rest else args.sizes[0]
        print(json.dumps(_worker(args.worker, path, args.store)))
        return 0
    sys.path.insert(0, str(ROOT))
    from bench.landscape import parse_size, write

    wheres = ["memory", *(["disk"] if args.disk else []), *(["remote"] if args.remote else [])]
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="svckg-bench-") as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"landscape-{size}.nt"
            summary = write(path, parse_size(size))
            for where in wheres:
                best: dict[str, dict] = {}
                for rep in range(args.repeat):
                    for mode in args.modes.split(","):
                        r = _run_where(mode, path, where, Path(tmp) / f"store-{size}-{mode}-{rep}")
                        r.update(
                            size=size,
                            where=where,
                            file_triples=summary.triples,
                            file_mb=round(path.stat().st_size / 1e6, 1),
                        )
                        print(json.dumps(r), file=sys.stderr, flush=True)
                        fastest = best.get(mode, {}).get("seconds", float("inf"))
                        if "error" in r or r["seconds"] < fastest:
                            best[mode] = r
                results.extend(best.values())
    print(_table(results, load_before, os.getloadavg()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
