"""The doors inbound mail comes through: an SMTP listener on this host (`inbound.smtp`)
and, in production, a Temporal Schedule that polls an IMAP mailbox (`client.schedules`).

Both start one support-triage run per message under the ticket id its Message-ID gives,
so a message that arrives twice, by either door, is still one ticket.
"""
