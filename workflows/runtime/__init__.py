"""How every workflow runs: step option bundles and fallbacks, the decision log, human
review, replay-safe metrics, the sandbox and the list of workflows a worker serves."""
