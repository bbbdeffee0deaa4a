"""The patch markers of lead outreach, and the rules a run keeps because of them.

Outreach runs live for weeks (follow-ups, continue-as-new): a run started under
older rules replays under them, so each change that alters a decision is behind a
marker recorded when the run first reaches it.
"""

from temporalio import workflow

from policy.outreach_policy import Rules

REPLY_CHECKER = "reply-checker"
"""Runs started before it keep the 2026.11-1 outreach checks (`outreach_policy_v1`)."""
CITED_CLAIMS = "cited-claims"
"""Runs started before it check names and numbers against every fact, not the cited."""
SUPPRESSION_LIST = "suppression-list"
"""Runs started before it did not consult the suppression list at their start."""


def touch_rules() -> Rules:
    """The outreach check rules this run started with."""
    if not workflow.patched(REPLY_CHECKER):
        return "v1"
    return "cited" if workflow.patched(CITED_CLAIMS) else "uncited"
