"""Earlier versions of a policy, kept only so runs started under them replay and decide
as they did (`workflow.patched` chooses); no new run uses them."""
