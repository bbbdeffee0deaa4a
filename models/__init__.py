"""Pydantic payloads shared by workflows, activities, the worker and the starter.

Importing these modules has no side effects, so workflow code can pass them through
the sandbox and every client serialises them with the pydantic data converter.
"""
