"""Every workflow of this project, named once: the worker hosts them, the replay test
replays their histories and the history recorder records them."""

from workflows.lead_intake import LeadIntakeWorkflow
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.mail_router import MailRouterWorkflow
from workflows.mailbox_poll import MailboxPollWorkflow
from workflows.support_triage import SupportTriageWorkflow
from workflows.suppressing import UnsubscribeWorkflow

WORKFLOWS = [
    LeadIntakeWorkflow,
    SupportTriageWorkflow,
    LeadOutreachWorkflow,
    MailboxPollWorkflow,
    MailRouterWorkflow,
    UnsubscribeWorkflow,
]
