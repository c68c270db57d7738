"""Settings for UnionFlow, read from the environment (django-environ).

Defaults are the embedded ones (SQLite file, filesystem Celery broker, console email), so a
fresh clone runs with no service; its SECRET_KEY is made once per installation in ``var/``.
Production sets ``DJANGO_ENV=production``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` (both required),
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_URL``, ``CACHE_URL`` and, if not ``var/static``, ``STATIC_ROOT``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from workflows.secret_key import installation_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("UNIONFLOW_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"

DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise environ.ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
else:
    # Never a constant in the code: each installation makes its own, once, in var/secret_key.
    SECRET_KEY = env.str("SECRET_KEY", default="") or installation_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    # Without it every request would be a 400 "Bad Request" and nothing would say why.
    raise environ.ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where the site is reached from outside: links in emails are absolute (an email has no page to be
# relative to).  Production defaults to https on the first allowed host.
SITE_URL = env.str("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000").rstrip(
    "/"
)

INSTALLED_APPS = [
    "workflows.admin_site.UnionAdminConfig",  # django.contrib.admin, every write audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "viewflow",
    "viewflow.workflow",
    "workflows",
    "cases",
    "aid",
    "proposals",
    "summaries",
    "benchmarks",  # manage.py generate_scale_data
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workflows.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before CSRF, which reads the form: a body over its limit is answered 413 before any of it is read.
    "workflows.middleware.UploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflows.middleware.BrowserDefenceMiddleware",
    "workflows.middleware.RequestIdMiddleware",
    "workflows.pii.PiiAccessMiddleware",  # audits each unmasked view of personal data
    "workflows.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workflows.urls"
WSGI_APPLICATION = "workflows.wsgi.application"
ASGI_APPLICATION = "workflows.asgi.application"

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
                "workflows.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'unionflow.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# A connection kept across requests (CONN_MAX_AGE) is checked before its first use in a request
# and replaced when PostgreSQL restarted or dropped it meanwhile, instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for the write lock instead
    # of failing at once, and give the test database a file so a worker process can see it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-unionflow.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user+IP before any password is checked (it checks none itself).
    "axes.backends.AxesStandaloneBackend",
    "workflows.backends.ScopedRoleBackend",
    "workflows.backends.StaffModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a working day without a request and when the browser closes: a shared office
# computer must not stay logged in overnight.  Requests push the end back, at most every
# SESSION_REFRESH_SECONDS (workflows.middleware.SlidingSessionMiddleware says why not every request).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_HOURS", default=9) * 3600
SESSION_REFRESH_SECONDS = 300
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login brute-force protection (django-axes): after this many wrong passwords for one username from
# one address that pair is locked for the cool-off time (each further try restarts it).  An admin
# unlocks at once in 管理后台 › Axes › Access attempts (delete the row) or with ``manage.py axes_reset``.
# Behind a proxy the address is the proxy's (REMOTE_ADDR: a forwarded header could be forged).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "workflows.views.auth.login_locked_out"
AXES_USERNAME_CALLABLE = "workflows.views.auth.lockout_username"

LANGUAGE_CODE = "zh-hans"
# Chinese only, whatever the browser asks: the project's own text has no other translation, so an
# Accept-Language of en gave pages and API errors half in English (Django's and DRF's own messages).
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "workflows.staticfiles.AppDirectoriesFinder",  # without viewflow's unmounted frontend
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# WhiteNoise serves static files in every profile; outside production straight from the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or not PRODUCTION
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: console by default, SMTP (or anything django-environ knows) from EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="UnionFlow <noreply@unionflow.local>")

# Cache: the navigation badges (workflows/badges.py).  Per process by default; CACHE_URL=redis://…
# shares it between web processes, so that a claim clears the claimer's badges in every one of them.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery.  The default broker is kombu's filesystem transport: it crosses processes with no
# server.  CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (or amqp://) switches to a real broker.
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # kombu polls the folder; the default second per message lets a backlog of e-mails delay a
        # period close by minutes on the demo.
        "polling_interval": 0.1,
    }
    # filesystem:// is kombu's filesystem transport with atomic files and claims that survive a killed
    # worker (workflows/broker.py, registered by workflows/celery.py, explains the races it removes).
    # Remote control is a fanout to one queue per worker that nobody drains once a worker dies; the
    # heartbeat below tells whether the worker lives.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Tasks ack late, so a message stays "unacked" in Redis while its task runs; when a worker dies
    # (SIGKILL, OOM, power) Redis hands the message to another worker only after this many seconds.
    # It must be longer than the longest task (a period close), or a task still running is handed
    # out a second time.  Tests lower it to see a killed worker's job finish within seconds.
    REDIS_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
        # kombu looks for such abandoned messages every interval x throttle seconds (100 by
        # default); look about ten times per timeout, and at least as often as kombu's default.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": max(1, min(100, REDIS_VISIBILITY_TIMEOUT // 10)),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
TIMER_SWEEP_SECONDS = env.float("TIMER_SWEEP_SECONDS", default=30.0)
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=300.0)
# Background work is reported as stopped (banner, health check) when no heartbeat is newer than this.
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=30.0)
HEARTBEAT_STALE_SECONDS = env.float("HEARTBEAT_STALE_SECONDS", default=max(3 * HEARTBEAT_SECONDS, 90.0))
# A report still queued after this long is shown as "worker not responding" instead of waiting forever.
REPORT_QUEUE_PATIENCE_SECONDS = env.float("REPORT_QUEUE_PATIENCE_SECONDS", default=120.0)
# A period close running longer than this is stopped and marked failed (the hard limit is a minute more).
REPORT_TIME_LIMIT_SECONDS = env.int("REPORT_TIME_LIMIT_SECONDS", default=1800)
# A 发放中 batch with no household paid for this long has no worker on it (its message was lost or its
# worker died): the sweep sends it again.  Paying is idempotent, so too short costs only no-op runs.
AID_BATCH_RESUME_AFTER_SECONDS = env.int("AID_BATCH_RESUME_AFTER_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "workflows.tasks.heartbeat",
        "schedule": timedelta(seconds=HEARTBEAT_SECONDS),
        # a heartbeat that waited in a dead queue says nothing about now
        "options": {"expires": HEARTBEAT_SECONDS},
    },
    "fire-workflow-timers": {
        "task": "workflows.tasks.fire_workflow_timers",
        "schedule": timedelta(seconds=TIMER_SWEEP_SECONDS),
    },
    "remind-hardship-file-reviews": {
        "task": "aid.tasks.remind_file_reviews",
        "schedule": timedelta(hours=12),
    },
    "requeue-lost-reports": {
        "task": "summaries.tasks.requeue_lost_reports",
        "schedule": timedelta(seconds=60),
    },
    "apply-delegations": {
        "task": "workflows.tasks.apply_delegations",
        "schedule": timedelta(minutes=30),
    },
    "send-deadline-reminders": {
        "task": "workflows.tasks.send_deadline_reminders",
        "schedule": timedelta(seconds=REMINDER_SWEEP_SECONDS),
    },
    "resume-paying-batches": {
        "task": "aid.tasks.resume_paying_batches",
        "schedule": timedelta(seconds=max(1.0, AID_BATCH_RESUME_AFTER_SECONDS / 5)),
    },
    "send-pending-emails": {
        "task": "workflows.tasks.send_pending_emails",
        "schedule": timedelta(seconds=REMINDER_SWEEP_SECONDS),
    },
    "resend-outbox": {
        "task": "workflows.tasks.resend_outbox",
        "schedule": timedelta(seconds=REMINDER_SWEEP_SECONDS),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Other systems send "Authorization: Token <key>" (manage.py api_token); the browser its
        # session.  No HTTP Basic: a password on every request, and no lockout in front of it.
        "workflows.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "workflows.renderers.BrowsableAPIRenderer",  # DRF's, under the Content-Security-Policy
    ],
    "DEFAULT_PARSER_CLASSES": [
        "workflows.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "workflows.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "workflows.pagination.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "workflows.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UnionFlow API",
    "DESCRIPTION": "工会事务流转平台 REST API",
    "VERSION": "1.0.0",
    # The schema names every record type and field: for logged-in users and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from this site: the product must work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "workflows.pagination.document_paging_refusals",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ProposalSatisfactionEnum": "proposals.models.Proposal.Satisfaction",
        "CaseSatisfactionEnum": "cases.models.GrievanceCase.Satisfaction",
        # the same field names in the task forms' bodies (workflows/api_forms.py)
        "CaseCategoryEnum": "cases.models.GrievanceCase.Category",
        "ProposalCategoryEnum": "proposals.models.Proposal.Category",
        "FileCategoryEnum": "aid.models.HardshipFile.Category",
        "BatchStatusEnum": "aid.models.AidBatch.Status",
        "ApprovalDecisionEnum": "aid.forms.APPROVAL_DECISIONS",
    },
}

# Each uploaded file is counted as it streams in and refused at the first byte over
# UNIONFLOW["ATTACHMENT_MAX_BYTES"], before it is written anywhere (workflows/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "workflows.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# A form or multipart body may carry as many fields as the same JSON body: the longest list an API
# write accepts (a batch's ``files``, aid/api.py, at most 10 000) and a few fields besides.  Django's
# default (1 000) refused a valid batch sent as a form with 400; the body size limit still bounds
# every request (413).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000 + 100

# The engine's own rules, each a setting with the default the union's practice uses.
UNIONFLOW = {
    "ATTACHMENT_MAX_BYTES": env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024),
    "ATTACHMENT_EXTENSIONS": ["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "txt"],
    # 催办: remind the assignee this long before a task's due moment.
    "REMIND_BEFORE": timedelta(days=env.int("REMIND_BEFORE_DAYS", default=1)),
    # An email still unsent this long after its notification is queued again (its worker died
    # between the commit and queueing it); longer than a normal queue backlog.
    "EMAIL_OUTBOX_GRACE": timedelta(seconds=env.int("EMAIL_OUTBOX_GRACE_SECONDS", default=600)),
    # A background call (an applicant's notice, a 可认领 ping) the broker has not taken after this
    # long is sent again by the outbox sweep (workflows/outbox.py).
    "OUTBOX_GRACE": timedelta(seconds=env.int("OUTBOX_GRACE_SECONDS", default=120)),
    # 入会申请 is reviewed within this many days, else the chair is told.
    "MEMBERSHIP_REVIEW_DAYS": env.int("MEMBERSHIP_REVIEW_DAYS", default=3),
    "QUEUE_PAGE_SIZE": 20,
    # 劳动争议调解 (《劳动争议调解仲裁法》 arts. 10–16, 《企业劳动争议协商调解规定》).
    "CASE_ACCEPT_WORKING_DAYS": env.int("CASE_ACCEPT_WORKING_DAYS", default=3),
    "CASE_MEDIATION_DAYS": env.int("CASE_MEDIATION_DAYS", default=15),
    "CASE_EXTENSION_MAX_DAYS": env.int("CASE_EXTENSION_MAX_DAYS", default=15),
    "CASE_REMIND_BEFORE_DAYS": env.int("CASE_REMIND_BEFORE_DAYS", default=3),
    "CASE_COLLECTIVE_MIN_WORKERS": env.int("CASE_COLLECTIVE_MIN_WORKERS", default=5),
    "CASE_FOLLOW_UP_DAYS": env.int("CASE_FOLLOW_UP_DAYS", default=7),
    "PETITION_REPLY_DAYS": 15,
    "PETITION_CONCLUDE_DAYS": 60,
    "PETITION_EXTENSION_DAYS": 30,
    "CASE_MAX_AMOUNT": env.int("CASE_MAX_AMOUNT", default=100_000_000),
    "CASE_MAX_WORKERS": env.int("CASE_MAX_WORKERS", default=100_000),
    # 职代会提案
    "PROPOSAL_MIN_SECONDERS": env.int("PROPOSAL_MIN_SECONDERS", default=2),
    "PROPOSAL_REVIEW_DAYS": env.int("PROPOSAL_REVIEW_DAYS", default=10),
    "PROPOSAL_ANSWER_MONTHS": env.int("PROPOSAL_ANSWER_MONTHS", default=3),
    "PROPOSAL_REHANDLE_DAYS": env.int("PROPOSAL_REHANDLE_DAYS", default=30),
    "PROPOSAL_FEEDBACK_WORKING_DAYS": env.int("PROPOSAL_FEEDBACK_WORKING_DAYS", default=15),
    # 困难职工帮扶
    "AID_LOCAL_MINIMUM_LIVING": env.int("AID_LOCAL_MINIMUM_LIVING", default=1000),  # 低保标准, 元/人/月
    "AID_PUBLICITY_WORKING_DAYS": env.int("AID_PUBLICITY_WORKING_DAYS", default=5),
    "AID_UPPER_APPROVAL_ABOVE": env.int("AID_UPPER_APPROVAL_ABOVE", default=5000),
    # Upper bounds of what the API accepts, in 元: one household's aid, one fund's half-year budget.
    "AID_MAX_AMOUNT": env.int("AID_MAX_AMOUNT", default=1_000_000),
    "AID_BUDGET_MAX": env.int("AID_BUDGET_MAX", default=100_000_000),
    "AID_ALLOW_REPEAT_TYPE_IN_PERIOD": env.bool("AID_ALLOW_REPEAT_TYPE_IN_PERIOD", default=False),
    "AID_VERIFY_DAYS": env.int("AID_VERIFY_DAYS", default=7),
    # 民主评议, 主席审批 (and the upper union's), 发放: every step has its deadline, reminder and 督办
    "AID_REVIEW_DAYS": env.int("AID_REVIEW_DAYS", default=10),
    "AID_APPROVE_DAYS": env.int("AID_APPROVE_DAYS", default=5),
    "AID_DISBURSE_DAYS": env.int("AID_DISBURSE_DAYS", default=5),
    # The most one household may be paid at once (an application, an approval, a batch's amount each).
    "AID_MAX_PAYMENT": env.int("AID_MAX_PAYMENT", default=1_000_000),
    "AID_FILE_REVIEW_DAYS": 365,
    # 工作总结: also write a PDF when LibreOffice is installed (it is optional)
    "REPORT_PDF": env.bool("REPORT_PDF", default=True),
    # Legal time limits count working days: national holidays and 调休 workdays (ISO dates).
    "HOLIDAYS": env.list("UNIONFLOW_HOLIDAYS", default=[]),
    "MAKEUP_WORKDAYS": env.list("UNIONFLOW_MAKEUP_WORKDAYS", default=[]),
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp 4): scripts and styles come from this site's files, or are
# inline with the request's nonce (``request.csp_nonce``); no style="" or on*="" attribute runs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],  # Swagger UI's and the admin's icons are data: SVGs
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# No page uses a device feature; a script injected into one could not either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # load balancers probe over plain http
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

for _folder in (VAR_DIR, *(CELERY_BROKER_DIR / name for name in ("queue", "processed", "control"))):
    _folder.mkdir(parents=True, exist_ok=True)
