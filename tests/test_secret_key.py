"""The generated secret key survives several workers starting at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from lawlearn import _instance_secret_key


def _read_key(folder: str, results) -> None:
    try:
        results.put(_instance_secret_key(Path(folder)))
    except Exception as error:  # noqa: BLE001  (reported to the parent)
        results.put(f"error: {error!r}")


def test_workers_starting_together_share_one_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        results = context.Queue()
        workers = [context.Process(target=_read_key, args=(str(folder), results))
                   for _ in range(8)]
        for worker in workers:
            worker.start()
        keys = [results.get(timeout=20) for _ in workers]
        for worker in workers:
            worker.join()
        assert len(set(keys)) == 1 and len(keys[0]) == 64, keys
        assert (folder / "secret_key").read_text() == keys[0]
        assert not list(folder.glob(".secret_key.*"))  # no temporary file left behind


def test_a_new_key_with_the_old_as_fallback_keeps_sessions(app, client, login, make_user):
    """The session signer is cached (lawlearn.security.CookieSessions): changing the keys
    must still take effect at once."""
    login(make_user())
    assert client.get("/me").status_code == 200
    old = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-key-for-this-test", SECRET_KEY_FALLBACKS=[old])
    assert client.get("/me").status_code == 200  # the old cookie still verifies
    app.config["SECRET_KEY_FALLBACKS"] = []
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
