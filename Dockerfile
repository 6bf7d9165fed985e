# The web app: gunicorn serving Django, static files collected at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings to load; these values exist only for the build.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-real-key-0123456789abcdefghij ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 app \
    && mkdir -p /data/media /data/private \
    && chown -R app:app /data
USER app

EXPOSE 8000
# Migrate and load the guides on each start, then serve.
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_guides && exec gunicorn config.wsgi:application -c gunicorn.conf.py"]
