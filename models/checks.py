"""What the reply checker found: each check's verdict, kept in the decision log and shown."""

from pydantic import Field

from models.common import Strict


class CheckResult(Strict):
    name: str
    passed: bool
    detail: str = ""


class ReplyCheck(Strict):
    """The verdict on one drafted reply; `version` names the rules that produced it."""

    version: str
    checks: list[CheckResult]
    grounding: float = Field(ge=0, le=1, description="Share of factual sentences supported")

    @property
    def failed(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]

    def summary(self) -> str:
        """One line per failed check, or 'all checks passed'."""
        bad = self.failed
        return "; ".join(f"{c.name}: {c.detail}" for c in bad) if bad else "all checks passed"
