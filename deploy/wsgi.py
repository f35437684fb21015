"""WSGI entry point of the portal for gunicorn, as CKAN's own wsgi.py: the app from $CKAN_INI.

Run: gunicorn --config deploy/gunicorn.conf.py --chdir deploy wsgi:application
"""
from __future__ import annotations

import logging
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_path = os.environ.get("CKAN_INI", "/etc/ckan/ckan.ini")
if not os.path.exists(config_path):
    raise RuntimeError(f"CKAN configuration not found: {config_path} (set CKAN_INI)")

fileConfig(config_path, disable_existing_loggers=False)
config = CKANConfigLoader(config_path).get_config()
# CKAN 2.12's loader applies the ini's logging again, switching off every logger that
# existed before, gunicorn's access log among them.
for name, logger in logging.root.manager.loggerDict.items():
    if name.startswith("gunicorn") and isinstance(logger, logging.Logger):
        logger.disabled = False
application = make_app(config)
