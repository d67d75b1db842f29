"""Chinese in every PDF and label with no system font at all: each kind is rendered in a fresh process whose
fontconfig knows no font directory, then ``pdftotext`` must read the Chinese back and ``pdffonts`` must list the
vendored font, embedded (WeasyPrint through @font-face, ReportLab through its registration)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[1]

PROBE = r"""
import os, sys, types
from datetime import date
from decimal import Decimal
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.utils.safestring import mark_safe
from penalties.charts import bar_chart
from penalties.pdf import pdf_render
from logistics.labels import labels_pdf

out = sys.argv[1]
week = date(2026, 11, 16)
site = {"name": "杭州西湖网点", "code": "33010601", "province": {"name": "浙江省"}}
chart = mark_safe(bar_chart(items=[("接单超时", 3), ("揽收超时", 1)]))
kinds = {
    "weekly_province": ("penalties/pdf/weekly_province.html", {"province": {"name": "浙江省"}, "week": week,
                                                               "week_end": date(2026, 11, 22), "rows": [],
                                                               "chart_rules": chart, "chart_trend": chart}),
    "weekly_national": ("penalties/pdf/weekly_national.html", {"week": week, "week_end": date(2026, 11, 22),
                                                               "chart_rules": chart, "chart_trend": chart}),
}
for name, (template, context) in kinds.items():
    with open(os.path.join(out, name + ".pdf"), "wb") as fh:
        fh.write(pdf_render(template, context).content)
# the month-end statement: ReportLab (finance.documents, with the reward quotas table)
from finance.documents import statement_pdf
from penalties.reports import quotas_table
quota = types.SimpleNamespace(province=types.SimpleNamespace(name="浙江省"), first_level_sites=80, quota=12,
                              qualifiers=9, awarded=9)
with open(os.path.join(out, "monthly.pdf"), "wb") as fh:
    fh.write(statement_pdf(data={"closed": None, "by_heading": [], "total": Decimal("0"), "corrected_months": [],
                                 "per_site": [{"site__name": "杭州西湖网点", "site__code": "33010601",
                                               "province__name": "浙江省", "fines": Decimal("-100"), "refunds": None,
                                               "rewards": None, "adjustments": None, "total": Decimal("-100")}]},
                           scope="全网", month=date(2026, 11, 1), extra=[quotas_table([quota])]).content)
# the province report as it is made: its detail rows drawn with ReportLab after the WeasyPrint cover
from datetime import datetime
from zoneinfo import ZoneInfo
# a site's notice: ReportLab (the fast path)
from penalties.reports import notice_pdf
ns = types.SimpleNamespace
# an audit finding: its evidence is its explanation (a time fine's explanation replays the order's stored history)
line = ns(violation=ns(rule="FALSE_WAYBILL", order_id=1, order=ns(channel_order_id="LP0000000777"), reference="",
                       evidence="揽收运单号与实物不符",
                       occurred_at=datetime(2026, 11, 17, 10, tzinfo=ZoneInfo("Asia/Shanghai")), week=week,
                       fine=Decimal("100")), late_addition=True)
with open(os.path.join(out, "notice.pdf"), "wb") as fh:
    fh.write(notice_pdf(site=ns(name="杭州西湖网点", code="33010601", province=ns(name="浙江省")), week=week,
                        issued_at=datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Shanghai")), lines=[line],
                        total=Decimal("100")).content)
from penalties.reports import province_pdf
class Detail:
    def values_list(self, *fields):
        return self
    def iterator(self, chunk_size):
        yield ("杭州西湖网点", "LATE_ACCEPT", "LP0000000777", "", datetime(2026, 11, 17, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
               Decimal("100"), week)
with open(os.path.join(out, "province_detail.pdf"), "wb") as fh:
    fh.write(province_pdf(province=types.SimpleNamespace(name="浙江省"), week=week, count=1, total=Decimal("100"),
                          worst=[], chart_rules=chart, detail=Detail()).content)
order = types.SimpleNamespace(
    waybill_no="300000000777", channel_order_id="LP0000000777", receiver_name="李四", receiver_phone="13998765432",
    receiver_province="北京市", receiver_city="北京市", receiver_district="朝阳区", receiver_address="建国路1号",
    sender_name="张三", sender_phone="13812345678", sender_province="浙江省", sender_city="杭州市",
    sender_district="西湖区", sender_address="文三路90号", goods="衣服", weight_kg=Decimal("1.5"),
    channel=types.SimpleNamespace(name="淘宝"), site=types.SimpleNamespace(name="杭州西湖网点"))
with open(os.path.join(out, "label.pdf"), "wb") as fh:
    fh.write(labels_pdf([order]))
"""

EXPECT = {
    "notice": "杭州西湖网点",
    "weekly_province": "浙江省",
    "province_detail": "杭州西湖网点",
    "weekly_national": "全网电商订单服务质量周报",
    "monthly": "分网点明细",
    "label": "电子面单",
}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdfs")
    conf = out / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{out / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(conf),
        "FONTCONFIG_PATH": str(out),
        "XDG_DATA_HOME": str(out),
        "HOME": str(out),
    }
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True).stdout
    assert listed.strip() == "", "the empty fontconfig still finds fonts: " + listed[:200]
    subprocess.run(
        [sys.executable, "-c", PROBE, str(out)], cwd=BASE, env=env, check=True, capture_output=True, timeout=300
    )
    return out


@pytest.mark.parametrize("kind", sorted(EXPECT))
def test_chinese_renders_with_the_vendored_font(pdfs, kind):
    path = pdfs / f"{kind}.pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert EXPECT[kind] in text, text[:500]
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    # WeasyPrint names it by its @font-face family (Q9-CJK), ReportLab by the font's own name
    cjk = [row for row in rows if "Q9-CJK" in row[0] or "WenQuanYiMicroHei" in row[0]]
    assert cjk, fonts
    assert all("TrueType" in " ".join(row) and row[-5] == "yes" for row in cjk), fonts  # embedded
