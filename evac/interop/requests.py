"""Evacuation requests in the exchange format of ../shared/specs/intake.md: CSV and JSON in,
validated and normalised requests (or every problem, by row and field) out.

Pure parsing: no database. Whether a request is new, a duplicate or a conflict is the intake
service's question.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel import Locale
from flask_babel import gettext as _

from evac import icd10
from evac.interop import fhir_ips
from evac.interop.transliteration import to_latin
from evac.services.errors import Problem
from evac.terms import (
    BedCategory,
    CodeStatus,
    IsolationKind,
    MdroStatus,
    Mobility,
    PatientType,
    PlaceType,
    ReceivedDocument,
    Sex,
    Source,
    Urgency,
)

# What partners may send (../shared/specs/intake.md); return transfers are the centre's own.
INTAKE_SOURCES = (Source.EU_MEDEVAC, Source.DOMESTIC)
ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-B](\.[0-9A-Z]{1,4})?$")
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# The same codes as a sender may write them, in either case
ICD10_SENT = re.compile(r"^[A-TV-Za-tv-z][0-9][0-9A-Ba-b](\.[0-9A-Za-z]{1,4})?$")
BCP47_SENT = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
COUNTRIES = frozenset(code for code in Locale("en").territories if len(code) == 2)

TRUE = {"yes", "true", "1", "так", "y", "ja", "да"}
FALSE = {"no", "false", "0", "ні", "n", "nee", "нет"}
SEX_ALIASES = {"f": "female", "m": "male", "ж": "female", "ч": "male", "v": "female"}
# A patient travels with at most this many companions (the form offers as many).
MAX_COMPANIONS = 10
# How a CSV sender says a list is empty ("no devices"), as opposed to leaving it out (unknown).
NONE_WORDS = {"none", "geen", "немає", "нет", "-"}
# Python's csv module refuses longer fields; a field this long is no request anyway.
MAX_CSV_FIELD = 131_072


def _may_hold_nul(text: bytes | str) -> bool:
    """Whether text read as CSV or JSON can give a field with a NUL: only a NUL itself or
    JSON's escape for it. Without either, a file's ten thousand requests need not be walked
    field by field."""
    if isinstance(text, bytes):
        return b"\x00" in text or b"\\u0000" in text
    return "\x00" in text or "\\u0000" in text


def _nul_fields(value: Any) -> list[str]:
    """The fields (as paths) whose text or name holds a NUL character, which no database
    stores; the paths show it as \ufffd, so that it travels no further. Walked without
    recursion: a field evac does not read may be nested as deep as the JSON decoder allows."""
    found = []
    stack = [("", value)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, str):
            if "\x00" in v:
                found.append(path or "request")
        elif isinstance(v, dict):
            for k, item in v.items():
                name = str(k).replace("\x00", "\ufffd")
                field = f"{path}.{name}" if path else name
                if "\x00" in str(k):
                    found.append(field)
                stack.append((field, item))
        elif isinstance(v, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(v))
    return sorted(found)


@dataclass
class ParsedRequest:
    """One request, valid and normalised (plain JSON-able values)."""

    row: int
    data: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.data["source"], self.data["external_ref"])

    @property
    def fingerprint(self) -> str:
        """A hash of the request's content: equal for a re-sent request, different when changed."""
        canonical = json.dumps(self.data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ParseResult:
    requests: list[ParsedRequest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # row -> "UCPM-MEDEVAC-2024-01873 · Шевченко", to show problems beside the row they are in
    labels: dict[int, str] = field(default_factory=dict)
    # What is accepted but a person should look at (e.g. an ICD-10 code not in the WHO list).
    warnings: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The fields of a request and what each may hold: one table, read by the importer below and
# described by evac.api.request_schema (the JSON Schema of POST /api/v1/requests), so the two
# cannot drift apart. CSV and the form are lenient in the ways ../shared/specs/intake.md allows
# (yes/так, DD.MM.YYYY, F/M/Ж/Ч, a decimal comma, any case); JSON takes the types the schema
# states, and reads a blank text as left out.


@dataclass(frozen=True)
class Rule:
    """What one field may hold."""

    kind: str  # text, choice, country, hospital, boolean, number, date, timestamp, codes, listing
    required: bool = False
    max_length: int = 10_000
    choices: tuple[str, ...] = ()
    low: float = 0
    high: float = 0
    integer: bool = False
    # codes: the pattern every code matches, and how a code is written (upper or lower case)
    pattern: re.Pattern | None = None
    input_pattern: re.Pattern | None = None  # as a JSON sender may write it
    case: str = ""
    max_items: int = 50
    # dates: not after today (a date of birth, a screening)
    past: bool = False


def _text(max_length: int = 10_000, required: bool = False) -> Rule:
    return Rule("text", required=required, max_length=max_length)


def _choice(allowed, required: bool = False) -> Rule:
    return Rule("choice", required=required, choices=tuple(m.value for m in allowed))


def _number(low: float, high: float, integer: bool = False) -> Rule:
    return Rule("number", low=low, high=high, integer=integer)


def _listing(max_length: int = 200, choices=()) -> Rule:
    return Rule("listing", max_length=max_length, choices=tuple(m.value for m in choices))


BOOLEAN = Rule("boolean")
FIELDS: dict[str, Rule] = {
    "external_ref": _text(100, required=True),
    "source": _choice(INTAKE_SOURCES, required=True),
    "requested_at": Rule("timestamp", required=True),
    "sending_country": Rule("country"),  # required for EU MEDEVAC requests
    "sending_facility": _text(200),
    "sending_hospital": Rule("hospital", max_length=16),  # a code in the hospital registry
    "family_name": _text(200, required=True),
    "given_name": _text(200, required=True),
    "family_name_latin": _text(200),
    "given_name_latin": _text(200),
    "date_of_birth": Rule("date", past=True),  # or age_years
    "age_years": _number(0, 120, integer=True),
    "sex": _choice(Sex, required=True),
    "languages": Rule("codes", pattern=BCP47, input_pattern=BCP47_SENT, case="lower"),
    "diagnosis": _text(required=True),
    "icd10": Rule("codes", pattern=ICD10, input_pattern=ICD10_SENT, case="upper"),
    "war_related": BOOLEAN,
    "requested_care": _choice(BedCategory, required=True),
    "urgency": _choice(Urgency, required=True),
    "mobility": _choice(Mobility, required=True),
    "ventilated": BOOLEAN,
    "oxygen_l_min": _number(0, 60),
    "mdro_status": _choice(MdroStatus),
    "isolation_required": BOOLEAN,
    "weight_kg": _number(0.3, 400),
    "allergies": _text(),
    "medication": _text(),
    "companions": Rule("companions"),
    "fit_to_fly": BOOLEAN,
    "contact_name": _text(200),
    "contact_phone": _text(50),
    "contact_email": _text(254),
    "notes": _text(),
    # version 2: clinical and logistic fields
    "patient_type": _choice(PatientType),
    "region_of_origin": _text(100),
    "place_type": _choice(PlaceType),
    "tracheostomy": BOOLEAN,
    "devices": _listing(),
    "vital_signs": Rule("vital_signs"),
    "ventilation": Rule("ventilation"),
    "mdro_organisms": _listing(100),
    "mdro_screened_at": Rule("date", past=True),
    "infections": _listing(100),
    "isolation_type": _choice(IsolationKind),
    "code_status": _choice(CodeStatus),
    "pregnancy_weeks": _number(1, 45, integer=True),
    "documents_received": _listing(choices=ReceivedDocument),
    "family_in_nl": _text(200),
}
VENTILATION_MODE = _text(100)
COMPANION = {"name": _text(200), "relation": _text(100), "age_years": _number(0, 120, True)}


# The dates a request may carry: from 1900 (no one living was born before) to the end of this
# century (a time stamp); a date of birth or a screening not after today.
FIRST_DATE = date(1900, 1, 1)
ONE_DAY = timedelta(days=1)
LAST_DATE = date(2099, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_ISO_TIMESTAMP = re.compile(rf"([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})(?:[Tt ]({_TIME})({_OFFSET})?)?")


def _numbers(first: int, last: int, width: int) -> str:
    """A regular expression for the numbers first..last written with `width` digits."""
    parts = []
    for tens in range(first // 10, last // 10 + 1):
        low = first % 10 if tens == first // 10 else 0
        high = last % 10 if tens == last // 10 else 9
        unit = "[0-9]" if (low, high) == (0, 9) else str(low) if low == high else f"[{low}-{high}]"
        parts.append(f"{tens:0{width - 1}d}{unit}")
    return "|".join(parts)


def _months(last_month: int) -> str:
    """Months 1..last_month with each of their days (February to the 28th)."""
    by_length: dict[int, list[str]] = {}
    for month in range(1, last_month + 1):
        by_length.setdefault(calendar.monthrange(2001, month)[1], []).append(f"{month:02d}")
    return "|".join(
        f"(?:{'|'.join(months)})-(?:{_numbers(1, days, 2)})" for days, months in by_length.items()
    )


def date_pattern(last: date) -> str:
    """A regular expression for exactly the calendar dates FIRST_DATE..last (YYYY-MM-DD): the
    schema states the importer's range rule with it, so a generated client cannot send a date
    the importer refuses."""
    parts = []
    if last.year > FIRST_DATE.year:
        parts.append(f"(?:{_numbers(FIRST_DATE.year, last.year - 1, 4)})-(?:{_months(12)})")
        leap = [str(y) for y in range(FIRST_DATE.year, last.year) if calendar.isleap(y)]
        parts.append(f"(?:{'|'.join(leap)})-02-29")
    days = [f"{last.month:02d}-(?:{_numbers(1, last.day, 2)})"]
    if last.month > 1:
        days.insert(0, _months(last.month - 1))
    if last.month > 2 and calendar.isleap(last.year):
        days.append("02-29")
    parts.append(f"{last.year}-(?:{'|'.join(days)})")
    return f"(?:{'|'.join(parts)})"


def timestamp_pattern() -> str:
    """A date, or a date and time with or without its zone (without: read as UTC)."""
    return rf"^{date_pattern(LAST_DATE)}(?:[Tt ]{_TIME}{_OFFSET}?)?$"


def moment_pattern(last: date) -> str:
    """A date and time with its zone, on a day from FIRST_DATE up to `last`."""
    return rf"^{date_pattern(last)}[Tt ]{_TIME}{_OFFSET}$"


def read_moment(value: Any, today: date) -> datetime | None:
    """A date and time with its zone (RFC 3339), in UTC; None if it is not one. Its own date
    may be tomorrow's (a zone east of the server's); whether it lies in the future is the
    caller's question."""
    if not isinstance(value, str) or not re.fullmatch(moment_pattern(today + ONE_DAY), value):
        return None
    moment = _parse_timestamp(value, lenient=False)
    return moment.astimezone(UTC) if moment is not None else None


def _in_range(d: date, past: bool, today: date) -> bool:
    return FIRST_DATE <= d <= (today if past else LAST_DATE)


class _Row:
    """Reads the fields of one request by the rules of FIELDS, collecting problems instead of
    stopping at the first. `lenient` for CSV and the form, where every value is text."""

    def __init__(self, raw: dict[str, Any], row: int, lenient: bool, today: date):
        self.raw = raw
        self.row = row
        self.lenient = lenient
        self.today = today
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, message, self.row))

    def value(self, name: str) -> Any:
        """What was sent, None when left out; lenient rows read a blank text as left out."""
        v = self.raw.get(name)
        if self.lenient and isinstance(v, str):
            return v.strip() or None
        return v

    def read(self, name: str, rule: Rule) -> Any:
        return getattr(self, _READERS[rule.kind])(name, rule)

    def _missing(self, name: str, rule: Rule) -> None:
        if rule.required:
            self.problem(name, _("%(field)s is required.", field=name))

    def text(self, name: str, rule: Rule) -> str | None:
        v = self.value(name)
        if self.lenient and isinstance(v, int | float) and not isinstance(v, bool):
            v = str(v)
        if v is None:
            return self._missing(name, rule)
        if not isinstance(v, str):
            self.problem(name, _("%(field)s must be text.", field=name))
            return None
        # The length as sent (in JSON, spaces around included: what the schema's maxLength
        # counts)
        if len(v) > rule.max_length:
            return self._too_long(name, rule.max_length)
        return v.strip() or self._missing(name, rule)

    def _too_long(self, name: str, max_length: int) -> None:
        self.problem(
            name, _("%(field)s is longer than %(n)d characters.", field=name, n=max_length)
        )

    def choice(self, name: str, rule: Rule) -> str | None:
        v = self.value(name)
        if v is None:
            return self._missing(name, rule)
        if self.lenient:
            v = str(v).lower()
            if name == "sex":
                v = SEX_ALIASES.get(v, v)
        if v not in rule.choices:
            self.problem(
                name,
                _(
                    "%(field)s is '%(value)s'; expected one of: %(allowed)s.",
                    field=name,
                    value=self.value(name),
                    allowed=", ".join(rule.choices),
                ),
            )
            return None
        return v

    def boolean(self, name: str, rule: Rule = BOOLEAN) -> bool | None:
        v = self.value(name)
        if v is None or isinstance(v, bool):
            return v
        s = str(v).lower() if self.lenient else None
        if s in TRUE:
            return True
        if s in FALSE:
            return False
        self.problem(
            name,
            _("%(field)s is '%(value)s'; expected yes or no.", field=name, value=v)
            if self.lenient
            else _("%(field)s is '%(value)s'; expected true or false.", field=name, value=v),
        )
        return None

    def number(self, name: str, rule: Rule) -> float | int | None:
        v = self.value(name)
        if v is None:
            return None
        try:
            if isinstance(v, bool) or (isinstance(v, str) and not self.lenient):
                raise ValueError
            n = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
            if rule.integer:
                if n != int(n):
                    raise ValueError
                n = int(n)
        except (TypeError, ValueError, OverflowError):
            self.problem(name, _("%(field)s is '%(value)s', not a number.", field=name, value=v))
            return None
        if not rule.low <= n <= rule.high:
            self.problem(
                name,
                _(
                    "%(field)s is %(value)s; it must lie between %(low)s and %(high)s.",
                    field=name,
                    value=v,
                    low=rule.low if not rule.integer else int(rule.low),
                    high=rule.high if not rule.integer else int(rule.high),
                ),
            )
            return None
        return n

    def _range_problem(self, name: str, d: date, past: bool) -> bool:
        if _in_range(d, past, self.today):
            return False
        if d > self.today and past:
            self.problem(name, _("%(field)s lies in the future.", field=name))
        else:
            self.problem(
                name,
                _(
                    "%(field)s is %(value)s; it must lie between %(first)s and %(last)s.",
                    field=name,
                    value=d.isoformat(),
                    first=FIRST_DATE.isoformat(),
                    last=(self.today if past else LAST_DATE).isoformat(),
                ),
            )
        return True

    def date_value(self, name: str, rule: Rule) -> date | None:
        v = self.value(name)
        if v is None:
            return self._missing(name, rule)
        d = None
        if isinstance(v, str) and (self.lenient or _ISO_DATE.fullmatch(v)):
            d = _parse_date(v)
        if d is None:
            self.problem(
                name,
                _(
                    "%(field)s is '%(value)s', not a date (use YYYY-MM-DD or DD.MM.YYYY).",
                    field=name,
                    value=v,
                )
                if self.lenient
                else _("%(field)s is '%(value)s', not a date (YYYY-MM-DD).", field=name, value=v),
            )
            return None
        return None if self._range_problem(name, d, rule.past) else d

    def timestamp(self, name: str, rule: Rule) -> datetime | None:
        v = self.value(name)
        if v is None:
            return self._missing(name, rule)
        ts = _parse_timestamp(v, self.lenient)
        if ts is None:
            self.problem(
                name,
                _("%(field)s is '%(value)s', not a date and time (ISO 8601).", field=name, value=v),
            )
            return None
        if self._range_problem(name, ts.date(), past=False):
            return None
        if ts.tzinfo is None:
            # A time without zone from the mechanism is Central European; UTC is close enough
            # for ordering and far better than refusing the request.
            ts = ts.replace(tzinfo=UTC)
        return ts.astimezone(UTC)

    def codes(self, name: str, rule: Rule) -> list[str]:
        """Codes (languages, ICD-10): a list, or in CSV text separated by ';'."""
        items = self._items(name)
        if items is None:
            return []
        # JSON: each code as sent matches the schema's pattern (either case, no spaces around);
        # no item was blank, so the list sent and the items read are in step.
        sent = None if self.lenient else self.value(name)
        out = []
        for i, code in enumerate(items):
            wrong = sent is not None and not rule.input_pattern.fullmatch(sent[i])
            code = code.strip().upper() if rule.case == "upper" else code.strip().lower()
            out.append(code)
            if wrong or not rule.pattern.match(code):
                self.problem(name, _CODE_PROBLEMS[name](code))
        return out

    def _items(self, name: str, max_length: int | None = None) -> list[str] | None:
        v = self.value(name)
        if v is None:
            return None
        if isinstance(v, str) and self.lenient:
            items = v.split(";")
        elif isinstance(v, list) and all(isinstance(item, str) for item in v):
            items = v
            if not self.lenient and not all(item.strip() for item in items):
                self.problem(name, _("%(field)s holds an empty text.", field=name))
                return None
        else:
            self.problem(name, _("%(field)s must be a list of texts.", field=name))
            return None
        # In JSON the length as sent, spaces around included (as the schema's maxLength counts)
        measured = items if not self.lenient else [item.strip() for item in items]
        if max_length and any(len(item) > max_length for item in measured):
            return self._too_long(name, max_length)
        return [item.strip() for item in items if item.strip()]

    def listing(self, name: str, rule: Rule) -> list[str] | None:
        """A list the sender may leave out (None: unknown) or say is empty ([]: none)."""
        v = self.value(name)
        if self.lenient and isinstance(v, str) and v.lower() in NONE_WORDS:
            return []
        items = self._items(name, rule.max_length)
        if items is None:
            return None
        if len(items) > rule.max_items:
            self.problem(
                name, _("%(field)s holds more than %(n)d items.", field=name, n=rule.max_items)
            )
            return None
        if rule.choices:
            wrong = [item for item in items if item.lower() not in rule.choices]
            for item in wrong:
                self.problem(
                    name,
                    _(
                        "%(field)s is '%(value)s'; expected one of: %(allowed)s.",
                        field=name,
                        value=item,
                        allowed=", ".join(rule.choices),
                    ),
                )
            return list(dict.fromkeys(item.lower() for item in items)) if not wrong else None
        return items


# The kinds of field one reader of _Row reads alone (the others are read with their neighbours)
_READERS = {
    "text": "text", "choice": "choice", "boolean": "boolean", "number": "number",
    "date": "date_value", "timestamp": "timestamp", "listing": "listing", "codes": "codes",
}  # fmt: skip
_CODE_PROBLEMS = {
    "languages": lambda code: _("'%(code)s' is not a language code such as uk or ru.", code=code),
    "icd10": lambda code: _(
        "'%(code)s' is not an ICD-10 code (a letter, two digits, e.g. S72.0).", code=code
    ),
}


_YEAR_MONTH_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def _parse_date(s: str) -> date | None:
    s = s.strip()
    # The usual form without strptime, which costs ten times as much (a file of ten thousand
    # requests has twenty thousand dates); the same answer, a day that does not exist included.
    ymd = _YEAR_MONTH_DAY.fullmatch(s)
    if ymd is not None:
        try:
            return date(int(ymd[1]), int(ymd[2]), int(ymd[3]))
        except ValueError:
            return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def _parse_timestamp(v: Any, lenient: bool) -> datetime | None:
    """JSON: the forms timestamp_pattern() states; CSV and the form also DD.MM.YYYY and every
    form Python reads as ISO 8601."""
    if not isinstance(v, str):
        return None
    if lenient:
        d = _parse_date(v)
        if d is not None:
            return datetime.combine(d, time(0))
        try:
            return datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return None
    match = _ISO_TIMESTAMP.fullmatch(v)
    if match is None:
        return None
    day, clock, offset = match.groups()
    if clock is None:
        d = _parse_date(day)
        return datetime.combine(d, time(0)) if d else None
    try:
        return datetime.fromisoformat(
            f"{day}T{clock}{(offset or '').upper().replace('Z', '+00:00')}"
        )
    except ValueError:
        return None


def validate(
    raw: dict[str, Any], row: int, from_csv: bool, today: date, may_hold_nul: bool = True
) -> ParseResult:
    """Check and normalise one request; a problem for every field that is wrong.
    `may_hold_nul` False: the text it was read from holds no NUL, so its fields are not walked
    for one (see _may_hold_nul)."""
    if not isinstance(raw, dict):
        return ParseResult(problems=[Problem("", _("A request must be a JSON object."), row)])
    nul = _nul_fields(raw) if may_hold_nul else []
    if nul:
        # Stop here: such text must not travel further, not even in a problem message.
        return ParseResult(
            problems=[
                Problem(f, _("This field holds an invisible NUL character; remove it."), row)
                for f in nul
            ]
        )
    r = _Row(raw, row, from_csv, today)
    label = " · ".join(
        str(raw[k]).strip()[:60]
        for k in ("external_ref", "family_name")
        if isinstance(raw.get(k), str | int) and str(raw[k]).strip()
    )
    d: dict[str, Any] = {}
    for name, rule in FIELDS.items():
        if rule.kind in _READERS:
            d[name] = r.read(name, rule)
    # What the rules above read, and the rules between fields
    if d["requested_at"] is not None:
        d["requested_at"] = d["requested_at"].isoformat()
    d["sending_country"] = _country(r, d["source"])
    d["sending_hospital"] = _hospital_code(r)
    for name in ("family_name", "given_name"):
        d[name + "_latin"] = d[name + "_latin"] or (to_latin(d[name]) if d[name] else None)
    dob = d["date_of_birth"]
    d["date_of_birth"] = dob.isoformat() if dob else None
    if dob is None and d["age_years"] is None and r.value("date_of_birth") is None:
        r.problem("date_of_birth", _("Give date_of_birth or age_years."))
    d["mdro_status"] = d["mdro_status"] or MdroStatus.UNKNOWN.value
    d["companions"] = _companions(r)
    screened = d["mdro_screened_at"]
    d["mdro_screened_at"] = screened.isoformat() if screened else None
    d["vital_signs"] = _vital_signs(r)
    d["ventilation"] = _ventilation(r)
    # Version 2 (clinical and logistic fields): a field the sender left out is not stored at
    # all, so it reads "unknown", and a version-1 request keeps the fingerprint it always had.
    for name in VERSION_2:
        if d.get(name) is None:
            d.pop(name, None)
    if d.get("mdro_organisms"):
        # Resistant organisms found are a positive MDRO status, whatever else was said.
        if d["mdro_status"] == MdroStatus.NEGATIVE:
            r.problem(
                "mdro_organisms",
                _("mdro_status says negative, but resistant organisms are listed."),
            )
        d["mdro_status"] = MdroStatus.POSITIVE.value
    labels = {row: label} if label else {}
    if r.problems:
        return ParseResult(problems=r.problems, labels=labels)
    warnings = [
        Problem("icd10", icd10_warning(code), row) for code in icd10.unknown_codes(d["icd10"])
    ]
    return ParseResult(requests=[ParsedRequest(row, d)], labels=labels, warnings=warnings)


VERSION_2 = tuple(FIELDS)[tuple(FIELDS).index("patient_type") :]


def _blank_code(r: _Row, name: str) -> bool:
    """A JSON sender without a code leaves the field out: a blank code is a mistake, not "none"
    (a CSV column is blank when there is nothing to say)."""
    v = r.value(name)
    if isinstance(v, str) and not v.strip() and not r.lenient:
        r.problem(name, _("%(field)s is empty; give a code or leave the field out.", field=name))
        return True
    return False


def _hospital_code(r: _Row) -> str | None:
    """A code of the hospital registry; the intake service knows which exist."""
    if _blank_code(r, "sending_hospital"):
        return None
    return r.text("sending_hospital", FIELDS["sending_hospital"])


def _country(r: _Row, source: str | None) -> str | None:
    """An ISO 3166 code; required for EU MEDEVAC requests (they come from abroad)."""
    if _blank_code(r, "sending_country"):
        return None
    country = r.text("sending_country", Rule("text", max_length=10))
    if country is not None:
        country = country.upper()
        if country not in COUNTRIES:
            r.problem(
                "sending_country",
                _("sending_country '%(value)s' is not an ISO 3166 country code.", value=country),
            )
    elif source == Source.EU_MEDEVAC:
        r.problem("sending_country", _("sending_country is required for EU MEDEVAC requests."))
    return country


def icd10_warning(code: str) -> str:
    return _(
        "%(code)s is shaped like an ICD-10 code but is not in the WHO ICD-10 list; check it "
        "with the sender.",
        code=code,
    )


# Ranges of ../shared/specs/intake.md: (low, high, integer)
VITAL_SIGNS = {
    "gcs": (3, 15, True),
    "heart_rate": (20, 250, True),
    "systolic_bp": (40, 300, True),
    "diastolic_bp": (20, 200, True),
    "resp_rate": (4, 80, True),
    "spo2": (50, 100, True),
    "temperature_c": (30, 45, False),
}
VENTILATION = {"fio2": (0.21, 1.0, False), "peep_cmh2o": (0, 30, False)}
BLOOD_PRESSURE = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*$")


def _measurements(
    sub: _Row, ranges: dict[str, tuple[float, float, bool]], prefix: str, r: _Row
) -> dict[str, Any]:
    out = {}
    for name, (low, high, integer) in ranges.items():
        value = sub.number(name, _number(low, high, integer))
        if value is not None:
            out[name] = value
    for p in sub.problems:
        r.problem(f"{prefix}{p.field}", p.message)
    sub.problems = []
    return out


def _vital_signs(r: _Row) -> dict[str, Any] | None:
    """The last vital signs: a JSON object, or CSV columns (vs_recorded_at, bp as 120/80)."""
    if r.lenient:
        flat = {
            name: r.raw.get(name)
            for name in VITAL_SIGNS
            if name not in ("systolic_bp", "diastolic_bp")
        }
        flat["recorded_at"] = r.raw.get("vs_recorded_at")
        bp = r.value("bp")
        if bp is not None:
            match = BLOOD_PRESSURE.match(str(bp))
            if match is None:
                r.problem("bp", _("bp is '%(value)s'; write it as 120/80.", value=bp))
            else:
                flat["systolic_bp"], flat["diastolic_bp"] = match.groups()
        raw, prefix = flat, ""
    else:
        raw = r.value("vital_signs")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            r.problem("vital_signs", _("vital_signs must be an object."))
            return None
        prefix = "vital_signs."
    sub = _Row(raw, r.row, r.lenient, r.today)
    out = _measurements(sub, VITAL_SIGNS, prefix, r)
    recorded = sub.timestamp("recorded_at", Rule("timestamp"))
    for p in sub.problems:
        r.problem("vs_recorded_at" if r.lenient else f"{prefix}{p.field}", p.message)
    if not out:
        if recorded is not None:
            r.problem(
                "vs_recorded_at" if r.lenient else "vital_signs",
                _("The vital signs give a time but no values."),
            )
        return None
    if recorded is not None:
        out["recorded_at"] = recorded.isoformat()
    return out


def _ventilation(r: _Row) -> dict[str, Any] | None:
    """Ventilator settings: a JSON object, or CSV columns vent_mode, fio2, peep_cmh2o."""
    if r.lenient:
        raw, prefix = {"mode": r.raw.get("vent_mode"), **{k: r.raw.get(k) for k in VENTILATION}}, ""
    else:
        raw = r.value("ventilation")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            r.problem("ventilation", _("ventilation must be an object."))
            return None
        prefix = "ventilation."
    sub = _Row(raw, r.row, r.lenient, r.today)
    out = _measurements(sub, VENTILATION, prefix, r)
    mode = sub.text("mode", VENTILATION_MODE)
    for p in sub.problems:
        r.problem("vent_mode" if r.lenient else f"{prefix}{p.field}", p.message)
    if mode is not None:
        out["mode"] = mode
    return out or None


def _companions(r: _Row) -> list[dict[str, Any]]:
    if r.lenient:
        count = r.number("companion_count", _number(0, MAX_COMPANIONS, integer=True)) or 0
        notes = r.text("companion_notes", _text())
        return [
            {"name": None, "relation": None, "age_years": None, "notes": notes}
            for _ in range(count)
        ]
    raw = r.value("companions")
    if raw is None:
        return []
    if not isinstance(raw, list):
        r.problem("companions", _("companions must be a list of objects."))
        return []
    if len(raw) > MAX_COMPANIONS:
        r.problem(
            "companions",
            _("At most %(n)d companions travel with one patient.", n=MAX_COMPANIONS),
        )
        return []
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            r.problem("companions", _("companions must be a list of objects."))
            continue
        sub = _Row(item, r.row, False, r.today)
        age = sub.number("age_years", COMPANION["age_years"])
        out.append(
            {
                "name": sub.text("name", COMPANION["name"]),
                "relation": sub.text("relation", COMPANION["relation"]),
                "age_years": age,
                "notes": None,
            }
        )
        for p in sub.problems:
            r.problem(f"companions[{i}].{p.field}", p.message)
    return out


def parse_csv(content: bytes, today: date, max_requests: int | None = None) -> ParseResult:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParseResult(
            problems=[Problem("", _("The file is not UTF-8 text. Save it as CSV UTF-8."), 1)]
        )
    may_hold_nul = _may_hold_nul(text)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        return ParseResult(problems=[Problem("", _("The file is empty."), 1)])
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    missing = {"external_ref", "source", "family_name", "diagnosis"} - set(reader.fieldnames)
    if missing:
        return ParseResult(
            problems=[
                Problem(
                    "",
                    _(
                        "The header row lacks the columns %(columns)s. Is this an evacuation "
                        "request file?",
                        columns=", ".join(sorted(missing)),
                    ),
                    1,
                )
            ]
        )
    result = ParseResult()
    start = 2
    count = 0
    rows = iter(reader)
    while True:
        try:
            raw = next(rows)
        except StopIteration:
            break
        except csv.Error:
            # The csv module stops at a field over its limit (or a broken quote); say where.
            result.problems.append(
                Problem(
                    "",
                    _(
                        "A field is longer than %(n)d characters, or a quote is not closed. "
                        "Nothing after this row was read.",
                        n=MAX_CSV_FIELD,
                    ),
                    start,
                )
            )
            break
        if not any((v or "").strip() for k, v in raw.items() if k is not None):
            start = reader.line_num + 1
            continue  # blank lines are not requests
        count += 1
        if max_requests is not None and count > max_requests:
            result.problems.append(_too_many(max_requests))
            break
        _merge(result, validate(raw, start, True, today, may_hold_nul))
        start = reader.line_num + 1
    if not result.requests and not result.problems:
        result.problems.append(Problem("", _("The file holds no requests."), 2))
    return result


def _too_many(limit: int) -> Problem:
    return Problem(
        "requests",
        _("One batch holds at most %(n)d requests; split the file.", n=limit),
    )


def load_json(content: bytes | str) -> tuple[Any, Problem | None]:
    """Decode JSON text; (data, None), or (None, a problem a coordinator understands)."""
    try:
        if isinstance(content, bytes):
            content = content.decode("utf-8-sig")  # the exchange format is UTF-8, BOM or not
        return json.loads(content), None
    except UnicodeDecodeError:
        return None, Problem("", _("The text is not UTF-8. Save it as UTF-8."))
    except RecursionError:
        return None, Problem("", _("The JSON is nested too deeply to be a request."))
    except ValueError as exc:  # JSONDecodeError, and a number of more than 4,300 digits
        return None, Problem("", _("Not valid JSON: %(error)s", error=exc))


def parse_json(
    content: bytes | str | Any, today: date, max_requests: int | None = None
) -> ParseResult:
    """JSON text (bytes or str) or an already-decoded object: one request or {"requests": []}."""
    if isinstance(content, bytes | str):
        data, problem = load_json(content)
        if problem is not None:
            return ParseResult(problems=[problem])
    else:
        data = content
    if fhir_ips.is_fhir(data):
        # An International Patient Summary (or a collection of them) is a request too; it is
        # read into the exchange format and checked by the same rules.
        try:
            data = {"requests": fhir_ips.requests_from(data)}
        except fhir_ips.NotABundle as exc:
            return ParseResult(problems=[Problem("resourceType", str(exc))])
        except (AttributeError, TypeError, ValueError, KeyError, IndexError):
            # A resource shaped otherwise than FHIR says (a string where an object belongs):
            # refused with the record kept, never a crash.
            return ParseResult(problems=[Problem("resourceType", _(
                "This FHIR Bundle is not shaped as FHIR R4 says (a value of the wrong kind in "
                "one of its resources); evac cannot read it."))])  # fmt: skip
    if isinstance(data, dict) and "requests" in data:
        items = data["requests"]
        if not isinstance(items, list):
            return ParseResult(problems=[Problem("requests", _("requests must be a list."))])
    elif isinstance(data, dict):
        items = [data]
    else:
        return ParseResult(
            problems=[Problem("", _('Expected one request object or {"requests": [...]}.'))]
        )
    if not items:
        return ParseResult(problems=[Problem("requests", _("The list of requests is empty."))])
    if max_requests is not None and len(items) > max_requests:
        return ParseResult(problems=[_too_many(max_requests)])
    result = ParseResult()
    may_hold_nul = not isinstance(content, bytes | str) or _may_hold_nul(content)
    for index, raw in enumerate(items):
        _merge(result, validate(raw, index, False, today, may_hold_nul))
    return result


def _merge(into: ParseResult, part: ParseResult) -> None:
    into.requests.extend(part.requests)
    into.problems.extend(part.problems)
    into.labels.update(part.labels)
    into.warnings.extend(part.warnings)


def parse_file(
    filename: str, content: bytes, today: date, max_requests: int | None = None
) -> ParseResult:
    name = filename.lower()
    if name.endswith(".csv"):
        return parse_csv(content, today, max_requests)
    if name.endswith(".json"):
        return parse_json(content, today, max_requests)
    return ParseResult(problems=[Problem("file", _("Only .csv and .json files can be imported."))])
