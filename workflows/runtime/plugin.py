"""The one worker plugin every worker of the project takes (the worker process, the
replayer, the tests' workers, the benchmarks'): the sandbox with its pass-through
modules, and the input failures that fail a run instead of retrying its task forever.

Set once here, a worker built for a test cannot differ from production in either.
Settings-dependent parts (the limits and tracing interceptors, the client's encrypting
converter) stay where the settings are read (`worker.py`, `config.temporal`).
"""

from temporalio.plugin import SimplePlugin

from workflows.runtime.sandbox import workflow_runner
from workflows.runtime.steps import BAD_INPUT


def worker_plugin() -> SimplePlugin:
    return SimplePlugin(
        "flowdesk.workflows",
        workflow_runner=workflow_runner(),
        workflow_failure_exception_types=list(BAD_INPUT),
    )
