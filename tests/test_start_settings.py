"""Settings read at start: the generated secret key survives several workers starting at
once; the secret key, LAWLEARN_HTTPS and the database URL are refused or warned of in the
forms people get wrong."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from lawlearn import _instance_secret_key, create_app
from lawlearn.extensions import db


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


@pytest.mark.parametrize("written", ["20261201", "true", "1.5"])
def test_a_key_that_reads_as_a_number_is_still_text(app_config, monkeypatch, written):
    """The environment's values are read as JSON: LAWLEARN_SECRET_KEY=20261201 became the
    number 20261201, and every request a 500."""
    monkeypatch.setenv("LAWLEARN_SECRET_KEY", written)
    config = {key: value for key, value in app_config.items() if key != "SECRET_KEY"}
    app = create_app(config)
    assert app.config["SECRET_KEY"] == written
    assert app.test_client().get("/login").status_code == 200
    _dispose(app)


def test_a_short_or_empty_key_is_warned_of(app_config, monkeypatch, caplog):
    config = {key: value for key, value in app_config.items() if key != "SECRET_KEY"}
    monkeypatch.setenv("LAWLEARN_SECRET_KEY", "abc")
    _dispose(create_app(config))
    assert "SECRET_KEY has 3 characters" in caplog.text
    caplog.clear()
    for blank in ("", "   "):
        caplog.clear()
        monkeypatch.setenv("LAWLEARN_SECRET_KEY", blank)
        app = create_app(config)
        assert "LAWLEARN_SECRET_KEY is empty" in caplog.text
        assert len(app.config["SECRET_KEY"]) == 64  # the instance's generated key
        _dispose(app)
    caplog.clear()
    monkeypatch.setenv("LAWLEARN_SECRET_KEY", "k" * 40)
    _dispose(create_app(config))
    assert "SECRET_KEY" not in caplog.text


@pytest.mark.parametrize("written, meant", [
    ("true", True), ("True", True), ("YES", True), ("on", True), ("1", True),
    ("false", False), ("False", False), ("no", False), ("off", False), ("0", False)])
def test_https_is_read_in_the_spellings_people_use(app_config, monkeypatch, written, meant):
    """LAWLEARN_HTTPS=True quietly meant off: cookies without their Secure flag, no HSTS."""
    monkeypatch.setenv("LAWLEARN_HTTPS", written)
    app = create_app(app_config)
    assert app.config["HTTPS"] is meant and app.config["SESSION_COOKIE_SECURE"] is meant
    _dispose(app)


def test_https_in_no_known_spelling_refuses_to_start(app_config, monkeypatch):
    monkeypatch.setenv("LAWLEARN_HTTPS", "sure")
    with pytest.raises(RuntimeError, match="LAWLEARN_HTTPS='sure' is not understood"):
        create_app(app_config)


@pytest.mark.parametrize("url, says", [
    ("postgres//lawlearn@127.0.0.1/lawlearn", "is not a database URL: write it as"),
    ("postgres://lawlearn@127.0.0.1/lawlearn", "is not a database URL: write it as"),
    ("mysql://lawlearn@127.0.0.1/lawlearn", "needs a driver that is not installed"),
    ("sqlite:////no/such/folder/lawlearn.db",
     "names a SQLite file in /no/such/folder/, which does not exist")])
def test_a_database_url_that_cannot_work_refuses_to_start(app_config, url, says):
    """It failed at the first request or command, as SQLAlchemy's "Could not parse" or
    "unable to open database file" at the end of a long traceback."""
    with pytest.raises(RuntimeError, match=says):
        create_app({**app_config, "DATABASE_URL": url})


def test_a_sqlite_file_in_an_existing_folder_is_accepted(app_config, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    app = create_app({**app_config, "DATABASE_URL": url})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    _dispose(app)


def _dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()
