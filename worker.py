"""The worker: hosts every workflow and activity of this project on one task queue.

Configuration comes from the environment (see docs/configuration.md); invalid settings stop start-up
with a message naming the variable. SIGTERM/SIGINT drain in-flight activities, then exit.
"""

import asyncio
import logging
import signal
import sys
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import Interceptor, Worker

from activities.factory import worker_activities
from activities.limits import AutoReplyLedger, LimitsInterceptor
from activities.outreach import AGENT_STEPS as OUTREACH_AGENT_STEPS
from activities.support_triage import AGENT_STEPS as TRIAGE_AGENT_STEPS
from adapters.crm.crm import CrmStore
from adapters.crm.token_rate import TokenRate
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.wiring import knowledge_base, open_crm
from config.crm import CrmSettings
from config.doors import InboundSettings, WebSettings
from config.escalation import EscalationPolicy, PolicyError, load_policy
from config.limits import LimitSettings
from config.loading import load_or_exit, start_logging
from config.privacy import PrivacySettings
from config.settings import (
    AppSettings,
    LlmSettings,
    OutreachSettings,
    TemporalSettings,
    TriageSettings,
    describe,
)
from config.telemetry import TelemetrySettings, runtime, tracer_provider, tracing_interceptor
from config.temporal import connect
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS

log = logging.getLogger("flowdesk.worker")
SHUTDOWN_GRACE = timedelta(seconds=10)


@dataclass(frozen=True)
class Settings:
    temporal: TemporalSettings
    app: AppSettings
    llm: LlmSettings
    triage: TriageSettings
    outreach: OutreachSettings
    inbound: InboundSettings
    web: WebSettings
    """Read for its public URL only: the unsubscribe links the worker mints point there."""
    limits: LimitSettings
    privacy: PrivacySettings
    crm: CrmSettings
    telemetry: TelemetrySettings


def load_settings() -> Settings:
    """Every settings group, or exit 2 naming each bad variable (values are never echoed)."""
    groups = [field.type for field in fields(Settings)]
    return Settings(*load_or_exit(*groups))  # type: ignore[arg-type]


def load_escalation_policy(settings: TriageSettings) -> EscalationPolicy:
    """The escalation policy, or exit 2 naming the file and what is wrong with it."""
    try:
        return load_policy(settings.policy_file)
    except PolicyError as err:
        print(f"invalid escalation policy: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def summary(group: Any) -> dict[str, Any]:
    """A group for the start-up log; of the web service's, only what the worker uses, so
    reviewers' names and password hashes stay out of the worker's log."""
    if isinstance(group, WebSettings):
        return {"public_url": group.public_url}
    if isinstance(group, PrivacySettings):
        return {"payload_keys": list(group.payload_keys), "id_secret": "set"}
    return describe(group)


def limits_interceptor(settings: Settings, crm: CrmStore) -> LimitsInterceptor:
    """The auto-reply limits and the LLM endpoint's tokens per minute, both counted in the
    CRM database, so every worker sharing it counts against the same numbers."""
    limits, rate = settings.limits, settings.limits.llm_rate()
    tokens = TokenRate(crm, settings.llm.base_url, rate) if rate.tokens_per_minute else None
    return LimitsInterceptor(
        AutoReplyLedger(crm, limits.replies()), tokens, TRIAGE_AGENT_STEPS | OUTREACH_AGENT_STEPS
    )


def metrics_runtime(settings: TelemetrySettings) -> Runtime | None:
    """The runtime serving `/metrics`, or exit 2 when its port is taken (another worker on
    this machine needs its own `FLOWDESK_METRICS_PORT`)."""
    try:
        return runtime(settings)
    except ValueError as err:
        print(f"metrics endpoint {settings.host}:{settings.port}: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def build_worker(
    client: Client,
    settings: Settings,
    kb: KnowledgeBase,
    policy: EscalationPolicy,
    crm: CrmStore,
    tracer: TracerProvider | None = None,
) -> Worker:
    """`tracer`: spans of every run and activity go to it (`config.telemetry`)."""
    interceptors: list[Interceptor] = [limits_interceptor(settings, crm)]
    if tracer is not None:
        interceptors.append(tracing_interceptor(tracer))
    return Worker(
        client,
        task_queue=settings.temporal.task_queue,
        workflows=WORKFLOWS,
        plugins=[worker_plugin()],
        activities=worker_activities(
            settings.app,
            settings.llm,
            settings.outreach,
            settings.inbound,
            settings.web,
            kb,
            policy,
            settings.privacy.id_key,
            crm,
        ),
        interceptors=interceptors,
        graceful_shutdown_timeout=SHUTDOWN_GRACE,
    )


async def main() -> None:
    settings = load_settings()
    for field in fields(settings):
        group = getattr(settings, field.name)
        log.info("%s: %s", type(group).__name__, summary(group))
    if settings.app.link_secret is None:
        log.warning(
            "one-click unsubscribe links are off (mailto only): FLOWDESK_LINK_SECRET is unset"
        )
    policy = load_escalation_policy(settings.triage)
    log.info("escalation policy %s: %d intents", policy.version, len(policy.intent))
    kb, report = knowledge_base(settings.app, settings.triage)
    log.info(report)
    crm = await open_crm(settings.app, settings.crm)
    temporal = settings.temporal
    telemetry = settings.telemetry
    client = await connect(temporal, settings.privacy, metrics_runtime(telemetry))
    log.info("metrics: %s", telemetry.metrics_url or "off (FLOWDESK_METRICS_PORT is unset)")
    tracer = tracer_provider(telemetry)
    log.info("tracing: %s", "OTLP/HTTP exporter" if tracer else "off (no OTLP endpoint set)")
    worker = build_worker(client, settings, kb, policy, crm, tracer)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        log.info("worker polling task queue %r on %s", temporal.task_queue, temporal.address)
        await stop.wait()
        log.info("shutting down: finishing in-flight tasks")
    await crm.close()
    log.info("worker stopped")


if __name__ == "__main__":
    start_logging()
    asyncio.run(main())
