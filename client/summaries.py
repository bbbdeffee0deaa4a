"""A person deciding on a run needs the reasons, not the status payload.

The status queries return everything a workflow knows; these summaries pick what a
reviewer acts on (why a draft was held, every check, the email exactly as it would be
sent, the next touches in the lead's own time zone) and how to decide.
"""

from models.common import Decision
from models.lead import LeadIntakeResult, LeadIntakeStatus, LeadScore
from models.outreach import OutreachStatus
from models.support import TriageStatus
from policy.business_hours import local_label


def _score_lines(score: LeadScore) -> list[str]:
    lines = [f"score      {score.points} -> tier {score.tier} (rules {score.rules_version})"]
    return lines + [f"  {hit.points:+4d}  {hit.rule}: {hit.reason}" for hit in score.hits]


def _decision_lines(decisions: list[Decision]) -> list[str]:
    return ["decisions"] + [f"  {d.step}: {d.outcome}{' - ' + d.reason if d.reason else ''}"
                            for d in decisions]  # fmt: skip


def summarize_lead(result: LeadIntakeResult) -> str:
    lines = [
        f"workflow   {result.workflow_id}",
        f"contact    #{result.contact_id} ({result.domain}, profile from {result.profile.source})",
        *_score_lines(result.score),
    ]
    welcome = result.welcome
    sent = "not sent" if welcome is None else f"{welcome.transport} {welcome.message_id}"
    lines.append(f"welcome    {sent}")
    return "\n".join(lines)


def summarize_intake(workflow_id: str, status: LeadIntakeStatus) -> str:
    """A lead intake run at any stage: what it has learned so far and why."""
    source = f", profile from {status.profile.source}" if status.profile else ""
    contact = f"#{status.contact_id}" if status.contact_id is not None else "not yet saved"
    lines = [
        f"lead       {workflow_id}",
        f"stage      {status.stage}",
        f"contact    {contact} ({status.domain or 'no company domain'}{source})",
    ]
    lines += _score_lines(status.score) if status.score else ["score      not yet"]
    return "\n".join(lines + _decision_lines(status.decisions))


def summarize_status(
    workflow_id: str, status: TriageStatus | OutreachStatus | LeadIntakeStatus
) -> str:
    """Any run's status as a person reads it, whatever its process and stage."""
    if isinstance(status, TriageStatus):
        return summarize_ticket(workflow_id, status)
    if isinstance(status, OutreachStatus):
        lines = [summarize_outreach(workflow_id, status), *_decision_lines(status.decisions)]
        return "\n".join(lines)
    return summarize_intake(workflow_id, status)


def summarize_ticket(workflow_id: str, status: TriageStatus) -> str:
    evaluation = status.evaluation
    lines = [
        f"ticket     {workflow_id}",
        f"topic      {status.topic or 'unclassified'}",
        f"score      {evaluation.score:.2f}" if evaluation else "score      -",
    ]
    if evaluation:
        lines += [f"  hold: {hold}" for hold in evaluation.policy_hold]
        lines += [f"  {reason}" for reason in evaluation.reasons]
        if evaluation.check is not None:
            check = evaluation.check
            lines.append(f"checks     {check.version}, grounding {check.grounding:.2f}")
            lines += [f"  {'ok  ' if c.passed else 'FAIL'} {c.name}{': ' + c.detail if c.detail else ''}"
                      for c in check.checks]  # fmt: skip
    reply = evaluation.reply_body if evaluation and evaluation.reply_body else None
    if reply:
        lines.append("reply      (as it would be sent)")
        lines += [f"  | {line}" for line in reply.splitlines()]
    if status.outcome:
        lines.append(f"outcome    {status.outcome}")
    else:
        lines += [
            "waiting    for a person; decide with",
            f"  python starter.py approve {workflow_id}",
            f"  python starter.py reject {workflow_id} --reason TEXT",
            f"  python starter.py edit {workflow_id} --body-file FILE",
        ]
    return "\n".join(lines)


def summarize_outreach(workflow_id: str, status: OutreachStatus) -> str:
    lines = [
        f"outreach   {workflow_id}",
        f"stage      {status.stage} (contact #{status.contact_id}, tier {status.tier})",
    ]
    if status.check:
        lines.append(f"check      score {status.check.score:.2f} (the agent's draft)")
        lines += [f"  hold: {hold}" for hold in status.check.holds]
        lines += [f"  {reason}" for reason in status.check.reasons]
    if status.pending:
        lines.append(f"email      {status.pending.subject!r} ({status.pending.source})")
        lines += [f"  | {line}" for line in status.pending.body.splitlines()]
        points = {p.id: p for p in status.brief.points} if status.brief else {}
        lines += [
            f"  built on {fid}: {points[fid].text[:100]!r} ({points[fid].source_url})"
            for fid in status.pending.facts
            if fid in points
        ]
    lines += [
        f"{'next' if i == 0 else 'then':<10} touch {p.number} ({p.kind.replace('_', '-')}) "
        f"{local_label(p.due_at, status.timezone)}"
        for i, p in enumerate(status.plan)
    ]
    lines += [
        f"sent       touch {t.number} {local_label(t.sent_at, status.timezone)}"
        for t in status.sent
    ]
    if status.needs_human:
        lines += [
            "waiting    for approval; decide with",
            f"  python starter.py approve {workflow_id}",
            f"  python starter.py reject {workflow_id} --reason TEXT",
            f"  python starter.py edit {workflow_id} --body-file FILE",
        ]
    if status.outcome:
        lines.append(f"outcome    {status.outcome}")
    return "\n".join(lines)
