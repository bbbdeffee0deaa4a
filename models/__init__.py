"""Pydantic payloads shared by workflows, activities, the worker and the doors, and the
activity contracts (`models.activities`) through which workflows call activities.

Importing these modules has no side effects, so workflow code can pass them through
the sandbox and every client serialises them with the pydantic data converter.
"""
