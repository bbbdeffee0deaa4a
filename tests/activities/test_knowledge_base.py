"""The FTS5 knowledge base: incremental re-indexing and BM25 search."""

from pathlib import Path

import pytest

from activities.knowledge_base import KnowledgeBase, parse_article, query_terms

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
        "help",
        "invoice",
        "refund",
    ]


def test_article_without_front_matter_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="front matter"):
        parse_article("# just markdown", tmp_path / "x.md")


def test_repository_knowledge_base_indexes():
    folder = Path(__file__).parents[2] / "kb" / "articles"
    articles = [parse_article(p.read_text(), p) for p in sorted(folder.glob("*.md"))]
    assert len(articles) >= 15
    assert {a.topic for a in articles} <= {"billing", "technical", "account", "sales"}
    assert len({a.id for a in articles}) == len(articles)
