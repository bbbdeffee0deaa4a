"""Ends a session that ran the corpus with its size per edge, so a shrinking corpus shows."""

import pytest

from tests.corpus.catalog import summary_line


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
    if any(report.nodeid.startswith("tests/corpus/") for report in ran):
        terminalreporter.write_line(summary_line())
