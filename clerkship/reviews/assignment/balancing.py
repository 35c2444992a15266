"""The reviewer graph behind automatic assignment, and cost minimisation over it.

Applications and reviewers are small integers here; `assignment.py` maps ids to them
and explains the method. An arc u -> v of the reviewer graph exists while some
application newly assigned to u could be handed to v (no conflict, v not on it yet).
Handing one application along each arc of a path moves one unit of load from the
first reviewer to the last and leaves everyone else, and every application's number
of reviewers, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

INF = float("inf")

# marginal(reviewer, load) = cost of that reviewer's (load + 1)-th application.
Marginal = Callable[[int, int], float]


class ReviewerGraph:
    """Current assignments, with the arcs of the reviewer graph kept in step."""

    def __init__(
        self,
        allowed: Sequence[frozenset[int]],
        fixed: Sequence[set[int]],
        load: list[int],
        cap: Sequence[float],
    ) -> None:
        self.size = len(load)
        self.allowed = allowed  # per application: reviewers that may be added to it
        self.on = [set(reviewers) for reviewers in fixed]  # every reviewer on it
        self.new = [set() for _ in fixed]  # only these may be handed on
        self.load = load
        self.cap = cap
        # movable[u][v]: applications u could hand to v. Kept up to date on every change so
        # that a path search never has to look at applications, only at reviewer pairs.
        self.movable = [[set() for _ in range(self.size)] for _ in range(self.size)]

    def has_room(self, reviewer: int) -> bool:
        """Whether the reviewer can take one more application."""
        return self.load[reviewer] < self.cap[reviewer]

    def add(self, application: int, reviewer: int) -> None:
        """Assign the reviewer to the application."""
        on = self.on[application]
        on.add(reviewer)
        self.load[reviewer] += 1
        for holder in self.new[application]:
            self.movable[holder][reviewer].discard(application)
        self.new[application].add(reviewer)
        row = self.movable[reviewer]
        for other in self.allowed[application]:
            if other not in on:
                row[other].add(application)

    def remove(self, application: int, reviewer: int) -> None:
        """Take a new assignment back."""
        self.on[application].discard(reviewer)
        self.new[application].discard(reviewer)
        self.load[reviewer] -= 1
        row = self.movable[reviewer]
        for other in self.allowed[application]:
            row[other].discard(application)
        for holder in self.new[application]:
            self.movable[holder][reviewer].add(application)

    def shift(self, path: Sequence[int]) -> None:
        """Hand one application along each arc of the path."""
        # Any simple path stays valid while it is applied: a step only removes arcs
        # leaving its own giver or entering its own taker, and neither is used again.
        for giver, taker in pairwise(path):
            application = min(self.movable[giver][taker])
            self.remove(application, giver)
            self.add(application, taker)

    def best_path(self, gain: Sequence[float], price: Sequence[float]) -> list[int] | None:
        """Return the path whose move gains most (gain at its start minus price at its end)."""
        size = self.size
        source = [-1] * size
        parent = [-1] * size
        # Search from the most valuable giver first: a reviewer reached from an earlier
        # giver needs no search of its own, since whatever it reaches, that giver reaches
        # too. So every reviewer is labelled with the best giver that can reach it, in
        # one pass of O(reviewers²).
        for start in sorted(range(size), key=lambda r: (-gain[r], r)):
            if source[start] >= 0:
                continue
            source[start] = start
            queue = [start]
            for node in queue:
                row = self.movable[node]
                for other in range(size):
                    if source[other] < 0 and row[other]:
                        source[other] = start
                        parent[other] = node
                        queue.append(other)
        best, end = 0.0, -1
        for node in range(size):
            if source[node] != node and gain[source[node]] - price[node] > best:
                best, end = gain[source[node]] - price[node], node
        if end < 0:
            return None
        path = [end]
        while path[-1] != source[end]:
            path.append(parent[path[-1]])
        path.reverse()
        return path

    def minimise(self, marginal: Marginal) -> None:
        """Move load along paths until no single move lowers the total cost."""
        # The loads reachable this way form an M-convex set, on which a separable convex
        # cost that no single move improves is at its global minimum (Murota, Discrete
        # Convex Analysis, 2003: local optimality of M-convex functions).
        size = range(self.size)
        while True:
            gain = [marginal(r, self.load[r] - 1) for r in size]
            price = [marginal(r, self.load[r]) if self.has_room(r) else INF for r in size]
            path = self.best_path(gain, price)
            if path is None:
                return
            self.shift(path)

    def cover(self, application: int) -> bool:
        """Give the application one more reviewer, handing others along if needed."""
        on, load, cap = self.on[application], self.load, self.cap
        candidates = [r for r in self.allowed[application] if r not in on]
        direct = [(load[r], r) for r in candidates if load[r] < cap[r]]
        if direct:
            self.add(application, min(direct)[1])
            return True
        # Every candidate is full: find a path from one of them to a reviewer with room,
        # hand along it, and give the application to the candidate it freed. Any path
        # gains (above any price), the one ending at the least loaded reviewer most.
        gain = [-INF] * self.size
        for r in candidates:
            gain[r] = max(load) + 1
        price = [self.load[r] if self.has_room(r) else INF for r in range(self.size)]
        path = self.best_path(gain, price)
        if path is None:
            return False
        self.shift(path)
        self.add(application, path[0])
        return True
