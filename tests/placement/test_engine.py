"""The placement engine against ../shared/specs/placement.md: hand-computed objectives, the
exact solver against brute force, greedy never better, the command's contract, explanations."""

import itertools
import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evac.placement import (
    check_feasible,
    haversine_km,
    objective,
    parse_instance,
    solve,
    solve_greedy,
)
from evac.placement.instance import InstanceError, Point

AMSTERDAM = Point(52.3676, 4.9041)
EINDHOVEN = Point(51.4416, 5.4697)


def test_haversine_against_a_hand_computation():
    # Δφ = -0.016157 rad, Δλ = 0.0098776 rad, φ1 = 0.913957 rad, φ2 = 0.897800 rad:
    # h = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) = 6.5262e-5 + 0.60953·0.62209·2.43912e-5
    #   = 7.4511e-5 -> d = 2·6371·asin(√h) = 109.99 km
    assert haversine_km(AMSTERDAM, EINDHOVEN) == pytest.approx(109.99, abs=0.05)
    assert haversine_km(AMSTERDAM, AMSTERDAM) == 0


def instance(patients, hospitals=None, **weights):
    data = {
        "origin": {"lat": 51.4501, "lon": 5.3747},
        "hospitals": hospitals or [
            {"id": "A", "region": "R1", "lat": 51.4501, "lon": 5.3747, "capacity": {"ic": 10}, "occupied": {"ic": 8}, "isolation_free": 1},
            {"id": "B", "region": "R2", "lat": 51.4501, "lon": 5.3747, "capacity": {"ic": 10}, "occupied": {"ic": 2}},
        ],
        "patients": patients,
    }  # fmt: skip
    if weights:
        data["weights"] = weights
    return parse_instance(data)


def test_the_load_term_for_two_patients_in_one_region():
    inst = instance([{"id": "P1", "category": "ic"}, {"id": "P2", "category": "ic"}])
    # both at A (distance 0): region R1 occ 8, cap 10 -> 100 × (9/10 + 10/10) = 190
    assert objective(inst, {"P1": "A", "P2": "A"}) == pytest.approx(190.0)
    # one each: 100 × 9/10 + 100 × 3/10 = 120
    assert objective(inst, {"P1": "A", "P2": "B"}) == pytest.approx(120.0)


def test_unplaced_penalties_by_priority_with_a_partial_map():
    inst = instance([{"id": "P1", "category": "ic", "priority": 1}, {"id": "P2", "category": "ic"}],
                    unplaced={"1": 500})  # fmt: skip
    assert objective(inst, {"P1": None, "P2": None}) == pytest.approx(500 + 2000)


def test_distance_from_the_patients_own_origin():
    inst = instance([{"id": "P1", "category": "ic", "origin": {"lat": 52.3676, "lon": 4.9041}}],
                    hospitals=[{"id": "E", "region": "R", "lat": 51.4416, "lon": 5.4697,
                                "capacity": {"ic": 1}, "occupied": {"ic": 0}}], load=0)  # fmt: skip
    assert objective(inst, {"P1": "E"}) == pytest.approx(109.99, abs=0.05)


def test_a_group_goes_together_or_not_at_all():
    patients = [
        {"id": "M", "category": "ic", "group": "g"},
        {"id": "C", "category": "ic", "group": "g"},
    ]
    inst = instance(patients, hospitals=[
        {"id": "A", "region": "R1", "lat": 51.4, "lon": 5.4, "capacity": {"ic": 1}, "occupied": {"ic": 0}},
        {"id": "B", "region": "R2", "lat": 51.4, "lon": 5.4, "capacity": {"ic": 1}, "occupied": {"ic": 0}},
    ])  # fmt: skip
    assert check_feasible(inst, {"M": "A", "C": "B"}) == ["group g is split over ['A', 'B']"]
    result = solve(inst)
    assert result.assignment == {"M": None, "C": None} and result.objective == pytest.approx(4000)
    assert result.details["M"]["reason"] == "group_cannot_stay_together"


def test_reasons_for_patients_nobody_can_take():
    inst = instance([{"id": "K", "category": "picu"}, {"id": "I", "category": "ic", "isolation": True},
                     {"id": "J", "category": "ic", "isolation": True}],
                    hospitals=[{"id": "A", "region": "R", "lat": 51.4, "lon": 5.4, "capacity": {"ic": 5},
                                "occupied": {"ic": 0}, "isolation_free": 0}])  # fmt: skip
    details = solve(inst).details
    assert details["K"]["reason"] == "no_free_bed"
    assert details["I"]["reason"] == "no_isolation_room"


def test_airborne_patients_take_negative_pressure_rooms_and_contact_ones_single_rooms():
    hospitals = [
        {"id": "A", "region": "R", "lat": 51.4, "lon": 5.4, "capacity": {"ic": 5},
         "occupied": {"ic": 0}, "isolation_free": 1},
        {"id": "B", "region": "R", "lat": 52.4, "lon": 4.9, "capacity": {"ic": 5},
         "occupied": {"ic": 0}, "isolation_free": 0, "airborne_free": 1},
    ]  # fmt: skip
    inst = instance([{"id": "TB", "category": "ic", "isolation": "airborne", "priority": 1},
                     {"id": "TB2", "category": "ic", "isolation": "airborne", "priority": 2},
                     {"id": "MRSA", "category": "ic", "isolation": "contact", "priority": 1},
                     {"id": "MRSA2", "category": "ic", "isolation": True, "priority": 2}],
                    hospitals=hospitals)  # fmt: skip
    for result in (solve(inst), solve_greedy(inst)):
        # The airborne patient goes to the farther hospital: the near one has no such room.
        assert result.assignment == {"TB": "B", "TB2": None, "MRSA": "A", "MRSA2": None}
        assert check_feasible(inst, result.assignment) == []
    details = solve(inst).details
    assert details["TB2"]["reason"] == "capacity_used_by_more_urgent"
    alone = instance([{"id": "TB", "category": "ic", "isolation": "airborne"}],
                     hospitals=hospitals[:1])  # fmt: skip
    assert solve(alone).details["TB"]["reason"] == "no_negative_pressure_room"
    # An assignment that puts two airborne patients in one negative-pressure room is refused.
    assert check_feasible(inst, {"TB": "B", "TB2": "B", "MRSA": "A", "MRSA2": None}) == [
        "B: 2 airborne-isolation patients for 1 negative-pressure rooms"]  # fmt: skip


def test_isolation_must_be_a_kind_the_spec_names():
    with pytest.raises(InstanceError, match="isolation"):
        instance([{"id": "X", "category": "ic", "isolation": "strict"}])
    with pytest.raises(InstanceError, match="isolation"):
        instance([{"id": "X", "category": "ic", "isolation": 1}])


def test_excluded_regions_are_respected():
    inst = instance([{"id": "D", "category": "ic", "exclude_regions": ["R2"]}])
    assert solve(inst).assignment == {"D": "A"}


# ---------------------------------------------------------------------------------------------
# Against brute force


@st.composite
def small_instances(draw):
    categories = ["ic", "clinical"]
    hospitals = []
    for i in range(draw(st.integers(1, 4))):
        cap = {c: draw(st.integers(0, 4)) for c in categories}
        hospitals.append({
            "id": f"H{i}", "region": draw(st.sampled_from(["R1", "R2"])),
            "lat": draw(st.floats(50.8, 53.5)), "lon": draw(st.floats(3.4, 7.2)),
            "capacity": cap, "occupied": {c: draw(st.integers(0, cap[c] + 1)) for c in categories},
            "isolation_free": draw(st.integers(0, 2)), "airborne_free": draw(st.integers(0, 1)),
        })  # fmt: skip
    patients = []
    for i in range(draw(st.integers(1, 6))):
        p = {"id": f"P{i}", "category": draw(st.sampled_from(categories)),
             "priority": draw(st.integers(1, 3)),
             "isolation": draw(st.sampled_from([False, True, "contact", "airborne"]))}  # fmt: skip
        if draw(st.integers(0, 3)) == 0:
            p["group"] = draw(st.sampled_from(["g1", "g2"]))
        if draw(st.booleans()):
            p["origin"] = {"lat": draw(st.floats(50.8, 53.5)), "lon": draw(st.floats(3.4, 7.2))}
        patients.append(p)
    weights = {"distance_per_km": draw(st.sampled_from([0.0, 1.0, 3.0])),
               "load": draw(st.sampled_from([0.0, 100.0, 1000.0])),
               "unplaced": {"1": 10000, "2": 5000, "3": draw(st.sampled_from([50, 2000]))}}  # fmt: skip
    return parse_instance({"origin": {"lat": 51.45, "lon": 5.37}, "weights": weights,
                           "hospitals": hospitals, "patients": patients})  # fmt: skip


def brute_force(inst) -> float:
    best = math.inf
    options = [None] + [h.id for h in inst.hospitals]
    for choice in itertools.product(options, repeat=len(inst.patients)):
        assignment = dict(zip((p.id for p in inst.patients), choice, strict=True))
        if not check_feasible(inst, assignment):
            best = min(best, objective(inst, assignment))
    return best


@settings(max_examples=150, deadline=None)
@given(small_instances())
def test_exact_equals_brute_force_and_greedy_is_never_better(inst):
    exact = solve(inst)
    greedy = solve_greedy(inst)
    assert check_feasible(inst, exact.assignment) == []
    assert check_feasible(inst, greedy.assignment) == []
    assert exact.status == "optimal"
    assert exact.objective == pytest.approx(brute_force(inst), rel=1e-9, abs=1e-6)
    assert greedy.objective >= exact.objective - 1e-6
    assert set(exact.explanations) == {p.id for p in inst.patients}


# ---------------------------------------------------------------------------------------------
# The command


def run(tmp_path, data, *args):
    path = tmp_path / "instance.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return subprocess.run([sys.executable, "-m", "evac.placement", str(path), *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


SPEC_EXAMPLE = {
    "origin": {"lat": 51.4501, "lon": 5.3747},
    "weights": {"distance_per_km": 1.0, "load": 100.0, "unplaced": {"1": 10000, "2": 5000, "3": 2000}},
    "hospitals": [{"id": "H001", "region": "ROAZ-Zuidoost", "lat": 51.43, "lon": 5.49,
                   "capacity": {"ic": 30, "clinical": 600}, "occupied": {"ic": 27, "clinical": 540},
                   "isolation_free": 2, "note": "unknown keys are ignored"}],
    "patients": [{"id": "P0001", "category": "ic", "priority": 1, "isolation": True},
                 {"id": "P0002", "category": "paediatric", "priority": 2, "group": "family-7",
                  "origin": {"lat": 52.09, "lon": 5.12}}],
}  # fmt: skip


@pytest.mark.parametrize("flag", [[], ["--greedy"], ["--time-limit", "5"]])
def test_the_command_prints_a_result_for_every_patient(tmp_path, flag):
    done = run(tmp_path, SPEC_EXAMPLE, *flag)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["assignment"] == {"P0001": "H001", "P0002": None}
    assert result["status"] == ("feasible" if flag == ["--greedy"] else "optimal")
    assert set(result["explanations"]) == {"P0001", "P0002"}
    expected = objective(parse_instance(SPEC_EXAMPLE), result["assignment"])
    assert result["objective"] == pytest.approx(expected)


@pytest.mark.parametrize(
    "data,words",
    [
        ({"origin": {"lat": 51, "lon": 5}, "patients": []}, "hospitals: missing"),
        ({**SPEC_EXAMPLE, "hospitals": [{**SPEC_EXAMPLE["hospitals"][0], "lat": "51.43"}]}, "hospitals[0].lat: expected a number"),
        ({**SPEC_EXAMPLE, "patients": [{"id": "X"}]}, "patients[0].category: missing"),
        ({**SPEC_EXAMPLE, "patients": [{"id": "X", "category": "ic", "priority": 4}]}, "patients[0].priority"),
        ("{not json", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),  # nested too deep for the parser
    ],
)  # fmt: skip
def test_the_command_refuses_what_breaks_the_spec_in_one_line(tmp_path, data, words):
    done = run(tmp_path, data)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr


def test_parse_refuses_duplicate_ids_and_a_missing_origin():
    with pytest.raises(InstanceError):
        parse_instance({**SPEC_EXAMPLE, "patients": [{"id": "X", "category": "ic"}] * 2})
    with pytest.raises(InstanceError, match="origin"):
        parse_instance({"hospitals": [], "patients": [{"id": "X", "category": "ic"}]})
