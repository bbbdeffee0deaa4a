"""The HTTP front door (FastAPI): the lead form endpoint and run status, the reviewer
inbox and the suppression list page, the one-click unsubscribe link and the Temporal
UI's codec endpoint."""
