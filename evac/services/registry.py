"""The registry of ROAZ regions and hospitals: loading it from the shipped data, and reading it."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from evac.config import PACKAGE_DIR
from evac.extensions import db
from evac.models import Hospital, Region
from evac.services import audit
from evac.terms import BedCategory

DATA_DIR = PACKAGE_DIR / "data"


def capabilities_for(kind: str, burn_centre: bool, picu: bool) -> list[str]:
    """The bed categories a hospital of this kind offers (the registry does not list beds)."""
    caps = [BedCategory.IC, BedCategory.CLINICAL, BedCategory.PAEDIATRIC]
    if kind in ("umc", "top_clinical"):
        caps += [BedCategory.ONCOLOGY, BedCategory.REHABILITATION]
    if picu:
        caps.append(BedCategory.PICU)
    if burn_centre:
        caps.append(BedCategory.BURNS)
    return [str(c) for c in caps]


def load_registry(data_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Insert or update the regions and hospitals from the CSV registry; returns the counts."""
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    with open(data_dir / "roaz_regions.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            region = regions.get(row["code"]) or Region(code=row["code"])
            region.name = row["name"]
            region.trauma_centre = row["trauma_centre"]
            region.provinces = row["provinces"]
            db.session.add(region)
            regions[region.code] = region
    hospitals = {h.code: h for h in db.session.scalars(select(Hospital))}
    added = 0
    with open(data_dir / "hospitals_nl.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            hospital = hospitals.get(row["code"])
            if hospital is None:
                hospital = Hospital(code=row["code"])
                added += 1
            hospital.name = row["name"]
            hospital.city = row["city"]
            hospital.region = regions[row["region"]]
            hospital.lat = float(row["lat"])
            hospital.lon = float(row["lon"])
            hospital.kind = row["type"]
            hospital.burn_centre = row["burn_centre"] == "1"
            hospital.trauma_centre = row["trauma_centre"] == "1"
            hospital.picu = row["picu"] == "1"
            hospital.capabilities = capabilities_for(
                hospital.kind, hospital.burn_centre, hospital.picu
            )
            db.session.add(hospital)
    if added:
        audit.record(None, "registry.loaded", None, hospitals_added=added)
    db.session.commit()
    return len(regions), len(hospitals) + added


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def hospital(code: str) -> Hospital | None:
    return db.session.scalar(select(Hospital).where(Hospital.code == code))


def hospitals() -> list[Hospital]:
    return list(db.session.scalars(select(Hospital).order_by(Hospital.name)))
