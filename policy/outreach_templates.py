"""Template touches for when the agent fails, and the unsubscribe line every touch carries.

Templates are copy written by people and use only the form and enrichment data, so
they never claim anything research did not establish. A templated first touch still
goes to a person (it replaces judgement that failed); templated follow-ups are the
pre-approved cadence copy. Pure string work, safe inside the workflow.
"""

from string import Template

from models.lead import CompanyProfile, LeadSubmission
from models.outreach import MAX_OUTREACH_BODY, Touch, TouchKind

UNSUBSCRIBE_LINE = "Not interested? Reply with 'unsubscribe' and you will not hear from us again."
UNSUBSCRIBE_FOOTER = f"\n\n--\n{UNSUBSCRIBE_LINE}"
MAX_EDITED_BODY = MAX_OUTREACH_BODY - len(UNSUBSCRIBE_FOOTER)
"""The longest body a person may write: the footer goes after it and the touch must fit."""
FIRST = Template(
    "Hi $first_name,\n\n"
    "thanks for getting in touch about $company. Flowdesk automates the busywork around "
    "leads, support inboxes and follow-ups$industry_part, with every step visible and "
    "retried until it is done.\n\n"
    "Would a 20-minute call next week be useful? I can show how teams like yours set it up.\n\n"
    "The Flowdesk team"
)
FOLLOW_UPS = (
    Template(
        "Hi $first_name,\n\n"
        "a quick follow-up on my last email: if automating lead handling or your support "
        "inbox is on your list this quarter, I am happy to walk you through Flowdesk.\n\n"
        "The Flowdesk team"
    ),
    Template(
        "Hi $first_name,\n\n"
        "I will stop writing after this one. If the timing is better later, just reply "
        "to this email and we will pick it up from there.\n\n"
        "The Flowdesk team"
    ),
)


def with_unsubscribe(body: str) -> str:
    """The body with the unsubscribe line at the end, added once."""
    clean = body.rstrip()
    return clean if clean.endswith(UNSUBSCRIBE_LINE) else clean + UNSUBSCRIBE_FOOTER


def template_touch(
    lead: LeadSubmission, profile: CompanyProfile, number: int, kind: TouchKind
) -> Touch:
    first_name = lead.name.split()[0]
    if kind == "first":
        industry = f" for {profile.industry.lower()} teams" if profile.industry else ""
        body = FIRST.substitute(
            first_name=first_name, company=lead.company.rstrip("."), industry_part=industry
        )
        subject = f"Flowdesk for {lead.company}"
    else:
        template = FOLLOW_UPS[min(number - 2, len(FOLLOW_UPS) - 1)]
        body = template.substitute(first_name=first_name)
        subject = f"Re: Flowdesk for {lead.company}"
    return Touch(
        number=number, kind=kind, subject=subject, body=with_unsubscribe(body), source="template"
    )
