"""Typed settings, the escalation policy and the Temporal client factory: read where a
process starts (worker, web service, mail doors, starter, devstack), never by workflows."""
