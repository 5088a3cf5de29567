"""`flask db upgrade` on an empty database builds exactly the schema the models describe."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from lawlearn import create_app
from lawlearn.database import include_in_migrations
from lawlearn.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("LAWLEARN_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"lawlearn_mig_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(base).set(database="postgres")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


def test_upgrade_builds_the_model_schema_and_downgrade_removes_it(empty_database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_name": include_in_migrations})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(revision="base")
        remaining = {name for name in inspect(db.engine).get_table_names()
                     if include_in_migrations(name, "table", None)} - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()
