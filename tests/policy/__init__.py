"""Tests of the pure decision logic in `policy/`."""
