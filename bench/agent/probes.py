"""What the agent-path benchmark reads from outside the code it measures: the server's
history of a run, and the CPU time of the processes that share the machine's cores.

On a 2-core machine the Temporal server and the worker compete with llama.cpp's two
threads for the same cores, so a slower activity path can come from CPU they take
rather than from time they add; the CPU seconds of each process over a block tell the
two apart.
"""

import os
import time
from pathlib import Path

from temporalio.client import WorkflowHistory

from models.agent_output import CallRecord

ROLE_BY_PROMPT = {"triage.topic": "topic", "triage.classify": "classify", "triage.draft": "draft"}
TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def record_row(record: CallRecord) -> dict[str, object]:
    """A call as the activity reported it, in the direct path's terms."""
    return {
        "role": ROLE_BY_PROMPT[record.prompt_version.split("@")[0]],
        "latency_ms": record.latency_ms,
        "prompt_tokens": record.usage.prompt_tokens,
        "completion_tokens": record.usage.completion_tokens,
        "repaired": record.repaired,
    }


def history_spans(history: WorkflowHistory) -> dict[str, float]:
    """Scheduled -> completed per activity, as the server recorded it (dispatch, payload
    conversion and the worker's own time included), and the workflow tasks' total."""
    scheduled: dict[int, tuple[str, float]] = {}
    spans: dict[str, float] = {"workflow_tasks": 0.0}
    task_scheduled = 0.0
    for event in history.events:
        at = float(event.event_time.ToMilliseconds())
        if event.HasField("activity_task_scheduled_event_attributes"):
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            scheduled[event.event_id] = (name, at)
        elif event.HasField("activity_task_completed_event_attributes"):
            attributes = event.activity_task_completed_event_attributes
            name, start = scheduled[attributes.scheduled_event_id]
            spans[name] = at - start
        elif event.HasField("workflow_task_scheduled_event_attributes"):
            task_scheduled = at
        elif event.HasField("workflow_task_completed_event_attributes"):
            spans["workflow_tasks"] += at - task_scheduled
    return spans


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces)."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(marker: str) -> list[int]:
    """This process's children whose command line contains `marker`."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat(int(entry.name))[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if parent == os.getpid() and marker in command:
            found.append(int(entry.name))
    return found


def cpu_snapshot() -> dict[str, float]:
    """CPU seconds so far of this process (the worker and the direct client), of the
    Temporal dev server and of the llama.cpp server, all children of this process."""
    return {
        "bench": time.process_time(),
        "temporal": sum(cpu_seconds(pid) for pid in children("server start-dev")),
        "llama": sum(cpu_seconds(pid) for pid in children("bench.agent.llm_slots")),
    }
