"""The knowledge base: Markdown articles indexed in SQLite FTS5, searched with BM25.

Articles are plain Markdown so that anyone can write one: front matter is optional and
only overrides what the file name and the first heading already say. Re-indexing is
incremental: each article's content hash is stored, so only new or changed files are
re-parsed and deleted files drop out. One bad file must not stop the worker, so it is
reported by name and left out of the index.

The index is derived data: when its schema version differs from this code's, its
tables are dropped and rebuilt from the articles, so there are no migrations to keep.

Queries are built from what the sender wrote (quoted history cut, length and term count
capped, so padding or a long thread cannot drown the question or make a search costly),
and never passed to FTS5 raw: its query syntax would let mail text inject operators.
"""

import hashlib
import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from adapters.knowledge.question_terms import sender_text
from models.agent_output import TOPICS
from models.support import KbHit

SCHEMA_VERSION = 1
SCHEMA = (
    "CREATE TABLE articles (id TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, "
    "title TEXT NOT NULL, topic TEXT NOT NULL, escalate INTEGER NOT NULL)",
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "id UNINDEXED, title, body, tokenize = 'porter unicode61')",
)
KNOWN_TOPICS = frozenset(TOPICS)
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*$\n?(.*)\Z", re.S | re.M)
HEADING = re.compile(r"^# +(.+?)(?: +#+)? *$")
WORD = re.compile(r"[^\W_]{3,}", re.U)
STOPWORDS = frozenset(
    "the and for are but not you your with this that have has was were from they them "
    "what when where which who how can could would should will just about into our out "
    "please thanks thank hello dear regards best any all get got does did its it's "
    "been being there here then than also now one each every ever over under again some "
    "such very really much many more most other another same own only even still yet "
    "through while after before since until because though whether either neither both "
    "team flowdesk question questions hey hi ask asking wondering wonder know let like "
    "need needs want wants tell explain help someone something anything quick "
    "yes yesterday today tomorrow lot lots bit thing things way make made "
    "i'm we're don't didn't can't isn't doesn't won't".split()
)
"""Words a customer writes whatever the question; they only blur the ranking."""
MAX_SOURCE_CHARS = 20_000
"""An article's text as a cited source: the checks read all of it, the drafter only the
passages that bear on the mail (`agents.passages`); beyond this it is cut."""
MAX_QUERY_TERMS = 32


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    topic: str
    escalate: bool
    body: str


@dataclass(frozen=True)
class ReindexReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: list[str]


def parse_article(text: str, path: Path) -> Article:
    """Raises ValueError when the file holds no article text, so nothing empty is indexed."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    fields: dict[str, str] = {}
    if match := FRONT_MATTER.match(text):
        fields = _front_matter(match.group(1))
        text = match.group(2)
    title, body = fields.get("title"), text
    if not title:
        title, body = _split_heading(text)
    title = title or _readable(path.stem)
    if not body.strip():
        raise ValueError("empty, no article body")
    return Article(
        id=fields.get("id") or re.sub(r"[^a-z0-9-]", "-", path.stem.lower()),
        title=title,
        topic=_topic(fields.get("topic", ""), path),
        escalate=fields.get("escalate", "").lower() in {"true", "yes", "1"},
        body=body.strip(),
    )


def _front_matter(block: str) -> dict[str, str]:
    fields = {}
    for line in block.splitlines():
        key, colon, value = line.partition(":")
        if colon:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            fields[key.strip().lower()] = value.strip()
    return fields


def _split_heading(body: str) -> tuple[str | None, str]:
    """The first `# ` heading outside code blocks (a shell comment is no title)."""
    lines = body.split("\n")
    fenced = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            return heading.group(1).strip(), "\n".join(lines[:number] + lines[number + 1 :])
    return None, body


def _readable(stem: str) -> str:
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    return words[:1].upper() + words[1:]


def _topic(declared: str, path: Path) -> str:
    for candidate in (declared.lower(), path.stem.lower().partition("-")[0]):
        if candidate in KNOWN_TOPICS:
            return candidate
    return "unknown"


def query_terms(text: str) -> list[str]:
    """Distinct content words the sender wrote, lower-cased, in order of first appearance."""
    words = (w.lower() for w in WORD.findall(sender_text(text)))
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS))[:MAX_QUERY_TERMS]


def _read(articles_dir: Path) -> tuple[dict[str, tuple[str, bytes]], list[str]]:
    """Article files by path, with their names relative to the folder, as people know them."""
    files, skipped = {}, []
    for path in sorted(p for p in articles_dir.rglob("*.md") if p.is_file()):
        name = path.relative_to(articles_dir).as_posix()
        try:
            files[str(path)] = (name, path.read_bytes())
        except OSError as error:
            skipped.append(f"{name}: cannot be read ({error.strerror or error})")
    return files, skipped


class KnowledgeBase:
    def __init__(self, db_path: Path) -> None:
        self._path = db_path
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version != SCHEMA_VERSION:
                db.execute("DROP TABLE IF EXISTS articles_fts")
                db.execute("DROP TABLE IF EXISTS articles")
                for statement in SCHEMA:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=10, isolation_level=None)

    def reindex(self, articles_dir: Path) -> ReindexReport:
        """Files are taken in path order, so when two claim one id the first keeps it, the
        same on a fresh index as on an incremental one. Every row whose file is not indexed
        now, deleted or skipped, is dropped, so no stale version stays searchable."""
        files, skipped = _read(articles_dir)
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            known = {
                r[0]: (r[1], r[2]) for r in db.execute("SELECT path, sha256, id FROM articles")
            }
            owners: dict[str, str] = {}
            unchanged: set[str] = set()
            changed: list[tuple[str, str, Article]] = []
            for path, (name, raw) in files.items():
                digest = hashlib.sha256(raw).hexdigest()
                stored_digest, stored_id = known.get(path, (None, None))
                article = None
                if stored_digest != digest:
                    try:
                        article = parse_article(raw.decode("utf-8"), Path(path))
                    except UnicodeDecodeError:
                        skipped.append(f"{name}: not UTF-8 text")
                        continue
                    except ValueError as error:
                        skipped.append(f"{name}: {error}")
                        continue
                article_id = article.id if article else stored_id
                if article_id in owners:
                    skipped.append(
                        f"{name}: duplicate id {article_id} (also in {owners[article_id]})"
                    )
                    continue
                owners[article_id] = name
                if article:
                    changed.append((path, digest, article))
                else:
                    unchanged.add(path)
            for path, (_, article_id) in known.items():
                if path not in unchanged:
                    db.execute("DELETE FROM articles WHERE path = ?", (path,))
                    db.execute("DELETE FROM articles_fts WHERE id = ?", (article_id,))
            for path, digest, article in changed:
                self._insert(db, article, path, digest)
            db.execute("COMMIT")
        updated = sum(path in known for path, _, _ in changed)
        return ReindexReport(
            added=len(changed) - updated,
            updated=updated,
            removed=len(known) - len(unchanged) - updated,
            unchanged=len(unchanged),
            skipped=skipped,
        )

    @staticmethod
    def _insert(db: sqlite3.Connection, article: Article, path: str, digest: str) -> None:
        db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)",
            (article.id, path, digest, article.title, article.topic, article.escalate),
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
                "SELECT articles_fts.id, articles_fts.title, bm25(articles_fts, 0.0, 5.0, 1.0) AS rank, "
                "snippet(articles_fts, 2, '[', ']', ' … ', 24), articles.topic, articles.escalate "
                "FROM articles_fts JOIN articles ON articles.id = articles_fts.id "
                "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
                (match, limit),
            ).fetchall()
        return [
            KbHit(
                article_id=r[0],
                title=r[1],
                score=round(-r[2], 4),
                snippet=r[3],
                topic=r[4],
                escalate=bool(r[5]),
            )
            for r in rows
        ]

    def using(self, words: Iterable[str]) -> dict[str, set[str]]:
        """For each word, the articles that use it, as the index stems it ("retrying"
        matches "retried"); one connection for all of them. Each word is quoted, so it is
        never read as query syntax, and a word that is not alphanumeric matches nothing."""
        found: dict[str, set[str]] = {}
        with closing(self._connect()) as db:
            for word in words:
                query = "SELECT id FROM articles_fts WHERE articles_fts MATCH ?"
                rows = db.execute(query, (f'"{word}"',)).fetchall() if word.isalnum() else []
                found[word] = {r[0] for r in rows}
        return found

    def spelled(self, names: Iterable[str]) -> set[str]:
        """The names some article writes exactly so, as a whole word: the index ignores
        case, so it and SQLite's case-sensitive `instr` only narrow what is read."""
        written: set[str] = set()
        with closing(self._connect()) as db:
            for name in (n for n in names if n.isalnum()):
                exact = re.compile(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])")
                rows = db.execute(
                    "SELECT title, body FROM articles_fts WHERE articles_fts MATCH ? "
                    "AND instr(title || ' ' || body, ?) > 0", (f'"{name}"', name),
                )  # fmt: skip
                if any(exact.search(f"{title}\n{body}") for title, body in rows):
                    written.add(name)
        return written

    def articles(
        self, ids: list[str], max_chars: int = MAX_SOURCE_CHARS
    ) -> list[tuple[str, str, str]]:
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
