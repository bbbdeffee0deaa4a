"""The knowledge base: Markdown articles indexed for search, and what a mail asks that
the articles cover or not."""
