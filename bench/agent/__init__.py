"""The agent-path benchmark: the triage agents' calls straight to llama.cpp and through
the activities in a Temporal worker (`python -m bench.agent.path`)."""
