"""The workflow sandbox every worker uses (real worker, tests, benchmark, replayer).

Pydantic validates `EmailStr` and URLs lazily, importing `email_validator` and `idna`
the first time a workflow touches a lead; passing them through the sandbox keeps them
from being re-imported on every run (slow start-up, and a warning per module).
`zoneinfo` (with the `tzdata` fallback) is passed through so business-hours slots use
one cache of time-zone files, read outside the sandbox.

Our own workflow helpers that hold no state between runs (the decision log class, the
step option bundles and helpers) are passed through too: the sandbox would otherwise
import, and without bytecode files compile, each of them again for every run.
"""

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSTHROUGH_MODULES = (
    "pydantic", "pydantic_core", "annotated_types", "email_validator", "idna", "zoneinfo", "tzdata",
    "workflows.runtime.decision_log", "workflows.runtime.steps",
)  # fmt: skip


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )
