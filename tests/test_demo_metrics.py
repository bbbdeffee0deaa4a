"""The demo's worker serves metrics on a port of its own, and the demo says where."""

import pytest

from config.doors import InboundSettings, WebSettings
from config.settings import LlmSettings
from devstack import stack


def test_the_metrics_port_clashes_with_no_other_port_of_the_demo():
    others = {
        stack.TEMPORAL_PORT,
        stack.UI_PORT,
        stack.SITES_PORT,
        LlmSettings().local_port,
        WebSettings().port,
        InboundSettings().smtp_port,
    }
    assert stack.METRICS_PORT not in others


def test_the_demo_worker_gets_the_metrics_port(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(stack, "demo_secrets", dict)
    assert stack.demo_env()["FLOWDESK_METRICS_PORT"] == str(stack.METRICS_PORT)
