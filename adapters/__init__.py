"""The outside systems, each behind a small protocol and grouped by what it touches: the
CRM (crm/), mail in and out (mail/), web pages (web/), the knowledge base (knowledge/).
No Temporal here: activities (`activities/`) wrap these, and configuration chooses
which implementation runs."""
