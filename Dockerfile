# Production image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/q9
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk fonts-wqy-zenhei fontconfig gettext libpango-1.0-0 libpangoft2-1.0-0 curl \
 && fc-cache -f && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN python manage.py compilemessages -l zh_Hans --ignore ".venv/*" \
 && SECRET_KEY=build python manage.py collectstatic --noinput -v 0
RUN useradd --system --home /app q9 && mkdir -p /var/lib/q9/media && chown -R q9 /var/lib/q9
USER q9
EXPOSE 8000
# worker processes: WEB_CONCURRENCY (one per core the container is given), 8 threads each
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--threads", "8", "--timeout", "60", "--access-logfile", "-"]
