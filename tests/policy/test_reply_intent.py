"""Answers to outreach mail as leads and their mail programs write them: what counts is
what the sender wrote, in seven languages, and our own quoted footer never unsubscribes."""

import pytest

from models.support import InboundEmail
from policy.outreach_templates import UNSUBSCRIBE_FOOTER
from policy.reply_intent import ReplyKind, classify_reply, new_text

OURS = "Hi Kim,\n\nwould a 20-minute call about Acme's invoicing be useful?\n\nFlowdesk"
QUOTED = "\n".join(f"> {line}" for line in (OURS + UNSUBSCRIBE_FOOTER).splitlines())
GMAIL = "On Tue, Nov 24, 2026 at 10:00 AM Flowdesk <outreach@flowdesk.example> wrote:"
OUTLOOK = (
    "________________________________\nFrom: Flowdesk <outreach@flowdesk.example>\n"
    "Sent: Tuesday, November 24, 2026 10:00 AM\nTo: Kim Lee <kim@acme.example>\n"
    "Subject: Quick question\n\n"
)


def gmail(answer: str) -> str:
    return f"{answer}\n\n{GMAIL}\n\n{QUOTED}\n"


def kind(body: str, subject: str = "Re: Quick question", automatic: str | None = None) -> ReplyKind:
    email = InboundEmail(sender="kim@acme.example", subject=subject, body=body, automatic=automatic)
    return classify_reply(email).kind


@pytest.mark.parametrize(
    ("body", "written"),
    [
        (gmail("Sounds good, call me Thursday."), "Sounds good, call me Thursday."),
        ("Yes!\n\nOn Tue, Nov 24, 2026 at 10:00 AM Flowdesk <\noutreach@flowdesk.example> wrote:\n"
         + QUOTED, "Yes!"),
        ("Gern.\n\nAm 24.11.2026 um 10:00 schrieb Flowdesk <outreach@flowdesk.example>:\n" + QUOTED,
         "Gern."),
        ("Oui.\n\nLe mar. 24 nov. 2026 à 10:00, Flowdesk <outreach@flowdesk.example> a écrit :\n"
         + QUOTED, "Oui."),
        ("Sí.\n\nEl mar, 24 nov 2026 a las 10:00, Flowdesk (<outreach@flowdesk.example>) "
         "escribió:\n" + QUOTED, "Sí."),
        ("Ja.\n\nOp di 24 nov. 2026 om 10:00 schreef Flowdesk <outreach@flowdesk.example>:\n"
         + QUOTED, "Ja."),
        ("Sì.\n\nIl giorno mar 24 nov 2026 alle ore 10:00 Flowdesk <outreach@flowdesk.example> "
         "ha scritto:\n" + QUOTED, "Sì."),
        ("Sim.\n\nEm ter., 24 de nov. de 2026 às 10:00, Flowdesk <outreach@flowdesk.example> "
         "escreveu:\n" + QUOTED, "Sim."),
        ("Let's talk.\n\n" + OUTLOOK + OURS + UNSUBSCRIBE_FOOTER, "Let's talk."),
        ("Gerne.\n\nVon: Flowdesk <outreach@flowdesk.example>\nGesendet: Dienstag, 24. November"
         "\nAn: Kim Lee\nBetreff: Kurze Frage\n\n" + OURS, "Gerne."),
        ("Call me.\n\n-----Original Message-----\nFrom: Flowdesk\n" + OURS, "Call me."),
        ("FYI\n\n---------- Forwarded message ---------\nFrom: Flowdesk\n" + OURS, "FYI"),
        ("Tuesday works.\n\n-- \nKim Lee\nCTO, Acme\n+1 555 0100", "Tuesday works."),
        ("Tuesday works.\n\nSent from my iPhone\n\n" + QUOTED, "Tuesday works."),
        ("Bis dann.\n\nVon meinem iPhone gesendet", "Bis dann."),
        (f"{GMAIL}\n{QUOTED}\n\nPlease send pricing.", "Please send pricing."),
        ("> Would a call be useful?\nYes, Tuesday.\n> Pricing?\nPer seat.", "Yes, Tuesday.\nPer seat."),
        (f"Yes.\n\n{GMAIL}\n{OURS}{UNSUBSCRIBE_FOOTER}", "Yes."),
        ("Here is what my boss wrote:\nlet's do it.", "Here is what my boss wrote:\nlet's do it."),
        ("", ""),
    ],
    ids=["gmail", "gmail-wrapped", "de", "fr", "es", "nl", "it", "pt", "outlook", "outlook-de",
         "original-message", "forwarded", "signature", "iphone", "iphone-de", "bottom-posted",
         "inline", "html-quote-without-marks", "not-an-attribution", "empty"],
)  # fmt: skip
def test_new_text_is_what_the_sender_wrote(body: str, written: str):
    assert new_text(body) == written


UNSUBSCRIBES = [
    "Unsubscribe", "Please unsubscribe me.", "unsubscribed?!", "Remove me from your list.",
    "Please remove my email address from your database.", "Take me off your mailing list.",
    "Please take me off the list", "Opt me out.", "I'd like to opt-out, thanks.",
    "Stop emailing me.", "Please stop contacting us.", "Do not contact me again.",
    "Don’t email me", "Please don't send me any more emails.", "No more emails please.",
    "I no longer wish to receive these emails.", "STOP", "Stop please", "stop.", "Please stop!",
    "Stop\n\nSent from my iPhone", "Not interested.\nStop.\nThanks",
    "Bitte abmelden.", "Bitte tragen Sie mich aus Ihrem Verteiler aus.",
    "Ich möchte mich austragen.", "Keine E-Mails mehr, danke.", "Bitte melden Sie mich ab.",
    "Désabonnez-moi s'il vous plaît.", "Merci de me désinscrire.", "DÉSINSCRIRE",
    "Je ne souhaite plus recevoir vos messages.", "Por favor, darme de baja.",
    "Quiero dejar de recibir estos correos.", "Denme de baja, gracias.",
    "No quiero recibir más correos.", "Non voglio più ricevere le vostre email.", "Graag afmelden.",
    "Meld mij af alstublieft.", "Geen e-mails meer graag.", "Cancellami dalla lista.",
    "Vorrei disiscrivermi.", "Quero descadastrar meu e-mail.", "Por favor, me descadastre.",
    "Não quero mais receber estes e-mails.",
]  # fmt: skip


@pytest.mark.parametrize("answer", UNSUBSCRIBES)
def test_unsubscribe_wording_in_the_new_text_unsubscribes(answer: str):
    assert kind(gmail(answer)) == "unsubscribe"
    assert kind(answer + "\n\n" + OUTLOOK + OURS) == "unsubscribe"


@pytest.mark.parametrize("subject", ["Unsubscribe", "STOP", "Bitte abmelden", "remove me"])
def test_a_subject_the_sender_wrote_can_unsubscribe(subject: str):
    assert kind("", subject=subject) == "unsubscribe"


AUTO_REPLIES = [
    ("Out of Office: Quick question", "I'll get back to you."),
    ("Automatic reply: Quick question", "Thanks for your message."),
    ("Auto-Reply: Quick question", ""),
    ("Abwesenheitsnotiz: Quick question", "Vielen Dank für Ihre Nachricht."),
    ("Automatische Antwort: Quick question", ""),
    ("Réponse automatique : Quick question", ""),
    ("Absent du bureau", "Merci pour votre message."),
    ("Respuesta automática: Quick question", ""),
    ("Fuera de la oficina: Quick question", ""),
    ("Afwezigheidsmelding: Quick question", ""),
    ("Risposta automatica: Quick question", ""),
    ("Fuori ufficio", ""),
    ("Resposta automática: Quick question", ""),
    ("Re: Quick question", "Thank you for your email.\nI am currently out of the office."),
    ("Re: Quick question", "Hello,\n\nI'm on annual leave until 4 January, back after."),
    ("Re: Quick question", "Hi, I am on vacation until Monday 30 November."),
    ("Re: Quick question", "This is an automated response. Your message was received."),
    ("Re: Quick question", "Out of office until 3 December."),
    ("AW: Quick question", "Ich bin bis einschließlich 04.12.2026 nicht im Büro."),
    ("AW: Quick question", "Vielen Dank. Ich bin derzeit im Urlaub."),
    ("RE: Quick question", "Dies ist eine automatische Antwort."),
    ("RE: Quick question", "Je suis absent du bureau jusqu'au 3 décembre."),
    ("RE: Quick question", "Estoy fuera de la oficina hasta el lunes."),
    ("Antw: Quick question", "Ik ben afwezig tot en met 4 december."),
    ("R: Quick question", "Sono fuori ufficio fino al 4 dicembre."),
    ("RES: Quick question", "Estou ausente do escritório até dia 4."),
]  # fmt: skip


@pytest.mark.parametrize(("subject", "body"), AUTO_REPLIES)
def test_out_of_office_wording_is_an_auto_reply(subject: str, body: str):
    assert kind(gmail(body), subject=subject) == "auto_reply"


@pytest.mark.parametrize(
    "automatic", ["auto-submitted: auto-replied", "x-autoreply: yes", "precedence: bulk"]
)
def test_automatic_headers_win_even_over_unsubscribe_wording(automatic: str):
    email = InboundEmail(sender="a@b.example", body="Unsubscribe", automatic=automatic)
    intent = classify_reply(email)
    assert intent.kind == "auto_reply" and automatic in intent.why


def test_unsubscribe_wording_wins_over_out_of_office_wording():
    assert kind("Out of office until Monday. Please remove me from your list.") == "unsubscribe"


REPLIES = [
    "Yes, interested! What does the subscription cost per seat?",
    "Can you remove the meeting from Friday and send a new invite?",
    "We can't stop growing, let's talk next week.",
    "Stop by our booth at the trade fair on Tuesday!",
    "Stop by our booth!",
    "Non-stop support?",
    "We offer a one-stop shop.",
    "How does your tool handle our opt-out process?",
    "Our unsubscribe rates are fine, but deliverability is not.",
    "Please don't stop sending the newsletter, it's great.",
    "No more questions from my side, send the contract.",
    "Sorry for the slow answer, I was out of office last week. Happy to chat!",
    "I'm back from vacation, yes let's do a demo.",
    "Sure, we are on annual leave planning season, so let's talk in January.",
    "Können wir nächste Woche telefonieren? Bitte melden Sie sich.",
    "Nous sommes abonnés à un autre outil, mais intéressés.",
    "¿Cuánto cuesta la suscripción anual?",
    "No quiero recibir la factura en papel, ¿es posible?",
    "Non voglio ricevere fatture cartacee.",
    "Please remove my address from the invoice, the office moved.",
    "Stopwatch feature?",
    "Thanks, forwarded to Ana who handles invoicing.",
    "",
]  # fmt: skip


@pytest.mark.parametrize("answer", REPLIES)
def test_ordinary_answers_are_replies(answer: str):
    assert kind(gmail(answer)) == "reply"


@pytest.mark.parametrize(
    "body",
    [
        gmail("Sounds good, call me Thursday."),
        f"Sounds good.\n\n{GMAIL}\n{OURS}{UNSUBSCRIBE_FOOTER}",
        "Let's talk.\n\n" + OUTLOOK + OURS + UNSUBSCRIBE_FOOTER,
        "Gerne.\n\nVon: Flowdesk\nGesendet: Dienstag\nAn: Kim\nBetreff: Frage\n\nBitte abmelden?",
        "Sounds good.\n\n-----Original Message-----\nTo stop these emails, opt out here.",
    ],
    ids=["gmail", "html-quote", "outlook", "outlook-de", "original-message"],
)
def test_our_quoted_footer_never_unsubscribes(body: str):
    assert kind(body) == "reply"


def test_why_names_the_class_and_never_the_mail():
    body = "Kim Lee here, CTO at Acme (kim@acme.example).\nTake me off your list.\n"
    intents = [
        classify_reply(InboundEmail(sender="kim@acme.example", subject=subject, body=text))
        for subject, text in [("Re: Hi", body), ("Re: Hi", "I am currently out of the office")]
    ]
    assert [intent.kind for intent in intents] == ["unsubscribe", "auto_reply"]
    assert intents[0].why == 'unsubscribe wording ("take me off your list")'
    assert all("kim" not in intent.why.lower() and len(intent.why) <= 80 for intent in intents)


def test_matching_ignores_case_and_accents():
    assert kind("DÉSABONNER") == kind("desabonner") == kind("Désabonner") == "unsubscribe"
    assert kind("", subject="RESPUESTA AUTOMATICA") == "auto_reply"
