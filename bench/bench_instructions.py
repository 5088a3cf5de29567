"""The per-request costs of bench_stack_costs.py counted in CPU instructions under
valgrind's callgrind instead of timed: the same count on every run of the same code, however
busy or throttled the machine is, so a change of a few percent shows (timings on a shared
two-core machine swing by a tenth between runs). Only the measured requests are counted:
each case runs in its own process, which warms up, then has callgrind's instrumentation
switched on (callgrind_control) for its requests.

The ratio column is against the floor's quiz list (bare Flask + sqlite3, no sign-in), as in
bench_stack_costs.py; under gunicorn both sides also pay the server's own per-request cost,
which narrows the gap (bench_quiz_list.py measures that).

Prints one JSON object per figure (instructions per request).
Run: .venv/bin/python bench/bench_instructions.py  (about four minutes; needs valgrind)
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, figure, lawlearn_config

REQUESTS = 100  # counted per case, after a warm-up
HERE = Path(__file__).resolve()

# (name, app, path, credentials): app "floor", "bare" or "lawlearn"; credentials "none",
# "cookie" (signed in through the login form) or "token" (a bearer token).
CASES = (
    ("the floor's quiz list (bare Flask + sqlite3, no sign-in)", "floor", "/quizzes?user={user}",
     "none"),
    ("the floor's quiz page", "floor", "/quizzes/{quiz}?user={user}", "none"),
    ("bare Flask \"ok\"", "bare", "/ok", "none"),
    ("lawlearn, signed out, \"ok\" (hooks and extensions)", "lawlearn", "/_bench/anonymous",
     "none"),
    ("lawlearn, signed in, \"ok\" (+ session cookie, user and roles)", "lawlearn",
     "/_bench/signed-in", "cookie"),
    ("lawlearn, staff page with an empty body (+ the layout)", "lawlearn", "/_bench/layout",
     "cookie"),
    ("lawlearn, GET /api/v1/quizzes (bearer token)", "lawlearn", "/api/v1/quizzes", "token"),
    ("lawlearn, quiz list page GET /quizzes", "lawlearn", "/quizzes", "cookie"),
    ("lawlearn, quiz page GET /quizzes/<id>", "lawlearn", "/quizzes/{quiz}", "cookie"),
)


def child(case: int, folder: Path, signal_file: Path) -> None:
    """One case, in a process of its own under callgrind: warm up, say so, wait for the
    instrumentation, run the counted requests, leave."""
    from bench_quiz_list import LIMITS_APP
    from bench_stack_costs import bearer, signed_in_cookie
    from flask import Flask
    from werkzeug.test import EnvironBuilder

    _name, kind, path, credentials = CASES[case]
    office = json.loads((folder / "office.json").read_text())
    os.environ["FLOOR_DATABASE"] = str(folder / "b.db")
    for key, value in lawlearn_config(folder).items():
        os.environ[f"LAWLEARN_{key}"] = value
    sys.path[:0] = [str(folder), str(ROOT)]
    if kind == "floor":
        import floorapp  # noqa: PLC0415  (written by main)

        app = floorapp.app
    elif kind == "bare":
        app = Flask("bare")
        app.add_url_rule("/ok", "ok", lambda: "ok")
    else:
        (folder / "limitsapp.py").write_text(LIMITS_APP)
        import limitsapp  # noqa: PLC0415

        app = limitsapp.app
        app.add_url_rule("/_bench/anonymous", "bench_anonymous", lambda: "ok")
    (user_id, username), quiz_id = office["users"][0], office["quiz"]
    headers = {}
    if credentials == "cookie":
        headers = {"Cookie": signed_in_cookie(app, username, office["password"])}
    elif credentials == "token":
        headers = {"Authorization": bearer(app, username, office["password"])}
    environ = EnvironBuilder(path=path.format(user=user_id, quiz=quiz_id),
                             headers=headers).get_environ()
    statuses: list[str] = []

    def call() -> None:
        each = dict(environ)
        each["wsgi.input"] = io.BytesIO()
        body = app(each, lambda status, _headers, _exc=None: statuses.append(status))
        b"".join(body)
        getattr(body, "close", lambda: None)()

    for _ in range(50):
        call()
    signal_file.write_text("ready")
    go = signal_file.with_suffix(".go")
    while not go.exists():
        time.sleep(0.05)
    for _ in range(REQUESTS):
        call()
    os._exit(0 if all(s.startswith("200") for s in statuses) else 3)


def count(case: int, folder: Path) -> float:
    """Instructions per counted request of one case."""
    signal_file, out = folder / f"case{case}.ready", folder / f"case{case}.callgrind"
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         sys.executable, str(HERE), "--child", str(case), str(folder), str(signal_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while not signal_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{CASES[case][0]}: the process ended before its requests:\n"
                               f"{process.communicate()[1][-2000:]}")
        time.sleep(0.2)
    subprocess.run(["callgrind_control", "-i", "on", str(process.pid)], check=True,
                   capture_output=True)
    signal_file.with_suffix(".go").touch()
    _out, errors = process.communicate(timeout=600)
    if process.returncode != 0:
        raise RuntimeError(f"{CASES[case][0]}: exit {process.returncode}\n{errors[-2000:]}")
    totals = next(line for line in out.read_text().splitlines()
                  if line.startswith(("totals:", "summary:")))
    return int(totals.split()[1]) / REQUESTS


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return 0
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 1
    from bench_quiz_list import FLOOR_APP, set_up

    folder = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    try:
        (folder / "office.json").write_text(json.dumps(set_up(folder)))
        (folder / "floorapp.py").write_text(FLOOR_APP)
        floor_list = None
        for case, (name, *_rest) in enumerate(CASES):
            value = count(case, folder)
            floor_list = floor_list or value  # the first case
            figure(f"instructions: {name}", value, "instructions/request",
                   None if case == 0 else floor_list)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
