"""What the benchmarks share: printing figures, a lawlearn config for a temporary folder,
and running an app under gunicorn on a free loopback port."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing for setting up many accounts


def figure(name: str, value: float, unit: str, baseline: float | None = None) -> None:
    """One figure as one JSON line: {name, value, unit, baseline, ratio}."""
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit,
                      "baseline": round(baseline, 4) if baseline is not None else None,
                      "ratio": round(value / baseline, 3) if baseline else None},
                     ensure_ascii=False), flush=True)


def lawlearn_config(folder: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{folder / 'b.db'}", "SECRET_KEY": "bench-secret",
            "UPLOAD_FOLDER": str(folder / "up"), "LOGIN_RATE_LIMIT": "100000 per minute",
            "PASSWORD_HASH_METHOD": HASH_METHOD}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, cwd: Path, env: dict[str, str], log: Path, *, workers: int = 2,
                   threads: int = 4, probe: str = "/") -> tuple[subprocess.Popen, int]:
    """gunicorn serving ``app`` on 127.0.0.1 (own process group); waits until it answers."""
    port = free_port()
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            [str(GUNICORN), "--workers", str(workers), "--threads", str(threads),
             "--bind", f"127.0.0.1:{port}", "--keep-alive", "5", "--graceful-timeout", "5",
             "--log-level", "warning", app],
            cwd=cwd, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {app} exited: {log.read_text()[-2000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", probe)
            conn.getresponse().read()
            return proc, port
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    stop(proc)
    raise RuntimeError(f"gunicorn {app} did not answer within 30 s: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Terminate gunicorn; kill its whole process group if it lingers."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
