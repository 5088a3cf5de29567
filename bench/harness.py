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


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when the process that started it dies (Linux), so a
    test run that is itself killed leaves no server behind. Its workers notice their arbiter is
    gone and exit. Bound to the starting thread: start servers from the main thread."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def server_env(env: dict[str, str]) -> dict[str, str]:
    """A server's environment: ours without any ``LAWLEARN_*`` setting, then ``env``, so a
    variable left in the caller's shell (a Redis URL, a database) cannot leak in."""
    inherited = {key: value for key, value in os.environ.items()
                 if not key.startswith("LAWLEARN_")}
    return {**inherited, **env}


def start_gunicorn(app: str, cwd: Path, env: dict[str, str], log: Path, *, workers: int = 2,
                   threads: int = 4, probe: str = "/", port: int | None = None,
                   ready_within: float = 60) -> tuple[subprocess.Popen, int]:
    """gunicorn serving ``app`` on 127.0.0.1 (own process group); waits until it answers.

    The listening socket is made here and handed over (``fd://``): no other program can take
    the port between choosing it and gunicorn listening, so the probe reaches this server.
    """
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port or 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    listener.set_inheritable(True)
    try:
        with log.open("ab") as handle:
            proc = subprocess.Popen(
                [str(GUNICORN), "--workers", str(workers), "--threads", str(threads),
                 "--bind", f"fd://{listener.fileno()}", "--keep-alive", "5",
                 "--graceful-timeout", "5", "--log-level", "warning", app],
                cwd=cwd, env=server_env(env), stdout=handle, stderr=subprocess.STDOUT,
                start_new_session=True, pass_fds=(listener.fileno(),),
                preexec_fn=_die_with_parent)
    finally:
        listener.close()  # gunicorn holds its own copy
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            kill(proc)  # workers left behind by an arbiter that died
            raise RuntimeError(f"gunicorn {app} exited: {log.read_text()[-2000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", probe)
            conn.getresponse().read()
            return proc, port
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
        finally:
            conn.close()
    stop(proc)
    raise RuntimeError(f"gunicorn {app} did not answer within {ready_within:.0f} s: "
                       f"{log.read_text()[-2000:]}")


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the server's whole process group (arbiter and workers at once), as a power
    cut or the OOM killer would, and reap the arbiter."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def stop(proc: subprocess.Popen) -> None:
    """Terminate gunicorn; kill its whole process group if it lingers (or left workers)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    kill(proc)
