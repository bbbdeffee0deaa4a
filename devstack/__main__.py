"""`python -m devstack up|down|demo`: what `make demo` and `make down` call."""

import argparse
import asyncio
import sys

from config.temporal import exit_without_teardown
from devstack import stack
from devstack.demo import run_demo
from devstack.processes import StackError


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument("action", choices=("up", "down", "demo"))
    action = parser.parse_args().action
    try:
        if action == "down":
            stack.down()
        elif action == "up":
            stack.up()
        else:
            asyncio.run(run_demo(stack.temporal_settings()))
    except StackError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    exit_without_teardown(main())
