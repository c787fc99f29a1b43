"""Demo data: the registry, one user per role, and about forty realistic evacuation requests
spread over the workflow. Everything goes through the services, as a user's actions would;
running it twice changes nothing."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from evac.extensions import db
from evac.models import User
from evac.services import intake as intake_service
from evac.services import registry
from evac.services import users as user_service
from evac.services.errors import Conflict
from evac.terms import ImportChannel

DEMO_USERS = [
    ("admin@evac.example", "admin", None, "Anna de Vries"),
    ("coordinator@evac.example", "coordinator", None, "Pieter Jansen"),
    ("viewer@evac.example", "viewer", None, "Lotte Bakker"),
    ("umcg@evac.example", "hospital", "UMCG", "Sanne Visser (UMCG)"),
    ("mst2@evac.example", "hospital", "MST2", "Daan Smit (Maasstad)"),
    ("umcu@evac.example", "hospital", "UMCU", "Eva Mulder (UMC Utrecht)"),
    # the regional centre (RCPS) of Noord-Holland and Flevoland: the busy west
    ("rcps-nw@evac.example", "regional", "NW", "Joost de Boer (RCPS NW)"),
    # a partner in the care chain (e.g. the ministry): the situation, never a patient
    ("partner@evac.example", "partner", None, "Fatima El Amrani (VWS)"),
]
# One password for every demo login, easy to type at a demo and acceptable to the password rules
# (which refuse a password holding the e-mail address, as role + suffix would).
DEMO_PASSWORD = "tulip-harbour-2026"

FAMILY = [
    ("Шевченко", "Shevchenko"), ("Коваленко", "Kovalenko"), ("Бондаренко", "Bondarenko"),
    ("Ткаченко", "Tkachenko"), ("Кравченко", "Kravchenko"), ("Олійник", "Oliinyk"),
    ("Шевчук", "Shevchuk"), ("Поліщук", "Polishchuk"), ("Бойко", "Boiko"), ("Мельник", "Melnyk"),
    ("Ковальчук", "Kovalchuk"), ("Лисенко", "Lysenko"), ("Марченко", "Marchenko"),
    ("Савченко", "Savchenko"), ("Руденко", "Rudenko"), ("Мороз", "Moroz"), ("Павленко", "Pavlenko"),
    ("Гончаренко", "Honcharenko"), ("Кузьменко", "Kuzmenko"), ("Левченко", "Levchenko"),
]  # fmt: skip
MALE = [
    "Олександр",
    "Андрій",
    "Дмитро",
    "Сергій",
    "Іван",
    "Микола",
    "Тарас",
    "Богдан",
    "Юрій",
    "Максим",
]
FEMALE = [
    "Олена",
    "Наталія",
    "Ірина",
    "Тетяна",
    "Оксана",
    "Марія",
    "Юлія",
    "Катерина",
    "Софія",
    "Ганна",
]
CHILD_M = ["Артем", "Матвій", "Назар", "Тимофій"]
CHILD_F = ["Злата", "Вероніка", "Соломія", "Мілана"]

# (diagnosis, icd10, requested care, age band, ventilated, burns)
PICTURES = [
    ("Blast injury, open femur fracture right, external fixator", "S72.3;T14.1", "clinical", "adult", False),
    ("Traumatic amputation left leg below knee, wound infection", "S88.1;T79.3", "clinical", "adult", False),
    ("Polytrauma after shelling, ventilated, chest drain", "T07;S27.0", "ic", "adult", True),
    ("Burns 35% TBSA, second and third degree, face and arms", "T31.3;T20.3", "burns", "adult", False),
    ("Burns 20% TBSA after explosion, inhalation injury", "T31.2;T27.1", "burns", "adult", True),
    ("Traumatic brain injury, post craniotomy, GCS 9", "S06.2", "ic", "adult", True),
    ("Acute myeloid leukaemia, induction chemotherapy interrupted", "C92.0", "oncology", "adult", False),
    ("Breast cancer stage III, needs radiotherapy", "C50.9", "oncology", "adult", False),
    ("Spinal cord injury T10, paraplegia, needs rehabilitation", "S24.1;G82.2", "rehabilitation", "adult", False),
    ("Acute lymphoblastic leukaemia, child, chemotherapy", "C91.0", "paediatric", "child", False),
    ("Shrapnel wounds abdomen, child, post laparotomy", "S31.1", "paediatric", "child", False),
    ("Severe burns 25% TBSA, child", "T31.2;T24.3", "burns", "child", False),
    ("Ventilated child after blast injury, lung contusion", "S27.3", "picu", "child", True),
    ("Chronic renal failure, haemodialysis interrupted", "N18.5", "clinical", "adult", False),
    ("Osteomyelitis tibia after gunshot wound, MDRO suspected", "M86.1;T81.4", "clinical", "adult", False),
]  # fmt: skip

FACILITIES = [
    "Kyiv City Clinical Hospital No. 17", "Lviv Regional Clinical Hospital",
    "Dnipro Mechnikov Regional Hospital", "Kharkiv Regional Clinical Hospital",
    "Zaporizhzhia Regional Hospital", "Odesa Regional Clinical Hospital",
    "Okhmatdyt National Children's Hospital, Kyiv", "EU MEDEVAC hub Rzeszów",
]  # fmt: skip


def demo_requests(count: int = 40, seed: int = 7, today: date | None = None) -> list[dict]:
    """Realistic requests in the exchange format (../shared/specs/intake.md)."""
    rng = random.Random(seed)
    # The clinical and logistic fields of intake version 2 draw from their own generator, so
    # the patients of earlier demos keep their names and pictures.
    more = random.Random(seed + 1000)
    today = today or date(2026, 11, 24)
    requests = []
    for i in range(count):
        diagnosis, icd10, care, band, ventilated = PICTURES[i % len(PICTURES)]
        female = rng.random() < 0.45
        family, _latin = FAMILY[rng.randrange(len(FAMILY))]
        if band == "child":
            given = rng.choice(CHILD_F if female else CHILD_M)
            age = rng.randint(2, 15)
        else:
            given = rng.choice(FEMALE if female else MALE)
            age = rng.randint(19, 74)
        if female and family.endswith(("ий", "ой")):
            family = family[:-2] + "а"
        dob = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        urgency = (
            "immediate"
            if ventilated and rng.random() < 0.5
            else rng.choice(["urgent", "urgent", "routine", "routine", "routine"])
        )
        companions = []
        if band == "child":
            companions.append(
                {
                    "name": f"{rng.choice(FEMALE)} {family}",
                    "relation": "mother",
                    "age_years": age + 27,
                }
            )
        elif rng.random() < 0.25:
            companions.append({"name": f"{rng.choice(FEMALE)} {family}", "relation": "wife",
                               "age_years": age - 2})  # fmt: skip
        requests.append(
            {
                "external_ref": f"UCPM-MEDEVAC-2026-{1800 + i:05d}",
                "source": "eu_medevac",
                "requested_at": (datetime(2026, 11, 3, 9, tzinfo=UTC) + timedelta(hours=11 * i)).isoformat(),
                "sending_country": "UA" if i % 9 else "PL",
                "sending_facility": FACILITIES[i % len(FACILITIES)],
                "family_name": family,
                "given_name": given,
                "date_of_birth": dob.isoformat(),
                "sex": "female" if female else "male",
                "languages": ["uk"] if i % 5 else ["uk", "ru"],
                "diagnosis": diagnosis,
                "icd10": icd10.split(";"),
                "war_related": not icd10.startswith(("C", "N")),
                "requested_care": care,
                "urgency": urgency,
                "mobility": "stretcher" if ventilated or care in ("ic", "burns", "picu") else rng.choice(["stretcher", "seated", "walking"]),
                "ventilated": ventilated,
                "oxygen_l_min": 4 if ventilated else (2 if rng.random() < 0.2 else 0),
                "mdro_status": rng.choice(["unknown", "unknown", "positive", "negative"]),
                "isolation_required": rng.random() < 0.3,
                "weight_kg": 20 + age if band == "child" else rng.randint(55, 95),
                "allergies": rng.choice(["Penicillin", "None known", "Metamizole", "None known", "Latex"]),
                "medication": rng.choice([
                    "Paracetamol 1 g 4x daily; enoxaparin 40 mg sc daily",
                    "Morphine 10 mg sc as needed; omeprazole 40 mg",
                    "Meropenem 1 g 3x daily iv; paracetamol",
                    "Ondansetron 8 mg; dexamethasone 4 mg",
                ]),
                "companions": companions,
                "fit_to_fly": rng.random() < 0.9,
                "contact_name": rng.choice(["Dr. Oksana Hnatiuk", "Dr. Ihor Petrenko", "Dr. Larysa Zinchenko"]),
                "contact_phone": f"+380 44 {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "notes": None,
                **_clinical_and_logistic(more, i, ventilated, female, age, band, icd10),
            }
        )  # fmt: skip
    return requests


OBLASTS = ("Kharkivska", "Donetska", "Zaporizka", "Dnipropetrovska", "Sumska", "Khersonska",
           "Kyivska", "Mykolaivska")  # fmt: skip


def _clinical_and_logistic(rng: random.Random, i: int, ventilated: bool, female: bool, age: int,
                           band: str, icd10: str) -> dict:  # fmt: skip
    """Version-2 fields as senders fill them: most, not all (what is left out stays unknown)."""
    war = not icd10.startswith(("C", "N"))
    out: dict = {
        "patient_type": "military" if war and not female and band == "adult" and rng.random() < 0.4 else "civilian",
        "region_of_origin": OBLASTS[i % len(OBLASTS)],
        "documents_received": ["discharge_summary", "consent_transfer"]
        + (["imaging"] if rng.random() < 0.6 else []) + (["lab_results"] if rng.random() < 0.5 else []),
        "code_status": "full" if rng.random() < 0.85 else "unknown",
    }  # fmt: skip
    if rng.random() < 0.8:  # one sender in five sends no vital signs
        out["vital_signs"] = {
            "recorded_at": (datetime(2026, 11, 3, 6, tzinfo=UTC) + timedelta(hours=11 * i - 3)).isoformat(),
            "gcs": 15 if not ventilated else rng.randint(3, 8),
            "heart_rate": rng.randint(70, 118), "systolic_bp": rng.randint(95, 145),
            "diastolic_bp": rng.randint(55, 90), "resp_rate": rng.randint(12, 24),
            "spo2": rng.randint(92, 99), "temperature_c": round(rng.uniform(36.4, 38.6), 1),
        }  # fmt: skip
    if ventilated:
        out["ventilation"] = {"mode": rng.choice(["SIMV", "PC-AC", "VC-AC"]),
                              "fio2": rng.choice([0.35, 0.4, 0.5]), "peep_cmh2o": rng.choice([5, 6, 8])}  # fmt: skip
        out["devices"] = ["central line", "arterial line", "urinary catheter"]
        out["tracheostomy"] = rng.random() < 0.3
    elif rng.random() < 0.5:
        out["devices"] = rng.choice(
            [[], ["external fixator"], ["urinary catheter"], ["chest drain"]]
        )
    if i % 13 == 6:
        out["infections"] = ["tuberculosis"]  # airborne: a negative-pressure room
    if rng.random() < 0.3:
        out["mdro_organisms"] = [rng.choice(["ESBL", "MDR-Acinetobacter", "MRSA", "CPE"])]
        out["mdro_screened_at"] = date(2026, 10, 28).isoformat()
        out["mdro_status"] = "positive"
    if female and band == "adult" and age < 40 and rng.random() < 0.2:
        out["pregnancy_weeks"] = rng.randint(12, 32)
    if rng.random() < 0.3:
        out["family_in_nl"] = rng.choice(["Zwolle", "Assen", "Utrecht", "Eindhoven", "Rotterdam"])
    return out


def seed() -> list[tuple[str, str, str]]:
    """Load everything; returns the demo logins (e-mail, role, password)."""
    registry.load_registry()
    logins = []
    for email, role, hospital, name in DEMO_USERS:
        password = DEMO_PASSWORD
        if db.session.scalar(select(User).where(User.email == email)) is None:
            user_service.create_user(
                email, role, name=name, password=password,
                hospital_code=hospital if role == "hospital" else None,
                region_code=hospital if role == "regional" else None,
            )  # fmt: skip
        logins.append((email, role if not hospital else f"{role} {hospital}", password))
    payload = json.dumps({"requests": demo_requests()}, ensure_ascii=False).encode()
    intake_service.register_requests(
        None, ImportChannel.FILE, payload, filename="demo-requests.json"
    )
    for step in EXTRA_STEPS:
        step()
    return logins


# --------------------------------------------------------------------------------------------
# Capacity: 14 days of daily reports for every hospital, sized by the kind of hospital.

# (low, high) staffed beds per category and hospital kind
BED_RANGES = {
    "umc": {"ic": (30, 48), "clinical": (550, 850), "paediatric": (40, 80), "picu": (10, 20),
            "oncology": (40, 60), "rehabilitation": (10, 20)},
    "top_clinical": {"ic": (16, 30), "clinical": (380, 650), "paediatric": (20, 40),
                     "oncology": (20, 40), "rehabilitation": (10, 20), "burns": (12, 18)},
    "general": {"ic": (6, 14), "clinical": (150, 340), "paediatric": (10, 24)},
}  # fmt: skip
# Busier regions (the west and the south-west) make the spread worth watching.
REGION_LOAD = {"WEST": 0.9, "ZWN": 0.88, "SZN": 0.87, "NW": 0.85, "MN": 0.83, "BRA": 0.84}
# These hospitals' last report is two days old: the page must flag them as stale.
LATE_REPORTERS = {"ANT", "DEV", "ZGT"}
DEMO_HOSPITALS = {code for _e, _r, code, _n in DEMO_USERS if code}


def seed_capacity(days: int = 14, now: datetime | None = None) -> None:
    from evac.models import CapacityReport, Hospital
    from evac.services import capacity

    if db.session.scalar(select(CapacityReport.id).limit(1)) is not None:
        return
    now = now or datetime.now(UTC)
    rng = random.Random(11)
    for hospital in db.session.scalars(select(Hospital).order_by(Hospital.code)):
        ranges = BED_RANGES[hospital.kind]
        beds = {c: rng.randint(*ranges[c]) for c in hospital.capabilities if c in ranges}
        if hospital.burn_centre and "burns" not in beds:
            beds["burns"] = rng.randint(12, 18)
        level = REGION_LOAD.get(hospital.region.code, 0.78) + rng.uniform(-0.06, 0.05)
        last_day = 2 if hospital.code in LATE_REPORTERS else 0
        for day in range(days - 1, last_day - 1, -1):
            level = min(1.0, max(0.6, level + rng.uniform(-0.03, 0.03)))
            figures = capacity.Figures(
                {c: (n, min(n, round(n * min(1.0, level + rng.uniform(-0.08, 0.06)))))
                 for c, n in beds.items()},
                isolation_free=rng.choice([0, 1, 1, 2, 2, 3, 4]),
                # negative-pressure rooms: the academic centres have a few
                airborne_free=(day + len(hospital.code)) % 3 if hospital.code.startswith("UMC") else 0,
            )  # fmt: skip
            if day == last_day and hospital.code in DEMO_HOSPITALS:
                # The demo's hospital users must be able to accept: keep a few beds free.
                figures.categories = {
                    c: (n, min(o, n - 3)) for c, (n, o) in figures.categories.items()
                }
                figures.isolation_free = max(figures.isolation_free, 2)
                figures.airborne_free = max(figures.airborne_free, 1)
            at = now - timedelta(days=day, hours=rng.uniform(0, 3))
            capacity.record_report(None, hospital, figures, "demo", at)
    db.session.commit()


def seed_transport_capacity() -> None:
    from evac.models import Region, TransportCapacityReport

    if db.session.scalar(select(TransportCapacityReport.id).limit(1)) is not None:
        return
    rng = random.Random(5)
    for region in db.session.scalars(select(Region).order_by(Region.code)):
        db.session.add(
            TransportCapacityReport(
                region=region, ambulances=rng.randint(2, 9), micu=rng.randint(0, 2)
            )
        )
    db.session.commit()


# --------------------------------------------------------------------------------------------
# The workflow: most cases triaged by the coordinator, a few still waiting, one cancelled.


def _coordinator() -> User:
    return db.session.scalar(select(User).where(User.email == "coordinator@evac.example"))


def _demo_cases():
    from evac.models import Case

    return list(
        db.session.scalars(
            select(Case)
            .where(Case.external_ref.like("UCPM-MEDEVAC-2026-%"))
            .order_by(Case.external_ref)
        )
    )


def seed_triage() -> None:
    from evac.services import cases as case_service
    from evac.services import triage as triage_service

    coordinator = _coordinator()
    for i, case in enumerate(_demo_cases()):
        # Every fifth request stays in the triage queue; one was withdrawn by its sender.
        if case.status != "received" or i % 5 == 4:
            continue
        if i == 7:
            case_service.cancel_case(
                coordinator, case.reference, "Withdrawn by the sender: patient treated in Poland"
            )
            continue
        triage_service.triage_case(
            coordinator, case.reference, triage_service.starting_values(case)
        )


def seed_offers() -> None:
    """Offers pending at UMCG and Maasstad (both have demo users), patients accepted at UMC
    Utrecht and elsewhere, and one declined case back in placement."""
    from evac.models import Offer
    from evac.services import offers

    if db.session.scalar(select(Offer.id).limit(1)) is not None:
        return
    coordinator = _coordinator()
    hospital_user = {
        code: db.session.scalar(select(User).where(User.hospital.has(code=code)))
        for code in ("UMCG", "MST2", "UMCU")
    }
    plan = ["UMCG", "MST2", "UMCG", "MST2", "UMCU", "UMCU", "UMCU", "ETZ", "CZE", "MMC", "decline"]
    triaged = [c for c in _demo_cases() if c.status == "triaged"]
    for case in triaged:
        if not plan:
            break
        target = plan[0]
        code = "UMCG" if target == "decline" else target
        hospital = registry.hospital(code)
        if case.bed_category not in hospital.capabilities:
            continue
        plan.pop(0)
        offer = offers.make_offer(coordinator, case.reference, code)
        if target == "decline":
            offers.decline_offer(
                hospital_user["UMCG"], offer.id, "no_isolation", "Both isolation rooms are occupied"
            )
        elif code not in ("UMCG", "MST2"):
            answering = (
                hospital_user.get(code) or coordinator
            )  # by phone for hospitals without users
            # Without a free bed in the generated figures the offer stays pending.
            with contextlib.suppress(Conflict):
                offers.accept_offer(answering, offer.id, offers.Acceptance(
                    ward="Trauma ward B3" if case.bed_category == "clinical" else "Ward " + case.bed_category.upper(),
                    contact_name="Dr. M. de Jong", contact_phone="+31 88 755 5555"))  # fmt: skip


def seed_flight(now: datetime | None = None) -> None:
    """A flight landing today with six accepted patients for four hospitals: the arrival board
    can be worked from the departure to the last ambulance."""
    from zoneinfo import ZoneInfo

    from evac.models import Case, Flight
    from evac.services import offers, transport

    if db.session.scalar(select(Flight.id).limit(1)) is not None:
        return
    coordinator = _coordinator()
    zone = ZoneInfo("Europe/Amsterdam")
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    flight = transport.create_flight(coordinator, transport.FlightInput(
        code=f"NOR-MEDEVAC-{today:%m%d}", operator="SAS / Norwegian Armed Forces Joint Medical Services",
        planned_departure=datetime.combine(today, time(10, 30), zone),
        planned_arrival=datetime.combine(today, time(14, 45), zone),
        stretcher_places=18, seated_places=39, arrival_airport="EIN",
        notes="Multi-stop: Rzeszów - Cologne - Eindhoven",
    ))  # fmt: skip
    accepted = list(
        db.session.scalars(select(Case).where(Case.status == "accepted").order_by(Case.reference))
    )
    # A sixth patient for the fourth hospital: accepted by phone at UMC Utrecht.
    hospitals = {c.hospital.code for c in accepted}
    for case in _demo_cases():
        if len(accepted) >= 6 or case.status != "triaged":
            continue
        room = next((c for c in offers.candidates(case) if c.hospital.code == "UMCU"), None)
        isolation = case.triage.isolation_required if case.triage else False
        if room is None or room.free < 1 or (isolation and room.isolation_free < 1):
            continue
        offer = offers.make_offer(coordinator, case.reference, "UMCU")
        with contextlib.suppress(Conflict):
            offers.accept_offer(coordinator, offer.id, offers.Acceptance(
                ward="Trauma ward B3", contact_name="Dr. E. Mulder", contact_phone="+31 88 755 5555"))  # fmt: skip
            accepted.append(case)
            hospitals.add("UMCU")
    for case in accepted[:6]:
        transport.put_on_flight(coordinator, case.reference, flight.id)
    # The flight physician has cleared all but the last: the flight page shows who still waits.
    for case in accepted[:5]:
        ventilated = bool(case.triage and case.triage.ventilated)
        transport.confirm_fitness(coordinator, case.reference, transport.FitnessInput(
            physician="Dr. I. Kovalenko (flight physician)",
            equipment="Transport ventilator, oxygen, syringe pumps" if ventilated else "Oxygen on demand",
            attendants="IC nurse and physician" if ventilated else "Flight nurse"))  # fmt: skip


def seed_domestic() -> None:
    """Two requests from Dutch regions that could not place a patient themselves."""
    payload = {"requests": [
        {"external_ref": "RCPS-WEST-2026-0311", "source": "domestic", "requested_at": "2026-11-24T21:40:00+01:00",
         "sending_hospital": "HMC", "family_name": "de Graaf", "given_name": "Johanna", "date_of_birth": "1951-06-02",
         "sex": "female", "languages": ["nl"], "diagnosis": "Respiratory failure, COPD exacerbation, ventilated",
         "icd10": ["J96.0", "J44.1"], "requested_care": "ic", "urgency": "immediate", "mobility": "stretcher",
         "ventilated": True, "mdro_status": "negative", "notes": "No IC bed free in region West tonight"},
        {"external_ref": "RCPS-ZWN-2026-0127", "source": "domestic", "requested_at": "2026-11-25T02:10:00+01:00",
         "sending_hospital": "MST2", "family_name": "Yılmaz", "given_name": "Emre", "age_years": 8, "sex": "male",
         "languages": ["nl", "tr"], "diagnosis": "Severe sepsis, child", "icd10": ["A41.9"],
         "requested_care": "picu", "urgency": "urgent", "mobility": "stretcher", "mdro_status": "unknown"},
    ]}  # fmt: skip
    intake_service.register_requests(
        None, ImportChannel.API, json.dumps(payload).encode(), filename="rcps-requests.json",
        content_type="application/json",
    )  # fmt: skip


# Later areas add functions here that move demo cases through
# the workflow; each must be harmless when run twice.
EXTRA_STEPS: list = [
    seed_capacity,
    seed_transport_capacity,
    seed_triage,
    seed_offers,
    seed_flight,
    seed_domestic,
]
