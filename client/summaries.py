"""A person deciding on a run needs the reasons, not the status payload.

The status queries return everything a workflow knows; these summaries pick what a
reviewer acts on (why a draft was held, every check, the email exactly as it would be
sent, the next touches in the lead's own time zone) and how to decide.
"""

from models.lead import LeadIntakeResult
from models.outreach import OutreachStatus
from models.support import TriageStatus
from workflows.business_hours import local_label


def summarize_lead(result: LeadIntakeResult) -> str:
    score = result.score
    lines = [
        f"workflow   {result.workflow_id}",
        f"contact    #{result.contact_id} ({result.domain}, profile from {result.profile.source})",
        f"score      {score.points} -> tier {score.tier} (rules {score.rules_version})",
    ]
    lines += [f"  {hit.points:+4d}  {hit.rule}: {hit.reason}" for hit in score.hits]
    welcome = result.welcome
    sent = "not sent" if welcome is None else f"{welcome.transport} {welcome.message_id}"
    lines.append(f"welcome    {sent}")
    return "\n".join(lines)


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
