"""Alembic environment of this plugin's migrations: the suite's one, for every plugin."""
from ckanext.suite import migration_env

migration_env.run(__file__)
