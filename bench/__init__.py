"""Evaluations and benchmarks that run the product itself: the triage and outreach
evaluations on any cases and knowledge base or sites given to them, throughput, two
workers, the agent path (`bench.agent`), the token window and the SMTP door under attack."""
