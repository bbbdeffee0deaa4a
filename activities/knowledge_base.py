"""The knowledge base: Markdown articles indexed in SQLite FTS5, searched with BM25.

Re-indexing is incremental: each article's content hash is stored, so only new or
changed files are re-parsed and deleted files drop out. Queries are built from the
email's words (never passed to FTS5 raw: its query syntax would let mail text
inject operators), so any text is a safe query.
"""

import hashlib
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from models.support import KbHit

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    title TEXT NOT NULL, topic TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    id UNINDEXED, title, body, tokenize = 'porter unicode61'
);
"""
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
WORD = re.compile(r"[^\W_]{3,}", re.U)
STOPWORDS = frozenset(
    "the and for are but not you your with this that have has was were from they them "
    "what when where which who how can could would should will just about into our out "
    "please thanks thank hello dear regards best any all get got does did its it's".split()
)
MAX_QUERY_TERMS = 32


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    topic: str
    body: str


@dataclass(frozen=True)
class ReindexReport:
    added: int
    updated: int
    removed: int
    unchanged: int


def parse_article(text: str, path: Path) -> Article:
    match = FRONT_MATTER.match(text)
    if not match:
        raise ValueError(f"{path}: missing front matter (--- id/title/topic ---)")
    fields = dict(line.split(":", 1) for line in match.group(1).splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    missing = {"id", "title", "topic"} - fields.keys()
    if missing:
        raise ValueError(f"{path}: front matter lacks {sorted(missing)}")
    return Article(fields["id"], fields["title"], fields["topic"], match.group(2).strip())


def query_terms(text: str) -> list[str]:
    """Distinct content words of `text`, lower-cased, in order of first appearance."""
    words = (w.lower() for w in WORD.findall(text))
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS))[:MAX_QUERY_TERMS]


class KnowledgeBase:
    def __init__(self, db_path: Path) -> None:
        self._path = db_path
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=10, isolation_level=None)

    def reindex(self, articles_dir: Path) -> ReindexReport:
        files = {p: p.read_bytes() for p in sorted(articles_dir.glob("*.md"))}
        added = updated = unchanged = 0
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            known = {row[0]: row[1] for row in db.execute("SELECT path, sha256 FROM articles")}
            for path, raw in files.items():
                digest = hashlib.sha256(raw).hexdigest()
                if known.get(str(path)) == digest:
                    unchanged += 1
                    continue
                article = parse_article(raw.decode("utf-8"), path)
                if str(path) in known:
                    updated += 1
                else:
                    added += 1
                self._replace(db, article, str(path), digest)
            gone = [p for p in known if Path(p) not in files]
            for path in gone:
                (article_id,) = db.execute(
                    "SELECT id FROM articles WHERE path = ?", (path,)
                ).fetchone()
                db.execute("DELETE FROM articles WHERE path = ?", (path,))
                db.execute("DELETE FROM articles_fts WHERE id = ?", (article_id,))
            db.execute("COMMIT")
        return ReindexReport(added, updated, len(gone), unchanged)

    @staticmethod
    def _replace(db: sqlite3.Connection, article: Article, path: str, digest: str) -> None:
        db.execute("DELETE FROM articles WHERE id = ? OR path = ?", (article.id, path))
        db.execute("DELETE FROM articles_fts WHERE id = ?", (article.id,))
        db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?)",
            (article.id, path, digest, article.title, article.topic),
        )
        db.execute(
            "INSERT INTO articles_fts (id, title, body) VALUES (?, ?, ?)",
            (article.id, article.title, article.body),
        )

    def search(self, text: str, limit: int = 5) -> list[KbHit]:
        terms = query_terms(text)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT id, title, bm25(articles_fts, 5.0, 1.0) AS rank, "
                "snippet(articles_fts, 2, '[', ']', ' … ', 24) "
                "FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
                (match, limit),
            ).fetchall()
        return [
            KbHit(article_id=r[0], title=r[1], score=round(-r[2], 4), snippet=r[3]) for r in rows
        ]

    def articles(self, ids: list[str], max_chars: int = 1500) -> list[tuple[str, str, str]]:
        """(id, title, body) of the given articles in the given order, bodies capped."""
        with closing(self._connect()) as db:
            rows = {
                r[0]: (r[0], r[1], r[2][:max_chars])
                for r in db.execute(
                    f"SELECT id, title, body FROM articles_fts WHERE id IN ({','.join('?' * len(ids))})",
                    ids,
                )
            }
        return [rows[i] for i in ids if i in rows]
