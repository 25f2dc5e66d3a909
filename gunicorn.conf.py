"""Gunicorn settings for production (``make serve-prod``) and for bench/referral_load.py.

Threads let a worker serve other requests while one waits for the database; processes use the cores.
Override any of these with GUNICORN_CMD_ARGS or command-line options.
"""

import multiprocessing
import os

wsgi_app = "hyte.config.wsgi"
worker_class = "gthread"
workers = int(os.environ.get("HYTE_WEB_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("HYTE_WEB_THREADS", 4))
keepalive = 5
# Behind a reverse proxy on the same host; requests are small API calls and pages.
timeout = 30
graceful_timeout = 20
max_requests = 5000  # recycle workers now and then (memory); jitter keeps them from restarting together
max_requests_jitter = 500
accesslog = None
loglevel = "warning"
