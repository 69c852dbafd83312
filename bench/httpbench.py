"""What the HTTP benchmarks share: serve the application with uvicorn, load it with wrk, and account for
the CPU the server and PostgreSQL spent per request (a figure that stays meaningful on a shared machine,
where requests/s and latencies move with whatever else runs)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    base: str
    pid: int
    database: str | None  # PostgreSQL database name, None on SQLite


@dataclass(frozen=True)
class Load:
    rps: float
    p50: float  # ms
    p99: float  # ms
    non_2xx: int
    requests: int
    server_cpu_ms: float  # per request, uvicorn processes
    database_cpu_ms: float  # per request, PostgreSQL processes (0 on SQLite)

    def line(self, label: str) -> str:
        return (f"  {label:<22} {self.rps:>8,.0f} req/s   p50 {self.p50:7.1f} ms   p99 {self.p99:7.1f} ms   "
                f"non-2xx {self.non_2xx}   CPU/request: server {self.server_cpu_ms:.2f} ms, "
                f"database {self.database_cpu_ms:.2f} ms")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(database_url: str, data_dir: Path, workers: int = 1, **settings: str) -> Iterator[Server]:
    """uvicorn serving the application; ``settings`` are further XINYONG_ settings (lower case names)."""
    port = free_port()
    env = {**os.environ, "XINYONG_DATABASE_URL": database_url, "XINYONG_DATA_DIR": str(data_dir),
           "XINYONG_SECRET_KEY": "b" * 40, **{f"XINYONG_{k.upper()}": v for k, v in settings.items()}}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "xinyong.api.app:create_app", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                                "--log-level", "warning", "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/v1/health", timeout=1).read()  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        name = make_url(database_url).database if database_url.startswith("postgresql") else None
        yield Server(base, process.pid, name)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _processes() -> list[tuple[int, int, str, int]]:
    """(pid, ppid, command line, CPU ticks) of every process."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        try:
            name = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        found.append((int(entry.name), int(fields[1]), name, int(fields[11]) + int(fields[12])))
    return found


def _cpu(server_pid: int, database: str | None) -> dict[int, tuple[str, int]]:
    """CPU ticks so far of the server's process tree ("server") and of the PostgreSQL backends serving
    ``database`` ("database"), by process (other databases' work on the same server, e.g. another
    benchmark's build, is left out)."""
    processes = _processes()
    tree, grew = {server_pid}, True
    while grew:
        before = len(tree)
        tree |= {pid for pid, ppid, _, _ in processes if ppid in tree}
        grew = len(tree) > before
    title = f" {database} "  # a backend's title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE"
    found = {pid: ("server", ticks) for pid, _, _, ticks in processes if pid in tree}
    found.update({pid: ("database", ticks) for pid, _, name, ticks in processes
                  if database and name.startswith("postgres: ") and title in name})
    return found


def _spent(before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]) -> dict[str, float]:
    """CPU seconds each side spent between two readings: a process that started meanwhile counts whole,
    one that ended meanwhile is left out (its last ticks are unknown)."""
    spent = {"server": 0.0, "database": 0.0}
    for pid, (side, ticks) in after.items():
        spent[side] += (ticks - before.get(pid, (side, 0))[1]) / TICK
    return spent


def lua_paths(paths: list[str]) -> Path:
    """A wrk script cycling over ``paths``."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    quoted = ",\n".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script.write_text("paths = {\n" + quoted + "\n}\ncounter = 0\nrequest = function()\n"
                      "  counter = counter + 1\n  return wrk.format(\"GET\", paths[(counter % #paths) + 1])\nend\n",
                      encoding="utf-8")
    return script


def wrk(server: Server, path: str, duration: int, connections: int, script: Path | None = None) -> Load:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    before = _cpu(server.pid, server.database)
    output = subprocess.run([*command, server.base + path], capture_output=True, text=True, check=True).stdout
    spent = _spent(before, _cpu(server.pid, server.database))
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    latency = {}
    for label in ("50%", "99%"):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        latency[label] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    per = 1000.0 / max(requests, 1)
    return Load(rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),  # type: ignore[index]
                p50=latency["50%"], p99=latency["99%"], non_2xx=int(non_2xx[1]) if non_2xx else 0,
                requests=requests, server_cpu_ms=spent["server"] * per, database_cpu_ms=spent["database"] * per)
