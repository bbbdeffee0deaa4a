"""Placeholder router: the reviewer inbox lands here."""

from fastapi import APIRouter

router = APIRouter()
