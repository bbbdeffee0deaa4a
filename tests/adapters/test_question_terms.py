"""What a mail asks and which of its words no article uses, against a real index."""

import pytest

from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.knowledge.question_terms import question_sentences, survey

ARTICLES = {
    "sso.md": "# Single sign-on\n\nSAML single sign-on works with Okta and Microsoft Entra ID."
    " Upload the metadata XML under Settings, Security.",
    "webhooks.md": "# Webhooks\n\nFailed deliveries are retried 8 times over 24 hours.",
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
    return [t.term for t in survey(subject, body, sender, kb.using).unknown]


def test_words_no_article_uses_are_named_and_weighted(kb: KnowledgeBase) -> None:
    coverage = survey(
        "SCIM?", "We use Okta. Will SCIM provisioning work with Okta?", "x@y.example",
        kb.using,
    )  # fmt: skip
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
    ],
)  # fmt: skip
def test_the_sentences_that_ask(subject: str, body: str, asked: list[str]) -> None:
    assert question_sentences(subject, body) == asked


def test_a_mail_that_asks_nothing_has_no_question(kb: KnowledgeBase) -> None:
    coverage = survey("Thanks!", "Solved, all good now.", "a@b.example", kb.using)
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
