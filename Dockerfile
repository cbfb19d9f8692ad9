FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
RUN DEBUG=false SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only \
    ALLOWED_HOSTS=localhost SITE_URL=https://build.invalid python manage.py collectstatic --noinput

RUN useradd --system --home /app kata && chown -R kata /app/var
USER kata
EXPOSE 8000
CMD ["gunicorn", "kata.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
