"""Deterministic checks on text an agent wrote, before anything leaves without a person."""
