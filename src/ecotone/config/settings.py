"""Ecotone settings: every value comes from the environment (see docs/settings.md).

Defaults give a working embedded install: SQLite in ``ECOTONE_HOME`` (``var/``), no
external services. Production sets ``ECOTONE_SECRET_KEY``, ``ECOTONE_DEBUG=false``,
``ECOTONE_ALLOWED_HOSTS`` and usually ``DATABASE_URL``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# A source checkout (pip install -e) keeps var/ and data/ beside the code; an installed
# package uses the working directory.
_CHECKOUT = PACKAGE_DIR.parent.parent
PROJECT_DIR = _CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, "") or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(sorted(choices))}")
    return value


ECOTONE_HOME = Path(os.environ.get("ECOTONE_HOME", PROJECT_DIR / "var")).resolve()
DATA_DIR = Path(os.environ.get("ECOTONE_DATA_DIR", PROJECT_DIR / "data")).resolve()
ECOTONE_HOME.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ECOTONE_DEBUG", False)
SECRET_KEY = os.environ.get("ECOTONE_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-home key keeps sessions valid across restarts of a local install
    # without ever shipping a key in the code.
    _key_file = ECOTONE_HOME / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

ALLOWED_HOSTS = env_list("ECOTONE_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("ECOTONE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_countries",
    "ninja",
    # Before django_tasks_db: its `ecotone db_worker` is core's, which holds a lease
    "ecotone.core",
    "django_tasks",
    "django_tasks_db",
    "ecotone.accounts",
    # Before the catalogue: apps add their API routers in this order, and the catalogue's
    # POST /needs/{id}/{action} would otherwise answer GET /needs/{id}/matches with a 405.
    "ecotone.matching",
    "ecotone.programs",
    "ecotone.impact",
    "ecotone.reports",
    "ecotone.catalog",
    "ecotone.search",
    "ecotone.assistant",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # before the session: a session written at the end of a request counts as a write
    "ecotone.core.replica.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # before CSRF and the views read the form: text with U+0000 never reaches a query
    "ecotone.core.null_characters.NullCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # last, so it sees a view's PermissionDenied first: one log line instead of a traceback
    "ecotone.core.refusals.RefusalLogMiddleware",
]

ROOT_URLCONF = "ecotone.config.urls"
WSGI_APPLICATION = "ecotone.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ecotone.core.context_processors.site",
            ],
        },
    },
]

_default_database = f"sqlite:///{ECOTONE_HOME / 'ecotone.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_database), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer works; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock under concurrent writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# An optional PostgreSQL read replica (streaming replication of the primary): searches
# and list pages read from it, everything else uses the primary (core/replica.py).
_replica_url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=60, conn_health_checks=True
    )
    if any("postgresql" not in DATABASES[alias]["ENGINE"] for alias in ("default", "replica")):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs PostgreSQL in both DATABASE_URL and itself"
        )
    # tests read the replica's copy of the test database (or the primary's, when the
    # replica's address is the primary's)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
ECOTONE_READ_REPLICA = "replica" if _replica_url else ""
#: seconds a client reads the primary after it wrote something (its own writes are
#: always seen, however far behind the replica is)
ECOTONE_REPLICA_STICKY_SECONDS = env_int("ECOTONE_REPLICA_STICKY_SECONDS", 10)
DATABASE_ROUTERS = ["ecotone.core.replica.ReplicaRouter"]
#: threads per process that run a PostgreSQL search's independent statements side by side,
#: each with a connection of its own (search/backends/side_by_side.py); 0: one after another
ECOTONE_SEARCH_READ_WORKERS = env_int("ECOTONE_SEARCH_READ_WORKERS", 4)

# Figures that are costly and rarely change (a need's matches, the dashboards), shared by
# the web server's processes and invalidated by every write to the records they come from
# (core/cache.py). "file": ECOTONE_HOME/cache/django, one machine; "database": a table
# (`ecotone createcachetable`, which `ecotone serve` runs), for several machines.
ECOTONE_CACHE = env_choice("ECOTONE_CACHE", "file", {"file", "database"})
CACHES = {
    "default": {
        # Django's FileBasedCache, listing its folder on one write in 100 (core/cache_backends.py)
        "BACKEND": "ecotone.core.cache_backends.FileCache",
        "LOCATION": str(ECOTONE_HOME / "cache" / "django"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
    if ECOTONE_CACHE == "file"
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ecotone_cache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ecotone.formats"]  # Chinese amounts grouped by thousands
TIME_ZONE = os.environ.get("ECOTONE_TIME_ZONE", "") or "Asia/Shanghai"
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"ECOTONE_TIME_ZONE {TIME_ZONE!r} is not a time zone name such as Asia/Shanghai"
    ) from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = ECOTONE_HOME / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = ECOTONE_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# Uploaded resource files: what the text extractor accepts.
# Dense retrieval: default (multilingual-e5-small), use, e5+use, none (lexical only) or the
# folder of a sentence-transformers model. See docs/settings.md.
ECOTONE_EMBEDDER = os.environ.get("ECOTONE_EMBEDDER", "").strip() or "default"

# The knowledge assistant (docs/assistant.md): questions per minute an anonymous client
# (by address) may ask, 0 for no limit; and an optional OpenAI-compatible endpoint that
# phrases answers from the retrieved passages (off while the URL is empty).
ECOTONE_ASK_RATE_LIMIT = env_int("ECOTONE_ASK_RATE_LIMIT", 10)

# Programme reviewer invitations (docs/programmes.md): accounts a manager who is not staff
# may open for e-mail addresses without one, in any 24 hours; 0 for no limit.
ECOTONE_INVITED_ACCOUNTS_PER_DAY = env_int("ECOTONE_INVITED_ACCOUNTS_PER_DAY", 50)
ECOTONE_ASK_LLM_URL = os.environ.get("ECOTONE_ASK_LLM_URL", "").strip().rstrip("/")
ECOTONE_ASK_LLM_MODEL = os.environ.get("ECOTONE_ASK_LLM_MODEL", "").strip()
ECOTONE_ASK_LLM_KEY = os.environ.get("ECOTONE_ASK_LLM_KEY", "").strip()
ECOTONE_ASK_LLM_TIMEOUT = env_int("ECOTONE_ASK_LLM_TIMEOUT", 30)

# Background work (index updates, rebuilds, reports, assignment runs): "database" queues
# tasks for a worker (`ecotone serve` starts one; `ecotone db_worker` runs one on its own),
# "immediate" runs each task in the process that asks for it. See docs/settings.md.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
ECOTONE_TASKS = env_choice("ECOTONE_TASKS", "database", set(TASK_BACKENDS))
TASKS = {"default": {"BACKEND": TASK_BACKENDS[ECOTONE_TASKS], "QUEUES": []}}

# Absolute links in generated documents (the annual report's PDF): where the site is served.
ECOTONE_SITE_URL = (os.environ.get("ECOTONE_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")

# Introductions nobody answers: members are reminded after this many days, and after
# the second figure the request is handed to the platform's brokers (who are reminded
# too). An e-mail link that proves a claim to an organisation lasts this many days.
ECOTONE_INTRODUCTION_REMINDER_DAYS = env_int("ECOTONE_INTRODUCTION_REMINDER_DAYS", 7)
ECOTONE_INTRODUCTION_ESCALATION_DAYS = env_int("ECOTONE_INTRODUCTION_ESCALATION_DAYS", 14)
ECOTONE_CLAIM_LINK_DAYS = env_int("ECOTONE_CLAIM_LINK_DAYS", 3)

RESOURCE_MAX_UPLOAD_BYTES = env_int("ECOTONE_RESOURCE_MAX_UPLOAD_BYTES", 20 * 2**20)
DATA_UPLOAD_MAX_MEMORY_SIZE = RESOURCE_MAX_UPLOAD_BYTES + 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20

EMAIL_BACKEND = os.environ.get(
    "ECOTONE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("ECOTONE_DEFAULT_FROM_EMAIL", "ecotone@localhost")
EMAIL_HOST = os.environ.get("ECOTONE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ECOTONE_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("ECOTONE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ECOTONE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ECOTONE_EMAIL_USE_TLS", False)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Every page: scripts, fonts, styles and images only from the site itself, nothing framed,
# no plug-ins. Styles may also be inline: the charts are pygal SVGs with their own <style>
# and style attributes (a style cannot run script; a script would need 'unsafe-inline' in
# script-src, which no page has). Uploaded files carry a stricter policy of their own
# (core.uploads); the middleware leaves a response's own policy alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SECURE = env_bool("ECOTONE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("ECOTONE_BEHIND_HTTPS_PROXY", False):
    # The proxy terminates TLS and says so in this header; links then use https://.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

COUNTRIES_FIRST = ["CN"]

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "ECOTONE_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
        ),
    },
}
