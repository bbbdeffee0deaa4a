"""The CRM: contacts and their timeline, the message log, the suppression list and the
limits' counters, on SQLite or PostgreSQL behind one protocol (`crm.CrmStore`)."""
