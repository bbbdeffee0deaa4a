"""Reading the worker's Prometheus endpoint in tests: a free port, and a scrape's series
by label, with the labels every series carries (namespace, task queue, service) dropped."""

import re

from temporalio.runtime import Runtime

from config.telemetry import TelemetrySettings, runtime
from devstack.processes import free_port

SERIES = re.compile(r"^(\w+)\{(.*)\} (\S+)$", re.M)
COMMON = ("namespace", "task_queue", "service_name")

Labels = frozenset[tuple[str, str]]


def metrics_runtime() -> tuple[Runtime, str]:
    """A runtime serving `/metrics` on a free loopback port, and the URL to scrape."""
    settings = TelemetrySettings(port=free_port())
    served = runtime(settings)
    assert served is not None and settings.metrics_url is not None
    return served, settings.metrics_url


def series(scrape: str, name: str) -> dict[Labels, float]:
    found: dict[Labels, float] = {}
    for metric, labels, value in SERIES.findall(scrape):
        if metric == name:
            pairs = dict(re.findall(r'(\w+)="([^"]*)"', labels))
            found[frozenset((k, v) for k, v in pairs.items() if k not in COMMON)] = float(value)
    return found


def value(scrape: str, name: str, **labels: str) -> float:
    """The sum of the series of `name` that carry `labels`."""
    wanted = set(labels.items())
    return sum(v for key, v in series(scrape, name).items() if wanted <= key)
