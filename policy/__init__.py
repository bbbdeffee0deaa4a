"""Pure decision logic: what a workflow decides with, no I/O and no Temporal.

The send policies of triage and outreach, the reply and email checks (`checks/`), how a
mail is routed and a reply read, the cadence and business hours, the templates and copy
people wrote. Workflows import these (and `models/`) only; activities and agents may
too. `replay/` keeps the versions that runs started before a change still decide with.
"""
