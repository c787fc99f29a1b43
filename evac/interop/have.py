"""Hospital availability as OASIS EDXL-HAVE 2.0 XML: per hospital its bed categories with the
staffed (baseline) and available counts, and when it last reported.

Our categories map onto HAVE's bed categories; where HAVE has no own category (oncology) the
nearest one carries ours as SubCategoryBedType, the extension point HAVE provides for that.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

NS = "urn:oasis:names:tc:emergency:EDXL:HAVE:2.0"
GML = "http://www.opengis.net/gml/3.2"

# evac category -> (HAVE BedCategory, SubCategoryBedType or None)
BED_CATEGORY = {
    "ic": ("AdultICU", None),
    "picu": ("PediatricICU", None),
    "paediatric": ("Pediatrics", None),
    "clinical": ("MedicalSurgical", None),
    "burns": ("Burn", None),
    "oncology": ("MedicalSurgical", "Oncology"),
    "rehabilitation": ("MedicalSurgical", "Rehabilitation"),
    "isolation": ("OtherIsolation", None),
}


def _el(parent, name: str, text: str | None = None, ns: str = NS) -> ET.Element:
    e = ET.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        e.text = text
    return e


def hospital_status(hospitals: list[dict]) -> bytes:
    """`hospitals`: dicts with code, name, lat, lon, reported_at (datetime or None) and beds
    {category: (baseline, available)}."""
    ET.register_namespace("have", NS)
    ET.register_namespace("gml", GML)
    root = ET.Element(f"{{{NS}}}HospitalStatus")
    for h in hospitals:
        hospital = _el(root, "Hospital")
        org = _el(hospital, "Organization")
        info = _el(org, "OrganizationInformation")
        _el(info, "OrganizationName", h["name"])
        _el(info, "OrganizationID", h["code"])
        geo = _el(org, "OrganizationGeoLocation")
        point = _el(geo, "Point", ns=GML)
        _el(point, "pos", f"{h['lat']:.5f} {h['lon']:.5f}", ns=GML)
        status = _el(hospital, "HospitalBedCapacityStatus")
        for category, (baseline, available) in sorted(h["beds"].items()):
            mapped, sub = BED_CATEGORY.get(category, ("MedicalSurgical", category))
            bed = _el(status, "BedCapacity")
            _el(bed, "BedCategory", mapped)
            if sub:
                _el(bed, "SubCategoryBedType", sub)
            capacity = _el(bed, "Capacity")
            _el(capacity, "CapacityStatus", "VacantAvailable" if available > 0 else "NotAvailable")
            _el(capacity, "AvailableCount", str(available))
            _el(capacity, "BaselineCount", str(baseline))
        reported: datetime | None = h.get("reported_at")
        if reported is not None:
            _el(hospital, "LastUpdateTime", reported.isoformat(timespec="seconds"))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
