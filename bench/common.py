"""Shared by the benchmarks: a per-article timing loop, the machine description and the output digest
of the equivalence checks."""

from __future__ import annotations

import gc
import hashlib
import pickle
import tempfile
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence


def measure(fn: Callable[[Any], Any], items: Sequence[Any], nbytes: int, *, warm: int = 200) -> dict:
    """Run ``fn`` on every item on this thread; throughput per core and per-article latency.

    ``articles_per_s`` is per *CPU* second of this process (one thread, so per core: what a share
    of a busy machine does not distort much); ``wall_articles_per_s`` is per elapsed second.
    ``fn`` returns a truthy value for an article it refused (counted, still timed).
    """
    for item in items[:warm]:
        fn(item)
    gc.collect()
    times: list[int] = []
    refused = 0
    clock = time.perf_counter_ns
    cpu0, start = time.process_time(), clock()
    for item in items:
        t0 = clock()
        if fn(item):
            refused += 1
        times.append(clock() - t0)
    wall = (clock() - start) / 1e9
    cpu = time.process_time() - cpu0
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    return {
        "articles": len(items), "refused": refused, "cpu_seconds": cpu, "wall_seconds": wall,
        "articles_per_s": len(items) / cpu, "wall_articles_per_s": len(items) / wall,
        "mb_per_s": nbytes / 1e6 / cpu, "p50_ms": q[49] / 1e6, "p99_ms": q[98] / 1e6,
        "max_ms": max(times) / 1e6,
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine_info() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    from importlib import metadata

    versions = {p: metadata.version(p) for p in ("faust-streaming", "aiokafka", "orjson",
                                                 "lingua-language-detector", "trafilatura")}
    return {
        "cpu": model, "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": mem_gb, "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "os": f"{platform.system()} {platform.release()}", "packages": versions,
        "load_avg": list(os.getloadavg()),
    }


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def lines(path: Path, limit: int | None) -> list[bytes]:
    """The first ``limit`` lines of a JSON Lines file, as the raw record payloads."""
    out: list[bytes] = []
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                out.append(line.rstrip(b"\n"))
                if limit and len(out) >= limit:
                    break
    return out



def write_digest(rows: Sequence[str], out: Path, expect: str | None, summary: str) -> str:
    """Write the equivalence rows to ``out``, print their SHA-256 with ``summary``, and exit 1 when
    ``expect`` is given and differs (the equivalence scripts' one verdict)."""
    data = ("\n".join(rows) + "\n").encode("utf-8")
    out.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    print(f"{digest}  {out} ({summary})")
    if expect and digest != expect:
        print(f"DIFFERENT from the expected {expect}", file=sys.stderr)
        sys.exit(1)
    return digest


def cached(kind: str, path: Path, limit: int | None, fresh: bool, build: Callable[[], Any]) -> Any:
    """``build()``'s result for ``path`` (and ``limit``), pickled in the temporary directory under a
    key of the file's size and mtime, so equivalence checks re-run without re-processing a corpus;
    ``fresh`` rebuilds (after a change upstream of what is cached)."""
    st = path.stat()
    tag = hashlib.blake2b(f"{path}|{st.st_size}|{st.st_mtime_ns}|{limit}".encode(), digest_size=8).hexdigest()
    cache = Path(tempfile.gettempdir()) / f"news-streams-{kind}-{os.getuid()}-{tag}.pickle"
    if cache.exists() and not fresh:
        return pickle.loads(cache.read_bytes())
    result = build()
    cache.write_bytes(pickle.dumps(result))
    return result
