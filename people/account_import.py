"""Accounts in bulk from a file (/people/import/): the import kit's kind "accounts" (``core.imports``), run as an
import job like every kind (``orders.imports``: the request stores the file, a worker checks it, another creates
the accounts once the uploader confirms). The check reads every row — role, unit inside what the uploader may
manage (an LCS: clerks of its province's sites and managers of its province), contacts, user names free and not
repeated — and only a clean file creates its accounts, all in a few statements. Each new user gets an e-mail (after
commit) with a link to set a password; until then the password is unusable."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from core import jobs
from core.imports import Importer, Problem, Refused
from core.models import Province, Site, User
from core.scoping import role_of

from . import selectors
from .exceptions import AccountError
from .models import AccountEvent
from .services import EDITABLE, Unit, _contact_check

Role = User.Role
COLUMNS = {
    "网点编码": "site",
    "姓名": "first_name",
    "手机": "phone",
    "邮箱": "email",
    "角色": "role",
    "用户名": "username",
    "省份": "province",
}
MAX_ROWS = 5000
#: the role column: the role's name exactly as the desk shows it (or its code); a near word such as 「客服」 is refused
ROLE_WORDS = {
    "网点客服": Role.CLERK,
    "clerk": Role.CLERK,
    "省平台": Role.LCS,
    "lcs": Role.LCS,
    "总部电商组": Role.HQ,
    "hq": Role.HQ,
    "管理层": Role.MANAGER,
    "manager": Role.MANAGER,
}


def _prepare(records: list[dict], context: dict) -> None:
    actor = context["actor"]
    for rec in records:
        rec["username_given"] = bool(rec.get("username"))
        rec["username"] = rec.get("username") or rec.get("phone", "")
    codes = {r.get("site", "") for r in records}
    context["sites"] = Site.objects.in_bulk(codes, field_name="code")
    context["in_scope"] = set(selectors.assignable_sites(actor).filter(code__in=codes).values_list("code", flat=True))
    provinces = list(Province.objects.all())
    context["provinces"] = {p.name: p for p in provinces} | {p.code: p for p in provinces}
    wanted = {r["username"].lower() for r in records}
    context["taken"] = set(
        User.objects.annotate(low=Lower("username")).filter(low__in=wanted).values_list("low", flat=True)
    )
    context["roles"] = dict(selectors.assignable_roles(actor))


def _role(rec: dict, context: dict) -> tuple[str | None, list[Problem]]:
    role = ROLE_WORDS.get(rec.get("role", ""))
    if rec.get("role") and role is None:
        return None, [("role", _("unknown role “%(v)s” (网点客服, 省平台, 总部电商组 or 管理层)") % {"v": rec["role"]})]
    if role and role not in context["roles"]:
        return role, [("role", _("you may not give this role"))]
    return role, []


def _site(rec: dict, role, context: dict) -> tuple[Site | None, list[Problem]]:
    problems = []
    if role == Role.CLERK and not rec.get("site"):
        problems.append(("site", _("a site clerk needs a site code")))
    site = context["sites"].get(rec.get("site", ""))
    if rec.get("site"):  # checked whatever the role says, so one pass names every problem of the row
        if site is None:
            problems.append(("site", _("no site with code %(v)s") % {"v": rec["site"]}))
        elif rec["site"] not in context["in_scope"]:
            problems.append(("site", _("this site is outside your province")))
    return (site if role == Role.CLERK else None), problems


def _province(rec: dict, role, context: dict) -> tuple[Province | None, list[Problem]]:
    if role not in (Role.LCS, Role.MANAGER):
        return None, []
    problems = []
    province = context["provinces"].get(rec.get("province", "")) if rec.get("province") else None
    if rec.get("province") and province is None:
        problems.append(("province", _("no province “%(v)s”") % {"v": rec["province"]}))
    if role == Role.LCS and province is None and not rec.get("province"):
        problems.append(("province", _("a province LCS needs a province")))
    actor = context["actor"]
    if role_of(actor) != Role.LCS:
        return province, problems
    if province is not None and province.pk != actor.province_id:  # an LCS's accounts are of its own province
        problems.append(("province", _("this province is not yours")))
    return actor.province, problems


def _contacts(rec: dict) -> list[Problem]:
    problems = []
    for contact in ({"phone": rec.get("phone", ""), "email": ""}, {"phone": "", "email": rec.get("email", "")}):
        try:
            _contact_check(**contact)
        except AccountError as exc:
            problems.append((exc.field, str(exc.message)))
    return problems


def _username_column(rec: dict) -> str:
    return "username" if rec.get("username_given") else "phone"


def _row(rec: dict, context: dict) -> list[Problem]:
    role, problems = _role(rec, context)
    site, found = _site(rec, role, context)
    province, more = _province(rec, role, context)
    problems += found + more + _contacts(rec)
    if rec["username"] and rec["username"].lower() in context["taken"]:
        problems.append((_username_column(rec), _("user name %(v)s is taken") % {"v": rec["username"]}))
    rec["unit"] = Unit(role=role or "", site=site, province=province)
    return problems


def _repeated_names(records: list[dict], context: dict):
    """A user name (whatever its case) that an earlier row already has."""
    seen: dict[str, int] = {}
    for n, rec in enumerate(records, start=2):
        name = rec["username"].lower()
        if name and name in seen:
            message = _("user name %(v)s is also in row %(row)s") % {"v": rec["username"], "row": seen[name]}
            yield n, _username_column(rec), message
        seen.setdefault(name, n)


def accounts_create(*, actor, records: list[dict], at: datetime | None = None, job_id: int | None = None) -> list[User]:
    """Create the accounts of checked records in a few statements (users with their history, then their records);
    each new user's e-mail is sent after commit."""
    at = at or timezone.now()
    users = [
        User(
            username=r["username"],
            first_name=r["first_name"].strip(),
            phone=r["phone"].strip(),
            email=r["email"].strip(),
            role=r["unit"].role,
            site=r["unit"].site,
            province=r["unit"].province,
            is_active=True,
            password=make_password(None),
            date_joined=at,
        )
        for r in records
    ]
    try:
        with transaction.atomic():
            users = bulk_create_with_history(users, User, batch_size=1000, default_user=actor, default_date=at)
    except IntegrityError:  # a user name taken since the check (the index ignores case)
        message = _("A user name of the file was taken meanwhile: check the file again.")
        raise Refused([{"row": 0, "column": "", "message": message}]) from None
    if any(u.pk is None for u in users):  # bulk_create_with_history answers with fresh rows when it must
        users = list(User.objects.filter(username__in=[u.username for u in users]))
    AccountEvent.objects.bulk_create([_created_event(u, actor, at, job_id) for u in users], batch_size=1000)
    jobs.publish_on_commit("people.welcome_mail", [u.pk for u in users])  # never the request's wait
    return users


def _run(job, records: list[dict], progress) -> str:
    users = accounts_create(actor=job.created_by, records=records, job_id=job.pk)
    progress(len(users))
    return ngettext("%(n)s account created.", "%(n)s accounts created.", len(users)) % {"n": len(users)}


def _created_event(user: User, actor, at, job_id: int | None) -> AccountEvent:
    changes = {f: [None, getattr(user, f)] for f in EDITABLE if getattr(user, f) not in ("", None)}
    data = {"imported": True, "changes": changes} | ({"import_job": job_id} if job_id else {})
    return AccountEvent(user=user, kind=AccountEvent.Kind.CREATED, actor=actor, at=at, data=data)


ACCOUNTS = Importer(
    kind="accounts",
    columns=COLUMNS,
    required=("first_name", "phone", "email", "role"),
    prepare=_prepare,
    row=_row,
    rows=_repeated_names,
    run=_run,
    max_rows=MAX_ROWS,
    example={
        "site": "33010601",
        "first_name": "张三",
        "phone": "13812345678",
        "email": "a@example.com",
        "role": "网点客服",
    },
)
