# Mantelbot as a Telegram bot. The database lives on the /data volume.
#   docker build -t mantelbot .
#   docker run -d -e TELEGRAM_BOT_TOKEN=... -v mantelbot-data:/data mantelbot
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MANTELBOT_DB=/data/mantelbot.sqlite3

RUN useradd --create-home --uid 10001 mantelbot \
    && mkdir /data && chown mantelbot:mantelbot /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY store ./store
COPY flows ./flows
COPY bot ./bot
COPY locales ./locales
COPY data ./data
RUN pip install --no-cache-dir --editable .

USER mantelbot
VOLUME ["/data"]
CMD ["mantelbot", "run"]
