"""Settings of the sample app, all from the environment the precedentum.deploy roles give the container
(docs/app-contract.md lists every variable). Safe defaults: DEBUG off, no host allowed but the ones named."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = os.environ.get("DJANGO_DEBUG", "").lower() in ("1", "true", "yes", "on")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY is not set (the deployment gives it from Secrets Manager)")
    SECRET_KEY = "local-development-only"

# The load balancer's DNS name and the team's domain (DJANGO_ALLOWED_HOSTS, comma-separated). The load
# balancer's health checks send the task's own address as Host: precedentum.health answers them before
# Django looks at the Host.
ALLOWED_HOSTS = _list("DJANGO_ALLOWED_HOSTS") or (["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = _list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Behind a load balancer that ends TLS: the header it sets to the viewer's protocol (X-Forwarded-Proto).
_proxy_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("DJANGO_SECURE_COOKIES", "").lower() in ("1", "true")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "judges",
]

MIDDLEWARE = [
    # First: the health check answers before host validation and without the database.
    "precedentum.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "precedentum.urls"
WSGI_APPLICATION = "precedentum.wsgi.application"
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
            ],
        },
    },
]

# PostgreSQL from DATABASE_HOST/_PORT/_NAME/_USER/_PASSWORD (ECS: from the database secret), or SQLite when
# DATABASE_ENGINE is sqlite3 (the ultra-lean option's throwaway database: DATABASE_NAME is the file).
if os.environ.get("DATABASE_ENGINE", "postgresql") == "sqlite3":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                             "NAME": os.environ.get("DATABASE_NAME", str(BASE_DIR / "db.sqlite3"))}}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("DATABASE_HOST", "localhost"),
            "PORT": os.environ.get("DATABASE_PORT", "5432"),
            "NAME": os.environ.get("DATABASE_NAME", "precedentum"),
            "USER": os.environ.get("DATABASE_USER", "precedentum"),
            "PASSWORD": os.environ.get("DATABASE_PASSWORD", ""),
            "CONN_MAX_AGE": 60,
            "OPTIONS": {"connect_timeout": 10},
        }
    }

if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files are collected into the image and served by WhiteNoise under /static/ (the load balancer
# routes /static/* to the backend).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (Django's default storage). A task's disk is replaced at every deploy: with the deployment's bucket
# (phase 1.3 gives AWS_STORAGE_BUCKET_NAME and AWS_S3_REGION_NAME, django-storages' own settings) they live in
# S3, private, read back through the app; credentials come from the task role (boto3 finds them itself).
# Without one (ultra-lean, a laptop) they go to MEDIA_ROOT on the container's disk.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT", "/tmp/precedentum-media")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage",
                           "OPTIONS": {"default_acl": None, "file_overwrite": False, "querystring_auth": True}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
