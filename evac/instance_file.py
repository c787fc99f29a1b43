"""Reading an engine's instance file for the command line (`python -m evac.placement`,
`python -m evac.spreading`): one place that turns every way a file can be wrong into the one
line on stderr the specs promise, with exit code 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class BadInstanceFile(Exception):
    """The message to print on stderr before exiting 2."""


def read_instance(path: str, parse: Callable[[object], T], error: type[Exception], kind: str) -> T:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return parse(data)
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInstanceFile(f"cannot read {path}: {exc}") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadInstanceFile(f"{path} is not valid JSON: {exc}") from exc
    except error as exc:
        raise BadInstanceFile(f"{path} is not a {kind} instance: {exc}") from exc
