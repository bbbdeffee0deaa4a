"""The FTS5 knowledge base: incremental re-indexing and BM25 search."""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from adapters.knowledge.knowledge_base import (
    MAX_QUERY_TERMS,
    SCHEMA_VERSION,
    KnowledgeBase,
    parse_article,
    query_terms,
)

ARTICLES = {
    "billing-invoices": ("Invoices and receipts", "billing", "Download invoices under Settings, Billing, Invoices. Each invoice is a PDF."),
    "account-password": ("Reset your password", "account", "Use the Forgot password link on the sign-in page; the reset link expires after one hour."),
    "technical-rate-limits": ("API rate limits", "technical", "The API allows 600 requests per minute per workspace and answers 429 with Retry-After."),
}  # fmt: skip


def write(folder: Path, article_id: str, title: str, topic: str, body: str) -> Path:
    path = folder / f"{article_id}.md"
    path.write_text(f"---\nid: {article_id}\ntitle: {title}\ntopic: {topic}\n---\n{body}\n")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    for article_id, (title, topic, body) in ARTICLES.items():
        write(articles, article_id, title, topic, body)
    return articles


def test_search_ranks_the_matching_article_first(folder: Path, tmp_path: Path):
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(folder)
    hits = kb.search("How do I download last month's invoice PDF?")
    assert hits[0].article_id == "billing-invoices"
    assert hits[0].score > 0 and "[invoice" in hits[0].snippet.lower()
    assert all(h.score >= hits[-1].score for h in hits), "best first"


def test_reindex_is_incremental(folder: Path, tmp_path: Path):
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    first = kb.reindex(folder)
    again = kb.reindex(folder)
    write(
        folder,
        "account-password",
        "Reset your password",
        "account",
        "Passwords now reset by SMS code.",
    )
    (folder / "technical-rate-limits.md").unlink()
    write(
        folder, "account-2fa", "Two-factor authentication", "account", "Enable 2FA under Security."
    )
    changed = kb.reindex(folder)

    assert (first.added, first.unchanged) == (3, 0)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    assert (changed.added, changed.updated, changed.removed, changed.unchanged) == (1, 1, 1, 1)
    assert kb.search("rate limits 429") == []
    assert kb.search("SMS code")[0].article_id == "account-password"
    assert [a[0] for a in kb.articles(["account-2fa", "missing"])] == ["account-2fa"]


def test_query_syntax_in_mail_text_is_harmless(folder: Path, tmp_path: Path):
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(folder)
    for text in ['password" OR 1=1 --', "NEAR(invoice AND) *", "", "!!! ???", "a" * 50_000]:
        kb.search(text)  # never raises
    assert kb.search('reset "password') and kb.search("") == []


def test_query_terms_drop_stopwords_and_duplicates():
    assert query_terms("Please help: the invoice, the INVOICE and my refund") == [
        "invoice",
        "refund",
    ]


def test_front_matter_tolerates_bom_crlf_quotes_and_unknown_keys(tmp_path: Path):
    text = (
        "\ufeff---\r\nid: vat\r\ntitle: 'VAT: how it works'\r\ntopic: \"Billing\"\r\n"
        "escalate: Yes\r\nowner: finance\r\n---\r\n# Heading stays\r\nBody.\r\n"
    )
    article = parse_article(text, tmp_path / "misc.md")
    assert (article.id, article.title, article.topic) == ("vat", "VAT: how it works", "billing")
    assert article.escalate and article.body == "# Heading stays\nBody."


def test_plain_markdown_takes_id_title_and_topic_from_the_file(tmp_path: Path):
    titled = parse_article("# Card declined\n\nAsk your bank.\n", tmp_path / "Billing-Card X.md")
    plain = parse_article("```sh\n# not a title\n```\nWelcome.", tmp_path / "getting_started.md")
    assert (titled.id, titled.title, titled.topic) == ("billing-card-x", "Card declined", "billing")
    assert titled.body == "Ask your bank." and not titled.escalate
    assert (plain.id, plain.title, plain.topic) == ("getting-started", "Getting started", "unknown")
    assert "# not a title" in plain.body
    with pytest.raises(ValueError, match="no article body"):
        parse_article("---\nid: x\n---\n# Only a title\n", tmp_path / "x.md")


def test_plain_markdown_indexes_and_hits_carry_topic(folder: Path, tmp_path: Path):
    (folder / "billing-card.md").write_text("# Card declined\n\nYour bank declined the card.")
    (folder / "onboarding.md").write_text("Welcome aboard: create your first workflow.")
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    assert kb.reindex(folder).added == 5
    card, welcome = kb.search("my card was declined")[0], kb.search("first workflow")[0]
    assert (card.article_id, card.title, card.topic) == ("billing-card", "Card declined", "billing")
    assert (welcome.article_id, welcome.title, welcome.topic) == (
        "onboarding",
        "Onboarding",
        "unknown",
    )
    assert kb.articles(["billing-card"])[0][2] == "Your bank declined the card."


def test_escalate_front_matter_reaches_hits(folder: Path, tmp_path: Path):
    (folder / "billing-chargeback.md").write_text(
        "---\ntitle: Chargebacks\nescalate: true\n---\nA chargeback on an invoice is handled by finance."
    )
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(folder)
    hits = {h.article_id: h for h in kb.search("chargeback on my invoice")}
    assert hits["billing-chargeback"].escalate and not hits["billing-invoices"].escalate


def test_unreadable_empty_and_duplicate_files_are_skipped_by_name(folder: Path, tmp_path: Path):
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(folder)
    (folder / "account-password.md").write_bytes(b"\xff\xfe\x00bad")
    (folder / "empty.md").write_text("---\ntitle: Nothing yet\n---\n\n")
    (folder / "old").mkdir()
    (folder / "old" / "copy.md").write_text("---\nid: billing-invoices\n---\nInvoices were mailed.")
    write(folder / "old", "technical-webhooks", "Webhooks", "technical", "Webhooks retry 5 times.")
    report = kb.reindex(folder)

    assert sorted(report.skipped) == [
        "account-password.md: not UTF-8 text",
        "empty.md: empty, no article body",
        "old/copy.md: duplicate id billing-invoices (also in billing-invoices.md)",
    ]
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 0, 1, 2)
    assert kb.search("password reset link") == [], "no stale row of the earlier version"
    assert kb.search("webhooks retry")[0].article_id == "technical-webhooks"
    assert kb.articles(["billing-invoices"])[0][1] == "Invoices and receipts"


def test_index_from_an_older_schema_is_rebuilt(folder: Path, tmp_path: Path):
    path = tmp_path / "kb.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(
            "CREATE TABLE articles (id TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL,"
            " title TEXT NOT NULL, topic TEXT NOT NULL);"
            "CREATE VIRTUAL TABLE articles_fts USING fts5(id UNINDEXED, title, body);"
            "INSERT INTO articles VALUES ('ghost', '/gone.md', 'x', 'Ghost', 'other');"
            "INSERT INTO articles_fts VALUES ('ghost', 'Ghost', 'A haunted invoice.');"
            "PRAGMA user_version = 0;"
        )
    kb = KnowledgeBase(path)
    report = kb.reindex(folder)
    assert (report.added, report.removed) == (3, 0)
    assert [h.article_id for h in kb.search("haunted invoice")] == ["billing-invoices"]
    assert kb.search("invoice")[0].topic == "billing"
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_quoted_thread_does_not_steer_the_search(folder: Path, tmp_path: Path):
    write(
        folder, "billing-refund-policy", "Refund policy", "billing", "A full refund within 14 days."
    )
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(folder)
    question = "How do I download last month's invoice PDF?"
    assert kb.search("refund refund within 14 days")[0].article_id == "billing-refund-policy"
    for thread in (
        "\n> refund refund refund\n> full refund within 14 days\n",
        "\n\nOn Tue, 3 Mar 2026, Kim <kim@x> wrote:\nrefund refund refund within 14 days",
        "\nOn Tue, 3 Mar 2026 at 10:00, Kim Long <kim@x>\nwrote:\nfull refund within 14 days",
        "\n-----Original Message-----\nFrom: Kim\nrefund refund refund within 14 days",
    ):
        assert kb.search(question + thread) == kb.search(question), thread


def test_long_mail_is_searched_from_its_start(folder: Path, tmp_path: Path):
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(folder)
    mail = "Where is my invoice PDF? " + "".join(f"word{n} " for n in range(8000))
    assert len(mail) > 50_000
    assert kb.search(mail)[0].article_id == "billing-invoices"
    assert len(query_terms(mail)) == MAX_QUERY_TERMS
    assert query_terms("x " * 1000 + "invoice") == []


def test_repository_knowledge_base_indexes():
    folder = Path(__file__).parents[3] / "kb" / "articles"
    articles = [parse_article(p.read_text(), p) for p in sorted(folder.glob("*.md"))]
    assert len(articles) >= 15
    assert {a.topic for a in articles} <= {"billing", "technical", "account", "sales"}
    assert len({a.id for a in articles}) == len(articles)


def test_the_signature_block_does_not_enter_the_query():
    mail = "How do I export contacts?\n\nThanks a lot,\nPriya\n--\nPriya Raman | IT Operations Lead"
    assert query_terms(mail) == ["export", "contacts"]
