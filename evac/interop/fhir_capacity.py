"""Capacity per region and day as FHIR R4 MeasureReports in the style of the SANER capacity
measures (summary reports aggregated per region, with the CDC bed populations), plus one group
per evac bed category; several regions travel as a collection Bundle.

Plain dicts out: the tests validate them with the fhir.resources models.
"""

from __future__ import annotations

import uuid
from datetime import datetime

SANER_MEASURE = "http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity"
SANER_VALUES = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues"
SANER_GROUPS = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasureGroupSystem"
EVAC_CATEGORY = "urn:evac:bed-category"
EVAC_POPULATION = "urn:evac:bed-population"
REGION_SYSTEM = "urn:evac:region"


def _concept(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _population(system: str, code: str, count: int) -> dict:
    return {"code": _concept(system, code), "count": int(count)}


def measure_report(region: str, name: str, day, start: datetime, end: datetime,
                   beds: dict[str, tuple[int, int]], reporter: str, made: datetime) -> dict:  # fmt: skip
    """`beds`: {category: (staffed, occupied)} for the region that day."""
    total = sum(c for c, _ in beds.values())
    occupied = sum(o for _, o in beds.values())
    icu = [beds[c] for c in ("ic", "picu") if c in beds]
    groups = [{
        "code": _concept(SANER_GROUPS, "Beds"),
        "population": [
            _population(SANER_VALUES, "numBeds", total),
            _population(SANER_VALUES, "numBedsOcc", occupied),
            _population(SANER_VALUES, "numICUBeds", sum(c for c, _ in icu)),
            _population(SANER_VALUES, "numICUBedsOcc", sum(o for _, o in icu)),
        ],
    }]  # fmt: skip
    for category, (staffed, occ) in sorted(beds.items()):
        groups.append({
            "code": _concept(EVAC_CATEGORY, category),
            "population": [_population(EVAC_POPULATION, "staffed", staffed),
                           _population(EVAC_POPULATION, "occupied", occ)],
            **({"measureScore": {"value": round(occ / staffed, 4)}} if staffed else {}),
        })  # fmt: skip
    return {
        "resourceType": "MeasureReport",
        "id": f"{region}-{day.isoformat()}",
        "status": "complete",
        "type": "summary",
        "measure": SANER_MEASURE,
        "subject": {"identifier": {"system": REGION_SYSTEM, "value": region}, "display": name},
        "date": made.isoformat(timespec="seconds"),
        "reporter": {"display": reporter},
        "period": {
            "start": start.isoformat(timespec="seconds"),
            "end": end.isoformat(timespec="seconds"),
        },  # fmt: skip
        "group": groups,
    }


def bundle(reports: list[dict], made: datetime) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": made.isoformat(timespec="seconds"),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'evac:' + r['id'])}",
                "resource": r,
            }
            for r in reports
        ],
    }
