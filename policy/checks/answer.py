"""The answer check: does the knowledge base hold an answer to what the mail asks, and
is it in the article the reply cites?

The reply checker (`reply`) asks whether a reply is supported by the articles it cites;
a grounded answer to another question passes it. This check reads the question instead,
from the evidence `adapters.knowledge.question_terms` measures: the sentences that ask, how
specific their words are in general English, the words no article uses, and how much of
the question each article's words cover.

- a mail that asks nothing ("thanks, solved!") has nothing to answer: a person decides
  whether it needs a reply at all;
- a question (one sentence that asks, or the subject) most of whose specific words no
  article uses ("SCIM provisioning", "a native Android app") is not covered, however
  well its other words match an article: a person answers it, told what the knowledge
  base lacks. Each question is judged alone: a mail asking three things in words of its
  own ("staging script", "batch") is not one uncovered question;
- a question that names something no article names ("notifications in Teams", where the
  articles know Slack and "teams" of people) is not covered either: a name is what the
  question is about, however common its word. A place or a person the articles never
  name sends the ticket to a person too; that costs automation, never a wrong answer;
- a question partly uncovered weighs less: its retrieval evidence is scaled by the share
  of the question the knowledge base covers (`covered_share`);
- a question another article covers clearly better than the cited one ("a daily cap
  on emails" answered from the API rate-limit article) may be answered there: a person
  looks, told which article.

The word weights are English word frequencies and names are read by English
capitalisation, so all but the first rule apply to English mail;
other languages are held by the reply checker's language check. Pure code without
I/O. Bump `VERSION` with any change; the thresholds were chosen on the first
development set only (the second is measured, never tuned on); figures in docs/measured.md.
"""

from collections.abc import Sequence

from models.support import QuestionCoverage

VERSION = "2026.12-2"
UNCOVERED_SHARE = 0.4
"""Share of one question's specificity carried by words no article uses."""
UNCOVERED_WEIGHT = 4.0
"""...and at least this much of it, so one rare word in a long question (a name, a typo)
does not hold a ticket: two specific words, or one that no dictionary knows."""
NEIGHBOUR_MARGIN = 0.3
"""How much more of the question's specificity another article must cover than the
cited one before the cited one is doubted."""


def covered_share(coverage: QuestionCoverage) -> float:
    """The share of the question's specificity that some article's words cover: the
    send score counts retrieval evidence only for that part of the question."""
    if not coverage.specificity:
        return 1.0
    missing = sum(term.weight for term in coverage.unknown)
    return max(0.0, 1 - missing / coverage.specificity)


def answer_problem(coverage: QuestionCoverage, cited: Sequence[str], english: bool) -> str | None:
    """Why the knowledge base, or the cited article, cannot answer the mail; None when
    nothing says so."""
    if not coverage.asks:
        return "the mail asks no question and makes no request"
    if not english:
        return None
    for part in coverage.parts:
        missing = sum(term.weight for term in part.unknown)
        if missing >= UNCOVERED_WEIGHT and missing >= UNCOVERED_SHARE * part.specificity:
            ranked = sorted(part.unknown, key=lambda term: -term.weight)
            return f"the knowledge base does not cover: {', '.join(t.term for t in ranked[:5])}"
        if part.unnamed:
            return f"the knowledge base never names: {', '.join(part.unnamed[:5])}"
    shares = coverage.articles
    best_cited = max((shares.get(a, 0.0) for a in cited), default=None)
    others = {a: s for a, s in shares.items() if a not in cited}
    if best_cited is None or not others:
        return None
    neighbour = max(others, key=lambda a: (others[a], a))
    if others[neighbour] - best_cited >= NEIGHBOUR_MARGIN:
        return (
            f"{neighbour} covers more of the question ({others[neighbour]:.0%}) than the "
            f"cited article ({best_cited:.0%})"
        )
    return None
