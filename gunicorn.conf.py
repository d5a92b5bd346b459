"""Gunicorn's settings for serving the application (`make serve`): ``gunicorn -c gunicorn.conf.py config.wsgi``.

Read from the environment (documented in ``.env.example``), so one file serves every deployment. Gunicorn
listens on loopback by default: it sits behind the TLS-terminating reverse proxy (README, "Security"), which
serves nothing itself; static files come from WhiteNoise inside the application.
"""

import os

wsgi_app = "config.wsgi:application"
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads per worker. Above 1 the worker class is gthread: a request waiting on PostgreSQL (or on the password
# hash, which releases the GIL) no longer holds the whole worker, so a slow page does not queue every request
# behind it. 1 keeps the sync worker (one request per process at a time).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Seconds a worker may spend on one request before it is killed and replaced (PDF exports are the slowest).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Seconds an idle keep-alive connection is held (gthread only; the sync worker closes after each request).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A worker is replaced after this many requests plus a random jitter of up to a tenth of it, so that the workers
# do not all restart at the same moment: bounds the effect of any slow leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", str(max_requests // 10)))
accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The Django application is loaded in each worker (not in the master): a fresh database connection per worker.
preload_app = False
