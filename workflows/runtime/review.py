"""The human gate shared by support triage and outreach: approve, reject or edit, with an SLA.

Both workflows take the reviewer's handlers from `ReviewHandlers` (their names are the
public interface the inbox and the CLI call) and wait in `HumanReview`, so both
processes wait, escalate and record decisions the same way: at the SLA the caller's
notice is emailed to on-call and the wait goes on until the final deadline.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from temporalio import workflow

from workflows.runtime import metrics
from workflows.runtime.decision_log import DecisionLog
from workflows.runtime.steps import MAIL, attempt

with workflow.unsafe.imports_passed_through():
    from models import activities as act
    from models.common import OutgoingEmail

Action = Literal["approve", "reject", "edit"]
MAX_REVIEWER = 100
OPENED = "opened"
"""Outcome of the `review` decision-log entry written as the wait starts: its time is the
start of the SLA timer, which is how the inbox shows when the SLA falls due."""


class HumanReview:
    def __init__(self, log: DecisionLog) -> None:
        self._log = log
        self.waiting = False
        self.decision: tuple[Action, str] | None = None

    @property
    def open(self) -> bool:
        """True while a person can still decide."""
        return self.waiting and self.decision is None

    def decide(self, action: Action, detail: str, note: str, reviewer: str = "") -> None:
        """`reviewer` is who decided (the inbox's signed-in name; empty from older callers),
        kept in the decision log next to the decision."""
        by = f"{reviewer[:MAX_REVIEWER]}: " if reviewer else ""
        if not self.open:
            self._log.add("review", f"{action} ignored", f"{by}nothing is waiting for a decision")
            return
        self.decision = (action, detail)
        self._log.add(
            "review",
            {"approve": "approved", "reject": "rejected", "edit": "edited and approved"}[action],
            by + note,
        )

    def reject(self, reason: str, reviewer: str) -> None:
        self.decide("reject", reason, reason[:500] or "no reason given", reviewer)

    def edit(self, body: str, reviewer: str) -> None:
        self.decide("edit", body, f"{len(body)} characters", reviewer)

    def check_edit(self, body: str, limit: int) -> None:
        """The `edit_and_approve` validator: refuses before anything is recorded."""
        if not self.open:
            raise ValueError("nothing is waiting for a decision")
        if not body.strip():
            raise ValueError("body is empty")
        if len(body) > limit:
            raise ValueError(f"body is {len(body)} characters; the limit is {limit}")

    async def wait(
        self,
        sla: timedelta,
        final_deadline: timedelta,
        notice: OutgoingEmail,
        extra_stop: Callable[[], bool] = lambda: False,
    ) -> bool:
        """True once a person decided; False at the final deadline or when `extra_stop`
        becomes true (e.g. the lead unsubscribed while the draft waited). `notice` is
        the email on-call gets when the SLA passes."""
        self.waiting = True
        self._log.add("review", OPENED, f"SLA {sla}, final deadline {final_deadline}")
        try:
            if await self._until(sla, extra_stop):
                return self.decision is not None
            self._log.add("sla", "breached", f"no decision within {sla}; on-call notified")
            metrics.sla_escalated()
            await self._notify(notice)
            if await self._until(max(final_deadline - sla, timedelta(0)), extra_stop):
                return self.decision is not None
            self._log.add("deadline", "closed", f"no decision within {final_deadline}")
            return False
        finally:
            self.waiting = False

    async def _notify(self, notice: OutgoingEmail) -> None:
        """A failed on-call email is logged; the wait for a person goes on regardless."""
        await attempt(
            act.notify_on_call,
            notice,
            config=MAIL,
            summary="SLA breached: email on-call",
            log=self._log,
            step="sla",
            on_failure="on-call email failed",
        )

    async def _until(self, timeout: timedelta, extra_stop: Callable[[], bool]) -> bool:
        try:
            await workflow.wait_condition(
                lambda: self.decision is not None or extra_stop(), timeout=timeout
            )
        except TimeoutError:
            return False
        return True


class ReviewHandlers:
    """approve, reject and edit_and_approve, for a workflow that keeps its gate in
    `self._review` and its log in `self._log`. It says what approving does (`APPROVED`,
    logged), what an edit gets back (`EDITED`), how long an edit may be, and what else
    an edit or an approval needs (the hooks)."""

    _review: HumanReview
    _log: DecisionLog
    APPROVED: str
    EDITED: str
    EDIT_LIMIT: int

    def _cannot_approve(self) -> str | None:
        """Why an approval is ignored (nothing to send as it is), or None."""
        return None

    def _edited_body(self, text: str) -> str:
        """The part of an edit held to `EDIT_LIMIT` (an outreach edit may start with its
        subject line)."""
        return text

    def _edit_problems(self, text: str) -> list[str]:
        """What else refuses an edit before anything is recorded."""
        return []

    @workflow.signal
    def approve(self, reviewer: str = "") -> None:
        if why := self._cannot_approve():
            self._log.add("review", "approve ignored", why)
        else:
            self._review.decide("approve", "", self.APPROVED, reviewer)

    @workflow.signal
    def reject(self, reason: str, reviewer: str = "") -> None:
        self._review.reject(reason, reviewer)

    @workflow.update
    def edit_and_approve(self, body: str, reviewer: str = "") -> str:
        self._review.edit(body, reviewer)
        return self.EDITED

    @edit_and_approve.validator
    def _validate_edit(self, body: str, reviewer: str = "") -> None:
        self._review.check_edit(self._edited_body(body), self.EDIT_LIMIT)
        if problems := self._edit_problems(body):
            raise ValueError("; ".join(problems))
