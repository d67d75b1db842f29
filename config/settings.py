"""Q9 Order Desk settings. Everything that differs between machines comes from the environment.

Development defaults are safe: DEBUG is off unless asked for, e-mail goes to the console, and the
database/Redis default to the local services on 127.0.0.1 (``make run`` points them at embedded ones
when those are not reachable).
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    DEMO_MODE=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)

DEBUG = env("DEBUG")
DEMO_MODE = env("DEMO_MODE")
# A development key; production sets SECRET_KEY (docker-compose requires it). With DEBUG off, gunicorn, the
# Celery worker and beat refuse to start on it and `check --deploy` reports it (config/production.py);
# `make run` keeps a generated key in var/secret_key.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0f9a1c6e"
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_prometheus",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "ninja",
    "axes",
    "pgtrigger",
    "simple_history",
    # the second factor of HQ and the LCS (core/twofactor.py): an authenticator app and one-time recovery codes
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # domain apps, bottom up (the layers of pyproject.toml's import-linter contracts)
    "core",
    "dispatch",
    "orders",
    "complaints",
    "inventory",
    "logistics",
    "finance",
    "penalties",
    "people",
    "courier",
    "retention",
]

MIDDLEWARE = [
    # request rate and latency per view (django-prometheus: first and last), database time per view (config.metrics)
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.metrics.DatabaseTimeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "config.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the request id, user and site on every log line, one JSON line per request (config/logs.py)
    "config.logs.RequestLogMiddleware",
    # a courier's account reaches only the courier's pages (403 elsewhere)
    "courier.middleware.CourierOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # the master data's history records who made each change
    "simple_history.middleware.HistoryRequestMiddleware",
    # a temporary password (set by HQ or the province) must be replaced before anything else
    "people.middleware.TemporaryPasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # axes last, as its documentation asks (django-prometheus's closing half only counts)
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.desk",
                "config.context_processors.pending_orders",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/q9"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A web process's connection pool (psycopg_pool): as many connections as the process has threads (gunicorn
# --threads, set where gunicorn is started); a request that gets none within DB_POOL_TIMEOUT seconds is answered
# 503 with Retry-After (config.views.server_error), never a bare 500. 0: no pool (tests, Celery workers).
DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=0)
if DB_POOL_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_SIZE),
        "max_size": DB_POOL_SIZE,
        "timeout": env.float("DB_POOL_TIMEOUT", default=2.0),
    }
# a streaming replica for reports, exports, statements and dashboards (core/replica.py); the primary when unset
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**env.db("DATABASE_REPLICA_URL"), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"]}
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2, **DATABASES["replica"].get("OPTIONS", {})}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Redis never on a request's critical path: short socket timeouts, misses when it is down (core/rediscache.py)
        "BACKEND": "core.rediscache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
        },
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="q9"),
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with a get_user compiled once (every request asks it): core/auth.py
    "core.auth.UserBackend",
    # only for sessions signed in before core.auth existed, which name it; never asked for a password
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): 5 failures per user name and address lock for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# The second factor (core/twofactor.py): the name authenticator apps show, and the back-off after wrong codes (each
# failure doubles the wait: factor × 1, 2, 4 … seconds, django-otp's throttling).
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Q9电商订单")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=2)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=2)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Attachments: what the message centre (and later appeals, work orders) accept.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "xlsx", "xls", "csv", "txt", "eml", "docx", "zip"]
# A request carrying files larger than this is refused before a byte is stored in memory or on disk
# (core.uploads): the import kit's 20 MB (core.imports.MAX_BYTES) and room for the form's other fields;
# attachments stop earlier (above).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024 + 64 * 1024)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# E-mail: EMAIL_URL like smtp+tls://user:pass@host:587 ; console in development.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if env("EMAIL_FILE_PATH", default=""):  # for filemail:// (django-environ drops the leading slash of its path)
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Q9 Order Desk <noreply@q9.example>")
# The address of this desk as people reach it: absolute links in e-mails (password reset, message copies).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The courier's phone: bump to make every phone fetch the offline shell again (service worker cache name)
COURIER_SW_VERSION = "2"
# The group mailbox of the HQ e-commerce team (receives copies of messages addressed to HQ).
HQ_GROUP_EMAIL = env("HQ_GROUP_EMAIL", default="")
# Operations alerts (core/alerts.py): the SMS gateway's class (``send(numbers, text)``; the default only logs, the
# numbers masked) and the group robots' hosts a channel's address may name (a host in CALLBACK_ALLOWED_HOSTS too).
ALERT_SMS_BACKEND = env("ALERT_SMS_BACKEND", default="core.sms.LoggingBackend")
ALERT_WEBHOOK_HOSTS = {"wecom": "qyapi.weixin.qq.com", "dingtalk": "oapi.dingtalk.com"}

# The request body limit follows the bulk schema: 1,000 orders of the longest fields, Chinese text escaped as
# \uXXXX (about 11.8 KB an order) fit; past it the API answers a JSON 413 (config.middleware.InputGuardMiddleware)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=12 * 1024 * 1024)

SESSION_COOKIE_AGE = 12 * 3600  # one working day
# sessions read from Redis, written through to PostgreSQL (a miss, or Redis away, reads the table): a clerk's page
# polls every WORKBENCH_POLL_SECONDS, and an unchanged poll must cost at most two statements
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production transport: with DEBUG off and a real host name served, HTTPS is assumed — SSL redirect,
# HSTS (a year, subdomains, preload) and Secure cookies. A machine serving only loopback names (`make run`, the
# tests) keeps plain HTTP; SECURE_TRANSPORT=true/false says it explicitly.
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
SECURE_TRANSPORT = env.bool("SECURE_TRANSPORT", default=not DEBUG and not set(ALLOWED_HOSTS) <= _LOOPBACK)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_TRANSPORT)
SECURE_REDIRECT_EXEMPT = [r"^healthz/", r"^metrics$"]  # the load balancer's probe speaks plain HTTP inside
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if SECURE_TRANSPORT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_TRANSPORT)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_TRANSPORT)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=SECURE_TRANSPORT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy (config.middleware.SecurityHeadersMiddleware): scripts only from our own static files
# (no inline script, no eval); inline style attributes are allowed (Bootstrap utilities in a few templates).
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)

# Celery: Redis is both broker and result store. Deadlines never travel as ETAs.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Two queues, each with its own worker process (Procfile, docker-compose.yml): "minute" holds the work that must
# run every minute whatever else is queued (the SLA sweep, overdue work orders, callbacks, warnings, beat's
# heartbeat and counts); "bulk" holds the long work (Monday's notices and reports, settlements, imports, the
# e-mail copies of 20,000 notices, the ledger). A task not named here is bulk work. A worker started without -Q consumes both (the tests' single worker).
MINUTE_QUEUE, BULK_QUEUE = "minute", "bulk"
MINUTE_TASKS = (
    "core.tasks.scheduler_heartbeat",
    "penalties.tasks.sla_sweep",
    "complaints.tasks.overdue",
    "complaints.tasks.warnings",
    "complaints.tasks.results_deliver",
    "dispatch.tasks.unscanned_reminders",
    "orders.tasks.callbacks_deliver",
    "orders.tasks.day_counts",
    "dispatch.tasks.escalations",
    "core.tasks.alerts_deliver",
)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default=BULK_QUEUE)
CELERY_TASK_QUEUES = {MINUTE_QUEUE: {}, BULK_QUEUE: {}}
# false: every task on the one bulk queue, as before the split (only bench.monday's "before" run sets it)
CELERY_SPLIT_QUEUES = env.bool("CELERY_SPLIT_QUEUES", default=True)
CELERY_TASK_ROUTES = {name: {"queue": MINUTE_QUEUE} for name in MINUTE_TASKS} if CELERY_SPLIT_QUEUES else {}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# a publish from a request (core/broker.py) waits at most this long; the outbox and beat catch up
BROKER_PUBLISH_TIMEOUT = env.float("BROKER_PUBLISH_TIMEOUT", default=0.5)
CELERY_RESULT_EXPIRES = 3600
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING: JSON lines with the request id
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The beat schedule lives in one module: config/beat.py
BEAT_HEARTBEAT_SECONDS = env.int("BEAT_HEARTBEAT_SECONDS", default=60)

# The order clocks (SPEC §4): "service_hours" counts accept minutes inside the province's service hours;
# "wall" is the deck's literal rule. Waybill numbers: a regular expression and how to say it to a clerk.
ACCEPT_CLOCK = env("ACCEPT_CLOCK", default="service_hours")
ACCEPT_MINUTES = env.int("ACCEPT_MINUTES", default=30)
PICKUP_HOURS = env.int("PICKUP_HOURS", default=16)
# 实名收寄 (orders.sender_id): the business types whose pickup waits for the sender's identity check (comma-separated
# of "send", "online"; none by default: the site turns it on when its counter is ready), how long a verified
# sender is not asked again, and the Fernet key of the stored numbers (a urlsafe base64 32-byte key, e.g. from
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`; without one a key
# derived from SECRET_KEY is used).
SENDER_ID_BUSINESS_TYPES = env.list("SENDER_ID_BUSINESS_TYPES", default=[])
SENDER_ID_VALID_DAYS = env.int("SENDER_ID_VALID_DAYS", default=90)
SENDER_ID_KEY = env("SENDER_ID_KEY", default="")
WAYBILL_PATTERN = env("WAYBILL_PATTERN", default=r"^[0-9]{12,15}$")
WAYBILL_FORMAT_LABEL = env("WAYBILL_FORMAT_LABEL", default="12–15 位数字")
# a pickup confirmation whose waybill has no 揽收 scan at the same site within these hours of it (or one at another
# site) is listed for audit as a suspected false waybill (never fined automatically)
WAYBILL_SCAN_HOURS = env.int("WAYBILL_SCAN_HOURS", default=24)
# The SLA sweep's interval (seconds; beat). Tests shorten it to see a violation appear within seconds.
SLA_SWEEP_SECONDS = env.int("SLA_SWEEP_SECONDS", default=60)
# Status callbacks to channels: back-off base (doubling per attempt, at most an hour), attempts before a callback
# is marked failed for HQ, and the HTTP timeout.
CALLBACK_BACKOFF_SECONDS = env.int("CALLBACK_BACKOFF_SECONDS", default=10)
CALLBACK_MAX_ATTEMPTS = env.int("CALLBACK_MAX_ATTEMPTS", default=10)
CALLBACK_TIMEOUT_SECONDS = env.int("CALLBACK_TIMEOUT_SECONDS", default=5)
# A row being delivered is leased this long (another worker leaves it alone); at least three timeouts, so an attempt
# still waiting on a slow receiver is never sent a second time beside it.
CALLBACK_LEASE_SECONDS = max(env.int("CALLBACK_LEASE_SECONDS", default=60), 3 * CALLBACK_TIMEOUT_SECONDS + 1)
CALLBACK_SWEEP_SECONDS = env.int("CALLBACK_SWEEP_SECONDS", default=15)
# The CJK TrueType font the labels embed (ReportLab); empty: the first of logistics.labels.FONT_PATHS found.
LABEL_FONT = env("LABEL_FONT", default="")
# Hosts a callback may be sent to whatever their address (core.destinations refuses private, loopback, link-local,
# multicast and reserved ones): tests name their local receivers' host. Empty in production.
CALLBACK_ALLOWED_HOSTS = env.list("CALLBACK_ALLOWED_HOSTS", default=[])
# Cainiao work orders: hours a unit has to answer, per type (Cainiao's own limit overrides when it sends one);
# whether a send-back gives the unit its full time again. (Their fines are rules of the rule book: WO_LATE, WO_QUALITY.)
WORK_ORDER_LIMIT_HOURS = {
    "where": env.int("WO_HOURS_WHERE", default=24),
    "locker": 24,
    "pickup_point": 24,
    "false_sign": 24,
    "delay": 48,
    "damage": 48,
    "loss": 72,
    "attitude": 48,
    "privacy": 24,
    "other": 48,
}
WORK_ORDER_RESTART_ON_SEND_BACK = env.bool("WORK_ORDER_RESTART_ON_SEND_BACK", default=True)
# How often a clerk's pages ask for new orders (seconds; a conditional poll); sites must refresh every 10–20 minutes.
WORKBENCH_POLL_SECONDS = env.int("WORKBENCH_POLL_SECONDS", default=10)

# retention (docs/retention.md): a closed order's personal data is erased this many days after it closed
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=180)
ERASURE_BATCH = env.int("ERASURE_BATCH", default=2000)  # orders per transaction
ERASURE_MAX_BATCHES = env.int("ERASURE_MAX_BATCHES", default=1500)  # per run (3 M orders: above SPEC §8's day)
# a pause after each batch: the database to the desk's polls between batches (docs/retention.md)
ERASURE_PAUSE_SECONDS = env.float("ERASURE_PAUSE_SECONDS", default=0.5)
# month partitions of the append-only tables (core/partitions.py): created ahead, archived past the horizon
PARTITION_MONTHS_AHEAD = env.int("PARTITION_MONTHS_AHEAD", default=3)
PARTITION_HORIZON_MONTHS = env.int("PARTITION_HORIZON_MONTHS", default=25)
PARTITION_ARCHIVE_DIR = env("PARTITION_ARCHIVE_DIR", default=str(VAR_DIR / "archive"))
# where the archives go: a Django storage class (default the file system under PARTITION_ARCHIVE_DIR); object
# storage through django-storages, e.g. ARCHIVE_STORAGE=storages.backends.s3.S3Storage with the ARCHIVE_S3_*
# settings below (credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment, read by boto3)
ARCHIVE_STORAGE = env("ARCHIVE_STORAGE", default="django.core.files.storage.FileSystemStorage")
ARCHIVE_STORAGE_OPTIONS = {
    k: v
    for k, v in {
        "bucket_name": env("ARCHIVE_S3_BUCKET", default=""),
        "location": env("ARCHIVE_S3_PREFIX", default=""),
        "endpoint_url": env("ARCHIVE_S3_ENDPOINT_URL", default=""),
        "region_name": env("ARCHIVE_S3_REGION", default=""),
    }.items()
    if v and ARCHIVE_STORAGE != "django.core.files.storage.FileSystemStorage"
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
# a filter left empty reads 全部 ("All"), not "---------"
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# one JSON object per line with the request id, user and site, no personal data (config/logs.py)
LOGGING = logging_config(env("LOG_LEVEL", default="INFO"))

# /metrics (config/metrics.py): answered only with "Authorization: Bearer <METRICS_TOKEN>"; unset, it is a 404
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# Error tracking (config/errors.py): Sentry's SDK when SENTRY_DSN is set; names, phones, addresses and ID numbers
# are scrubbed before anything is sent
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.errors import sentry_init

    sentry_init(
        SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"), release=env("RELEASE", default=None)
    )

# The API's limit per client (core/ratelimit.py): a token bucket in Redis, this many orders (or requests) a second,
# up to the burst (two full bulks); past it 429 with Retry-After. Redis away: the limit fails open, counted.
API_RATE_PER_SECOND = env.float("API_RATE_PER_SECOND", default=100.0)
API_RATE_BURST = env.int("API_RATE_BURST", default=2000)

# Every migration runs with these (core's migrate command): waiting for a table's lock gives up after seconds
MIGRATION_LOCK_TIMEOUT = env("MIGRATION_LOCK_TIMEOUT", default="5s")
MIGRATION_STATEMENT_TIMEOUT = env("MIGRATION_STATEMENT_TIMEOUT", default="15min")
