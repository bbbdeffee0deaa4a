"""The activity of the human-review gate: the on-call email when a decision is overdue.

Its own class because support triage and outreach both wait for people through the
same gate (`workflows.runtime.review`), and neither process should depend on the other's
activities to do it.
"""

from dataclasses import dataclass

from temporalio import activity

from activities.postbox import Postbox
from activities.wrapping import adapter_errors, heartbeating
from models.common import OutgoingEmail, SendResult


@dataclass
class ReviewActivities:
    postbox: Postbox

    @activity.defn(name="notify_on_call")
    async def notify_on_call(self, notice: OutgoingEmail) -> SendResult:
        with adapter_errors():
            return await heartbeating(
                self.postbox.send(notice, activity.info().workflow_id, "notice")
            )

    def definitions(self) -> list:
        return [self.notify_on_call]
