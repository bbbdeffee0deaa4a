"""What a person's edit of an outreach email may be, and the touch it becomes.

A reviewer may rewrite the whole email, and start it with a `Subject: ...` line to
replace the subject; placeholders and an over-long subject are refused with what is
wrong, and the unsubscribe line is added once. Pure code, safe inside the workflow.
"""

from models.outreach import Touch
from policy.outreach_policy import MAX_SUBJECT, placeholder_problems
from policy.outreach_templates import with_unsubscribe


def split_subject(text: str) -> tuple[str | None, str]:
    """An edited email may start with a `Subject: ...` line that replaces the subject."""
    first, _, rest = text.lstrip().partition("\n")
    if first.lower().startswith("subject:"):
        return first[len("subject:") :].strip(), rest.lstrip("\n")
    return None, text


def edit_problems(text: str) -> list[str]:
    """What is wrong with a person's edit beyond its length: the subject and placeholders."""
    subject, _ = split_subject(text)
    problems = placeholder_problems(text)
    if subject is not None and not 0 < len(subject) <= MAX_SUBJECT:
        problems.insert(0, f"subject must be 1 to {MAX_SUBJECT} characters")
    return problems


def edited_touch(pending: Touch, text: str) -> Touch:
    subject, body = split_subject(text)
    return pending.model_copy(
        update={
            "subject": subject or pending.subject,
            "body": with_unsubscribe(body),
            "source": "edited",
        }
    )
