"""The corpus is as large as promised at every edge (issue 11: at least 200 in all)."""

from tests.corpus.catalog import corpus_counts, summary_line

MIN_TOTAL = 200
MIN_PER_EDGE = 100


def test_the_corpus_holds_enough_inputs_at_every_edge():
    counts = corpus_counts()
    print(summary_line())
    assert sum(counts.values()) >= MIN_TOTAL
    assert {edge: n for edge, n in counts.items() if n < MIN_PER_EDGE} == {}
