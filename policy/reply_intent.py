"""What an answer to an outreach email is: a person's reply, an auto-responder, or a
request to stop. Pure and deterministic (it runs inside workflows), so a replay decides
the same way.

Only what the sender wrote counts (`new_text`): our own quoted email tells how to
unsubscribe in its footer, and quoting it must unsubscribe nobody. Unsubscribe wording
wins over out-of-office wording: mailing someone who asked us to stop costs more than
pausing for someone who is away. Headers that mark a mail automatic win over both, as
an auto-responder's own text is not its owner's wish.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from models.support import InboundEmail

ReplyKind = Literal["reply", "auto_reply", "unsubscribe"]


@dataclass(frozen=True)
class ReplyIntent:
    kind: ReplyKind
    why: str
    """Names the header or the wording class; quotes at most a few words of the mail."""


BUSINESS_TALK = r"(?! (rates?|process\w*|flows?|handling|management|compliance|features?)\b)"
"""After "unsubscribe" or "opt-out": the words of someone discussing the topic ("our
opt-out process"), not asking for it."""

UNSUBSCRIBE_WORDING: tuple[str, ...] = (
    # English
    rf"unsubscrib\w*{BUSINESS_TALK}", r"remove me", r"remove my (e-?mail|details|contact)\w*",
    r"take me off( of)? (your|the|this|ur)( \w+)? list", rf"opt(ing)?[- ]?(me |us )?out{BUSINESS_TALK}",
    r"stop (e-?mail|contact|messag|spamm|writ|send)\w*( to)? (me|us)",
    r"(do not|don'?t|never) (contact|e-?mail|message|write( to)?)( me| us)? (me|us|again)",
    r"(do not|don'?t|never|stop) send(ing)?( me| us)? (any ?more |more |further )?(e-?mails?|mails)",
    r"no more (e-?mails?|mails|messages)",
    r"(no longer|do not|don'?t) (wish|want) to (receive|get)( \w+)? (e-?mails?|mails|messages)",
    # German
    r"abmeld\w*", r"meld(e|en|et)( sie)? (mich|uns)( bitte)? ab", r"austragen",
    r"trag(e|en|t)( sie)? (mich|uns)( bitte)? aus", r"abbestell\w*",
    r"keine (e-?mails?|mails|nachrichten|werbung) mehr", r"keine weiteren (e-?mails?|mails)",
    r"nicht mehr (kontaktieren|anschreiben|anmailen)",
    # French
    r"desabonn\w*", r"desinscri\w*", r"ne (\w+ )?plus recevoir", r"(retirez|supprimez)[- ]moi",
    r"ne (me )?(contactez|ecrivez) plus", r"arretez de m'?(envoyer|ecrire|contacter)",
    # Spanish
    r"(dar|darme|dame|denme|deme|dadme) de baja", r"me (doy|di) de baja", r"dejar de recibir",
    r"no (quiero|deseo) (recibir|seguir recibiendo) mas", r"no (quiero|deseo) seguir recibiendo", r"no me (contacten|escriban|envien) mas",
    r"(eliminen|eliminar|borren|borrar|quiten|quitar)me de (su|la|tu|vuestra) lista",
    # Dutch
    r"afmeld\w*", r"meld (mij|me)( \w+)? af", r"uitschrijv\w*", r"schrijf (mij|me) uit",
    r"geen (e-?mails?|mails|berichten) meer", r"verwijder (mij|me)",
    # Italian
    r"cancellami", r"cancellatemi", r"disiscriv\w*", r"disiscrizione",
    r"non (voglio|desidero) piu ricevere", r"non (voglio|desidero) ricevere (altre|piu)", r"(rimuovetemi|rimuovimi|toglietemi|toglimi)",
    r"non (contattatemi|scrivetemi)",
    # Portuguese
    r"descadastr\w*", r"nao (quero|desejo) (mais receber|receber mais)", r"parem de (me )?enviar",
    r"deixar de receber", r"remov(a|am)[- ]me", r"me remov(a|am)",
    r"nao me (enviem|mandem|contatem|contactem) mais",
)  # fmt: skip
"""Ways to say "stop mailing me", written folded (lowercase, no accents, `'` for any
apostrophe) as regular expressions matched word by word. A new language goes in as
one more commented group here, and in the two tuples below."""

AUTO_REPLY_LABELS: tuple[str, ...] = (
    r"out of (the )?office", r"automatic (reply|response)", r"auto[- ]?(reply|response|responder)",
    r"vacation (reply|notice|message|response)",  # English
    r"abwesen\w*", r"automatische antwort", r"nicht im buro",  # German
    r"reponse automatique", r"absente? (du bureau|jusqu)", r"absence du bureau",  # French
    r"respuesta automatica", r"fuera de (la )?oficina", r"ausente (hasta|de la oficina)",  # Spanish
    r"afwezig\w*", r"automatisch antwoord", r"buiten kantoor",  # Dutch
    r"risposta automatica", r"fuori (ufficio|sede)", r"assente (fino|dall)",  # Italian
    r"resposta automatica", r"ausente do escritorio", r"fora do escritorio",  # Portuguese
)  # fmt: skip
"""What an auto-responder puts in its subject, or at the start of its first line."""

AUTO_REPLY_STATEMENTS: tuple[str, ...] = (
    # English
    r"(i am|i'm|im|i will be|i'll be)( currently| now)? out of (the )?office",
    r"i am currently (away|on vacation|on holiday|on leave|travell?ing)",
    r"(away|on (vacation|holiday|holidays|sabbatical|(annual|parental|maternity|paternity|sick) "
    r"leave|leave)) (until|till|through|returning)",
    r"this is an? (automatic|automated|auto-?generated) (reply|response|message|e-?mail)",
    # German
    r"ich bin[^,;!?]{0,60}?(nicht im buro|abwesend|im urlaub|in elternzeit|ausser haus)",
    r"dies ist eine automatische (antwort|nachricht)",
    # French
    r"je suis[^,;!?]{0,60}?(absente?|en conge|en vacances|hors du bureau)",
    r"ceci est une? (reponse|message) automatique",
    # Spanish
    r"(estoy|me encuentro)[^,;!?]{0,60}?(fuera de la oficina|de vacaciones|ausente)",
    r"esta es una respuesta automatica",
    # Dutch
    r"ik ben[^,;!?]{0,60}?(afwezig|met vakantie|op vakantie|niet op kantoor)",
    r"dit is een automatisch (antwoord|bericht)",
    # Italian
    r"(sono|saro)[^,;!?]{0,60}?(fuori (ufficio|sede)|in ferie|in vacanza)",
    r"questa e una risposta automatica",
    # Portuguese
    r"(estou|estarei)[^,;!?]{0,60}?(fora do escritorio|de ferias|em ferias|ausente)",
    r"esta e uma resposta automatica",
)
"""What an auto-responder says in its first lines; framed as the present ("I am out of
the office"), so a person who *was* away and now answers is not taken for one."""

FIRST_LINES = 5
"""Non-blank lines of the new text an auto-responder's wording is looked for in."""
SHORT_ANSWER_WORDS = 5
"""An answer this short that says "stop" means stop; a longer one may say it in passing."""


def _wording(patterns: tuple[str, ...], anchored: bool = False) -> re.Pattern[str]:
    start = "^" if anchored else r"(?<!\w)"
    return re.compile(start + "(?:" + "|".join(patterns) + r")(?!\w)", re.M)


UNSUBSCRIBE = _wording(UNSUBSCRIBE_WORDING)
LABEL = _wording(AUTO_REPLY_LABELS)
LABEL_AT_START = _wording(AUTO_REPLY_LABELS, anchored=True)
STATEMENT = _wording(AUTO_REPLY_STATEMENTS)
STOP = re.compile(r"(?<![\w-])stopp?(?![\w-])")
STOP_IN_PASSING = re.compile(
    r"(can'?t|cannot|won'?t|don'?t|didn'?t|never|not|will) stop|stop (by|in|over|past|at|and)\b"
)
"""Ordinary uses of "stop": "we can't stop growing", "stop by our booth"."""
REPLY_PREFIX = re.compile(r"^\s*(re|aw|antw|sv|vs|r|rif|res|fw|fwd|wg|tr|rv|enc)\s*:", re.I)

QUOTE_OPENER = re.compile(r"^(on|am|le|el|op|il|em)\b")
QUOTE_CLOSER = re.compile(
    r"\b(wrote|schrieb|a ecrit|escribio|schreef|ha scritto|escreveu)\b[^:]{0,200}:$"
)
"""`On <date>, <name> wrote:` in the languages above; some clients wrap it onto two lines."""
SEPARATOR = re.compile(r"^(--|-{2,} ?[\w' ]+ ?-{2,}|_{10,})$")
"""A signature (`-- `), `-----Original Message-----` or a forward banner, Outlook's rule."""
MOBILE_SIGNATURE = re.compile(
    r"^(sent from (my|mail|outlook|yahoo|samsung|proton)|get outlook for|von meinem \S+ gesendet"
    r"|envoye de mon|enviado (desde mi|do meu|de meu)|verzonden (vanaf|met) mijn|inviato da)\b"
)
HEADER_FROM = re.compile(r"^\*?(from|von|de|van|da)\s?:")
HEADER_NEXT = re.compile(
    r"^\*?(sent|date|to|cc|subject|gesendet|datum|an|betreff|envoye|objet|a|enviado|fecha|para"
    r"|asunto|verzonden|aan|onderwerp|inviato|data|oggetto|assunto)\s?:"
)
"""Outlook quotes no `>`: its `From:` line and the header lines after it start the quote."""


def fold(text: str) -> str:
    """Lowercase, accents and ligatures undone (NFKD), curly apostrophes made straight,
    whitespace collapsed: "Désinscrivez-moi" and "desinscrivez-moi" read the same."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u2018", "'"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def new_text(body: str) -> str:
    """The part of a reply its sender wrote: quoted lines (`>`) are skipped wherever they
    are, so an answer written below or between them still counts; a signature, an
    `Original Message` banner, an Outlook header block or an attribution line followed
    by unmarked text (an HTML quote turned into text) ends it."""
    lines = body.splitlines()
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith(">"):
            index += 1
            continue
        if _ends_new_text(lines, index):
            break
        span, opener = _attribution(lines, index)
        if span and _quote_follows(lines, index + span):
            index += span
            continue
        if span and opener:
            break
        kept.append(line)
        index += 1
    return "\n".join(kept).strip()


def _ends_new_text(lines: list[str], index: int) -> bool:
    line = fold(lines[index])
    if SEPARATOR.match(line) or MOBILE_SIGNATURE.match(line):
        return True
    return bool(HEADER_FROM.match(line)) and any(
        HEADER_NEXT.match(fold(after)) for after in lines[index + 1 : index + 5]
    )


def _attribution(lines: list[str], index: int) -> tuple[int, bool]:
    """How many lines (0, 1 or 2) the attribution starting here spans, and whether it
    has the `On <date> ...` form that is never anything else."""
    line = fold(lines[index])
    if len(line) > 300:
        return 0, False
    opener = QUOTE_OPENER.match(line) is not None
    if QUOTE_CLOSER.search(line):
        return 1, opener
    if (
        opener
        and index + 1 < len(lines)
        and QUOTE_CLOSER.search(f"{line} {fold(lines[index + 1])}")
    ):
        return 2, True
    return 0, False


def _quote_follows(lines: list[str], index: int) -> bool:
    following = next((line for line in lines[index:] if line.strip()), "")
    return following.lstrip().startswith(">")


def classify_reply(email: InboundEmail) -> ReplyIntent:
    if email.automatic:
        return ReplyIntent("auto_reply", f"automatic headers ({email.automatic})")
    written = new_text(email.body)
    if why := _unsubscribe(written):
        return ReplyIntent("unsubscribe", why)
    if not REPLY_PREFIX.match(email.subject) and (why := _unsubscribe(email.subject)):
        return ReplyIntent("unsubscribe", f"{why} in the subject")
    if found := LABEL.search(fold(email.subject)):
        return ReplyIntent("auto_reply", f"auto-reply wording in the subject{_quoted(found)}")
    first = [fold(line) for line in written.splitlines() if line.strip()][:FIRST_LINES]
    if found := LABEL_AT_START.search("\n".join(first)) or STATEMENT.search(" ".join(first)):
        return ReplyIntent("auto_reply", f"auto-reply wording{_quoted(found)}")
    return ReplyIntent("reply", "written by a person")


def _unsubscribe(written: str) -> str | None:
    """Why the text asks to stop, or None. "stop" counts alone ("STOP", "Stop please")
    or on a line of its own, never in passing ("stop by our booth")."""
    text = fold(written)
    if found := UNSUBSCRIBE.search(text):
        return f"unsubscribe wording{_quoted(found)}"
    if any(fold(line).strip(" .!") in ("stop", "stopp") for line in written.splitlines()):
        return '"stop" on a line of its own'
    short = len(text.split()) <= SHORT_ANSWER_WORDS
    if short and STOP.search(text) and not STOP_IN_PASSING.search(text):
        return 'a short answer saying "stop"'
    return None


def _quoted(found: re.Match[str]) -> str:
    """The matched words when they are a few of our own list's, never a sentence."""
    words = found.group(0).split()
    return f' ("{" ".join(words)}")' if len(words) <= 5 else ""
