"""Configuration from environment variables, validated once at start-up.

Every setting the app reads is declared here, so README's configuration table and
the code cannot drift apart silently: `SETTINGS` is the single list of them.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A wheel carries the compiled catalogs and the migrations here (setup.py puts them there);
# a checkout or an editable install has no such folder and reads them at the top of the repo.
SHIPPED = Path(__file__).resolve().parent / "_shipped"


def data_folder(name: str) -> Path:
    """`translations` or `migrations`: inside the installed package, else in the checkout."""
    shipped = SHIPPED / name
    return shipped if shipped.is_dir() else PROJECT_ROOT / name

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says what to set."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    meaning: str


SETTINGS = (
    Setting("CONSULT_ENV", "development", "development, production or testing"),
    Setting("SECRET_KEY", None, "signs sessions and CSRF tokens; required in production, "
            "generated into the instance folder in development"),
    Setting("DATABASE_URL", None, "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; "
            "required in production, an SQLite file in the instance folder in development"),
    Setting("BASE_URL", "http://127.0.0.1:5000",
            "public address of the app, used in printed links"),
    Setting("LANGUAGES", "en_GB,ar,ps,fa_AF,fa,ckb,ku,ti,am,so,vi,sq,ro",
            "comma-separated locale codes offered to the public"),
    Setting("INVITATION_DAYS_AFTER_REVIEW", "14",
            "days after the review date that a link still works"),
    Setting("STAFF_SETUP_LINK_HOURS", "72", "hours a new staff member's first sign-in link works"),
    Setting("SESSION_COOKIE_SECURE", None, "1 or 0; defaults to 1 in production, 0 otherwise"),
    Setting("RATELIMIT_STORAGE_URI", "memory://",
            "where rate-limit counters live; in production, shared storage such as "
            "redis://host:6379/0 unless WEB_CONCURRENCY and INSTANCES are both 1"),
    Setting("WEB_CONCURRENCY", None, "gunicorn workers per instance; 2 × CPUs + 1 when unset "
            "(gunicorn.conf.py)"),
    Setting("INSTANCES", "1", "how many instances of the app serve the same database, counted "
            "with the workers to decide whether memory:// rate limits can start in production"),
    Setting("REVIEW_TIMETABLE", "20wd,3m,6m",
            "when reviews are due: first after becoming looked after, second after the first, "
            "later after the previous; wd working days, d days, w weeks, m months"),
    Setting("REVIEW_DUE_SOON_DAYS", "14", "days before its due date that a review is flagged "
            "due soon"),
    Setting("URGENT_ACKNOWLEDGE_WORKING_HOURS", "4",
            "working hours (09:00 to 17:00 on working days in England) within which an urgent "
            "request from the help-now page must be acknowledged before it shows as overdue"),
    Setting("AUTO_MIGRATE", None, "1 or 0: bring the database to the latest revision at start; "
            "defaults to 1 in development"),
    Setting("SMTP_HOST", None, "mail server for staff alerts; until it is set, alerts wait in "
            "the outbox"),
    Setting("SMTP_PORT", "587", "mail server port"),
    Setting("SMTP_SECURITY", "starttls", "starttls, tls (implicit TLS, usually port 465) or none "
            "(only for a relay on the same machine)"),
    Setting("SMTP_USERNAME", None, "mail server user name, if it needs one"),
    Setting("SMTP_PASSWORD", None, "mail server password, if it needs one"),
    Setting("SMTP_TIMEOUT", "10", "seconds to wait for the mail server before trying later"),
    Setting("ALERT_FROM_ADDRESS", None, "the From address of alerts; required with SMTP_HOST"),
    Setting("REPORT_SUPPRESSION_THRESHOLD", "5",
            "counts from 1 to one below this are hidden in managers' figures and every export"),
    Setting("PROXY_FIX_HOPS", "0", "how many reverse proxies stand in front of the app; their "
            "X-Forwarded-For/-Proto/-Host headers are trusted for that many hops, 0 trusts none"),
    Setting("DATA_ENCRYPTION_KEYS", None,
            "comma-separated Fernet keys for what people wrote: the first encrypts, all decrypt; "
            "required in production, generated into the instance folder in development"),
    Setting("RETENTION_DAYS_AFTER_CARE", "730",
            "days after a child ceases to be looked after that their submissions are kept"),
)

SMTP_SECURITY_MODES = ("starttls", "tls", "none")
# Bytes in one request body, and in one text field of a multipart form (an import's file
# is not held in memory). Each 4-byte character (an emoji) is sent as 12 bytes in a form.
REQUEST_SIZE_LIMIT = 4 * 1024 * 1024


def _flag(value: str, name: str) -> bool:
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}.")


def _positive_int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigError(f"{name} must be a whole number above 0, not {value!r}.")
    return number


def _whole_number(value: str, name: str) -> int:
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, 0 or more, not {value!r}.")
    return int(value)


def web_workers(value: str | None) -> int:
    """Gunicorn workers per instance: WEB_CONCURRENCY, else 2 × CPUs + 1 (gunicorn.conf.py)."""
    if not value:
        return (os.cpu_count() or 1) * 2 + 1
    return _positive_int(value, "WEB_CONCURRENCY")


def check_shared_limits(storage_uri: str, workers: int, instances: int) -> None:
    """Refuse rate-limit counters each process keeps alone when several processes serve.

    memory:// counts in one process: with five workers, five times the attempts get through
    and the sign-in throttle sees a fifth of them.
    """
    processes = workers * instances
    if storage_uri.startswith("memory://") and processes > 1:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI is {storage_uri}, which each process counts on its own, "
            f"but {processes} processes would serve ({workers} workers, WEB_CONCURRENCY, in "
            f"each of {instances} instances, INSTANCES), so rate limits and the sign-in "
            "throttle would be divided among them. Set RATELIMIT_STORAGE_URI to shared "
            "storage such as redis://host:6379/0, or run one process (WEB_CONCURRENCY=1 "
            "and INSTANCES=1).")


def _made_once(path: Path, make) -> str:
    """A secret made once per checkout and kept, readable by its owner alone."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    return path.read_text().strip()


def _development_secret(instance_path: Path) -> str:
    """Kept so that sessions survive restarts in development."""
    return _made_once(instance_path / "secret_key", lambda: secrets.token_hex(32))


def _development_encryption_key(instance_path: Path) -> str:
    """Kept beside the development database, which it encrypts."""
    return _made_once(instance_path / "data_encryption_key", lambda: base64.urlsafe_b64encode(
        secrets.token_bytes(32)).decode("ascii"))


def _encryption_keys(value: str) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    for position, key in enumerate(keys, start=1):
        try:
            well_formed = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (binascii.Error, UnicodeEncodeError, ValueError):
            well_formed = False
        if not well_formed:
            raise ConfigError(
                f"DATA_ENCRYPTION_KEYS key {position} is not a Fernet key (32 bytes in URL-safe "
                "base64; make one with `flask --app consult new-encryption-key`).")
    if not keys:
        raise ConfigError("DATA_ENCRYPTION_KEYS must hold at least one key.")
    return keys


def load(environ: dict[str, str], instance_path: Path) -> dict[str, object]:
    """Turn the environment into Flask config, or raise ConfigError saying what is wrong."""
    values = {s.name: environ.get(s.name, s.default) for s in SETTINGS}
    env = values["CONSULT_ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CONSULT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    production = env == "production"

    missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "DATA_ENCRYPTION_KEYS")
               if production and not values[name]]
    if missing:
        raise ConfigError(
            "In production these must be set in the environment: " + ", ".join(missing) + "."
        )
    secret_key = values["SECRET_KEY"] or _development_secret(instance_path)
    if production and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long in production.")

    database_url = values["DATABASE_URL"]
    if not database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_path / 'consult.sqlite'}"
    if database_url.startswith("postgres://") or database_url.startswith("postgresql://"):
        # Hosting platforms hand out libpq-style URLs; we ship psycopg 3, not psycopg2.
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]

    languages = tuple(code.strip() for code in values["LANGUAGES"].split(",") if code.strip())
    if not languages:
        raise ConfigError("LANGUAGES must name at least one locale, e.g. en_GB.")

    smtp_security = values["SMTP_SECURITY"]
    if smtp_security not in SMTP_SECURITY_MODES:
        raise ConfigError(
            f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}, "
            f"not {smtp_security!r}.")
    if values["SMTP_HOST"] and not values["ALERT_FROM_ADDRESS"]:
        raise ConfigError("ALERT_FROM_ADDRESS must be set when SMTP_HOST is.")
    if bool(values["SMTP_USERNAME"]) != bool(values["SMTP_PASSWORD"]):
        raise ConfigError("SMTP_USERNAME and SMTP_PASSWORD must be set together.")

    workers = web_workers(values["WEB_CONCURRENCY"])
    instances = _positive_int(values["INSTANCES"], "INSTANCES")
    if production:
        check_shared_limits(values["RATELIMIT_STORAGE_URI"], workers, instances)

    secure_cookie = values["SESSION_COOKIE_SECURE"]
    secure = _flag(secure_cookie, "SESSION_COOKIE_SECURE") if secure_cookie else production
    auto_migrate = values["AUTO_MIGRATE"]
    return {
        "ENV_NAME": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters keeps what people wrote out of exception messages and logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "BASE_URL": values["BASE_URL"].rstrip("/"),
        "LANGUAGES": languages,
        "INVITATION_DAYS_AFTER_REVIEW": _positive_int(
            values["INVITATION_DAYS_AFTER_REVIEW"], "INVITATION_DAYS_AFTER_REVIEW"),
        "STAFF_SETUP_LINK_HOURS": _positive_int(
            values["STAFF_SETUP_LINK_HOURS"], "STAFF_SETUP_LINK_HOURS"),
        "REVIEW_TIMETABLE": values["REVIEW_TIMETABLE"],
        "REVIEW_DUE_SOON_DAYS": _positive_int(
            values["REVIEW_DUE_SOON_DAYS"], "REVIEW_DUE_SOON_DAYS"),
        "URGENT_ACKNOWLEDGE_WORKING_HOURS": _positive_int(
            values["URGENT_ACKNOWLEDGE_WORKING_HOURS"], "URGENT_ACKNOWLEDGE_WORKING_HOURS"),
        "SESSION_COOKIE_SECURE": secure,
        # The __Host- prefix pins the cookie to this host and path, over HTTPS only.
        "SESSION_COOKIE_NAME": "__Host-session" if secure else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "RATELIMIT_STORAGE_URI": values["RATELIMIT_STORAGE_URI"],
        "RATELIMIT_HEADERS_ENABLED": False,
        "WEB_CONCURRENCY": workers,
        "INSTANCES": instances,
        "AUTO_MIGRATE": (
            _flag(auto_migrate, "AUTO_MIGRATE") if auto_migrate else env == "development"),
        "REPORT_SUPPRESSION_THRESHOLD": _positive_int(
            values["REPORT_SUPPRESSION_THRESHOLD"], "REPORT_SUPPRESSION_THRESHOLD"),
        # A child may take far longer than an hour over one page; the token is still bound
        # to their session, which is what protects them.
        "WTF_CSRF_TIME_LIMIT": None,
        # Far above the largest form's fields at their limits (tests/test_bad_input.py): an
        # answer too long for its field reaches the field's own check, which gives it back.
        "MAX_CONTENT_LENGTH": REQUEST_SIZE_LIMIT,
        "MAX_FORM_MEMORY_SIZE": REQUEST_SIZE_LIMIT,
        "DATA_ENCRYPTION_KEYS": _encryption_keys(
            values["DATA_ENCRYPTION_KEYS"] or _development_encryption_key(instance_path)),
        "RETENTION_DAYS_AFTER_CARE": _positive_int(
            values["RETENTION_DAYS_AFTER_CARE"], "RETENTION_DAYS_AFTER_CARE"),
        "BABEL_TRANSLATION_DIRECTORIES": str(data_folder("translations")),
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "SMTP_HOST": values["SMTP_HOST"] or None,
        "SMTP_PORT": _positive_int(values["SMTP_PORT"], "SMTP_PORT"),
        "SMTP_SECURITY": smtp_security,
        "SMTP_USERNAME": values["SMTP_USERNAME"] or None,
        "SMTP_PASSWORD": values["SMTP_PASSWORD"] or None,
        "SMTP_TIMEOUT": _positive_int(values["SMTP_TIMEOUT"], "SMTP_TIMEOUT"),
        "ALERT_FROM_ADDRESS": values["ALERT_FROM_ADDRESS"] or None,
        "PROXY_FIX_HOPS": _whole_number(values["PROXY_FIX_HOPS"], "PROXY_FIX_HOPS"),
    }
