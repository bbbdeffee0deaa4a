"""Telemetry settings, and the traces a worker exports over OTLP/HTTP when told where to."""

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from pydantic import ValidationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from config.telemetry import TelemetrySettings, runtime, tracer_provider, tracing_interceptor
from models.support import TriageInput
from tests.metrics_scrape import metrics_runtime
from tests.workflows.triage_fakes import FakeTriage, billing_email
from workflows.runtime.plugin import worker_plugin
from workflows.support_triage import SupportTriageWorkflow

OTEL = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SERVICE_NAME")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*OTEL, "FLOWDESK_METRICS_PORT", "FLOWDESK_METRICS_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_metrics_and_tracing_are_off_unless_configured(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLOWDESK_METRICS_PORT", "")
    settings = TelemetrySettings()
    assert settings.metrics_url is None and runtime(settings) is None
    assert tracer_provider(settings) is None


def test_a_port_gives_the_url_and_a_bad_one_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLOWDESK_METRICS_PORT", "9464")
    assert TelemetrySettings().metrics_url == "http://127.0.0.1:9464/metrics"
    monkeypatch.setenv("FLOWDESK_METRICS_PORT", "70000")
    with pytest.raises(ValidationError, match="port"):
        TelemetrySettings()


def test_a_port_in_use_is_an_error_not_a_silent_worker_without_metrics():
    _, url = metrics_runtime()
    taken = int(url.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(ValueError, match="in use"):
        runtime(TelemetrySettings(port=taken))


class Collector:
    """An OTLP/HTTP trace receiver on loopback: keeps each export request it is sent."""

    def __init__(self) -> None:
        self.exports: list[ExportTraceServiceRequest] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.exports.append(ExportTraceServiceRequest.FromString(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def spans(self) -> dict[str, str]:
        """Span name -> the service that sent it."""
        return {
            span.name: service
            for export in self.exports
            for resource in export.resource_spans
            for service in [
                a.value.string_value
                for a in resource.resource.attributes
                if a.key == "service.name"
            ]
            for scope in resource.scope_spans
            for span in scope.spans
        }


@pytest.fixture
def collector() -> Iterator[Collector]:
    receiver = Collector()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


async def test_a_worker_exports_spans_of_its_runs_and_activities(
    env: WorkflowEnvironment,
    task_queue: str,
    collector: Collector,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
    provider = tracer_provider(TelemetrySettings())
    assert provider is not None
    async with Worker(
        env.client, task_queue=task_queue, workflows=[SupportTriageWorkflow],
        activities=FakeTriage().activities(), plugins=[worker_plugin()],
        interceptors=[tracing_interceptor(provider)],
    ):  # fmt: skip
        result = await env.client.execute_workflow(
            SupportTriageWorkflow.run,
            TriageInput(email=billing_email()),
            id=f"ticket-{uuid.uuid4()}",
            task_queue=task_queue,
        )
    assert result.outcome == "auto_sent"
    assert provider.force_flush(10_000)
    spans = collector.spans()
    assert {
        "RunWorkflow:SupportTriageWorkflow",
        "StartActivity:classify_email",
        "RunActivity:classify_email",
        "RunActivity:send_reply",
    } <= set(spans), sorted(spans)
    assert set(spans.values()) == {"flowdesk-worker"}
    provider.shutdown()
