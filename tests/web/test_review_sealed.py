"""A held run sealed under a payload key this service was not given (a key rotated out
too early, another deployment's run) still lists in the inbox, said to be unreadable,
and the rest of the inbox works."""

import uuid

from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from config.temporal import data_converter
from models import search_attributes as sa
from models.support import TriageInput
from tests.privacy import PRIVACY
from tests.web.conftest import WebStack
from tests.web.test_review import listed
from tests.workflows.triage_fakes import billing_email
from workflows.support_triage import SupportTriageWorkflow


async def test_a_run_sealed_under_another_key_still_lists_as_unreadable(web: WebStack):
    plain = web.doors.client
    sealed = Client(
        plain.service_client, namespace=plain.namespace, data_converter=data_converter(PRIVACY)
    )
    handle = await sealed.start_workflow(
        SupportTriageWorkflow.run,
        TriageInput(email=billing_email("Where is my invoice?")),
        id=f"ticket-{uuid.uuid4().hex[:16]}",
        task_queue=f"nobody-{uuid.uuid4()}",
        search_attributes=TypedSearchAttributes([SearchAttributePair(sa.NEEDS_HUMAN, True)]),
    )
    try:
        await web.login()
        page = await listed(web, handle.id)
        assert "cannot be read with this service's keys" in page
        assert (await web.http.get(f"/review/{handle.id}")).status_code == 404
    finally:
        await handle.terminate("test finished")
