"""WSGI entry point of the portal for gunicorn, as CKAN's own wsgi.py: the app from $CKAN_INI.

Run: gunicorn --config deploy/gunicorn.conf.py --chdir deploy wsgi:application
"""
from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_path = os.environ.get("CKAN_INI", "/etc/ckan/ckan.ini")
if not os.path.exists(config_path):
    raise RuntimeError(f"CKAN configuration not found: {config_path} (set CKAN_INI)")

fileConfig(config_path, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(config_path).get_config())
