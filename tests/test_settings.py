"""Settings as a deployment meets them: each case starts a fresh process with its own environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = "a-production-key-with-enough-randomness-7f3a9c2e1b8d4f6a0c5e9b2d7f1a3c8e"
KEYS = {
    "YICANG_FIELD_KEYS": "wnVq0E8vV1Kq0bbm8PgZ0Zl4x3mM2C8m0b2tq5b8Y9w=",
    "YICANG_HASH_KEY": "b7c1e0f45d2a4a9c8e6f1d3b5a7c9e0f2b4d6f8a",
    "YICANG_LOG_SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "YICANG_PUBLIC_URL": "https://yicang.example.org",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    ours = {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "YICANG_ENV",
        "DEBUG",
        "YICANG_FIELD_KEYS",
        "YICANG_HASH_KEY",
        "YICANG_LOG_SIGNING_KEY",
        "YICANG_PUBLIC_URL",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", YICANG_ENV="production", ALLOWED_HOSTS="yicang.example.org", **KEYS)

    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY." in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = _manage("check", YICANG_ENV="production", ALLOWED_HOSTS="a.org", SECRET_KEY="short", **KEYS)

    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = _manage("check", YICANG_ENV="production", SECRET_KEY=GOOD_KEY, **KEYS)

    assert result.returncode != 0
    assert "Set the environment variable ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug() -> None:
    result = _manage("check", YICANG_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a.org", DEBUG="true", **KEYS)

    assert result.returncode != 0
    assert "DEBUG must be off when YICANG_ENV=production." in result.stderr


def test_production_passes_the_deploy_check_with_no_warning() -> None:
    production = {"YICANG_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.org", **KEYS}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", **production)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_the_personal_data_keys() -> None:
    result = _manage(
        "check", YICANG_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a.org", YICANG_PUBLIC_URL="https://a.org"
    )

    assert result.returncode != 0
    assert "Set the environment variable YICANG_FIELD_KEYS" in result.stderr


def test_a_field_key_that_is_not_a_fernet_key_is_refused() -> None:
    result = _manage("check", YICANG_FIELD_KEYS="not-a-key")

    assert result.returncode != 0
    assert "Each YICANG_FIELD_KEYS entry must be a Fernet key" in result.stderr


def test_production_refuses_to_start_without_the_log_signing_key() -> None:
    keys = {k: v for k, v in KEYS.items() if k != "YICANG_LOG_SIGNING_KEY"}

    result = _manage("check", YICANG_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a.org", **keys)

    assert result.returncode != 0
    assert "Set the environment variable YICANG_LOG_SIGNING_KEY." in result.stderr


def test_a_log_signing_key_that_is_not_32_bytes_of_base64_is_refused() -> None:
    short = _manage("check", YICANG_LOG_SIGNING_KEY="c2hvcnQ=")
    garbled = _manage("check", YICANG_LOG_SIGNING_KEY="not base64!")

    assert short.returncode != 0
    assert garbled.returncode != 0
    assert "YICANG_LOG_SIGNING_KEY must be 32 random bytes in base64" in short.stderr
    assert "YICANG_LOG_SIGNING_KEY must be 32 random bytes in base64" in garbled.stderr


def test_a_retired_log_key_that_is_not_a_public_key_is_refused() -> None:
    good = _manage("check", YICANG_LOG_RETIRED_KEYS="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
    short = _manage("check", YICANG_LOG_RETIRED_KEYS="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,c2hvcnQ=")

    assert good.returncode == 0, good.stderr
    assert short.returncode != 0
    assert "Each YICANG_LOG_RETIRED_KEYS entry must be a public key" in short.stderr
    assert "'c2hvcnQ='" in short.stderr


def test_the_development_log_key_is_derived_from_the_secret_key() -> None:
    first = _setting("settings.YICANG_LOG_SIGNING_KEY", SECRET_KEY="x" * 60)
    again = _setting("settings.YICANG_LOG_SIGNING_KEY", SECRET_KEY="x" * 60)
    other = _setting("settings.YICANG_LOG_SIGNING_KEY", SECRET_KEY="y" * 60)

    assert first == again != other


def test_a_malformed_redis_url_is_refused() -> None:
    result = _manage("check", REDIS_URL="localhost:6379")

    assert result.returncode != 0
    assert "REDIS_URL must be a redis://, rediss:// or unix:// URL" in result.stderr


def test_the_defaults_are_chinese_first_and_in_shanghai_time() -> None:
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert (settings.TIME_ZONE, settings.USE_TZ) == ("Asia/Shanghai", True)
    assert settings.AUTH_USER_MODEL == "community.User"


@pytest.mark.usefixtures("postgres", "db")
def test_database_url_selects_postgresql() -> None:
    from django.db import connection

    # Guards CI: with DATABASE_URL set the suite must really run on PostgreSQL.
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 130000  # type: ignore[attr-defined]


def _setting(code: str, **env: str) -> str:
    result = _manage("shell", "--no-imports", "-c", f"from django.conf import settings; print({code})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_mail_goes_to_the_log_without_a_host_and_over_ssl_or_starttls_with_one() -> None:
    assert _setting("settings.EMAIL_BACKEND") == "django.core.mail.backends.console.EmailBackend"
    assert (
        _setting(
            "settings.EMAIL_BACKEND, settings.EMAIL_PORT, settings.EMAIL_USE_SSL, settings.EMAIL_USE_TLS",
            EMAIL_HOST="smtp.example.cn",
        )
        == "django.core.mail.backends.smtp.EmailBackend 465 True False"
    )
    assert (
        _setting(
            "settings.EMAIL_PORT, settings.EMAIL_USE_SSL, settings.EMAIL_USE_TLS",
            EMAIL_HOST="smtp.example.cn",
            EMAIL_PORT="587",
        )
        == "587 False True"
    )
