# The image for docker-compose.yml (production-like stack): the worker by default; the web
# service (`python -m web`) and the SMTP listener (`python -m inbound`) from the same image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    FLOWDESK_DATA_DIR=/data

RUN useradd --create-home --uid 10001 flowdesk && mkdir /data && chown flowdesk /data
WORKDIR /app
# Every dependency pinned with its hashes (`make lock` writes the file): pip refuses a
# package whose file differs. The code itself runs from /app, not installed.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY workflows workflows
COPY policy policy
COPY activities activities
COPY adapters adapters
COPY agents agents
COPY models models
COPY config config
COPY client client
COPY web web
COPY inbound inbound
COPY devstack devstack
COPY kb kb
COPY worker.py starter.py ./

USER flowdesk
VOLUME ["/data"]
CMD ["python", "worker.py"]
