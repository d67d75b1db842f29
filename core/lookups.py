"""``field__any=values``: ``field = ANY(%s)`` with the values as one array parameter.

For look-ups of a thousand keys at once (bulk intake's repeats, routing's districts and sites): ``__in`` writes
one placeholder per value, which Django and the driver then process one by one; an array is one parameter, and
PostgreSQL plans ``= ANY(array)`` as it plans ``IN (…)``. Registered on every field by ``CoreConfig.ready``."""

from __future__ import annotations

from django.db.models import Field, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        # each value prepared as the field prepares one (an int for a key, a str for a text); a set is fine
        return [self.lhs.output_field.get_prep_value(v) for v in self.rhs]

    def get_db_prep_lookup(self, value, connection):
        return "%s", [[self.lhs.output_field.get_db_prep_value(v, connection, prepared=True) for v in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def register() -> None:
    Field.register_lookup(AnyOf)
