"""The worker's telemetry: a Prometheus endpoint and, when an exporter is set, OTel traces.

Metrics come out of the SDK's own runtime (`temporalio.runtime`), so Temporal's worker
metrics and this project's (`activities/metrics.py`, `workflows/runtime/metrics.py`, recorded
through the SDK's metric meters) share one `/metrics` endpoint. The endpoint is off
unless `FLOWDESK_METRICS_PORT` is set: two workers on one machine (or a test's worker
next to a running demo) would otherwise fight over one port, and the second would not
start. The demo sets it (`devstack/stack.py`).

Tracing follows OpenTelemetry's own variables: it is on when
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and the
OTLP/HTTP exporter reads those (and `OTEL_EXPORTER_OTLP_HEADERS`, ...) itself.
"""

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

AGENT_CALL_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 40, 90]
"""Seconds: a local model answers in 1-10 s, a hosted one in under 1 s; 90 s is the
agent step's timeout (`workflows/runtime/steps.AGENT`)."""
BUCKETS = {"flowdesk_agent_call_duration": AGENT_CALL_BUCKETS}
"""The SDK's default buckets stop at 10 s, where a slow agent call only starts."""


class TelemetrySettings(BaseSettings):
    """Where the worker serves `/metrics`, and whether it exports traces."""

    model_config = SettingsConfigDict(
        env_prefix="FLOWDESK_METRICS_", extra="ignore", env_ignore_empty=True
    )

    port: int | None = Field(default=None, ge=1, le=65535)
    """Unset or empty: no metrics endpoint."""
    host: str = "127.0.0.1"
    """Loopback by default: the endpoint has no authentication."""
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"
        ),
    )
    service_name: str = Field(default="flowdesk-worker", validation_alias="OTEL_SERVICE_NAME")

    @property
    def metrics_url(self) -> str | None:
        return f"http://{self.host}:{self.port}/metrics" if self.port else None


def runtime(settings: TelemetrySettings) -> Runtime | None:
    """A runtime serving Prometheus metrics, or None (the SDK's default runtime, no
    endpoint). Names follow Prometheus conventions: counters end in `_total`,
    durations are seconds with a `_seconds` suffix. A port in use raises `ValueError`."""
    if not settings.port:
        return None
    prometheus = PrometheusConfig(
        bind_address=f"{settings.host}:{settings.port}",
        counters_total_suffix=True,
        unit_suffix=True,
        durations_as_seconds=True,
        histogram_bucket_overrides=BUCKETS,
    )
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


def tracer_provider(settings: TelemetrySettings) -> TracerProvider | None:
    """A provider exporting spans in batches over OTLP/HTTP, flushed at exit; None when
    no exporter endpoint is configured."""
    if not settings.otlp_endpoint:
        return None
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def tracing_interceptor(provider: TracerProvider) -> TracingInterceptor:
    """Spans for every workflow, activity, signal and update the worker runs. Runs are
    started by doors that do not trace (web, SMTP listener, starter), so a workflow span
    is made without a client span to hang under; the SDK skips spans during replay."""
    return TracingInterceptor(provider.get_tracer("flowdesk"), always_create_workflow_spans=True)
