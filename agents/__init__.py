"""LLM logic only: prompts, output schemas and the OpenAI-compatible client; no Temporal imports."""
