# The one image of the full stack: web (gunicorn), worker and beat differ only in their command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY yicang yicang
COPY stores stores
COPY donors donors
COPY recipients recipients
COPY volunteers volunteers
COPY forums forums
COPY markets markets
RUN pip install -e .
COPY manage.py ./
COPY templates templates
COPY static static
COPY locale locale

# collectstatic needs production settings to write WhiteNoise's hashed manifest; these values are
# for the build step only and are not in the image's environment.
RUN YICANG_ENV=production ALLOWED_HOSTS=build SECRET_KEY=build-only-collectstatic-0123456789abcdefghijklmnopqrstuvwxyz \
    YICANG_FIELD_KEYS=wnVq0E8vV1Kq0bbm8PgZ0Zl4x3mM2C8m0b2tq5b8Y9w= YICANG_HASH_KEY=build-only-hash-key-0123456789abcdef \
    YICANG_LOG_SIGNING_KEY=YnVpbGQtb25seS1sb2ctc2lnbmluZy1rZXktMDEyMzQ= \
    YICANG_PUBLIC_URL=http://build \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 yicang \
 && mkdir -p /app/var && chown yicang /app/var

USER yicang
EXPOSE 8000
CMD ["gunicorn", "yicang.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
