"""Orchestration only: deterministic workflow code, timers, signals, queries, updates."""
