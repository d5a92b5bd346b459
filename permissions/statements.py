"""Compiled statements for the transition's hot path: SQL that Django generated once, run with fresh values.

Django builds and compiles a queryset every time it runs it: about 0.1-0.3 ms of Python per statement, most
of a transition's time (issue 14).  ``Compiled(build, int, str, ...)`` compiles the queryset
``build(*sentinels)`` once per database alias (on first use), finds where each sentinel argument landed among
the statement's parameters, and afterwards runs the same SQL with the caller's values in their place:

* ``rows(*args)``: the rows of a ``values_list`` queryset as tuples, through Django's own converters;
* ``instances(*args)``: model instances as the queryset gives them (``Model.from_db``, ``select_related``
  objects attached by Django's own populators, annotations set);
* ``first_row`` / ``first_instance``: the first of those, or None.

Invariants:

* The SQL text is exactly what Django compiled for the queryset; the caller's values only ever travel as
  parameters.  Arguments are ``int`` or ``str`` (the sentinels' types): a value of another type is refused,
  and a build whose sentinel does not reach the parameters (Django folded or transformed it) is refused at
  compile time rather than run wrong.
* Nothing else of the queryset may vary between calls: only the sentinel arguments.
* No prefetching, no ``known_related_objects``, no deferred loading beyond what the compiler selects: a
  queryset that needs them is not a candidate.  ``tests/permissions/test_statements.py`` compares every
  compiled statement of the hot path with its queryset's own result.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import sql
from django.db.models.query import get_related_populators

_SENTINEL_INT = itertools.count(-1_987_654_321, -7)
_SENTINEL_STR = itertools.count(1)


def _sentinel(kind: type):
    if kind is int:
        return next(_SENTINEL_INT)
    if kind is str:
        return f"\x00compiled-statement-{next(_SENTINEL_STR)}\x00"
    raise TypeError(f"a compiled statement takes int or str arguments, not {kind.__name__}")


@dataclass
class _Plan:
    """One compilation: the SQL, its parameters with the arguments' places, and how rows become results."""

    sql: str
    params: list
    places: list[tuple[int, int]]  # (index in params, index of the argument)
    converters: dict
    klass_info: dict | None
    init_list: list[str]
    model_span: tuple[int, int]
    populators: list
    annotation_col_map: dict


def _converted(row, converters: dict, connection) -> list:
    """``SQLCompiler.apply_converters`` for one row, with the calling thread's connection."""
    row = list(row)
    for position, (functions, expression) in converters.items():
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row


class Compiled:
    """A queryset compiled once per database alias and run with fresh arguments (see the module docstring)."""

    def __init__(self, build: Callable, *kinds: type):
        self.build, self.kinds = build, kinds
        self._plans: dict[str, _Plan] = {}

    def _plan(self, alias: str) -> _Plan:
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = self._compile(alias)
        return plan

    def _compile(self, alias: str) -> _Plan:
        sentinels = [_sentinel(kind) for kind in self.kinds]
        queryset = self.build(*sentinels)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        places = [(i, sentinels.index(value)) for i, value in enumerate(params) if value in sentinels]
        missing = set(range(len(sentinels))) - {argument for _i, argument in places}
        if missing:
            raise ValueError(f"compiled statement: arguments {sorted(missing)} did not reach the parameters: {sql}")
        klass_info, init_list, span, populators = compiler.klass_info, [], (0, 0), []
        if klass_info is not None:
            select_fields = klass_info["select_fields"]
            span = (select_fields[0], select_fields[-1] + 1)
            init_list = [column[0].target.attname for column in compiler.select[span[0] : span[1]]]
            populators = get_related_populators(klass_info, compiler.select, alias)
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        return _Plan(
            sql=sql,
            params=params,
            places=places,
            converters=compiler.get_converters(fields),
            klass_info=klass_info,
            init_list=init_list,
            model_span=span,
            populators=populators,
            annotation_col_map=dict(compiler.annotation_col_map or {}),
        )

    def _fetch(self, args: tuple, alias: str) -> tuple[_Plan, list]:
        if len(args) != len(self.kinds):
            raise TypeError(f"compiled statement takes {len(self.kinds)} arguments, got {len(args)}")
        for value, kind in zip(args, self.kinds, strict=True):
            if type(value) is not kind:
                raise TypeError(f"compiled statement argument {value!r} is not {kind.__name__}")
        plan = self._plan(alias)
        params = list(plan.params)
        for index, argument in plan.places:
            params[index] = args[argument]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters and rows:
            rows = [_converted(row, plan.converters, connection) for row in rows]
        return plan, rows

    def rows(self, *args, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        _plan, rows = self._fetch(args, using)
        return [tuple(row) for row in rows]

    def first_row(self, *args, using: str = DEFAULT_DB_ALIAS) -> tuple | None:
        rows = self.rows(*args, using=using)
        return rows[0] if rows else None

    def instances(self, *args, using: str = DEFAULT_DB_ALIAS) -> list:
        plan, rows = self._fetch(args, using)
        if plan.klass_info is None:
            raise TypeError("compiled statement: not a queryset of model instances")
        model, (start, end) = plan.klass_info["model"], plan.model_span
        found = []
        for row in rows:
            obj = model.from_db(using, plan.init_list, row[start:end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotation_col_map.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first_instance(self, *args, using: str = DEFAULT_DB_ALIAS):
        found = self.instances(*args, using=using)
        return found[0] if found else None


class CompiledInsert:
    """The INSERT of one instance of ``model``: Django's own SQL for it, compiled on first use per database
    alias; each call prepares the instance's values with Django's field methods (``pre_save``,
    ``get_db_prep_save``), runs the SQL and sets the new primary key on the instance, as ``save()`` would.

    No ``pre_save``/``post_save`` signals are sent (the models it is used for have no receivers), and an
    instance holding an expression, or a backend whose compiled SQL is not one plain placeholder per field,
    is saved by ``save(force_insert=True)`` instead."""

    def __init__(self, model):
        self.model = model
        self._plans: dict[str, tuple[str, list] | None] = {}

    def _plan(self, obj, alias: str) -> tuple[str, list] | None:
        if alias not in self._plans:
            meta = self.model._meta
            fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
            query = sql.InsertQuery(self.model)
            query.insert_values(fields, [obj])
            compiler = query.get_compiler(using=alias)
            compiler.returning_fields = meta.db_returning_fields
            statements = compiler.as_sql()
            statement = statements[0][0] if len(statements) == 1 else ""
            plain = statement.count("%s") == len(fields) and not compiler.returning_params
            self._plans[alias] = (statement, fields) if plain else None
        return self._plans[alias]

    def save(self, obj, *, using: str = DEFAULT_DB_ALIAS) -> None:
        plan = self._plan(obj, using)
        connection = connections[using]
        values = None
        if plan is not None:
            values = [field.pre_save(obj, True) for field in plan[1]]
        if plan is None or any(hasattr(value, "resolve_expression") for value in values):
            obj.save(force_insert=True, using=using)
            return
        statement, fields = plan
        params = [
            field.get_db_prep_save(value, connection=connection) for field, value in zip(fields, values, strict=True)
        ]
        meta = self.model._meta
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            if meta.db_returning_fields and connection.features.can_return_columns_from_insert:
                pk = cursor.fetchone()[0]
            else:
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        obj.pk = pk
        obj._state.adding, obj._state.db = False, using


class CompiledUpdate:
    """The UPDATE of some fields of one row of ``model``, matched by primary key and by the current values of
    ``match`` (e.g. a state the row must still be in): Django's own SQL for it, compiled on first use per
    database alias, set of fields and which of their values are NULL; each call prepares the values with
    Django's field methods (``pre_save``, so ``auto_now`` fields are stamped, then ``get_db_prep_save``).

    ``run`` returns the number of rows updated, or None when the instance holds an expression or the compiled
    SQL is not what this class can re-run (the caller then saves the usual way).  No signals are sent."""

    def __init__(self, model, *match: str):
        self.model, self.match = model, match
        self._plans: dict[tuple, tuple | None] = {}

    def _compile(self, alias: str, fields: list, values: list) -> tuple | None:
        sentinels = [_sentinel(int), *(_sentinel(str) for _name in self.match)]
        queryset = self.model._base_manager.using(alias).filter(pk=sentinels[0])
        for name, sentinel in zip(self.match, sentinels[1:], strict=True):
            queryset = queryset.filter(**{name: sentinel})
        query = queryset.query.chain(sql.UpdateQuery)
        query.add_update_fields([(field, None, value) for field, value in zip(fields, values, strict=True)])
        statement, params = query.get_compiler(using=alias).as_sql()
        connection = connections[alias]
        prepared = [
            field.get_db_prep_save(v, connection=connection)
            for field, v in zip(fields, values, strict=True)
            if v is not None
        ]
        head, tail = list(params[: len(prepared)]), list(params[len(prepared) :])
        if head != prepared or sorted(map(str, tail)) != sorted(map(str, sentinels)) or query.related_updates:
            return None
        return statement, [sentinels.index(value) for value in tail]

    def run(self, obj, fields: list[str], *, using: str = DEFAULT_DB_ALIAS, **match) -> int | None:
        meta = self.model._meta
        fields = [meta.get_field(name) for name in fields]
        values = [field.pre_save(obj, False) for field in fields]
        if any(hasattr(value, "resolve_expression") for value in values) or set(match) != set(self.match):
            return None
        key = (using, tuple(field.name for field in fields), tuple(value is None for value in values))
        if key not in self._plans:
            self._plans[key] = self._compile(using, fields, values)
        plan = self._plans[key]
        if plan is None:
            return None
        statement, where = plan
        connection = connections[using]
        arguments = [obj.pk, *(match[name] for name in self.match)]
        params = [
            field.get_db_prep_save(v, connection=connection)
            for field, v in zip(fields, values, strict=True)
            if v is not None
        ]
        params += [arguments[index] for index in where]
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount
