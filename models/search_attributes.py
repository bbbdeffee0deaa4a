"""Custom search attributes: the names registered on the server and their typed keys.

`devstack` registers `ALL` on the dev server; production namespaces need the same
names created once (`temporal operator search-attribute create`).
"""

from temporalio.common import SearchAttributeKey

LEAD_SCORE = SearchAttributeKey.for_int("LeadScore")
LEAD_TIER = SearchAttributeKey.for_keyword("LeadTier")
COMPANY_DOMAIN = SearchAttributeKey.for_keyword("CompanyDomain")

ALL: tuple[SearchAttributeKey, ...] = (LEAD_SCORE, LEAD_TIER, COMPANY_DOMAIN)
