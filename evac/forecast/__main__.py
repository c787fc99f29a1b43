"""python -m evac.forecast HISTORY.csv [--horizon N]

Prints the forecast CSV on stdout and exits 0; exits 2 with one line on stderr, naming the line
and column, for a history that does not follow ../shared/specs/forecast.md.
"""

from __future__ import annotations

import argparse
import sys

from evac.forecast.history import HistoryError, parse_history
from evac.forecast.write import write_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evac.forecast", description=__doc__.splitlines()[0]
    )
    parser.add_argument("history", help="the history, a CSV file")
    parser.add_argument(
        "--horizon", type=int, default=7, help="days to forecast, 1 to 28 (default 7)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.horizon <= 28:
        print("--horizon: expected a whole number of days from 1 to 28", file=sys.stderr)
        return 2
    try:
        with open(args.history, "rb") as fh:
            series = parse_history(fh.read())
    except OSError as exc:
        print(f"cannot read {args.history}: {exc}", file=sys.stderr)
        return 2
    except HistoryError as exc:
        print(f"{args.history}: {exc}", file=sys.stderr)
        return 2
    write_csv(series, args.horizon, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
