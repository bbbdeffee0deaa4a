"""The form of a support reply, set by code: greeting, answer, closing, signature.

The model writes only the answer; the greeting and the sign-off are the same words
every time, in the customer's language, so a small model cannot forget them and a
large one cannot improvise them. A greeting or sign-off the model wrote anyway is
dropped first, so the reply never greets twice.
"""

from policy.checks.grounding import plain_text
from policy.checks.language import detect
from policy.checks.reply import GREETING, is_closing

FORMS: dict[str, tuple[str, str]] = {
    "en": ("Hello,", "Best regards,"),
    "de": ("Hallo,", "Viele Grüße,"),
    "es": ("Hola,", "Saludos cordiales,"),
    "fr": ("Bonjour,", "Cordialement,"),
    "it": ("Buongiorno,", "Cordiali saluti,"),
    "nl": ("Hallo,", "Met vriendelijke groet,"),
    "pt": ("Olá,", "Atenciosamente,"),
}
"""(greeting, closing) per ISO 639-1 code; English when the language is unknown."""


def answer_only(text: str, signature: str) -> str:
    """The model's text without a greeting line at the top or closing lines at the end."""
    lines = [line.rstrip() for line in plain_text(text).splitlines()]
    while lines and (
        not lines[0].strip() or (GREETING.match(lines[0].strip()) and len(lines[0].split()) <= 8)
    ):
        lines = lines[1:]
    while lines and (not lines[-1].strip() or is_closing(lines[-1], signature)):
        lines = lines[:-1]
    return "\n".join(lines).strip()


def compose_reply(draft: str, customer_text: str, signature: str) -> str:
    greeting, closing = FORMS.get(detect(customer_text) or "en", FORMS["en"])
    return f"{greeting}\n\n{answer_only(draft, signature)}\n\n{closing}\n{signature}"
