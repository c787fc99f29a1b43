"""The spreading engine against hand-computed cases, against brute force on tiny instances, and
the command of ../shared/specs/spreading.md."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evac.spreading import Move, evaluate, parse_instance, solve
from evac.spreading.plan import objective, problems
from evac.spreading.solver import solve_greedy, solve_plain

HERE = (52.0, 5.0)


def unit(code, beds, send=None, receive=None, at=HERE):
    return {"code": code, "lat": at[0], "lon": at[1],
            "beds": {c: {"capacity": cap, "occupied": occ} for c, (cap, occ) in beds.items()},
            "send": send or {}, "receive": receive or {}}  # fmt: skip


def inst(*units, **weights):
    return parse_instance({"units": list(units), "weights": weights})


def test_one_move_that_pays():
    i = inst(unit("A", {"ic": (10, 10)}, send={"ic": 1}), unit("B", {"ic": (10, 0)}))
    plan = solve(i)
    assert [(m.source, m.target, m.patients) for m in plan.moves] == [("A", "B", 1)]
    # load: A 100·L(9,10) = 450, B 100·L(1,10) = 10; one transfer at 0 km: 5
    assert plan.objective == pytest.approx(465.0)
    assert plan.status == "optimal"


def test_a_move_that_does_not_pay():
    # A's 5th patient saves 100·5/10 = 50; B's 5th costs 100·5/10 = 50; the transfer costs 5.
    i = inst(unit("A", {"ic": (10, 5)}, send={"ic": 3}), unit("B", {"ic": (10, 4)}))
    plan = solve(i)
    assert plan.moves == [] and plan.objective == pytest.approx(100 * (1.5 + 1.0))


def test_distance_decides_between_two_receivers():
    near, far = (52.1, 5.0), (53.5, 5.0)  # about 11 and 167 km
    i = inst(unit("A", {"ic": (10, 10)}, send={"ic": 1}),
             unit("NEAR", {"ic": (10, 3)}, at=near), unit("FAR", {"ic": (10, 3)}, at=far))  # fmt: skip
    assert [m.target for m in solve(i).moves] == ["NEAR"]


def test_an_overfull_unit_sends_and_no_unit_ends_above_its_capacity():
    i = inst(unit("A", {"ic": (10, 13)}, send={"ic": 5}), unit("B", {"ic": (10, 9)}),
             unit("C", {"ic": (10, 11)}))  # fmt: skip
    plan = solve(i)
    assert [(m.source, m.target, m.patients) for m in plan.moves] == [("A", "B", 1)]
    rows = {r["code"]: r for r in plan.units}
    assert rows["B"]["after"] == 1.0 and rows["C"]["after"] == 1.1  # C was overfull; not fuller


def test_capacity_zero_neither_sends_nor_receives():
    i = inst(unit("A", {"ic": (0, 3)}, send={"ic": 3}), unit("B", {"ic": (10, 0)}),
             unit("C", {"ic": (10, 10)}, send={"ic": 2}), unit("D", {"ic": (0, 0)}))  # fmt: skip
    plan = solve(i)
    assert {m.source for m in plan.moves} == {"C"} and {m.target for m in plan.moves} == {"B"}
    rows = {r["code"]: r for r in plan.units}
    assert "before" not in rows["A"] and "after" not in rows["D"]


def test_receive_limits_and_send_limits_hold():
    i = inst(unit("A", {"ic": (10, 10)}, send={"ic": 5}), unit("B", {"ic": (10, 0)},
             receive={"ic": 2}), unit("C", {"ic": (10, 0)}, receive={"ic": 1}))  # fmt: skip
    plan = solve(i)
    into = {m.target: m.patients for m in plan.moves}
    assert into == {"B": 2, "C": 1}


def test_nobody_moves_when_no_transport_is_reported():
    i = inst(unit("A", {"ic": (10, 10)}), unit("B", {"ic": (10, 0)}))
    plan = solve(i)
    assert plan.moves == []
    assert [d["reason"] for d in plan.details if d["kind"] == "not_relieved"] == ["no_transport"]
    assert "reported no transport" in plan.explanations[0]


def test_evaluate_scores_a_hand_made_plan_and_names_what_it_breaks():
    i = inst(unit("A", {"ic": (10, 10)}, send={"ic": 1}), unit("B", {"ic": (10, 9)}))
    good = evaluate(i, [Move("A", "B", "ic", 1)])
    assert good.feasible and good.objective == pytest.approx(100 * (4.5 + 5.5) + 5)
    bad = evaluate(i, [Move("A", "B", "ic", 2)])
    assert {p["code"] for p in bad.problems} == {"send_limit", "over_capacity"}


# ---------------------------------------------------------------------------------------------
# Brute force on tiny instances


@st.composite
def tiny(draw):
    n = draw(st.integers(2, 3))
    # small enough to enumerate every plan: at most 6 pairs of units and categories
    cats = ["ic"] if n == 3 else draw(st.sampled_from([["ic"], ["ic", "clinical"]]))
    units = []
    for k in range(n):
        beds, send, receive = {}, {}, {}
        for c in cats:
            if draw(st.booleans()) or k < 2:
                cap = draw(st.integers(0, 6))
                beds[c] = (cap, draw(st.integers(0, 8)))
                send[c] = draw(st.integers(0, 3))
                if draw(st.booleans()):
                    receive[c] = draw(st.integers(0, 3))
        at = (52 + draw(st.integers(0, 20)) / 10, 5 + draw(st.integers(0, 20)) / 10)
        units.append(unit(f"U{k}", beds, send, receive, at))
    weights = {"load": draw(st.sampled_from([10.0, 100.0, 400.0])),
               "per_transfer": draw(st.sampled_from([0.0, 1.0, 5.0])),
               "per_km": draw(st.sampled_from([0.0, 0.05, 0.5]))}  # fmt: skip
    return parse_instance({"units": units, "weights": weights})


def brute_force(i) -> float:
    pairs = [(a.code, b.code, c) for a in i.units for b in i.units if a.code != b.code
             for c in i.categories]  # fmt: skip
    # a plan never sends more than the sender's transport (the constraints refuse it anyway)
    ranges = [range(0, i.unit(a).can_send(c) + 1) for a, _b, c in pairs]
    best = float("inf")
    for counts in itertools.product(*ranges):
        moves = [Move(a, b, c, n) for (a, b, c), n in zip(pairs, counts, strict=True) if n]
        if not problems(i, moves):
            best = min(best, objective(i, moves))
    return best


@settings(max_examples=150, deadline=None)
@given(tiny())
def test_the_plan_is_feasible_and_as_good_as_brute_force(i):
    plan = solve(i)
    assert problems(i, plan.moves) == []
    assert plan.objective == pytest.approx(brute_force(i), abs=1e-6)
    assert solve_greedy(i).objective >= plan.objective - 1e-6


def test_the_pruned_and_the_plain_programme_agree_on_generated_networks():
    import random

    rng = random.Random(5)
    for size in (30, 60):
        units = [unit(f"U{k}", {"ic": (rng.randint(5, 40), 0), "clinical": (rng.randint(50, 400), 0)},
                      {"ic": rng.randint(0, 4), "clinical": rng.randint(0, 10)},
                      at=(51 + rng.random() * 2.5, 3.5 + rng.random() * 3.5)) for k in range(size)]  # fmt: skip
        for u in units:
            for b in u["beds"].values():
                b["occupied"] = int(b["capacity"] * rng.uniform(0.6, 1.05))
        i = parse_instance({"units": units})
        fast, plain = solve(i), solve_plain(i)
        assert fast.objective == pytest.approx(plain.objective, rel=1e-9)
        assert problems(i, fast.moves) == [] and fast.moves


# ---------------------------------------------------------------------------------------------
# The command


def run(tmp_path, data, *args):
    path = tmp_path / "instance.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return subprocess.run([sys.executable, "-m", "evac.spreading", str(path), *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_the_command_prints_the_plan_of_the_spec(tmp_path):
    done = run(tmp_path, {"units": [unit("NW", {"ic": (120, 117)}, {"ic": 4}),
                                    unit("MN", {"ic": (100, 70)}, at=(52.09, 5.12))]})  # fmt: skip
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert set(plan) >= {"status", "objective", "seconds", "moves", "units", "explanations"}
    assert plan["moves"][0] | {"km": 0} == {"from": "NW", "to": "MN", "category": "ic",
                                            "patients": 4, "km": 0}  # fmt: skip


@pytest.mark.parametrize(
    "data,says",
    [
        (
            {
                "units": [
                    {
                        "code": "A",
                        "lat": 52,
                        "lon": 5,
                        "beds": {"ic": {"capacity": -1, "occupied": 0}},
                    }
                ]
            },
            "units[0].beds.ic.capacity: expected an integer >= 0",
        ),
        ({"units": [{"code": "A", "lat": "x", "lon": 5}]}, "units[0].lat: expected a number"),
        ({"units": {}}, "units: expected a list"),
        ({"units": [unit("A", {}), unit("A", {})]}, "units[1].code: 'A' appears twice"),
        ({"units": [], "weights": {"load": -1}}, "weights.load: expected a number >= 0"),
        ("{not json", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),  # nested too deep for the parser
    ],
)
def test_a_bad_instance_exits_2_naming_the_path(tmp_path, data, says):
    done = run(tmp_path, data)
    assert done.returncode == 2 and says in done.stderr and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_time_limit_too_short_gives_a_feasible_plan_honestly_labelled():
    import random

    rng = random.Random(3)
    units = [unit(f"U{k}", {"ic": (20, rng.randint(10, 21))}, {"ic": 3},
                  at=(51 + rng.random() * 2, 4 + rng.random() * 2)) for k in range(40)]  # fmt: skip
    i = parse_instance({"units": units})
    plan = solve(i, time_limit=1e-6)
    assert plan.status == "feasible" and problems(i, plan.moves) == []
    assert plan.objective >= solve(i).objective - 1e-6
