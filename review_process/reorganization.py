"""Dated reorganisations of the directory (the 2025 reform): a change set planned, then applied all or nothing.

A change set has a date D and a list of changes (``docs/reorganize.md``): ``dissolve``, ``move``, ``merge``,
``create``, ``end_position``, ``start_position``.  ``plan_change_set`` checks every change against the
directory as the earlier changes of the same set leave it, writes nothing, and describes each write in one
line, with the open reviews that the set affects.  ``review_process.services.reorganization.reorganize``
applies the plan in one transaction: every
write goes through ``permissions.services`` (so each is a directory event in the audit trail and the grants
follow the positions), then the grants of the reviews below every touched organisation are re-derived.

Invariants: an organisation dissolved on D ends on D-1 and so do its open positions; nothing still reports to
it from D; history is never rewritten (a move closes the current dated superior at D-1 and opens one from D).
Any refused change refuses the whole set (``ChangeSetError`` names the change and the field).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable

from django.db.models import Q
from django.utils.translation import gettext as _

from permissions.models import Organization, OrganizationKind, Position, SuperiorPeriod, User
from permissions.roles import POSITION_ROLES
from permissions.services import organization_save, position_end, position_start, superior_periods_set
from review_process.models import Review, ReviewState

OPS: dict[str, dict[str, bool]] = {  # op -> field -> required
    "dissolve": {"code": True, "successor": False},
    "move": {"code": True, "superior": True},
    "merge": {"codes": True, "into": True},
    "create": {"code": True, "name": True, "kind": True, "superior": False},
    "end_position": {"person": True, "organization": True, "role": True},
    "start_position": {"person": True, "organization": True, "role": True, "title": False},
}
CLOSED_STATES = (ReviewState.CLOSED, ReviewState.CANCELLED)


class ChangeError(Exception):
    """One refused change: ``index`` (1-based; None for the set itself), its ``op`` and the ``field``."""

    def __init__(self, message: str, *, index: int | None = None, op: str = "", field: str = ""):
        self.message, self.index, self.op, self.field = message, index, op, field
        super().__init__(str(self))

    def __str__(self) -> str:
        params = {"index": self.index, "op": self.op, "field": self.field, "message": self.message}
        if self.index is None:
            return _("Change set, field “%(field)s”: %(message)s") % params
        return _("Change %(index)s (%(op)s), field “%(field)s”: %(message)s") % params


class ChangeSetError(Exception):
    """The set is refused; ``errors`` lists every refused change. Nothing was written."""

    def __init__(self, errors: list[ChangeError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclasses.dataclass
class Step:
    """One write of the plan: the change it belongs to, one line for people, and the write itself."""

    index: int
    op: str
    field: str
    line: str
    run: Callable[[User | None], object]


@dataclasses.dataclass
class Plan:
    day: datetime.date
    steps: list[Step]
    dissolved_reviews: list[Review]
    moved_reviews: list[Review]
    touched: set[str]  # codes of the organisations whose reviews' grants are re-derived

    def lines(self) -> list[str]:
        """Every change, then the open reviews that the set affects."""
        dissolved, moved = self.dissolved_reviews, self.moved_reviews
        params = {"day": self.day, "changes": self.steps[-1].index if self.steps else 0, "count": len(self.steps)}
        out = [_("Change set of %(day)s: %(changes)s changes, %(count)s writes.") % params]
        out += [f"{step.index}. [{step.op}] {step.line}" for step in self.steps]
        out.append(_("Open reviews of dissolved or merged organisations: %(count)s") % {"count": len(dissolved)})
        out += [_review_line(review) for review in dissolved]
        if dissolved:
            out.append(_("Hint: carry over to the successor or cancel."))
        out.append(_("Open reviews of moved organisations: %(count)s") % {"count": len(moved)})
        return out + [_review_line(review) for review in moved]


def _review_line(review: Review) -> str:
    params = {"id": review.pk, "code": review.organization.code, "year": review.year, "state": review.state}
    return "  " + _("review #%(id)s: %(code)s %(year)s (%(state)s)") % params


def read_change_set(path: str) -> dict:
    try:
        with open(path, encoding="utf-8-sig") as handle:  # a byte-order mark is accepted
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise ChangeSetError([ChangeError(str(error), field=str(path))]) from error


@dataclasses.dataclass
class _Org:
    """An organisation as the changes planned so far leave it."""

    code: str
    name: str
    superior: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    stored: bool = True

    def exists_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


class _Change:
    """One change of the set, read field by field; ``error`` names it."""

    def __init__(self, index: int, op: str, data: dict):
        self.index, self.op, self.data = index, op, data

    def error(self, field: str, message: str, params: dict | None = None) -> ChangeError:
        return ChangeError(message % params if params else message, index=self.index, op=self.op, field=field)

    def text(self, field: str, *, required: bool = True, data: dict | None = None, prefix: str = "") -> str | None:
        value = (self.data if data is None else data).get(field)
        if value is None or value == "":
            if required:
                raise self.error(prefix + field, _("This field is required."))
            return None
        if not isinstance(value, str):
            raise self.error(prefix + field, _("Expected a string."))
        return value.strip()


class _Planner:
    """Checks the changes in order against the directory as the earlier ones leave it; collects the steps."""

    def __init__(self, day: datetime.date):
        self.day, self.last = day, day - datetime.timedelta(days=1)
        rows = Organization.objects.values_list("code", "name", "superior__code", "valid_from", "valid_to")
        self.orgs = {code: _Org(code, name, sup, start, end) for code, name, sup, start, end in rows}
        self.steps: list[Step] = []
        self.dissolved: dict[str, tuple[_Change, str]] = {}  # code -> the change and field that dissolve it
        self.moved: set[str] = set()
        self.ended: set[int] = set()  # positions ended by this set
        self.started: dict[str, list[str]] = {}  # organisation code -> people starting there on D

    def add(self, change: _Change, field: str, line: str, params: dict, run: Callable) -> None:
        self.steps.append(Step(change.index, change.op, field, line % params, run))

    def org(self, change: _Change, field: str, code: str | None, *, alive: bool = True) -> _Org:
        org = self.orgs.get(code or "")
        if org is None:
            raise change.error(field, _("No organisation with the code “%(code)s”."), {"code": code})
        if alive and not org.exists_on(self.day):
            raise change.error(field, _("%(code)s does not exist on %(day)s."), {"code": code, "day": self.day})
        return org

    # --- the operations ---

    def dissolve(self, change: _Change, code: str | None = None, successor: str | None = None, field="code") -> None:
        if code is None:
            code, successor = change.text("code"), change.text("successor", required=False)
        org, params = self.org(change, field, code), {"code": code, "day": self.day, "last": self.last}
        if successor is not None and self.org(change, "successor", successor).code == code:
            raise change.error("successor", _("An organisation cannot succeed itself."))
        if org.valid_from is not None and org.valid_from > self.last:
            raise change.error(field, _("%(code)s would end before it begins."), params)
        if self.started.get(code):
            message = _("Positions start in %(code)s on %(day)s: %(people)s.")
            raise change.error(field, message, {**params, "people": ", ".join(self.started[code])})
        positions = Position.objects.filter(organization__code=code)
        positions = self._open_positions(change, field, positions) if org.stored else []
        org.valid_to = self.last
        self.dissolved[code] = (change, field)

        def run(by, code=code, successor=successor):
            organization = Organization.objects.get(code=code)
            organization.valid_to = self.last
            organization.successor = Organization.objects.get(code=successor) if successor else None
            organization_save(organization=organization, by=by)

        if successor:
            line = _("%(code)s (%(name)s) ends on %(last)s; successor: %(successor)s.")
        else:
            line = _("%(code)s (%(name)s) ends on %(last)s; no successor.")
        self.add(change, field, line, {**params, "name": org.name, "successor": successor}, run)
        line = _("End %(person)s as %(role)s in %(organization)s on %(last)s (the organisation is dissolved).")
        for position in positions:
            self.add(change, field, line, self._position_params(position), self._ender(position.pk))

    def move(self, change: _Change) -> None:
        code, superior = change.text("code"), change.text("superior")
        org, params = self.org(change, "code", code), {"code": code, "superior": superior, "day": self.day}
        self.org(change, "superior", superior)
        if code in self.moved:
            raise change.error("code", _("%(code)s is moved twice in this change set."), params)
        if superior == org.superior:
            raise change.error("superior", _("%(code)s already reports to %(superior)s."), params)
        ancestor, seen = superior, set()
        while ancestor is not None and ancestor not in seen:
            if ancestor == code:
                raise change.error("superior", _("%(superior)s is below %(code)s."), params)
            seen.add(ancestor)
            ancestor = self.orgs[ancestor].superior if ancestor in self.orgs else None
        periods = []
        stored = SuperiorPeriod.objects.filter(organization__code=code) if org.stored else SuperiorPeriod.objects.none()
        for period in stored.select_related("superior").order_by("valid_from", "pk"):
            if period.valid_from is not None and period.valid_from >= self.day:
                message = _("%(code)s already has a dated superior from %(start)s.")
                raise change.error("code", message, {**params, "start": period.valid_from})
            end = self.last if period.valid_to is None or period.valid_to > self.last else period.valid_to
            periods.append((period.superior.code, period.valid_from, end))
        previous = org.superior
        if not periods and previous is not None and (org.valid_from is None or org.valid_from <= self.last):
            periods.append((previous, None, self.last))
        periods.append((superior, self.day, None))
        org.superior = superior
        self.moved.add(code)

        def run(by, code=code, superior=superior, periods=tuple(periods)):
            organization = Organization.objects.get(code=code)
            dated = [(Organization.objects.get(code=sup), start, end) for sup, start, end in periods]
            superior_periods_set(organization=organization, periods=dated, by=by)
            organization.superior = Organization.objects.get(code=superior)
            organization_save(organization=organization, by=by)

        line = _("%(code)s reports to %(superior)s from %(day)s (before: %(previous)s).")
        self.add(change, "superior", line, {**params, "previous": previous or "-"}, run)

    def create(self, change: _Change, data: dict | None = None, prefix: str = "") -> str:
        code, name, kind = (change.text(field, data=data, prefix=prefix) for field in ("code", "name", "kind"))
        superior = change.text("superior", required=False, data=data, prefix=prefix)
        params = {"code": code, "name": name, "kind": kind, "superior": superior or "-", "day": self.day}
        if code in self.orgs:
            raise change.error(prefix + "code", _("The code “%(code)s” is already taken."), params)
        if kind not in OrganizationKind.values:
            raise change.error(prefix + "kind", _("Unknown kind “%(kind)s”."), params)
        if superior is not None:
            self.org(change, prefix + "superior", superior)
        self.orgs[code] = _Org(code, name, superior, self.day, None, stored=False)

        def run(by, code=code, name=name, kind=kind, superior=superior):
            parent = Organization.objects.get(code=superior) if superior else None
            organization = Organization(code=code, name=name, kind=kind, superior=parent, valid_from=self.day)
            organization.full_clean()
            organization_save(organization=organization, by=by)

        line = _("Create %(code)s (%(name)s, %(kind)s) under %(superior)s from %(day)s.")
        self.add(change, prefix + "code", line, params, run)
        return code

    def merge(self, change: _Change) -> None:
        codes, into = change.data.get("codes"), change.data.get("into")
        if not isinstance(codes, list) or not codes or not all(isinstance(code, str) for code in codes):
            raise change.error("codes", _("Expected a non-empty list of organisation codes."))
        if len(set(codes)) != len(codes):
            raise change.error("codes", _("A code is listed twice."))
        for position, code in enumerate(codes):
            self.org(change, f"codes[{position}]", code)
        if isinstance(into, dict):
            target = self.create(change, into, prefix="into.")
        elif isinstance(into, str) and into not in codes:
            target = self.org(change, "into", into).code
        else:
            raise change.error("into", _("Expected a new organisation (an object) or the code of another one."))
        for position, code in enumerate(codes):
            self.dissolve(change, code, target, field=f"codes[{position}]")

    def end_position(self, change: _Change) -> None:
        person, code, role = self._position_fields(change)
        self.org(change, "organization", code, alive=False)
        found = Position.objects.filter(person__username=person, organization__code=code, role=role)
        positions = self._open_positions(change, "person", found)
        if not positions:
            message = _("%(person)s holds no %(role)s position in %(organization)s on %(day)s.")
            raise change.error(
                "person", message, {"person": person, "role": role, "organization": code, "day": self.day}
            )
        line = _("End %(person)s as %(role)s in %(organization)s on %(last)s.")
        for position in positions:
            self.add(change, "person", line, self._position_params(position), self._ender(position.pk))

    def start_position(self, change: _Change) -> None:
        username, code, role = self._position_fields(change)
        title = change.text("title", required=False) or ""
        params = {"person": username, "username": username, "role": role, "organization": code, "day": self.day}
        self.org(change, "organization", code)
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None:
            raise change.error("person", _("No person with the username “%(username)s”."), params)
        holding = Position.objects.active_on(self.day).filter(person=person, organization__code=code, role=role)
        if holding.exclude(pk__in=self.ended).exists() or username in self.started.get(code, []):
            raise change.error("person", _("%(person)s already holds this position on %(day)s."), params)
        self.started.setdefault(code, []).append(username)

        def run(by, pk=person.pk, code=code, role=role, title=title):
            organization, person = Organization.objects.get(code=code), User.objects.get(pk=pk)
            position_start(person=person, organization=organization, role=role, start=self.day, title=title, by=by)

        self.add(change, "person", _("Start %(person)s as %(role)s in %(organization)s from %(day)s."), params, run)

    # --- helpers ---

    def _position_fields(self, change: _Change) -> tuple[str, str, str]:
        person, code, role = change.text("person"), change.text("organization"), change.text("role")
        if role not in POSITION_ROLES:
            raise change.error("role", _("Unknown role “%(role)s”."), {"role": role})
        return person, code, role

    def _position_params(self, position: Position) -> dict:
        person, organization = position.person.username, position.organization.code
        return {"person": person, "role": position.role, "organization": organization, "last": self.last}

    def _open_positions(self, change: _Change, field: str, positions) -> list[Position]:
        """The positions of ``positions`` still open on D (not already ended by this set); each must have
        begun before D, since it is ended on D-1."""
        found = positions.filter(Q(end__isnull=True) | Q(end__gte=self.day)).exclude(pk__in=self.ended)
        found = list(found.select_related("person", "organization"))
        for position in found:
            if position.start > self.last:
                message = _("%(position)s starts on %(start)s, not before %(day)s.")
                raise change.error(field, message, {"position": position, "start": position.start, "day": self.day})
            self.ended.add(position.pk)
        return found

    def _ender(self, pk: int) -> Callable[[User | None], object]:
        def run(by):
            position = Position.objects.select_related("person", "organization").get(pk=pk)
            return position_end(position=position, end=self.last, by=by)

        return run

    def check_nothing_reports_to_dissolved(self) -> list[ChangeError]:
        errors = []
        message = _("%(codes)s still report to %(code)s from %(day)s: move or dissolve them in this change set.")
        for code, (change, field) in self.dissolved.items():
            below = sorted(o.code for o in self.orgs.values() if o.superior == code and o.exists_on(self.day))
            if below:
                params = {"codes": ", ".join(below), "code": code, "day": self.day}
                errors.append(change.error(field, message, params))
        return errors


def _read_date(data: dict) -> datetime.date:
    value = data.get("date")
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ChangeSetError([ChangeError(_("Expected a date (YYYY-MM-DD)."), field="date")]) from None


def plan_change_set(data) -> Plan:
    """Check the whole set (writing nothing) and describe every write; raise ``ChangeSetError`` if refused."""
    if not isinstance(data, dict):
        raise ChangeSetError([ChangeError(_("Expected an object with “date” and “changes”."), field="")])
    day = _read_date(data)
    changes = data.get("changes")
    if not isinstance(changes, list) or not changes:
        raise ChangeSetError([ChangeError(_("Expected a non-empty list of changes."), field="changes")])
    planner = _Planner(day)
    errors: list[ChangeError] = []
    for index, item in enumerate(changes, start=1):
        op = item.get("op") if isinstance(item, dict) else None
        try:
            if op not in OPS:
                raise ChangeError(
                    _("Unknown operation “%(op)s”.") % {"op": op}, index=index, op=str(op or "?"), field="op"
                )
            unknown = sorted(set(item) - set(OPS[op]) - {"op"})
            if unknown:
                raise ChangeError(_("Unknown field."), index=index, op=op, field=unknown[0])
            getattr(planner, op)(_Change(index, op, item))
        except ChangeError as error:
            errors.append(error)
    errors += planner.check_nothing_reports_to_dissolved()
    if errors:
        raise ChangeSetError(sorted(errors, key=lambda error: error.index or 0))
    open_reviews = Review.objects.exclude(state__in=CLOSED_STATES).select_related("organization")
    open_reviews = open_reviews.order_by("organization__code", "year", "pk")
    dissolved = [code for code in planner.dissolved if planner.orgs[code].stored]
    moved = [code for code in planner.moved if planner.orgs[code].stored and code not in planner.dissolved]
    return Plan(
        day=day,
        steps=planner.steps,
        dissolved_reviews=list(open_reviews.filter(organization__code__in=dissolved)),
        moved_reviews=list(open_reviews.filter(organization__code__in=moved)),
        touched=set(planner.dissolved) | planner.moved,
    )
