"""python -m evac.spreading INSTANCE.json [--time-limit SECONDS]

Prints the plan JSON on stdout and exits 0 (also when the best plan moves nobody); exits 2 with
one line on stderr for a file that is not an instance of ../shared/specs/spreading.md.
"""

from __future__ import annotations

import argparse
import json
import sys

from evac.instance_file import BadInstanceFile, read_instance
from evac.spreading.instance import InstanceError, parse_instance
from evac.spreading.solver import solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evac.spreading", description=__doc__.splitlines()[0]
    )
    parser.add_argument("instance", help="the instance, a JSON file")
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                        help="stop after this long with a feasible plan (status feasible)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        instance = read_instance(args.instance, parse_instance, InstanceError, "spreading")
    except BadInstanceFile as exc:
        print(exc, file=sys.stderr)
        return 2
    plan = solve(instance, args.time_limit)
    json.dump(plan.to_json(instance), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
