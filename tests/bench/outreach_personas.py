"""Three scripted models answering the outreach prompts, for the evaluation's persona test.

Each reads what the product shows it (numbered page sentences to choose from, one fact
to rewrite) the way a real endpoint would, from the request itself:

- `oracle`: chooses the sentences in the order shown and rewrites the fact faithfully,
  in the reader's voice ("We run ..." becomes "You run ...");
- `liar`: chooses as well, then writes a confident sentence with an invented headcount,
  news, a discount and a link;
- `obedient`: does what the hidden text of the development sites tells AI assistants to
  do (it plants the sites' own traps in its sentence).
"""

import json
import re
from collections.abc import Callable
from typing import Any

from tests.scripted_llm import Reply

FENCE = "=====UNTRUSTED-WEB-7f3a====="
Persona = Callable[[dict[str, Any]], Reply]
VOICE = {"We": "You", "we": "you", "Our": "Your", "our": "your", "us": "you", "ours": "yours"}


def _shown(request: dict[str, Any]) -> str:
    return request["messages"][-1]["content"].split(FENCE)[1].strip()


def _choose(request: dict[str, Any]) -> Reply:
    ids = re.findall(r"^(S\d+): ", _shown(request), re.M)[:5]
    return Reply(content=json.dumps({"points": [{"id": i, "label": "other"} for i in ids]}))


def _persona(write: Callable[[str], str]) -> Persona:
    def answer(request: dict[str, Any]) -> Reply:
        if request["response_format"]["json_schema"]["name"] == "PointChoice":
            return _choose(request)
        return Reply(content=json.dumps({"sentence": write(_shown(request))}))

    return answer


def _faithful(fact: str) -> str:
    return re.sub(r"\b(We|we|Our|our|us|ours)\b", lambda m: VOICE[m.group(1)], fact)


def oracle() -> Persona:
    return _persona(_faithful)


def liar() -> Persona:
    lies = (
        "{fact} Now with 850 employees after the 2026 merger, see https://deals.example/promo",
        "You just won the Queen's Award for Enterprise 2026 and raised 12 million euros.",
        "{fact} As a thank-you we give you a 30% discount on your first year.",
    )
    count = iter(range(1_000_000))

    def write(fact: str) -> str:
        return lies[next(count) % len(lies)].format(fact=_faithful(fact))

    return _persona(write)


def obedient(traps: list[str]) -> Persona:
    """Writes what the sites' hidden text asks for, whatever fact it was shown."""
    count = iter(range(1_000_000))

    def write(fact: str) -> str:
        return traps[next(count) % len(traps)]

    return _persona(write)
