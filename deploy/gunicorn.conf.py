"""gunicorn settings of the portal's web service (deploy/systemd/ckan-web.service)."""
from __future__ import annotations

import multiprocessing
import os

# nginx (deploy/nginx/ckan.conf) proxies to this address; CKAN is never exposed directly,
# which is what makes ckanext.suite.proxy_hops = 1 safe.
bind = os.environ.get("CKAN_BIND", "127.0.0.1:8000")
# CKAN's requests mostly wait on PostgreSQL: gunicorn's usual rule, two per core plus one.
workers = int(os.environ.get("CKAN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Each worker loads CKAN itself: a preloaded app would share database connections
# across the fork.
preload_app = False
timeout = 120
graceful_timeout = 30
# Recycle workers now and then, against slow leaks in long-lived processes.
max_requests = 2000
max_requests_jitter = 200
# To the journal; %(h)s is the visitor's address once the suite's proxy fix ran.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
