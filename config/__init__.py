"""Typed settings and the Temporal client factory; read by worker, starter and devstack only."""
