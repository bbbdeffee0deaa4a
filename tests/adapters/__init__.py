"""Tests of the outside-system adapters in `adapters/`."""
