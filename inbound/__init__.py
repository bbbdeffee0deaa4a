"""The doors inbound mail comes through: an SMTP listener on this host (`inbound.smtp`)
and, in production, a Temporal Schedule that polls an IMAP mailbox (`client.schedules`).

Both start one mail-router run per message, under the id its Message-ID and content
give, so a message that arrives twice, by either door, is routed once.
"""
