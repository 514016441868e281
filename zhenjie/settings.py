"""Settings for Zhenjie, read from the environment.

DATABASE_URL   default: SQLite in WAL mode under var/ (PostgreSQL in production: postgres://…)
SECRET_KEY     default: generated once and kept in var/secret_key
FIELD_ENCRYPTION_KEY  key for personal data encrypted at rest (kernel/pii.py); default: generated
               once and kept in var/field_key. Losing it loses every encrypted ID number and phone.
JOURNAL_KEY    key of the journal's digests, heads' seals and anchors (kernel/JOURNAL.md); default:
               generated once and kept in var/journal_key. Losing it makes the journal unverifiable.
JOURNAL_ANCHOR_DIR  where the daily journal anchors are written (default var/journal-anchors)
JOURNAL_ANCHOR_URL  optional receiver the anchors are POSTed to (default none)
DEBUG          default off; "1" turns it on
ALLOWED_HOSTS  comma-separated; default the loopback names
REDIS_URL      when set, the job queue runs on Redis instead of SQLite
ZHENJIE_VAR_DIR  where the SQLite files, uploads and the secret live (default ./var)
MAP_TILE_URL   optional tile server for maps, e.g. http://tiles.intranet/{z}/{x}/{y}.png (default none)
ZHENJIE_BASEMAP  a raster .mbtiles/.pmtiles file the platform serves as the base map (default: the one in var/)
Behind HTTPS (docs/DEPLOYMENT.md, "Production settings"; `manage.py check --deploy` is clean with them):
SECURE_COOKIES  "1": session and CSRF cookies only over HTTPS
SECURE_SSL_REDIRECT  "1": plain-HTTP requests are redirected to HTTPS (except /healthz)
SECURE_HSTS_SECONDS  e.g. 31536000: browsers use HTTPS only, for that long (default 0, off)
SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD  "1" to add those HSTS directives
SECURE_PROXY_SSL_HEADER  the header a TLS-terminating proxy sets, as a request.META key
               (e.g. HTTP_X_FORWARDED_PROTO; "https" is the value meaning HTTPS, or give
               HEADER,value). Only when the proxy always sets or overwrites it.
"""

import base64
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHENJIE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _kept_key(variable: str, file_name: str) -> str:
    """A key from the environment, else 32 random bytes (URL-safe base64) generated once into a
    file of var/ that only the owner reads."""
    if os.environ.get(variable):
        return os.environ[variable]
    key_file = VAR_DIR / file_name
    if not key_file.exists():
        key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Kept apart from SECRET_KEY: rotating the session secret must not make citizens' encrypted ID
# numbers unreadable.
FIELD_ENCRYPTION_KEY = _kept_key("FIELD_ENCRYPTION_KEY", "field_key")
# Kept apart from the field key and from the database: whoever can write the journal's tables must
# not be able to make digests that verify (等保 8.1.4.7 b). A copy stays with the audit
# administrator's backups, not the DBA's.
JOURNAL_KEY = _kept_key("JOURNAL_KEY", "journal_key")
# The daily anchor (the heads' digests and counts) goes to files outside the database and,
# when set, to a receiver on another machine (kernel/anchors.py).
JOURNAL_ANCHOR_DIR = Path(os.environ.get("JOURNAL_ANCHOR_DIR", VAR_DIR / "journal-anchors"))
JOURNAL_ANCHOR_URL = os.environ.get("JOURNAL_ANCHOR_URL", "").strip()
DEBUG = _env_flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # Content-Security-Policy (django-csp 4; Django 5.2 has none built in)
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files instead of a CDN
    "huey.contrib.djhuey",
    "axes",  # login lock-out (accounts/login.py)
    "django_otp",  # second factor (accounts/second_factor.py)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "zhenjie.areas",
    "zhenjie.units",
    "zhenjie.accounts",
    "zhenjie.kernel",
    "zhenjie.tasks",
    "zhenjie.events",
    "zhenjie.calls",
    "zhenjie.dashboard",
    "zhenjie.integrations",
    "zhenjie.lists",
    "zhenjie.grid",
    "zhenjie.movein",
    "zhenjie.topics",
    "zhenjie.window",
    "zhenjie.enforcement",
    "zhenjie.workbench",
    "zhenjie.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Response headers before WhiteNoise, so static files carry them as well as pages.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhenjie.workbench.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "zhenjie.api.nul.RefuseNulMiddleware",  # before CSRF reads the form: PostgreSQL text cannot hold NUL
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session's second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhenjie.accounts.middleware.IdleSessionMiddleware",  # after messages and htmx: it uses both
    "zhenjie.accounts.middleware.AccountGateMiddleware",  # an initial or expired password is changed first
    "zhenjie.workbench.middleware.NotFoundMiddleware",  # a page's NotFound is its 404 page
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lock-out into 429
]

ROOT_URLCONF = "zhenjie.urls"
WSGI_APPLICATION = "zhenjie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhenjie" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhenjie.workbench.context.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'zhenjie.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the start
        # of a transaction, so two writers queue instead of failing halfway with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _env_flag("DB_PREPARED_STATEMENTS", True):
    # kernel.prepared's reads (the few every request makes) become prepared statements of the
    # connection; Django's own queries bind on the client and are never prepared. Behind a pooler
    # in transaction mode without prepared-statement support (PgBouncer < 1.21), set
    # DB_PREPARED_STATEMENTS=0 (docs/DEPLOYMENT.md).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Length and classes read the security policy (defaults 12 and three of four): accounts/passwords.py.
    {"NAME": "zhenjie.accounts.passwords.PolicyLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhenjie.accounts.passwords.CharacterClassValidator"},
    {"NAME": "zhenjie.accounts.passwords.LocalPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+address (or address) before the password is
# even checked. The numbers are the security administrator's (SecurityPolicy), read by the
# callables in accounts/login.py; see its docstring for the two limits.
# AccountBackend is Django's ModelBackend reading the session's user by a compiled read; sessions
# signed in under "django.contrib.auth.backends.ModelBackend" sign in once more after the upgrade.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "zhenjie.accounts.backends.AccountBackend"]
AXES_HANDLER = "zhenjie.accounts.login.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "zhenjie.accounts.login.failure_limit"
AXES_COOLOFF_TIME = "zhenjie.accounts.login.cool_off"
AXES_CLIENT_IP_CALLABLE = "zhenjie.accounts.login.client_address"
AXES_LOCKOUT_CALLABLE = "zhenjie.accounts.login.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Logins, failures and lock-outs are journaled (accounts.login.log_in); axes' own access log
# would be a second, unchained copy.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# TOTP (accounts/second_factor.py): the name an authenticator app shows beside the code. Throttling
# after wrong codes and one use per code are django-otp's defaults, kept.
OTP_TOTP_ISSUER = os.environ.get("SITE_NAME", "镇街综合治理平台")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after a period of inactivity: every request pushes the expiry forward, so an idle
# session expires. The idle limit itself is a security-administrator setting (SecurityPolicy).
SESSION_ENGINE = "zhenjie.accounts.sessions"  # Django's database sessions, read by a compiled query
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_flag("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# ---- Transport and response headers (等保 8.1.4.8 a / ASVS 3.4, 12.1; docs/DEPLOYMENT.md) ----------
# All from the environment, off by default so `make run` works over plain HTTP on one machine;
# the documented production settings turn them on and `check --deploy` is then clean (tested).
SECURE_SSL_REDIRECT = _env_flag("SECURE_SSL_REDIRECT")
# The load balancer's health check speaks plain HTTP to the web process.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _env_flag("SECURE_HSTS_PRELOAD")


def _proxy_ssl_header() -> tuple[str, str] | None:
    """A TLS-terminating proxy's header: only trusted when named, since a client could send it too."""
    value = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
    if not value:
        return None
    header, _, expected = value.partition(",")
    return header.strip(), (expected.strip() or "https")


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
if not SECURE_HSTS_PRELOAD:
    # A county intranet's host name cannot be on the browsers' preload list, so not asking for it is
    # a decision, not an oversight; a site on the Internet sets SECURE_HSTS_PRELOAD=1 instead.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # a case's URL (its number) never travels to another site
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (workbench/security_headers.py): the position is the only device feature a page
# uses (grid workers' reports and patrols); photos come from <input type=file>, not the camera API.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), serial=(), bluetooth=()"

# Chinese is the interface language whatever the browser asks for: the templates are written in
# Chinese, and a half-translated page is worse than none. (An English catalogue is future work.)
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zhenjie" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "zhenjie" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The cache holds only short-lived counters (the citizen portal's abuse limits), which every web
# process must share, or each of gunicorn's workers would allow the limit again (issue 12): Redis
# when REDIS_URL is set, else files under var/ that the processes of one machine share (counts
# there may run a step over under a race; a limit, not a ledger).
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "zhenjie"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}}

# Behind a reverse proxy every request comes from the proxy: name the header it sets to the
# client's address (as Django's request.META key, e.g. HTTP_X_REAL_IP) so per-address limits
# apply per citizen. Only set it when the proxy overwrites that header.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")

# The job queue: SQLite file locally (no broker to install), Redis when REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "zhenjie",
        "url": os.environ["REDIS_URL"],
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "zhenjie.kernel.job_queue.SqliteQueue",  # synchronous=NORMAL, as the database
        "name": "zhenjie",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Uploads: the defaults a county can tighten; the limits users meet are in kernel.attachments.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Images are refused above this many pixels, read from the header before anything is decoded
# (decompression bombs; kernel.attachments.check_image).
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 60_000_000))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes logs every failed login as a warning; the journal already records each one (auth chain).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "ERROR"}},
}
SITE_NAME = os.environ.get("SITE_NAME", "镇街综合治理平台")

# Messages leave the platform by e-mail (Django's SMTP backend) and group robots (kernel/NOTIFY.md,
# docs/DEPLOYMENT.md). Without EMAIL_HOST no e-mail is offered on 消息接收设置.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_flag("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10") or 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhenjie@localhost")
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Group robots: seconds to wait for an answer; hosts a robot's address may name (comma-separated;
# empty: any host the machine can reach).
NOTIFY_WEBHOOK_TIMEOUT = int(os.environ.get("NOTIFY_WEBHOOK_TIMEOUT", "10") or 10)
NOTIFY_WEBHOOK_HOSTS = [h.strip().lower() for h in os.environ.get("NOTIFY_WEBHOOK_HOSTS", "").split(",") if h.strip()]
# Minutes to wait after each failed try; after the last, the delivery is marked failed.
NOTIFY_RETRY_MINUTES = [int(m) for m in os.environ.get("NOTIFY_RETRY_MINUTES", "1,5,30,120,480").split(",") if m.strip()]
# Maps draw the project's own boundaries with no tiles: intranets are closed. A county with a
# tile server of its own names it here ({z}/{x}/{y} URL template).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "").strip()
# A base-map file the platform serves itself (workbench/basemap.py): one raster MBTiles or PMTiles
# file of the county. Unset, the one *.mbtiles / *.pmtiles directly in VAR_DIR is used, if any; a
# file wins over MAP_TILE_URL.
BASEMAP_FILE = os.environ.get("ZHENJIE_BASEMAP", "").strip()
BASEMAP_DIR = VAR_DIR  # where a dropped-in file is looked for


def _tile_origin() -> list[str]:
    """The tile server's origin, the one other host a page may load from (images only)."""
    from urllib.parse import urlsplit

    parts = urlsplit(MAP_TILE_URL)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in {"http", "https"} and parts.netloc else []


# Content-Security-Policy on every response (django-csp 4; ASVS 3.4.3, 等保 8.1.4.4 入侵防范):
# scripts and styles only from our own vendored files, so no inline <script>, no on…="" handler and
# no style="" attribute anywhere (templates pass data by json_script or data- attributes; app.js
# wires the small behaviours). Images also from data: (Bootstrap's CSS draws its icons that way)
# and blob: (the report form's photo previews). Nothing from another host but the optional tiles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origin()],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],  # the service worker at /sw.js (static/zhenjie/sw.js): phone pages offline
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# How many events `manage.py demo` draws for the demo county's past year (issue 5 item 10).
DEMO_EVENTS = int(os.environ.get("ZHENJIE_DEMO_EVENTS", "20000"))
DEMO_APPLICATIONS = int(os.environ.get("ZHENJIE_DEMO_APPLICATIONS", "3000"))  # window/demo.py: a year of applications
