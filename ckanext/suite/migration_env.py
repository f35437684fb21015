"""The alembic environment of each suite plugin's migrations, written once: each plugin's
``migration/<plugin>/env.py`` calls :func:`run`. As CKAN's extension template: the
plugin's own version table, and only tables named after the plugin are compared."""
from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from ckan.model.meta import metadata

__all__ = ["run"]


def run(env_file: str) -> None:
    """Run the migrations of the plugin whose ``env.py`` is ``env_file``, offline (SQL
    printed) or online, as alembic asks."""
    name = os.path.basename(os.path.dirname(env_file))
    config = context.config
    fileConfig(config.config_file_name)

    def include_object(object_: Any, object_name: str, type_: str, reflected: bool,
                       compare_to: Any) -> bool:
        return not (type_ == "table" and not object_name.startswith(name))

    options = {"target_metadata": metadata, "version_table": f"{name}_alembic_version",
               "include_object": include_object}
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                          **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_from_config(config.get_section(config.config_ini_section),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
