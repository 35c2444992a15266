"""Automatic reviewer assignment for one department.

Every application needs k reviewers. Existing assignments are kept; they count toward
the application's k and toward the reviewer's load. `assign_reviewers` guarantees, in
this order of priority:

1. No conflict is ever assigned and no reviewer is taken past their cap. (A reviewer
   whose existing assignments already exceed the cap keeps them and gets nothing new.)
2. Coverage: if every application can get k reviewers, every one does. Otherwise as
   many assignments are made as possible, and each application left short is named in
   `uncovered` with the reason.
3. Balance among uncapped reviewers: if any assignment with this coverage keeps their
   loads within one of each other, this one does, and among those it has the smallest
   sum of squared loads over all reviewers. Capped reviewers then take what that band
   leaves them, even if it is less than the uncapped ones get.
4. When no such assignment exists (conflicts or existing assignments force a wider
   gap), loads are as even as possible over all reviewers, capped ones included: the
   sum of squared loads is the smallest possible, which on these problems is the same
   as giving the busiest reviewer as few applications as possible, then the next
   busiest, and so on ("decreasingly minimal", Frank & Murota 2022). That also makes
   the busiest reviewer as light and the least busy as busy as they can be. We do not
   narrow an unavoidable gap further at the cost of starving capped reviewers.

How. This is a flow problem: source -> application (k minus existing) -> reviewer (no
conflict, not on it yet) -> sink (cap minus existing load). Applications are many
and reviewers few, so rather than a general min-cost-flow solver we use a graph with
one node per reviewer (see `balancing.py`): a path u -> ... -> v in it moves one unit
of load from u to v and leaves every application's number of reviewers unchanged.

a. Coverage (Ford-Fulkerson augmenting paths, greedy where it can): applications with
   the fewest possible reviewers first, each takes the least loaded reviewer with
   room until it has k. When every reviewer it could take is full, it looks for a
   path from one of them to a reviewer with room, hands along it and takes the freed
   reviewer. An application with no such path now never gets one later (no arc
   leaves the set of reviewers it reaches), so one pass makes the number of
   assignments maximal.
b. Balancing: the load vectors that keep this coverage form an M-convex set (they come
   from a network flow), on which a separable convex cost that no single path move
   improves is at its global minimum. So we repeatedly make the move that lowers the
   cost most. First cost: sum of squared loads. If the uncapped reviewers then differ
   by at most one we are done: that meets 3. Otherwise two more minimisations find M,
   the lowest possible load of the busiest uncapped reviewer, and m, the highest
   possible load of the least busy one. By the linking property of such sets
   (generalized polymatroids, Frank & Tardos 1988) some assignment puts every
   uncapped load in a band [c, c + 1] exactly when one has them all <= c + 1 and one
   has them all >= c, that is when M - 1 <= c <= m. No such c: we return to the
   first minimum (rule 4). Otherwise we minimise the sum of squares with a steep
   penalty outside the band, for the c with the lowest result, found by binary search
   (that optimum is convex in c). Small instances are checked against brute force.

Determinism: applications and reviewers are taken in order of id and every tie goes
to the smaller id, so equal input gives equal output whatever the order of the lists.
Cost: O(applications x reviewers) for the first pass and bookkeeping, then
O(reviewers²) per path move; a few dozen moves on typical data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from clerkship.reviews.assignment.balancing import INF, Marginal, ReviewerGraph


@dataclass(frozen=True, order=True)
class Pair:
    """One application and one reviewer: an assignment or a declared conflict."""

    application: str
    reviewer: str


@dataclass(frozen=True)
class Reviewer:
    """A reviewer and the most applications they take in total (None: no limit)."""

    id: str
    cap: int | None = None


@dataclass(frozen=True)
class Assignment:
    """The new pairs, every reviewer's total load, and the applications left short."""

    new: tuple[Pair, ...]
    loads: Mapping[str, int]
    uncovered: Mapping[str, str]


def assign_reviewers(
    applications: Sequence[str],
    reviewers: Sequence[Reviewer],
    *,
    conflicts: Iterable[Pair] = (),
    existing: Iterable[Pair] = (),
    k: int = 2,
) -> Assignment:
    """Give every application k reviewers, balancing loads; see the module docstring."""
    apps, revs = _ordered_ids(applications, reviewers, k)
    app_index = {a: i for i, a in enumerate(apps)}
    rev_index = {r.id: i for i, r in enumerate(revs)}
    conflicted = _index_pairs(conflicts, app_index, rev_index, "conflict")
    fixed = _index_pairs(existing, app_index, rev_index, "existing assignment")
    for i, on in enumerate(fixed):
        if on & conflicted[i]:
            reviewer = revs[min(on & conflicted[i])].id
            raise ValueError(f"existing assignment {apps[i]}/{reviewer} is a declared conflict")
    everyone = frozenset(range(len(revs)))
    allowed = [everyone - conflicted[i] - fixed[i] for i in range(len(apps))]
    load = [0] * len(revs)
    for on in fixed:
        for r in on:
            load[r] += 1
    cap = [INF if r.cap is None else r.cap for r in revs]
    graph = ReviewerGraph(allowed, fixed, load, cap)

    # Hardest applications first, so that paths are rarely needed.
    need = [max(0, k - len(on)) for on in fixed]
    for i in sorted(range(len(apps)), key=lambda i: (len(allowed[i]), i)):
        while len(graph.new[i]) < need[i] and graph.cover(i):
            pass
    _balance(graph, [i for i, r in enumerate(revs) if r.cap is None])

    new = sorted(Pair(apps[i], revs[r].id) for i in range(len(apps)) for r in graph.new[i])
    uncovered = {
        apps[i]: _reason(len(revs) - len(conflicted[i]), len(revs), k, bool(graph.on[i]))
        for i in range(len(apps))
        if len(graph.on[i]) < k
    }
    return Assignment(
        new=tuple(new),
        loads={r.id: load[i] for i, r in enumerate(revs)},
        uncovered=uncovered,
    )


def _ordered_ids(
    applications: Sequence[str], reviewers: Sequence[Reviewer], k: int
) -> tuple[list[str], list[Reviewer]]:
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    apps = sorted(applications)
    revs = sorted(reviewers, key=lambda r: r.id)
    for ids, kind in ((apps, "application"), ([r.id for r in revs], "reviewer")):
        for before, after in pairwise(ids):
            if before == after:
                raise ValueError(f"{kind} {before} is listed twice")
    for r in revs:
        if r.cap is not None and r.cap < 0:
            raise ValueError(f"reviewer {r.id} has a negative cap ({r.cap})")
    return apps, revs


def _index_pairs(
    pairs: Iterable[Pair], app_index: Mapping[str, int], rev_index: Mapping[str, int], kind: str
) -> list[set[int]]:
    by_app: list[set[int]] = [set() for _ in app_index]
    for pair in pairs:
        if pair.application not in app_index:
            raise ValueError(f"{kind} {pair.application}/{pair.reviewer}: unknown application")
        if pair.reviewer not in rev_index:
            raise ValueError(f"{kind} {pair.application}/{pair.reviewer}: unknown reviewer")
        on = by_app[app_index[pair.application]]
        if rev_index[pair.reviewer] in on:
            raise ValueError(f"{kind} {pair.application}/{pair.reviewer} is listed twice")
        on.add(rev_index[pair.reviewer])
    return by_app


def _reason(eligible: int, total: int, k: int, has_any: bool) -> str:
    if eligible < k:
        declared = f"{total - eligible} of {total} reviewers declared or have a conflict"
        if eligible == 0:
            return f"no reviewer without a conflict: {declared}"
        noun = "reviewer" if eligible == 1 else "reviewers"
        return f"only {eligible} {noun} without a conflict: {declared}"
    # The coverage is maximal, so every reviewer who could still be added is full.
    other = "other " if has_any else ""
    return f"every {other}reviewer without a conflict is at their cap"


def _balance(graph: ReviewerGraph, uncapped: list[int]) -> None:
    load = graph.load
    total = sum(load)
    even = _squares(total, uncapped, -INF, INF)
    graph.minimise(even)
    if not uncapped or _gap(load, uncapped) <= 1:
        return
    weight = dict.fromkeys(uncapped, 1)
    graph.minimise(lambda r, x: weight.get(r, 0) * (2 * x + 1))
    highest = max(load[r] for r in uncapped)  # M: busiest uncapped as light as can be
    graph.minimise(lambda r, x: weight.get(r, 0) * (2 * x + 1 - 2 * (total + 1)))
    lowest = min(load[r] for r in uncapped)  # m: least busy uncapped as busy as can be
    if highest - lowest > 1:
        graph.minimise(even)  # no band of width one exists: most even overall instead
        return
    costs: dict[int, int] = {}

    def cost(low: int) -> int:
        if low not in costs:
            graph.minimise(_squares(total, uncapped, low, low + 1))
            costs[low] = sum(x * x for x in load)
        return costs[low]

    # The feasible bands [c, c + 1] are those with M - 1 <= c <= m.
    low, high = highest - 1, lowest
    while low < high:
        middle = (low + high) // 2
        if cost(middle) <= cost(middle + 1):
            high = middle
        else:
            low = middle + 1
    graph.minimise(_squares(total, uncapped, low, low + 1))


def _squares(total: int, uncapped: list[int], low: float, high: float) -> Marginal:
    # Sum of squared loads, plus a penalty per unit of uncapped load outside [low, high].
    # A penalty of 2 * total + 2 beats any gain in squares a unit outside could buy.
    steep = 2 * total + 2
    band = frozenset(uncapped)

    def marginal(reviewer: int, x: int) -> float:
        cost = 2 * x + 1
        if reviewer in band:
            if x < low:
                cost -= steep
            if x >= high:
                cost += steep
        return cost

    return marginal


def _gap(load: list[int], reviewers: list[int]) -> int:
    return max(load[r] for r in reviewers) - min(load[r] for r in reviewers)
