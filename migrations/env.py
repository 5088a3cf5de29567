import logging
from collections import Counter
from logging.config import fileConfig

from flask import current_app

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
# Keep the app's own loggers working when migrations run inside it.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == 'sqlite'
        broken_before = Counter()
        if sqlite:
            # Rows already pointing nowhere (foreign keys were off in some old copy) are
            # not the migrations' doing: said, not held against them below.
            broken_before, examples = _broken_foreign_keys(connection)
            if broken_before:
                logger.warning('the database already holds %d rows referencing missing rows '
                               '(table, rowid, referenced table), e.g. %s; repair them',
                               sum(broken_before.values()), examples[:5])
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                **conf_args
            )

            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_sqlite_foreign_keys(connection, broken_before)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection, *, on):
    """A batch migration rebuilds a SQLite table (copy, drop, rename): with foreign keys
    on, dropping the old table would delete every row that references it (ON DELETE
    CASCADE), or refuse. Off while migrating, back on after (the app's connections keep
    them on). SQLite takes the pragma only outside a transaction: before the migrations
    begin theirs, and after it commits."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar() != int(on):
        raise RuntimeError('SQLite did not turn foreign keys '
                           f"{'on' if on else 'off'}: a transaction is open")
    connection.commit()


def _broken_foreign_keys(connection):
    """Rows pointing nowhere: how many for each (table, referenced table, key), and a few
    of them as (table, rowid, referenced table). Counted, not matched by rowid: rebuilding a
    table without an integer primary key numbers its rows anew."""

    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    counts = Counter((table, parent, fk) for table, _rowid, parent, fk in rows)
    return counts, [(table, rowid, parent) for table, rowid, parent, _fk in rows]


def _check_sqlite_foreign_keys(connection, broken_before):
    """What foreign keys off let through: rows pointing nowhere after the migrations. SQLite
    has already kept the migrations' changes (its DDL is not transactional here), so this
    stops the upgrade loudly rather than undoing it: the rows named must be repaired (or
    the database restored from its backup) before the site runs on it. Rows broken before
    the migrations began stopped them before they changed anything."""
    after, examples = _broken_foreign_keys(connection)
    new = after - broken_before
    if new:
        named = [row for row in examples if any(row[0] == t and row[2] == p for t, p, _fk in new)]
        raise RuntimeError('the migrations left rows referencing missing rows (table, rowid, '
                           f'referenced table): {named[:5]}; repair them, or restore '
                           'the backup taken before the upgrade')


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
