import gc

from lawlearn import create_app

app = create_app()

# Everything loaded so far (modules, the app, SQLAlchemy's mappers) lives as long as the
# process: keep it out of the collector's scans. A request that builds large reports then
# spends its collections on its own objects only (about a tenth of a 5,000-person report's
# time), and forked gunicorn workers share these pages instead of copying them.
gc.freeze()
