"""The bad-input corpus: generated malformed inputs at every edge, and the checks on them."""
