"""Placeholder router: the lead form endpoint lands here."""

from fastapi import APIRouter

router = APIRouter()
