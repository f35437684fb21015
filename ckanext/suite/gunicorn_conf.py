"""gunicorn settings of the portal (``gunicorn -c python:ckanext.suite.gunicorn_conf``).

Read from the environment: ``WEB_BIND`` (default ``127.0.0.1:5000``), ``WEB_WORKERS``
(default cores + 1), ``WEB_THREADS`` (default 4; 1 for synchronous workers),
``WEB_ACCESS_LOG`` (a file, ``-`` for the terminal; default none). The application is
loaded once in the master and the workers are forked from it (``preload_app``): one
start-up, shared memory pages; each worker then opens its own database connections.

A CKAN request spends about half its time waiting (database round trips and commits,
Redis, SMTP): a synchronous worker idles meanwhile. One worker process under 50
concurrent ``package_show`` clients served 34 requests/s synchronous and 98 with four
threads. Threads overlap those waits; processes, one per core plus one, use the cores,
which one Python process cannot (its interpreter lock).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any

from ckan.model import meta

__all__ = ["bind", "workers", "threads", "worker_class", "preload_app", "timeout", "graceful_timeout",
           "max_requests", "max_requests_jitter", "accesslog", "errorlog", "access_log_format", "wsgi_app",
           "control_socket_disable",
           "when_ready", "post_fork", "default_workers"]


def default_workers() -> int:
    """One process per core plus one (each runs ``threads`` requests at a time)."""
    return multiprocessing.cpu_count() + 1


wsgi_app = "ckanext.suite.wsgi:create_app()"
bind = os.environ.get("WEB_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_WORKERS") or default_workers())
threads = int(os.environ.get("WEB_THREADS") or 4)
worker_class = "gthread" if threads > 1 else "sync"
preload_app = True
# Resource uploads (ckan.max_resource_size) and heavy checks run in the request.
timeout = 120
graceful_timeout = 10
# Recycle a worker now and then: memory held by one big request goes back to the system.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
# %(h)s is the visitor's address once the suite's proxy fix ran (ckanext.suite.proxy_hops).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
# gunicornc's socket sits at one path per user: a second portal (or the benchmark's)
# would take it over. Nothing here uses it.
control_socket_disable = True


def when_ready(server: Any) -> None:
    # Objects made while loading CKAN stay in the shared pages of the forked workers
    # instead of being copied by the first garbage collection.
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    # Connections opened while the master loaded CKAN belong to the master; a worker
    # using one of them would share its socket with its siblings.
    if meta.engine is not None:
        meta.engine.dispose(close=False)
