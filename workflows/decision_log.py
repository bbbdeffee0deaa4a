"""The decision log every workflow keeps: queryable state, logged, and shown in the UI."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.common import Decision


class DecisionLog:
    """Appends decisions with workflow time; the latest one becomes the run's current details."""

    def __init__(self) -> None:
        self.entries: list[Decision] = []

    def add(self, step: str, outcome: str, reason: str) -> None:
        entry = Decision(step=step, outcome=outcome, reason=reason, at=workflow.now())
        self.entries.append(entry)
        workflow.logger.info("decision %s: %s (%s)", step, outcome, reason)
        workflow.set_current_details(
            "\n".join(f"- **{d.step}**: {d.outcome} — {d.reason}" for d in self.entries)
        )
