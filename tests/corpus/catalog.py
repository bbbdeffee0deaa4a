"""The corpus size per edge: what the session summary and the count test report."""

from tests.corpus.emails import mail_corpus
from tests.corpus.forms import form_corpus
from tests.corpus.llm import RAW_BODIES, answer_corpus
from tests.corpus.pages import page_corpus


def corpus_counts() -> dict[str, int]:
    return {
        "form bodies": len(form_corpus()),
        "mail messages": len(mail_corpus()),
        "web pages": len(page_corpus()),
        "model answers": len(answer_corpus()) + len(RAW_BODIES),
    }


def summary_line() -> str:
    counts = corpus_counts()
    edges = ", ".join(f"{name} {count}" for name, count in counts.items())
    return f"bad-input corpus: {sum(counts.values())} inputs ({edges})"
