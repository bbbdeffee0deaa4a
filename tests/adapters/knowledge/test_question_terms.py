"""What a mail asks and which of its words no article uses, against a real index."""

import pytest

from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.knowledge.question_terms import question_sentences, survey
from models.support import QuestionCoverage

ARTICLES = {
    "sso.md": "# Single sign-on\n\nSAML single sign-on works with Okta and Microsoft Entra ID."
    " Upload the metadata XML under Settings, Security.",
    "webhooks.md": "# Webhooks\n\nFailed deliveries are retried 8 times over 24 hours.",
    "alerts.md": "# Alerts\n\nHosts are told by email or Slack. Desks can be kept for two"
    " teams. Export each PDF.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("kb")
    (root / "articles").mkdir()
    for name, text in ARTICLES.items():
        (root / "articles" / name).write_text(text)
    index = KnowledgeBase(root / "kb.sqlite3")
    index.reindex(root / "articles")
    return index


def terms(kb: KnowledgeBase, subject: str, body: str, sender: str = "a@b.example") -> list[str]:
    return [t.term for t in read(kb, subject, body, sender).unknown]


def read(
    kb: KnowledgeBase, subject: str, body: str, sender: str = "a@b.example"
) -> QuestionCoverage:
    return survey(subject, body, sender, using=kb.using, spelled=kb.spelled)


def unnamed(kb: KnowledgeBase, subject: str, body: str, sender: str = "a@b.example") -> list[str]:
    return [name for part in read(kb, subject, body, sender).parts for name in part.unnamed]


def test_words_no_article_uses_are_named_and_weighted(kb: KnowledgeBase) -> None:
    coverage = read(kb, "SCIM?", "We use Okta. Will SCIM provisioning work with Okta?")
    unknown = {t.term: t.weight for t in coverage.unknown}
    assert set(unknown) == {"scim", "provisioning"}
    assert unknown["scim"] > unknown["provisioning"] > 0
    assert coverage.specificity > sum(unknown.values())  # "okta" counts, known or not


def test_the_index_stemming_decides_what_is_known(kb: KnowledgeBase) -> None:
    assert terms(kb, "Webhook retrying", "Are webhooks retrying a delivery?") == []


def test_common_words_weigh_nothing(kb: KnowledgeBase) -> None:
    """ "Really" and "week" are not in the index either, but say nothing."""
    assert terms(kb, "", "Is it really the webhook again this week?") == []


def test_the_senders_own_name_and_domain_are_not_the_question(kb: KnowledgeBase) -> None:
    asked = "Hi, this is Zoltan from Quillbright. Does Zoltan need SAML for his team?"
    assert terms(kb, "", asked, "Zoltan <zoltan@quillbright.example>") == []
    assert terms(kb, "", asked, "someone@else.example") == ["zoltan"]


def test_a_reply_prefix_is_not_part_of_the_question(kb: KnowledgeBase) -> None:
    assert terms(kb, "Re: Fwd: SAML", "Does it work with Okta?") == []


@pytest.mark.parametrize(
    ("subject", "body", "asked"),
    [
        ("Thanks!", "All sorted now, the export worked. Have a good weekend.", []),
        ("invoice", "Please send me the March invoice again.\n\nThanks,\nKim",
         ["Please send me the March invoice again."]),
        ("ipad", "Typed the code. What am I doing wrong?\n\n> Can you help?",
         ["What am I doing wrong?"]),
        ("2FA without an app?", "Some staff refuse authenticator apps.", ["2FA without an app?"]),
        ("sync", "Our job calls the API\nevery night and\nstops. How long then?\n"
         "2026-11-23 02:00:00 GET https://api.example/v2/visits?cursor=c_0 -> 429",
         ["Our job calls the API every night and stops.", "How long then?"]),
    ],
)  # fmt: skip
def test_the_sentences_that_ask(subject: str, body: str, asked: list[str]) -> None:
    assert question_sentences(subject, body) == asked


def test_a_mail_that_asks_nothing_has_no_question(kb: KnowledgeBase) -> None:
    coverage = read(kb, "Thanks!", "Solved, all good now.")
    assert not coverage.asks and coverage.unknown == []


def test_query_syntax_in_a_word_is_never_run(kb: KnowledgeBase) -> None:
    assert kb.using(['saml" OR "okta']) == {'saml" OR "okta': set()}
    assert kb.using(["SAML", "zapier"]) == {"SAML": {"sso"}, "zapier": set()}


def test_a_short_question_takes_the_sentence_it_refers_to() -> None:
    body = "Our accountant needs the invoices in French. Is that possible?\n\nMargaux"
    assert question_sentences("Invoices", body) == [
        "Our accountant needs the invoices in French.",
        "Is that possible?",
    ]


def test_a_name_no_article_writes_is_unnamed_though_its_word_is_indexed(kb: KnowledgeBase) -> None:
    """ "teams" is indexed (two teams of people); the product "Teams" is named nowhere."""
    assert terms(kb, "Alerts", "Can hosts be told in Teams?") == []
    assert unnamed(kb, "Alerts", "Can hosts be told in Teams?") == ["Teams"]
    assert unnamed(kb, "Alerts", "Can hosts be told in Slack?") == []


def test_a_name_at_the_start_of_a_wrapped_line_is_still_inside_its_sentence(
    kb: KnowledgeBase,
) -> None:
    """Plain-text mail is wrapped at 72 columns; the sentence goes on past the break."""
    wrapped = "Hi Sarah,\n\nCan our hosts be told about arrivals in\nTeams as well?\n\nThanks"
    assert unnamed(kb, "Alerts", wrapped) == ["Teams"]
    listed = "We use these:\n- Teams for chat\n- Slack for alerts\nCan hosts be told in both?"
    assert unnamed(kb, "Alerts", listed) == [], "a list item starts its own line"


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("", "Teams for hosts, is that possible?"),  # the first word of a sentence
        ("", "Can we get the PDFs and an SLA by Monday?"),  # acronyms, calendar words
        ("", "Nobody admits it :) Unfortunately, is there a log of it?"),  # after a smiley
        ("", "Can Zoltan's hosts be told?"),  # the sender's own name
        ("", "Hi, I'd like to know: can I'll-be-there hosts be told?"),  # contractions of I
        ("", "Hi Sarah, can hosts be told by email?"),  # whom the mail greets
        ("How To Tell Hosts About Visitors", "Is it possible?"),  # a subject in Title Case
    ],
)
def test_words_capitalised_by_spelling_are_not_names(
    kb: KnowledgeBase, subject: str, body: str
) -> None:
    assert unnamed(kb, subject, body, "zoltan@quillbright.example") == []


def test_the_index_only_finds_a_name_as_it_is_written(kb: KnowledgeBase) -> None:
    assert kb.spelled(["Slack", "Teams", "Okta", "Entra", "Slac", 'Okta" OR "x']) == {
        "Slack", "Okta", "Entra",
    }  # fmt: skip
