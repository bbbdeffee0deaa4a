"""The decision log every workflow keeps: queryable state, logged, and shown in the UI."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.common import Decision


class DecisionLog:
    """Appends decisions with workflow time; the log, plus an optional note on what comes
    next (outreach shows its planned touches there), is the run's current details.

    The worker's log line carries the step and its outcome only: a reason may quote the
    mail (a hold's evidence, a failed check's words), and mail text belongs in payloads,
    not in log files."""

    def __init__(self) -> None:
        self.entries: list[Decision] = []
        self._next_note = ""

    def add(self, step: str, outcome: str, reason: str) -> None:
        entry = Decision(step=step, outcome=outcome, reason=reason, at=workflow.now())
        self.entries.append(entry)
        workflow.logger.info("decision %s: %s", step, outcome)
        self._show()

    def plan(self, note: str) -> None:
        self._next_note = note
        self._show()

    def _show(self) -> None:
        lines = [f"- **{d.step}**: {d.outcome} — {d.reason}" for d in self.entries]
        if self._next_note:
            lines += ["", self._next_note]
        workflow.set_current_details("\n".join(lines))
