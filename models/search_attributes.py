"""Custom search attributes: the names registered on the server and their typed keys.

`devstack` registers `ALL` on the dev server; production namespaces need the same
names created once (`temporal operator search-attribute create`).
"""

from temporalio.common import SearchAttributeKey

LEAD_SCORE = SearchAttributeKey.for_int("LeadScore")
LEAD_TIER = SearchAttributeKey.for_keyword("LeadTier")
COMPANY_DOMAIN = SearchAttributeKey.for_keyword("CompanyDomain")

TICKET_TOPIC = SearchAttributeKey.for_keyword("TicketTopic")
TICKET_CONFIDENCE = SearchAttributeKey.for_float("TicketConfidence")
NEEDS_HUMAN = SearchAttributeKey.for_bool("NeedsHuman")
TICKET_OUTCOME = SearchAttributeKey.for_keyword("TicketOutcome")

OUTREACH_STAGE = SearchAttributeKey.for_keyword("OutreachStage")
NEXT_TOUCH_AT = SearchAttributeKey.for_datetime("NextTouchAt")

ALL: tuple[SearchAttributeKey, ...] = (
    LEAD_SCORE,
    LEAD_TIER,
    COMPANY_DOMAIN,
    TICKET_TOPIC,
    TICKET_CONFIDENCE,
    NEEDS_HUMAN,
    TICKET_OUTCOME,
    OUTREACH_STAGE,
    NEXT_TOUCH_AT,
)
