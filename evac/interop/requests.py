"""Evacuation requests in the exchange format of ../shared/specs/intake.md: CSV and JSON in,
validated and normalised requests (or every problem, by row and field) out.

Pure parsing: no database. Whether a request is new, a duplicate or a conflict is the intake
service's question.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
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


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """The fields (as paths) whose text holds a NUL character, which no database stores."""
    if isinstance(value, str):
        return [path or "request"] if "\x00" in value else []
    if isinstance(value, dict):
        return [
            f for k, v in value.items() for f in _nul_fields(v, f"{path}.{k}" if path else str(k))
        ]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _nul_fields(v, f"{path}[{i}]")]
    return []


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


class _Row:
    """Reads the fields of one request, collecting problems instead of stopping at the first."""

    def __init__(self, raw: dict[str, Any], row: int, from_csv: bool):
        self.raw = raw
        self.row = row
        self.csv = from_csv
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, message, self.row))

    def value(self, name: str) -> Any:
        v = self.raw.get(name)
        if isinstance(v, str):
            v = v.strip()
            return v or None
        return v

    def text(self, name: str, required: bool = False, max_length: int = 10_000) -> str | None:
        v = self.value(name)
        if v is None:
            if required:
                self.problem(name, _("%(field)s is required.", field=name))
            return None
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            self.problem(name, _("%(field)s must be text.", field=name))
            return None
        v = str(v)
        if len(v) > max_length:
            self.problem(
                name, _("%(field)s is longer than %(n)d characters.", field=name, n=max_length)
            )
            return None
        return v

    def choice(self, name: str, allowed: type, required: bool = False, default=None):
        v = self.value(name)
        if v is None:
            if required:
                self.problem(name, _("%(field)s is required.", field=name))
            return default
        v = str(v).lower()
        if name == "sex":
            v = SEX_ALIASES.get(v, v)
        values = [m.value for m in allowed]
        if v not in values:
            self.problem(
                name,
                _(
                    "%(field)s is '%(value)s'; expected one of: %(allowed)s.",
                    field=name,
                    value=self.value(name),
                    allowed=", ".join(values),
                ),
            )
            return default
        return v

    def boolean(self, name: str) -> bool | None:
        v = self.value(name)
        if v is None or isinstance(v, bool):
            return v
        s = str(v).lower()
        if s in TRUE:
            return True
        if s in FALSE:
            return False
        self.problem(
            name,
            _("%(field)s is '%(value)s'; expected yes or no.", field=name, value=v),
        )
        return None

    def number(
        self, name: str, low: float, high: float, integer: bool = False
    ) -> float | int | None:
        v = self.value(name)
        if v is None:
            return None
        try:
            if isinstance(v, bool):
                raise ValueError
            n = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
            if integer:
                if n != int(n):
                    raise ValueError
                n = int(n)
        except (TypeError, ValueError):
            self.problem(name, _("%(field)s is '%(value)s', not a number.", field=name, value=v))
            return None
        if not low <= n <= high:
            self.problem(
                name,
                _(
                    "%(field)s is %(value)s; it must lie between %(low)s and %(high)s.",
                    field=name,
                    value=v,
                    low=low if not integer else int(low),
                    high=high if not integer else int(high),
                ),
            )
            return None
        return n

    def date_value(self, name: str, required: bool = False) -> date | None:
        v = self.value(name)
        if v is None:
            if required:
                self.problem(name, _("%(field)s is required.", field=name))
            return None
        d = _parse_date(str(v))
        if d is None:
            self.problem(
                name,
                _(
                    "%(field)s is '%(value)s', not a date (use YYYY-MM-DD or DD.MM.YYYY).",
                    field=name,
                    value=v,
                ),
            )
        return d

    def timestamp(self, name: str, required: bool = False) -> datetime | None:
        v = self.value(name)
        if v is None:
            if required:
                self.problem(name, _("%(field)s is required.", field=name))
            return None
        s = str(v)
        d = _parse_date(s)
        if d is not None:
            return datetime.combine(d, time(0), tzinfo=UTC)
        try:
            ts = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            self.problem(
                name,
                _("%(field)s is '%(value)s', not a date and time (ISO 8601).", field=name, value=v),
            )
            return None
        if ts.tzinfo is None:
            # A time without zone from the mechanism is Central European; UTC is close enough
            # for ordering and far better than refusing the request.
            ts = ts.replace(tzinfo=UTC)
        return ts.astimezone(UTC)

    def string_list(self, name: str) -> list[str]:
        v = self.value(name)
        if v is None:
            return []
        if isinstance(v, str):
            items = [part.strip() for part in v.split(";")]
        elif isinstance(v, list):
            items = [str(part).strip() for part in v]
        else:
            self.problem(name, _("%(field)s must be a list.", field=name))
            return []
        return [item for item in items if item]

    def listing(self, name: str, max_items: int = 50, max_length: int = 200) -> list[str] | None:
        """A list the sender may leave out (None: unknown) or say is empty ([]: none)."""
        v = self.value(name)
        if v is None:
            return None
        if isinstance(v, str) and v.lower() in NONE_WORDS:
            return []
        if isinstance(v, list) and any(
            not isinstance(item, str | int | float) or isinstance(item, bool) for item in v
        ):
            self.problem(name, _("%(field)s must be a list of texts.", field=name))
            return None
        items = self.string_list(name)
        if len(items) > max_items:
            self.problem(name, _("%(field)s holds more than %(n)d items.", field=name, n=max_items))
            return None
        if any(len(item) > max_length for item in items):
            self.problem(
                name, _("%(field)s is longer than %(n)d characters.", field=name, n=max_length)
            )
            return None
        return items


def _parse_date(s: str) -> date | None:
    s = s.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def validate(raw: dict[str, Any], row: int, from_csv: bool, today: date) -> ParseResult:
    """Check and normalise one request; a problem for every field that is wrong."""
    if not isinstance(raw, dict):
        return ParseResult(problems=[Problem("", _("A request must be a JSON object."), row)])
    nul = _nul_fields(raw)
    if nul:
        # Stop here: such text must not travel further, not even in a problem message.
        return ParseResult(
            problems=[
                Problem(f, _("This field holds an invisible NUL character; remove it."), row)
                for f in nul
            ]
        )
    r = _Row(raw, row, from_csv)
    label = " · ".join(
        str(raw[k]).strip()[:60]
        for k in ("external_ref", "family_name")
        if isinstance(raw.get(k), str | int) and str(raw[k]).strip()
    )
    d: dict[str, Any] = {}
    d["external_ref"] = r.text("external_ref", required=True, max_length=100)
    d["source"] = r.choice("source", INTAKE_SOURCES, required=True)
    requested_at = r.timestamp("requested_at", required=True)
    d["requested_at"] = requested_at.isoformat() if requested_at else None
    country = r.text("sending_country", max_length=10)
    if country is not None:
        country = country.upper()
        if country not in COUNTRIES:
            r.problem(
                "sending_country",
                _("sending_country '%(value)s' is not an ISO 3166 country code.", value=country),
            )
    elif d["source"] == Source.EU_MEDEVAC:
        r.problem("sending_country", _("sending_country is required for EU MEDEVAC requests."))
    d["sending_country"] = country
    d["sending_facility"] = r.text("sending_facility", max_length=200)
    d["sending_hospital"] = r.text("sending_hospital", max_length=16)
    for name in ("family_name", "given_name"):
        d[name] = r.text(name, required=True, max_length=200)
    for name in ("family_name", "given_name"):
        latin = r.text(name + "_latin", max_length=200)
        d[name + "_latin"] = latin or (to_latin(d[name]) if d[name] else None)
    dob = r.date_value("date_of_birth")
    if dob is not None and dob > today:
        r.problem("date_of_birth", _("date_of_birth lies in the future."))
    d["date_of_birth"] = dob.isoformat() if dob else None
    d["age_years"] = r.number("age_years", 0, 120, integer=True)
    if dob is None and d["age_years"] is None and r.value("date_of_birth") is None:
        r.problem("date_of_birth", _("Give date_of_birth or age_years."))
    d["sex"] = r.choice("sex", Sex, required=True)
    d["languages"] = [code.lower() for code in r.string_list("languages")]
    for code in d["languages"]:
        if not BCP47.match(code):
            r.problem(
                "languages", _("'%(code)s' is not a language code such as uk or ru.", code=code)
            )
    d["diagnosis"] = r.text("diagnosis", required=True)
    d["icd10"] = [code.upper() for code in r.string_list("icd10")]
    for code in d["icd10"]:
        if not ICD10.match(code):
            r.problem(
                "icd10",
                _(
                    "'%(code)s' is not an ICD-10 code (a letter, two digits, e.g. S72.0).",
                    code=code,
                ),
            )
    d["war_related"] = r.boolean("war_related")
    d["requested_care"] = r.choice("requested_care", BedCategory, required=True)
    d["urgency"] = r.choice("urgency", Urgency, required=True)
    d["mobility"] = r.choice("mobility", Mobility, required=True)
    d["ventilated"] = r.boolean("ventilated")
    d["oxygen_l_min"] = r.number("oxygen_l_min", 0, 60)
    d["mdro_status"] = r.choice("mdro_status", MdroStatus, default=MdroStatus.UNKNOWN.value)
    d["isolation_required"] = r.boolean("isolation_required")
    d["weight_kg"] = r.number("weight_kg", 0.3, 400)
    d["allergies"] = r.text("allergies")
    d["medication"] = r.text("medication")
    d["companions"] = _companions(r)
    d["fit_to_fly"] = r.boolean("fit_to_fly")
    d["contact_name"] = r.text("contact_name", max_length=200)
    d["contact_phone"] = r.text("contact_phone", max_length=50)
    d["contact_email"] = r.text("contact_email", max_length=254)
    d["notes"] = r.text("notes")
    # Version 2 (clinical and logistic fields): a field the sender left out is not stored at
    # all, so it reads "unknown", and a version-1 request keeps the fingerprint it always had.
    d.update({k: v for k, v in _clinical_and_logistic(r).items() if v is not None})
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


def _clinical_and_logistic(r: _Row) -> dict[str, Any]:
    d: dict[str, Any] = {}
    d["patient_type"] = r.choice("patient_type", PatientType)
    d["region_of_origin"] = r.text("region_of_origin", max_length=100)
    d["place_type"] = r.choice("place_type", PlaceType)
    d["tracheostomy"] = r.boolean("tracheostomy")
    d["devices"] = r.listing("devices")
    d["vital_signs"] = _vital_signs(r)
    d["ventilation"] = _ventilation(r)
    d["mdro_organisms"] = r.listing("mdro_organisms", max_length=100)
    screened = r.date_value("mdro_screened_at")
    d["mdro_screened_at"] = screened.isoformat() if screened else None
    d["infections"] = r.listing("infections", max_length=100)
    d["isolation_type"] = r.choice("isolation_type", IsolationKind)
    d["code_status"] = r.choice("code_status", CodeStatus)
    d["pregnancy_weeks"] = r.number("pregnancy_weeks", 1, 45, integer=True)
    documents = r.listing("documents_received")
    allowed = [m.value for m in ReceivedDocument]
    for item in documents or []:
        if item.lower() not in allowed:
            r.problem(
                "documents_received",
                _(
                    "%(field)s is '%(value)s'; expected one of: %(allowed)s.",
                    field="documents_received",
                    value=item,
                    allowed=", ".join(allowed),
                ),
            )
    d["documents_received"] = (
        list(dict.fromkeys(item.lower() for item in documents)) if documents is not None else None
    )
    d["family_in_nl"] = r.text("family_in_nl", max_length=200)
    return d


def _measurements(
    sub: _Row, ranges: dict[str, tuple[float, float, bool]], prefix: str, r: _Row
) -> dict[str, Any]:
    out = {}
    for name, (low, high, integer) in ranges.items():
        value = sub.number(name, low, high, integer=integer)
        if value is not None:
            out[name] = value
    for p in sub.problems:
        r.problem(f"{prefix}{p.field}", p.message)
    sub.problems = []
    return out


def _vital_signs(r: _Row) -> dict[str, Any] | None:
    """The last vital signs: a JSON object, or CSV columns (vs_recorded_at, bp as 120/80)."""
    if r.csv:
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
    sub = _Row(raw, r.row, r.csv)
    out = _measurements(sub, VITAL_SIGNS, prefix, r)
    recorded = sub.timestamp("recorded_at")
    for p in sub.problems:
        r.problem("vs_recorded_at" if r.csv else f"{prefix}{p.field}", p.message)
    if not out:
        if recorded is not None:
            r.problem(
                "vs_recorded_at" if r.csv else "vital_signs",
                _("The vital signs give a time but no values."),
            )
        return None
    if recorded is not None:
        out["recorded_at"] = recorded.isoformat()
    return out


def _ventilation(r: _Row) -> dict[str, Any] | None:
    """Ventilator settings: a JSON object, or CSV columns vent_mode, fio2, peep_cmh2o."""
    if r.csv:
        raw, prefix = {"mode": r.raw.get("vent_mode"), **{k: r.raw.get(k) for k in VENTILATION}}, ""
    else:
        raw = r.value("ventilation")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            r.problem("ventilation", _("ventilation must be an object."))
            return None
        prefix = "ventilation."
    sub = _Row(raw, r.row, r.csv)
    out = _measurements(sub, VENTILATION, prefix, r)
    mode = sub.text("mode", max_length=100)
    for p in sub.problems:
        r.problem("vent_mode" if r.csv else f"{prefix}{p.field}", p.message)
    if mode is not None:
        out["mode"] = mode
    return out or None


def _companions(r: _Row) -> list[dict[str, Any]]:
    if r.csv:
        count = r.number("companion_count", 0, 10, integer=True) or 0
        notes = r.text("companion_notes")
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
        sub = _Row(item, r.row, False)
        age = sub.number("age_years", 0, 120, integer=True)
        out.append(
            {
                "name": sub.text("name", max_length=200),
                "relation": sub.text("relation", max_length=100),
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
        _merge(result, validate(raw, start, True, today))
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
    except json.JSONDecodeError as exc:
        return None, Problem("", _("Not valid JSON: %(error)s", error=exc))
    except RecursionError:
        return None, Problem("", _("The JSON is nested too deeply to be a request."))


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
    for index, raw in enumerate(items):
        _merge(result, validate(raw, index, False, today))
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
