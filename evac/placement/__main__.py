"""python -m evac.placement INSTANCE.json [--greedy] [--time-limit SECONDS]

Prints the result JSON on stdout and exits 0 (also when some patients cannot be placed); exits 2
with one line on stderr for a file that is not an instance of ../shared/specs/placement.md.
"""

from __future__ import annotations

import argparse
import json
import sys

from evac.instance_file import BadInstanceFile, read_instance
from evac.placement.greedy import solve_greedy
from evac.placement.instance import InstanceError, parse_instance
from evac.placement.solver import solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evac.placement", description=__doc__.splitlines()[0]
    )
    parser.add_argument("instance", help="the instance, a JSON file")
    parser.add_argument(
        "--greedy", action="store_true", help="the simple baseline instead of the optimum"
    )
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                        help="stop after this long and return the best found (status feasible)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        instance = read_instance(args.instance, parse_instance, InstanceError, "placement")
    except BadInstanceFile as exc:
        print(exc, file=sys.stderr)
        return 2
    result = solve_greedy(instance) if args.greedy else solve(instance, args.time_limit)
    json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
