"""An independent oracle of the time rules (SPEC §4 and the rule table of docs/rule-book.md), deliberately simple.

It imports nothing from the product (``test_rulebook_property.test_the_oracle_imports_nothing_from_the_product``
checks it): times are whole minutes since Monday 00:00 of the first day, deadlines are found by counting minutes
one by one, and the order is replayed act by act. It answers one question: which (stint, rule, site) violations
stand at the end of a history.

The rules it encodes:
- Accept clock: 30 minutes inside the site's service hours, not on closed days, from the moment the order reaches
  the site (the first site: the later of order time and arrival). Exactly at the deadline is on time.
- Pickup clock: from order time, or HQ's latest 分件 / reopening; the deadline is the later of 960 open minutes
  and the consumer's window end moved on by the closed days between (a re-appointment sets a new window).
- A deadline that passes while the order is open (pending or accepted) is missed.
- LATE_ACCEPT: the holding site whose accept deadline passes while the order waits for it.
- LATE_PICKUP: the holding site, when the deadline passes at or after the holder's own accept deadline (and
  during its stint); otherwise (the data center, or before the holder's accept deadline) the last site that
  handed the order on after accepting it or after its own accept deadline; otherwise nobody.
- 分件 gives the next site a fresh clock; the site bound before it stays bound by the old deadline until the
  order is picked up, failed or cancelled. A reopening starts a fresh clock and binds nobody.
- Closure days: the oracle judges the final history only. Every closure day confirmed at any moment (before the
  day, on it, or days after) is known from the start: every clock is computed with all of them closed, as if HQ
  had confirmed them in advance (SPEC §4). A deadline inside a closed day is never a violation.
- Facts count when they happened (a scan's own time), whenever they were delivered: the acts are replayed in
  the order they happened.
- One violation per (stint, rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY = 1440
ACCEPT_MINUTES = 30
PICKUP_MINUTES = 960
#: service hours (minutes of the day) of the test network's sites; DC is the data center
SERVICE = {"A": (8 * 60, 20 * 60), "B": (8 * 60, 20 * 60), "X": (10 * 60, 21 * 60)}
DC = "DC"
OPEN = ("PENDING", "ACCEPTED")


def accept_deadline(site: str, start: int, closed: set[int]) -> int:
    lo, hi = SERVICE[site]
    need, minute = ACCEPT_MINUTES, start
    while True:
        day, time_of_day = divmod(minute, DAY)
        if day not in closed and lo <= time_of_day < hi:
            need -= 1
            if need == 0:
                return minute + 1
        minute += 1


def open_minutes_later(start: int, minutes: int, closed: set[int]) -> int:
    need, minute = minutes, start
    while True:
        if minute // DAY not in closed:
            need -= 1
            if need == 0:
                return minute + 1
        minute += 1


def pickup_deadline(start: int, window_end: int | None, closed: set[int]) -> int:
    due = open_minutes_later(start, PICKUP_MINUTES, closed)
    if window_end is not None and window_end > start:
        due = max(due, open_minutes_later(start, window_end - start, closed))
    return due


def inside_closed_day(deadline: int, closed: set[int]) -> bool:
    """A deadline at a day's first instant passed before it; one at its last instant passed inside it."""
    return (deadline - 1) // DAY in closed


@dataclass
class Binding:
    site: str
    stint: int
    start: int
    window_end: int | None
    due: int
    finished: bool = False


@dataclass
class Oracle:
    closed: set[int] = field(default_factory=set)
    state: str = ""
    holder: str = ""
    stint: int = 0
    stint_start: int = 0
    accept_due: int | None = None
    order_time: int = 0
    pickup_start: int = 0
    pickup_due: int = 0
    window_end: int | None = None
    owner: tuple[str, int] | None = None
    bindings: list[Binding] = field(default_factory=list)
    missed: set[tuple[int, str, str, int]] = field(default_factory=set)  # (stint, rule, site, deadline)

    # ------------------------------------------------------------ deadlines that pass before ``now``

    def _pass_until(self, now: int) -> None:
        if self.state == "PENDING" and self.holder != DC and self.accept_due < now:
            self.missed.add((self.stint, "LATE_ACCEPT", self.holder, self.accept_due))
        if self.state in OPEN and self.stint_start <= self.pickup_due < now:
            if self.holder != DC and self.pickup_due >= self.accept_due:
                self.missed.add((self.stint, "LATE_PICKUP", self.holder, self.pickup_due))
            elif self.owner is not None:
                self.missed.add((self.owner[1], "LATE_PICKUP", self.owner[0], self.pickup_due))
        for b in self.bindings:
            if not b.finished and b.due < now:
                self.missed.add((b.stint, "LATE_PICKUP", b.site, b.due))

    def _reach(self, site: str, at: int) -> None:
        self.holder, self.stint, self.stint_start, self.state = site, self.stint + 1, at, "PENDING"
        self.accept_due = None if site == DC else accept_deadline(site, at, self.closed)

    def _restart_pickup(self, at: int) -> None:
        self.pickup_start, self.owner = at, None
        self.pickup_due = pickup_deadline(at, self.window_end, self.closed)

    def _finish(self, state: str) -> None:
        self.state = state
        for b in self.bindings:
            b.finished = True

    # ------------------------------------------------------------ the acts

    def apply(self, act: dict) -> None:
        kind, t = act["kind"], act["at"]
        if kind == "create":
            self.order_time, self.window_end = act["order_time"], act.get("window_end")
            self._reach(act["site"], max(act["order_time"], t))
            self.pickup_start = self.order_time
            self.pickup_due = pickup_deadline(self.order_time, self.window_end, self.closed)
            return
        self._pass_until(t)
        if kind == "accept":
            self.state = "ACCEPTED"
        elif kind == "accept_fail":
            self._finish("ACCEPT_FAILED")
        elif kind == "pickup":
            self._finish("PICKED_UP")
        elif kind == "pickup_fail":
            self._finish("PICKUP_FAILED")
        elif kind == "cancel":
            self._finish("CANCELLED")
        elif kind == "transfer":
            if self.state == "ACCEPTED" or (self.accept_due is not None and t > self.accept_due):
                self.owner = (self.holder, self.stint)
            self._reach(act["to"], t)
        elif kind == "dispatch":
            if self.owner is not None:
                self.bindings.append(
                    Binding(self.owner[0], self.owner[1], self.pickup_start, self.window_end, self.pickup_due)
                )
            self._reach(act["to"], t)
            self._restart_pickup(t)
        elif kind == "reopen":
            self._reach(act["to"], t)
            self._restart_pickup(t)
        elif kind in ("reappoint", "window"):
            self.window_end = act["window_end"]
            self.pickup_due = pickup_deadline(self.pickup_start, self.window_end, self.closed)
        elif kind == "closure":
            pass  # known from the start (``Oracle(closed=…)``): what stands does not depend on when HQ clicked
        elif kind == "sweep":
            pass  # detection changes nothing the oracle decides
        else:
            raise ValueError(kind)

    def standing(self, end: int) -> set[tuple[int, str, str]]:
        """The violations that stand once every deadline before ``end`` was judged."""
        self._pass_until(end)
        return {
            (stint, rule, site) for stint, rule, site, due in self.missed if not inside_closed_day(due, self.closed)
        }

    # ------------------------------------------------------------ what may happen next (for the generator)

    def possible(self) -> list[str]:
        if self.state == "PENDING" and self.holder == DC:
            return ["dispatch", "cancel", "window", "closure", "sweep"]
        if self.state == "PENDING":
            return ["accept", "accept_fail", "transfer", "cancel", "window", "closure", "sweep"]
        if self.state == "ACCEPTED":
            return ["pickup", "pickup_fail", "reappoint", "transfer", "cancel", "window", "closure", "sweep"]
        if self.state in ("ACCEPT_FAILED", "PICKUP_FAILED"):
            return ["reopen", "closure", "sweep"]
        return ["closure", "sweep"]
