"""The activities' own metrics: agent calls and mail, on the SDK's activity metric meter.

Recorded through `activity.metric_meter()`, they come out of the worker's Prometheus
endpoint (`config/telemetry.py`) with the SDK's labels `namespace`, `task_queue` and
`activity_type` added. The labels given here are bounded and never personal: an agent
role and a model name (code and configuration), a process, a transport, a suppression
reason (literals). No address, name, subject or text ever becomes a label.

The mail counters record only inside an activity: the postbox is also driven directly,
by tests and the throughput benchmark, where there is no activity meter to record to.
"""

from datetime import timedelta

from temporalio import activity

from models.agent_output import CallRecord
from models.common import SendResult
from models.threads import Process, SuppressionReason

AGENT_CALL = "flowdesk_agent_call_duration"
"""Exported as `flowdesk_agent_call_duration_seconds` (a histogram, seconds)."""
AGENT_TOKENS = "flowdesk_agent_tokens"
EMAILS_SENT = "flowdesk_emails_sent"
EMAILS_REFUSED = "flowdesk_emails_refused"


def agent_call(call: CallRecord) -> None:
    """One model call's latency and tokens, by role and model, as its activity saw them."""
    meter = activity.metric_meter()
    labels = {"role": call.role, "model": call.model}
    meter.create_histogram_timedelta(
        AGENT_CALL, "Latency of one LLM call (repair included)"
    ).record(timedelta(milliseconds=call.latency_ms), labels)
    tokens = meter.create_counter(AGENT_TOKENS, "LLM tokens, by kind (prompt, completion)")
    tokens.add(call.usage.prompt_tokens, labels | {"kind": "prompt"})
    tokens.add(call.usage.completion_tokens, labels | {"kind": "completion"})


def email_sent(process: Process, result: SendResult) -> None:
    """A send the transport accepted; `outcome` "duplicate" is a retried send its key had
    already delivered, so delivered mail is the `delivered` series alone."""
    if not activity.in_activity():
        return
    outcome = "duplicate" if result.duplicate else "delivered"
    activity.metric_meter().create_counter(EMAILS_SENT, "Emails handed to the transport").add(
        1, {"process": process, "transport": result.transport, "outcome": outcome}
    )


def email_refused(process: Process, reason: SuppressionReason) -> None:
    """A send the suppression list stopped."""
    if not activity.in_activity():
        return
    activity.metric_meter().create_counter(
        EMAILS_REFUSED, "Emails not sent: the address is suppressed"
    ).add(1, {"process": process, "reason": reason})
