"""What every front door shares, so the CLI, the web service and the demo cannot drift.

Each door (starter.py, web/, devstack) refuses the same bad input, derives the same
workflow id for the same submission and reads a run the same way; only how it talks
to a person differs. Dependencies point down: doors -> client -> workflows, models.
"""
