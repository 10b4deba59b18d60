"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

The app reads its own settings from the environment (README, "Configuration"); these are
the server's. Each can be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import ipaddress
import logging
import os

from consult.config import ConfigError, check_shared_limits, web_workers
from consult.logs import gunicorn_logging

wsgi_app = "consult:create_app()"
# Loopback or a Unix socket only (checked in on_starting): a sync worker reading a request
# from a slow client is held until it has it all, so five connections that promise a body
# and send a few bytes would hold five workers. The buffering proxy on the same machine
# (nginx, docs/deployment.md) reads each request whole before passing it on.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: each request is short and waits mostly on PostgreSQL. The reverse proxy in
# front buffers slow clients, so a worker is never held by a slow phone connection.
workers = web_workers(os.environ.get("WEB_CONCURRENCY"))
worker_class = "sync"
# A worker stuck for 30 s is killed and replaced; no page should take more than a second.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Build the app once, in the master, with every template compiled, and fork the workers
# from it: a worker that replaces another starts at once, instead of spending a second of
# CPU on imports, the app and its templates while the others carry its share.
preload_app = True
# Heartbeat files on tmpfs: a container's overlay disk can stall them into false timeouts.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Several instances may share a host; gunicornc's one control socket per user would clash.
control_socket_disable = True

# Should a log line ever fail to format, logging would print the record's arguments to
# stderr, and gunicorn's access arguments hold every request header, cookies included.
logging.raiseExceptions = False
logconfig_dict = gunicorn_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
access_log_format = "%(m)s %(U)s %(s)s"


def is_private_bind(address: str) -> bool:
    """A Unix socket, or an address only this machine can reach (127.0.0.0/8, ::1)."""
    if address.startswith(("unix:", "fd://")):
        return True
    host = address.rsplit(":", 1)[0] if ":" in address else address
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_exposed_binds(server):
    """Only loopback or a Unix socket: a buffering proxy must stand in front."""
    exposed = [address for address in server.cfg.bind if not is_private_bind(address)]
    if exposed:
        raise SystemExit(
            f"Have Your Say cannot start: gunicorn would listen on {', '.join(exposed)}. Bind "
            "it to 127.0.0.1 or a Unix socket (GUNICORN_BIND) behind a buffering proxy such "
            "as nginx on the same machine: sync workers must never read from slow clients "
            "themselves (docs/deployment.md).")


def refuse_divided_limits(server):
    """Before any worker: the workers actually configured (`--workers` on the command line
    too) must not divide memory:// rate limits between them in production."""
    config = server.app.wsgi().config
    if config.get("ENV_NAME") == "production":
        try:
            check_shared_limits(config["RATELIMIT_STORAGE_URI"], server.cfg.workers,
                                config["INSTANCES"])
        except ConfigError as error:
            raise SystemExit(f"Have Your Say cannot start: {error}") from None


def on_starting(server):
    refuse_exposed_binds(server)
    refuse_divided_limits(server)


def when_ready(server):
    app = server.app.wsgi()
    # Every template compiled now, in the master, rather than in each worker on first use.
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


def post_fork(server, worker):
    # A database connection must never be shared by two processes: each worker opens its own.
    app = server.app.wsgi()
    sqlalchemy = app.extensions.get("sqlalchemy")
    if sqlalchemy is not None:
        with app.app_context():
            for engine in sqlalchemy.engines.values():
                engine.dispose(close=False)
