"""The HTTP front door: the lead form endpoint and the reviewer inbox (FastAPI)."""
