"""Web pages of other companies: the SSRF-guarded fetcher, what a visitor sees of a page,
its metadata, the sentences research may cite, and company enrichment."""
