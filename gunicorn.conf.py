"""gunicorn settings for production (`make serve-prod`).

Why these values (see ../shared/stack-notes.md section 3 and docs/operations.md):
- sync workers: the app is CPU-bound (Jinja, pydantic, the rule engine); gthread gave no more
  throughput and 2-3x worse p99 latency in our measurements. 2 workers per core.
- preload_app: the rule base is loaded, validated and compiled once in the master, so an invalid
  rule base or an unmigrated database stops the server before any worker starts. The rule engine
  starts no threads, so forking after loading is safe; database connections are dropped in
  post_fork. when_ready warms the app in the master (templates, question views, one engine
  run) and freezes its heap, so new workers start warm (advisor/warmup.py).
- bind 127.0.0.1:8000: put a TLS-terminating reverse proxy (nginx, a load balancer) in front
  and set TRUSTED_PROXIES=1 so HTTPS is recognised (HSTS, Secure cookies).
- graceful restarts: `kill -HUP <master pid>` replaces the workers, each finishing its request
  first (graceful_timeout). With preload_app the code and the rule base are loaded once in the
  master, so new code or new rules need a full restart (`kill -TERM`, then start again) or a
  binary upgrade (`kill -USR2`, then `kill -TERM` the old master). Saved assessments are
  committed before the response is sent, so no restart loses one.

Every value can be overridden by an environment variable (GUNICORN_BIND, GUNICORN_WORKERS, ...)
or on the command line.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a guidance PDF takes < 1 s
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 2
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))  # bounds slow leaks
max_requests_jitter = 500
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn >= 26 opens a control socket at ~/.gunicorn/gunicorn.ctl; every server on the machine
# shares that path (the benchmarks start several servers). We manage them with signals instead.
control_socket_disable = True


def when_ready(server):  # gunicorn's hook signature; the master, after preloading, before forking
    # Compile the templates, build the wizard's question views and run the rule engine once
    # here, so every worker (and every replacement after max_requests) inherits them instead of
    # paying for them on its first requests; then gc.freeze() the loaded heap. See
    # advisor/warmup.py.
    if server.cfg.preload_app:
        from advisor.warmup import before_fork

        before_fork(server.app.wsgi())


def post_fork(server, worker):  # gunicorn's hook signature
    from advisor.db import after_fork

    after_fork()


def post_worker_init(worker):  # gunicorn's hook signature; runs after signal handlers are set
    # Load fonts, stylesheets and the PDF template in each worker (after the fork: Pango/GLib
    # state must not be shared across it), so the first guidance PDF a user asks for does not
    # pay for them. Done here rather than in post_fork so a TERM during the warm-up is handled.
    # ADVISOR_WARM_PDF=0 skips it (quicker worker start, slower first PDF).
    if os.environ.get("ADVISOR_WARM_PDF", "1") != "0":
        from advisor.guidance import warm_up

        warm_up()
