"""The embedded local stack for `make demo`: Temporal dev server, demo websites, worker.

Processes are started detached with their pid recorded under `var/run/`, so `make down`
stops exactly what `make demo` started, and a second `make demo` reuses what runs.
"""
