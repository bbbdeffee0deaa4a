"""The fixed copy of an outreach email around the one sentence the agent writes.

A 0.5B model asked for a whole sales email copied its prompt's example into mails
to a dental clinic and a brewery, thanked a German lead in English and echoed the
lead's own message back. So the model fills one slot, the sentence about the
company; greeting, what Flowdesk does, the question and the signature are copy
written by people, in the language of the company's pages (English, German or
French; other languages fall back to English and a person sees the mixed result).
When the model's sentence does not hold, the slot takes the page's own sentence,
quoted (`quoted`): true by construction and still about this company.

Pure string work, shared by the draft activity (which composes) and the outreach
checks (which must not read the copy's own capitalised words as invented names).
"""

import re
from dataclasses import dataclass

from policy.checks.claims import tokens


@dataclass(frozen=True)
class Copy:
    name: str
    """The language's name, as the drafting prompt asks for it."""
    greeting: str
    help: str
    ask: str
    follow_up: str
    subject: str
    quote: str
    sign_off: str = "The Flowdesk team"


COPY: dict[str, Copy] = {
    "en": Copy(
        name="English",
        greeting="Hi {first_name},",
        help="Flowdesk takes the repetitive email work off a team like yours: it sorts "
        "incoming requests, drafts answers from your own documents and keeps follow-ups on "
        "time, with a person approving anything unusual.",
        ask="Would a short call next week be useful?",
        follow_up="A short follow-up on my last email.",
        subject="A question for {company}",
        quote='I read on your website: "{text}"',
    ),
    "de": Copy(
        name="German",
        greeting="Hallo {first_name},",
        help="Flowdesk nimmt einem Team wie Ihrem die wiederkehrende E-Mail-Arbeit ab: es "
        "sortiert eingehende Anfragen, entwirft Antworten aus Ihren eigenen Unterlagen und "
        "hält Nachfassaktionen pünktlich, wobei ein Mensch alles Ungewöhnliche freigibt.",
        ask="Hätten Sie nächste Woche Zeit für ein kurzes Gespräch?",
        follow_up="Eine kurze Nachfrage zu meiner letzten E-Mail.",
        subject="Eine Frage an {company}",
        quote="Auf Ihrer Website habe ich gelesen: „{text}“",
        sign_off="Ihr Flowdesk-Team",
    ),
    "fr": Copy(
        name="French",
        greeting="Bonjour {first_name},",
        help="Flowdesk décharge une équipe comme la vôtre du travail répétitif des e-mails : "
        "il trie les demandes entrantes, rédige des réponses à partir de vos propres "
        "documents et assure les relances à temps, une personne validant tout ce qui sort "
        "de l'ordinaire.",
        ask="Auriez-vous un moment la semaine prochaine pour un court échange ?",
        follow_up="Un petit suivi de mon dernier e-mail.",
        subject="Une question pour {company}",
        quote="J'ai lu sur votre site : « {text} »",
        sign_off="L'équipe Flowdesk",
    ),
}


def copy_for(language: str | None) -> Copy:
    return COPY.get(language or "en", COPY["en"])


def language_name(language: str | None) -> str:
    return copy_for(language).name


def ended(text: str) -> str:
    """The text with a full stop unless it already ends a sentence."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def compose(language: str | None, first_name: str, sentence: str, follow_up: bool = False) -> str:
    """The email body: greeting, the agent's sentence (after a follow-up's opener), the
    help line, the question (first touch only) and the sign-off."""
    copy = copy_for(language)
    opener = f"{copy.follow_up} " if follow_up else ""
    parts = [copy.greeting.format(first_name=first_name), f"{opener}{sentence}", copy.help]
    if not follow_up:
        parts.append(copy.ask)
    return "\n\n".join([*parts, copy.sign_off])


def subject(language: str | None, company: str, follow_up: bool = False) -> str:
    text = copy_for(language).subject.format(company=company)
    return f"Re: {text}" if follow_up else text


def quoted(language: str | None, point: str) -> str:
    """The slot filled with a page's own sentence, quoted as the page wrote it."""
    return copy_for(language).quote.format(text=ended(point.strip().strip('"“”„«»')))


READER_VOICE = {"we": "you", "our": "your", "us": "you", "ours": "yours", "we're": "you're",
                "we've": "you've"}  # fmt: skip
VOICE_WORD = re.compile(rf"\b(?:{'|'.join(sorted(READER_VOICE, key=len, reverse=True))})\b", re.I)


def reader_voice(text: str) -> str:
    """An English page sentence as said to its writer: "We run 6 clinics" becomes "You run
    6 clinics". Shown so to the model, which otherwise copies the page's "we" into our
    email, where "we" is Flowdesk."""

    def swap(found: re.Match[str]) -> str:
        word = READER_VOICE[found.group(0).lower()]
        return word.capitalize() if found.group(0)[0].isupper() else word

    return VOICE_WORD.sub(swap, text)


def copy_words() -> frozenset[str]:
    """Every word of the fixed copy: not a name the agent could have invented."""
    text = " ".join(
        " ".join((c.greeting, c.help, c.ask, c.follow_up, c.subject, c.quote, c.sign_off))
        for c in COPY.values()
    )
    return frozenset(tokens(text))
