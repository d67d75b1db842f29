"""A province's LCS and managers see and download their own province's reports only: the national weekly report
(other provinces' worst sites and fines) and the national statement are for HQ and the national managers."""

from datetime import date

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from penalties.models import Report


def _report(kind, province):
    report = Report(kind=kind, period=date(2026, 11, 16), province=province, generated_at=timezone.now())
    report.file.save(f"{kind}-{province.code if province else 'all'}.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return report


def test_national_reports_are_not_a_provinces(net, login):
    national = _report(Report.Kind.WEEKLY_NATIONAL, None)
    statement = _report(Report.Kind.MONTHLY_NATIONAL, None)
    own = _report(Report.Kind.WEEKLY_PROVINCE, net.zj)
    other = _report(Report.Kind.WEEKLY_PROVINCE, net.xj)
    for user in (net.lcs_zj, net.manager_zj):
        client = login(user)
        for report in (national, statement, other):
            assert client.get(reverse("penalties:report_download", args=[report.pk])).status_code == 404
        assert client.get(reverse("penalties:report_download", args=[own.pk])).status_code == 200
        listed = client.get(reverse("penalties:reports")).context["table"]
        assert [row.record for row in listed.rows] == [own]
    for user in (net.hq, net.manager):
        client = login(user)
        for report in (national, statement, own, other):
            assert client.get(reverse("penalties:report_download", args=[report.pk])).status_code == 200
