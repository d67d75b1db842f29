"""History on the objects' own pages: ``{% history_of obj as rows %}``, ``{% site_history site as rows %}`` (the
site, its service areas and couriers together) and ``{% as_found violation as then %}`` (the rule version and the
site's service areas as they stood when the violation was recorded)."""

from django import template
from django.utils import timezone

from core.models import Courier, ServiceArea
from penalties.rule_versions import rule_in_force

from ..history import as_of, history_rows, history_rows_of, version_as_of

register = template.Library()


@register.simple_tag
def history_of(obj, limit=200):
    return history_rows(obj, limit=limit)


@register.simple_tag
def site_history(site, limit=200):
    rows = history_rows(site, limit=limit)
    rows += history_rows_of(ServiceArea.history.filter(site_id=site.pk), ServiceArea, limit=limit)
    rows += history_rows_of(Courier.history.filter(site_id=site.pk), Courier, limit=limit)
    return sorted(rows, key=lambda r: r["at"], reverse=True)[:limit]


def _area_key(area) -> tuple:
    return area.district_id, tuple(area.keywords or ()), area.priority


@register.simple_tag
def as_found(violation):
    """What the audit of a fine needs: the rule version and the site's service areas at ``created_at``, and
    whether either differs now."""
    at = violation.created_at
    rule_then = version_as_of(violation.rule_version, at=at)
    areas_then = sorted(as_of(ServiceArea, at=at, site_id=violation.site_id), key=_area_key)
    areas_now = sorted(ServiceArea.objects.filter(site_id=violation.site_id), key=_area_key)
    rule_now = rule_in_force(violation.rule, timezone.now())
    return {
        "at": at,
        "rule": rule_then,
        "rule_now": rule_now if rule_now is not None and rule_now.pk != violation.rule_version_id else None,
        "rule_changed": (rule_then.fine, rule_then.threshold_minutes, rule_then.description)
        != (violation.rule_version.fine, violation.rule_version.threshold_minutes, violation.rule_version.description),
        "areas": areas_then,
        "areas_changed": [_area_key(a) for a in areas_then] != [_area_key(a) for a in areas_now],
    }
