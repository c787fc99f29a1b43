"""The exact solver: the spreading problem as a convex-cost flow, pruned, then solved as a linear
programme over unit increments by HiGHS.

Why this is exact. Categories do not interact, so each is solved alone. In each, a unit's load
term is convex in its occupancy, so it becomes unit increments: the j-th patient leaving unit u
saves load·(occ_u − j + 1)/cap_u, the j-th arriving at v costs load·(occ_v + j)/cap_v, and an
optimum takes them in order without any integer variable. The constraint matrix is the incidence
matrix of a bipartite network (sending side, receiving side) plus bounds, which is totally
unimodular: the simplex method's vertex optimum is integral, so the LP optimum is the integer
optimum. (Some optimal plan never both sends and receives at one unit, or relays a patient
through a third unit: replacing w→u→v by w→v never costs more, by the triangle inequality.)

Why it is fast. A move u→v can only be part of an optimal plan if even its best case pays:
load·occ_u/cap_u − load·(occ_v + 1)/cap_v ≥ per_transfer + per_km·km(u, v) (in an optimum,
taking back the last patient of any move would otherwise save money). The same bound drops the
increments that no move could use. On the spec's weights that leaves a few per cent of the n²
pairs, and the programme HiGHS sees is small; `solve_plain` is the same problem without the
pruning, the generic peer of bench/spreading.py.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import defaultdict

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from evac.spreading.explain import explain
from evac.spreading.instance import Instance
from evac.spreading.plan import Move, Plan, objective, unit_rows

# Rounding noise of the distance and the load fractions must not decide a pair either way.
EPS = 1e-9


def distances(instance: Instance) -> np.ndarray:
    """km between every pair of units (the spec's haversine, vectorised)."""
    from evac.spreading.instance import EARTH_RADIUS_KM

    lat = np.radians([u.lat for u in instance.units])
    lon = np.radians([u.lon for u in instance.units])
    dphi = lat[:, None] - lat[None, :]
    dlmb = lon[:, None] - lon[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _solve_category(
    instance: Instance, category: str, dist: np.ndarray, prune: bool, time_limit: float | None
) -> tuple[dict[tuple[int, int], int], bool]:
    """The optimal flows of one category, and whether HiGHS proved them optimal."""
    w = instance.weights
    units = instance.units
    cap = np.array([u.capacity(category) for u in units], dtype=float)
    occ = np.array([u.occupied(category) for u in units], dtype=float)
    send = np.array([u.can_send(category) for u in units])
    room = np.array([u.room(category) for u in units])
    senders = np.flatnonzero(send > 0)
    receivers = np.flatnonzero(room > 0)
    if not len(senders) or not len(receivers):
        return {}, True
    safe = np.where(cap > 0, cap, 1.0)
    top = w.load * occ / safe  # what the first leaving patient saves
    first = w.load * (occ + 1) / safe  # what the first arriving patient costs
    cost = w.per_transfer + w.per_km * dist[np.ix_(senders, receivers)]
    usable = senders[:, None] != receivers[None, :]
    if prune:
        usable &= top[senders][:, None] - first[receivers][None, :] >= cost - EPS
    si, rj = np.nonzero(usable)
    if not len(si):
        return {}, True
    arc_cost = cost[si, rj]
    arc_from, arc_to = senders[si], receivers[rj]
    # How many increments each side can use at all.
    n_remove = send.copy()
    n_add = np.minimum(room, send.sum())  # no more can arrive than can leave
    if prune and w.load > 0:
        best_out = np.full(len(units), np.inf)
        np.minimum.at(best_out, arc_from, arc_cost + first[arc_to])
        best_in = np.full(len(units), -np.inf)
        np.maximum.at(best_in, arc_to, top[arc_from] - arc_cost)
        # the k-th leaving patient saves load·(occ − k + 1)/cap: worth it while >= best_out
        worth_out = np.floor(occ + 1 - (best_out - EPS) * safe / w.load)
        n_remove = np.where(np.isfinite(best_out), np.minimum(send, np.maximum(worth_out, 0)), 0)
        worth_in = np.floor((best_in + EPS) * safe / w.load - occ)
        n_add = np.where(np.isfinite(best_in), np.minimum(room, np.maximum(worth_in, 0)), 0)
    n_remove = n_remove.astype(int)
    n_add = n_add.astype(int)
    keep = (n_remove[arc_from] > 0) & (n_add[arc_to] > 0)
    arc_from, arc_to, arc_cost = arc_from[keep], arc_to[keep], arc_cost[keep]
    if not len(arc_from):
        return {}, True
    if not prune:
        return _solve_whole(w.load, occ, safe, n_remove, n_add, arc_from, arc_to, arc_cost,
                            time_limit)  # fmt: skip
    return _Pricing(w.load, occ, safe, n_remove, n_add, arc_from, arc_to, arc_cost).solve(
        time_limit
    )


def _increments(load, occ, safe, units, counts, leaving: bool):
    """(unit, cost) of each increment: the k-th patient leaving saves load·(occ − k + 1)/cap
    (a negative cost), the k-th arriving costs load·(occ + k)/cap."""
    unit = np.repeat(units, counts[units])
    k = np.concatenate([np.arange(1, counts[i] + 1) for i in units]) if len(units) else np.zeros(0)
    if leaving:
        return unit, -load * (occ[unit] - k + 1) / safe[unit]
    return unit, load * (occ[unit] + k) / safe[unit]


def _solve_whole(load, occ, safe, n_remove, n_add, arc_from, arc_to, arc_cost, time_limit):
    """Every surviving move and increment in one programme, solved once (the generic LP)."""
    senders, receivers = np.unique(arc_from), np.unique(arc_to)
    row_out = np.full(len(occ), -1)
    row_out[senders] = np.arange(len(senders))
    row_in = np.full(len(occ), -1)
    row_in[receivers] = len(senders) + np.arange(len(receivers))
    rem_unit, rem_cost = _increments(load, occ, safe, senders, n_remove, True)
    add_unit, add_cost = _increments(load, occ, safe, receivers, n_add, False)
    n_arcs, n_inc = len(arc_from), len(rem_unit) + len(add_unit)
    costs = np.concatenate([arc_cost, rem_cost, add_cost])
    upper = np.concatenate([np.minimum(n_remove[arc_from], n_add[arc_to]), np.ones(n_inc)])
    rows = np.concatenate([row_out[arc_from], row_in[arc_to], row_out[rem_unit], row_in[add_unit]])
    cols = np.concatenate([np.arange(n_arcs), np.arange(n_arcs), n_arcs + np.arange(n_inc)])
    vals = np.concatenate([np.ones(2 * n_arcs), -np.ones(n_inc)])
    n_rows = len(senders) + len(receivers)
    matrix = coo_matrix((vals, (rows, cols)), shape=(n_rows, len(costs))).tocsr()
    options = {"presolve": True}
    if time_limit is not None:
        options["time_limit"] = max(0.05, time_limit)
    res = linprog(costs, A_eq=matrix, b_eq=np.zeros(n_rows),
                  bounds=np.column_stack([np.zeros(len(costs)), upper]), method="highs-ds",
                  options=options)  # fmt: skip
    if res.x is None or res.status != 0:
        raise TimeoutError
    return _flows(res.x[:n_arcs], arc_from, arc_to), True


def _flows(x, arc_from, arc_to) -> dict[tuple[int, int], int]:
    rounded = np.round(x)
    if len(x) and np.abs(x - rounded).max() > 1e-6:  # not on a unimodular vertex: a bug
        raise ArithmeticError("fractional flow")
    return {(int(arc_from[k]), int(arc_to[k])): int(rounded[k]) for k in np.flatnonzero(rounded)}


# The first round gives each unit this many partners and increments; pricing adds the rest.
PARTNERS = 2
FIRST_INCREMENTS = 6


class _Pricing:
    """Column generation on one HiGHS model kept warm between rounds.

    Rounds start from each unit's few most promising moves and first few increments. After each
    solve, a left-out move or the next increment of a unit enters when its reduced cost against
    the row prices is negative; HiGHS re-optimises from the basis it has. When nothing prices
    out, the restricted optimum satisfies every reduced-cost condition of the whole programme:
    it is the whole programme's optimum. (An increment beyond the next never prices out before
    the next does: their costs rise.)
    """

    def __init__(self, load, occ, safe, n_remove, n_add, arc_from, arc_to, arc_cost):
        self.load, self.occ, self.safe = load, occ, safe
        self.n_remove, self.n_add = n_remove, n_add
        self.arc_from, self.arc_to, self.arc_cost = arc_from, arc_to, arc_cost
        senders, receivers = np.unique(arc_from), np.unique(arc_to)
        self.row_out = np.full(len(occ), -1)
        self.row_out[senders] = np.arange(len(senders))
        self.row_in = np.full(len(occ), -1)
        self.row_in[receivers] = len(senders) + np.arange(len(receivers))
        self.senders, self.receivers = senders, receivers
        self.n_rows = len(senders) + len(receivers)
        # increments in the model so far, per unit and side
        self.have_out = np.zeros(len(occ), dtype=int)
        self.have_in = np.zeros(len(occ), dtype=int)
        self.chosen = np.zeros(len(arc_from), dtype=bool)
        self.arc_col = np.full(len(arc_from), -1)
        self.n_cols = 0
        self.h = _highs()
        self.h.setOptionValue("simplex_strategy", 1)  # dual simplex: vertices only
        # The programme is small, well scaled and has no redundancy to presolve away; both
        # steps cost more than they save here (measured on bench/spreading.py).
        self.h.setOptionValue("presolve", "off")
        self.h.setOptionValue("simplex_scale_strategy", 0)
        zeros = np.zeros(self.n_rows)
        self.h.addRows(self.n_rows, zeros, zeros, 0, np.zeros(0, dtype=np.int32),
                       np.zeros(0, dtype=np.int32), np.zeros(0))  # fmt: skip

    def _add_columns(self, costs, upper, rows_per_col: list[np.ndarray], vals_per_col) -> None:
        n = len(costs)
        if not n:
            return
        counts = np.array([len(r) for r in rows_per_col])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        index = np.concatenate(rows_per_col).astype(np.int32)
        values = np.concatenate(vals_per_col).astype(float)
        self.h.addCols(n, np.asarray(costs, float), np.zeros(n), np.asarray(upper, float),
                       len(index), starts, index, values)  # fmt: skip
        self.n_cols += n

    def _add_arcs(self, arcs: np.ndarray) -> None:
        if not len(arcs):
            return
        a_from, a_to = self.arc_from[arcs], self.arc_to[arcs]
        self.arc_col[arcs] = self.n_cols + np.arange(len(arcs))
        self.chosen[arcs] = True
        rows = np.column_stack([self.row_out[a_from], self.row_in[a_to]])
        self._add_columns(self.arc_cost[arcs], np.minimum(self.n_remove[a_from], self.n_add[a_to]),
                          list(rows), [np.ones(2)] * len(arcs))  # fmt: skip

    def _add_increments(self, units: np.ndarray, upto: np.ndarray, leaving: bool) -> None:
        have = self.have_out if leaving else self.have_in
        row = self.row_out if leaving else self.row_in
        costs, rows = [], []
        for i, n in zip(units, upto, strict=True):
            for k in range(have[i] + 1, n + 1):
                if leaving:
                    costs.append(-self.load * (self.occ[i] - k + 1) / self.safe[i])
                else:
                    costs.append(self.load * (self.occ[i] + k) / self.safe[i])
                rows.append(np.array([row[i]]))
            have[i] = max(have[i], n)
        self._add_columns(costs, np.ones(len(costs)), rows, [np.array([-1.0])] * len(costs))

    def _promising(self) -> np.ndarray:
        """Each sender's cheapest places and each receiver's most relieving sources."""
        top = self.load * self.occ / self.safe
        first = self.load * (self.occ + 1) / self.safe
        chosen = np.zeros(len(self.arc_from), dtype=bool)
        for ends, value in ((self.arc_from, self.arc_cost + first[self.arc_to]),
                            (self.arc_to, self.arc_cost - top[self.arc_from])):  # fmt: skip
            order = np.lexsort((value, ends))
            ranked = ends[order]
            starts = np.searchsorted(ranked, ranked, side="left")
            chosen[order[np.arange(len(order)) - starts < PARTNERS]] = True
        return np.flatnonzero(chosen)

    def _most_negative(self, reduced: np.ndarray) -> np.ndarray:
        """Left-out moves that price out: for each sender and each receiver, its few most
        negative ones (partial pricing keeps the model small; the next round looks again)."""
        candidates = np.flatnonzero(~self.chosen & (reduced < -1e-9))
        if len(candidates) <= PARTNERS * 2:
            return candidates
        picked = np.zeros(len(self.arc_from), dtype=bool)
        value = reduced[candidates]
        for ends in (self.arc_from[candidates], self.arc_to[candidates]):
            order = np.lexsort((value, ends))
            ranked = ends[order]
            starts = np.searchsorted(ranked, ranked, side="left")
            picked[candidates[order[np.arange(len(order)) - starts < PARTNERS]]] = True
        return np.flatnonzero(picked)

    def solve(self, time_limit: float | None):
        started = time.perf_counter()
        self._add_arcs(self._promising())
        self._add_increments(
            self.senders, np.minimum(self.n_remove[self.senders], FIRST_INCREMENTS), True
        )
        self._add_increments(
            self.receivers, np.minimum(self.n_add[self.receivers], FIRST_INCREMENTS), False
        )
        while True:
            if time_limit is not None:
                left = time_limit - (time.perf_counter() - started)
                if left <= 0:
                    raise TimeoutError
                self.h.setOptionValue("time_limit", float(left))
            self.h.run()
            if self.h.getModelStatus() != self.h.getModelStatus().__class__.kOptimal:
                raise TimeoutError
            y = np.asarray(self.h.getSolution().row_dual)
            # a move's column is +1 in its sender's and its receiver's row
            reduced = self.arc_cost - y[self.row_out[self.arc_from]] - y[self.row_in[self.arc_to]]
            entering = self._most_negative(reduced)
            grow_out, upto_out = self._next_increments(y, True)
            grow_in, upto_in = self._next_increments(y, False)
            if not len(entering) and not len(grow_out) and not len(grow_in):
                break
            self._add_arcs(entering)
            self._add_increments(grow_out, upto_out, True)
            self._add_increments(grow_in, upto_in, False)
        x = np.asarray(self.h.getSolution().col_value)
        arcs = np.flatnonzero(self.chosen)
        return _flows(x[self.arc_col[arcs]], self.arc_from[arcs], self.arc_to[arcs]), True

    def _next_increments(self, y: np.ndarray, leaving: bool) -> tuple[np.ndarray, np.ndarray]:
        """Units with increments not yet in the model whose reduced cost is negative, and how
        many they then need in all: every increment up to the last that prices out (their
        costs rise, so those are the first ones left out)."""
        units = self.senders if leaving else self.receivers
        have = (self.have_out if leaving else self.have_in)[units]
        limit = (self.n_remove if leaving else self.n_add)[units]
        occ, safe = self.occ[units], self.safe[units]
        if leaving:
            # −load·(occ − k + 1)/cap + y < 0  ⇔  k < occ + 1 − y·cap/load
            bound = occ + 1 - y[self.row_out[units]] * safe / self.load
        else:
            # load·(occ + k)/cap + y < 0  ⇔  k < −y·cap/load − occ
            bound = -y[self.row_in[units]] * safe / self.load - occ
        wanted = np.minimum(limit, np.ceil(bound - 1e-9) - 1).astype(int)
        grow = wanted > have
        return units[grow], wanted[grow]


_BANNER_LOCK = threading.Lock()
_banner_shown = False


def _highs():
    """A silent HiGHS instance. highspy prints its banner on stdout the first time one is made in
    a process, whatever the options say; that first one is made with stdout closed, so that
    `python -m evac.spreading` prints nothing but the plan."""
    global _banner_shown
    import highspy

    with _BANNER_LOCK:
        if not _banner_shown:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _moves(instance: Instance, flows_by_category) -> list[Move]:
    units = instance.units
    moves = [
        Move(units[i].code, units[j].code, c, n)
        for c, flows in flows_by_category.items()
        for (i, j), n in flows.items()
    ]
    return sorted(moves, key=lambda m: (-m.patients, m.category, m.source, m.target))


def solve(instance: Instance, time_limit: float | None = None, prune: bool = True) -> Plan:
    """The optimal plan, proven (status `optimal`); past a time limit, the greedy plan (status
    `feasible`)."""
    started = time.perf_counter()
    flows_by_category = {}
    dist = distances(instance)
    try:
        for c in instance.categories:
            left = None if time_limit is None else time_limit - (time.perf_counter() - started)
            flows_by_category[c], _proven = _solve_category(instance, c, dist, prune, left)
    except TimeoutError:
        plan = solve_greedy(instance)
        plan.seconds = time.perf_counter() - started
        return plan
    return _plan(instance, flows_by_category, "optimal", started)


def solve_plain(instance: Instance) -> Plan:
    """The same programme over every pair and every increment, solved at once: the generic LP
    that bench/spreading.py compares with."""
    return solve(instance, prune=False)


def solve_greedy(instance: Instance) -> Plan:
    """The baseline: one patient at a time along the move that saves the most, while one saves
    anything. Feasible, not always optimal (it cannot undo an early choice)."""
    started = time.perf_counter()
    w = instance.weights
    units = instance.units
    transfer = w.per_transfer + w.per_km * distances(instance)
    np.fill_diagonal(transfer, np.inf)
    flows: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for c in instance.categories:
        cap = np.array([u.capacity(c) for u in units], dtype=float)
        safe = np.where(cap > 0, cap, 1.0)
        occ = np.array([u.occupied(c) for u in units], dtype=float)
        send = np.array([u.can_send(c) for u in units])
        room = np.array([u.room(c) for u in units])
        sent = np.zeros(len(units), dtype=int)
        got = np.zeros(len(units), dtype=int)
        while True:
            may_send = (sent < send) & (got == 0)
            may_get = (got < room) & (sent == 0)
            if not may_send.any() or not may_get.any():
                break
            saving = np.where(may_send, w.load * occ / safe, -np.inf)
            price = np.where(may_get, w.load * (occ + 1) / safe, np.inf)
            gain = saving[:, None] - price[None, :] - transfer
            i, j = np.unravel_index(np.argmax(gain), gain.shape)
            if not gain[i, j] > EPS:
                break
            occ[i] -= 1
            occ[j] += 1
            sent[i] += 1
            got[j] += 1
            flows[c][(int(i), int(j))] = flows[c].get((int(i), int(j)), 0) + 1
    return _plan(instance, flows, "feasible", started)


def _plan(instance: Instance, flows: dict, status: str, started: float) -> Plan:
    """The plan the flows make, with its objective, rows per unit and explanations."""
    moves = _moves(instance, flows)
    return Plan(
        status=status,
        objective=objective(instance, moves),
        seconds=time.perf_counter() - started,
        moves=moves,
        units=unit_rows(instance, moves),
        details=explain(instance, moves),
    )
