"""The portal's WSGI entry: CKAN's application, with its static files served by WhiteNoise."""
from __future__ import annotations

import logging.config
import os
import pathlib
from typing import Any, Callable, Iterable

from whitenoise import WhiteNoise

import ckan
from ckan.cli import CKANConfigLoader
from ckan.common import config as ckan_config
from ckan.config.middleware import make_app
from ckan.lib.webassets_tools import get_webassets_path

__all__ = ["create_app", "static_folders", "STATIC_MAX_AGE"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Seconds browsers may keep a static file. CKAN's public files are not fingerprinted
#: (a new release keeps ``/base/images/ckan-logo.png``), so an hour; compiled webassets
#: carry their version in their name (``/webassets/base/51d427fe_main.css``) and are
#: kept a year.
STATIC_MAX_AGE = 3600


def _versioned(webassets_prefix: str) -> Callable[[str, str], bool]:
    def test(path: str, url: str) -> bool:
        return url.startswith(webassets_prefix)
    return test


def static_folders(config: Any) -> list[tuple[str, str]]:
    """``(folder, URL prefix)`` of the files CKAN serves as they are, highest priority last.

    The same folders as core's static route (core's public folder, then the plugins',
    then ``extra_public_paths``) and the compiled webassets; not the upload storage,
    whose files change while the portal runs.
    """
    core = pathlib.Path(ckan.__file__).parent / config.get("ckan.base_public_folder")
    public = [str(core)] + list(reversed(config.get("plugin_public_paths", []))) + [
        path for path in reversed(config.get("extra_public_paths", "").split(",")) if path]
    webassets_url = config.get("ckan.webassets.url").strip("/")
    folders = [(folder, "") for folder in public]
    folders.append((get_webassets_path(), webassets_url + "/"))
    return [(folder, prefix) for folder, prefix in folders if os.path.isdir(folder)]


def create_app(ini: str | None = None) -> WsgiApp:
    """CKAN's WSGI application for the configuration file ``ini`` (default: ``$CKAN_INI``).

    As CKAN's deployment ``wsgi.py``: logging from the file, the configuration through
    ``CKANConfigLoader`` (so ``CKAN_SQLALCHEMY_URL`` and the other environment variables
    still apply), ``make_app``. WhiteNoise answers requests for static files before
    CKAN's request machinery (no session, no user lookup, no database), with
    ``Cache-Control`` and ``ETag``/``Last-Modified``; anything else goes to CKAN. Used by
    gunicorn: ``gunicorn 'ckanext.suite.wsgi:create_app()'``.
    """
    path = ini or os.environ.get("CKAN_INI")
    if not path or not os.path.isfile(path):
        raise RuntimeError(f"CKAN configuration file not found: {path!r} (set CKAN_INI)")
    logging.config.fileConfig(path, disable_existing_loggers=False)
    app = make_app(CKANConfigLoader(path).get_config())
    # CKAN 2.12's loader applies the file's logging again, which switches off every
    # logger that existed before, gunicorn's access and error logs among them.
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("gunicorn") and isinstance(logger, logging.Logger):
            logger.disabled = False
    webassets_prefix = "/" + ckan_config.get("ckan.webassets.url").strip("/") + "/"
    static = WhiteNoise(app, max_age=STATIC_MAX_AGE,
                        immutable_file_test=_versioned(webassets_prefix))
    for folder, prefix in static_folders(ckan_config):
        static.add_files(folder, prefix=prefix)
    return static
