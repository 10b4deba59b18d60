"""Have Your Say: children in care, their carers and parents give their views before a review."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from consult import config, i18n, schedule


def create_app(overrides: dict[str, object] | None = None) -> Flask:
    """Build the app from the environment; `overrides` replaces environment variables (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    environ = {**os.environ, **(overrides or {})}
    try:
        app.config.update(config.load(environ, Path(app.instance_path)))
        app.config["REVIEW_TIMETABLE"] = schedule.parse_timetable(app.config["REVIEW_TIMETABLE"])
        i18n.init_app(app)
    except (config.ConfigError, i18n.LocaleConfigError, schedule.TimetableError) as error:
        # The message names the variable to set; a traceback would only bury it.
        raise SystemExit(f"Have Your Say cannot start: {error}") from None

    from consult import logs
    from consult.extensions import csrf, db, limiter, migrate

    # First, so that every later hook, and any error it logs, sees the request id.
    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.data_folder("migrations")))
    csrf.init_app(app)
    limiter.init_app(app)

    from consult import assets, encryption, web

    # Importing it keeps the figures' rollups up to date after each commit that may change them.
    from consult.figures import rollups  # noqa: F401
    from consult.participation import bp as participation_bp
    from consult.reports import bp as reports_bp
    from consult.rights import bp as rights_bp
    from consult.staff import bp as staff_bp

    if app.testing:
        # The suite signs in hundreds of times: at production's cost that was most of its time.
        from consult.accounts import passwords

        passwords.use_testing_parameters()
    web.init_app(app)
    assets.init_app(app)
    encryption.init_app(app)
    app.register_blueprint(participation_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(rights_bp)
    app.register_blueprint(reports_bp)

    from consult import health

    app.register_blueprint(health.bp)
    if app.config["PROXY_FIX_HOPS"]:
        # Behind a reverse proxy: the client's address (which rate limits count by), scheme
        # and host come from the proxy's X-Forwarded-* headers, trusted for that many hops.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from consult.cli import register_commands

    register_commands(app)

    if app.config["AUTO_MIGRATE"]:
        _upgrade_database(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _upgrade_database(app: Flask) -> None:
    """Bring the database to the latest revision, so a fresh checkout runs at once."""
    from flask_migrate import upgrade

    from consult.figures.rollups import refresh_figures

    with app.app_context():
        upgrade()
        # A revision may mark every review and day; nothing else would count them again.
        refresh_figures()
