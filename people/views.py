"""People pages: HQ and the province LCS manage accounts (list, create, edit, deactivate, reset a password, move
a clerk, bulk create from a file); the password views (change, reset by e-mail) in Chinese; the master data's
history pages."""

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import views as auth_views
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core import scoping, twofactor
from core.demo import DEMO_SECOND_FACTOR_ACCOUNTS
from core.models import ClosureDay, Courier, Province, ServiceArea, Site, User
from core.parsing import parse_id
from core.replica import replica_reads
from core.sheets import xlsx_response
from core.uploads import too_large
from core.view_calls import service_call
from orders import imports as importing
from orders.models import ApiClient, ImportJob
from orders.views import import_job_action
from penalties.models import RuleVersion, WorkOrderLimit

from . import account_import, areas, selectors, services
from .filters import AccountFilter
from .forms import AccountForm, AreaChangeForm, ImportForm, MoveForm, SecondFactorForm
from .history import account_event_rows, history_rows
from .tables import AccountTable

R = User.Role


def managers(view):
    """HQ and the province LCS, with a session verified by the second factor (administering accounts)."""
    return scoping.role_required(R.HQ, R.LCS)(twofactor.second_factor_required(view))


def _user_or_404(request, pk) -> User:
    return get_object_or_404(selectors.manageable_users(request.user).exclude(pk=request.user.pk), pk=pk)


@managers
def user_list(request):
    flt = AccountFilter(
        request.GET, queryset=selectors.manageable_users(request.user).order_by("username"), user=request.user
    )
    table = AccountTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "people/user_list.html", {"filter": flt, "table": table})


@managers
def user_create(request):
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        created = service_call(
            request,
            lambda: services.account_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                unit=form.unit(),
                first_name=form.cleaned_data["first_name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
            ),
            form=form,
        )
        if created:
            user, password = created.result
            # the temporary password is shown in this answer only, never stored in clear
            return render(
                request, "people/password_shown.html", {"account": user, "password": password, "created": True}
            )
    return render(request, "people/user_form.html", {"form": form})


@managers
def user_detail(request, pk):
    account = _user_or_404(request, pk)
    form = AccountForm(request.POST or None, actor=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        saved = service_call(
            request,
            lambda: services.account_update(
                actor=request.user,
                user=account,
                first_name=form.cleaned_data["first_name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                unit=form.unit(),
            ),
            _("Saved."),
            form=form,
        )
        if saved:
            return redirect("people:user_detail", pk=account.pk)
    return render(
        request,
        "people/user_detail.html",
        {
            "account": account,
            "form": form,
            "move_form": MoveForm(prefix="move"),
            "events": account_event_rows(selectors.account_events(account)[:100]),
            "history": history_rows(account),
            "must_change": selectors.must_change_password(account),
            "second_factor": {
                "needed": twofactor.needs_second_factor(account),
                "enrolled_at": twofactor.enrolled_at(account),
                "may_reset": scoping.role_of(request.user) == R.HQ,
            },
        },
    )


def _act(request, pk, action, done):
    account = _user_or_404(request, pk)
    service_call(request, lambda: action(account), done)
    return redirect("people:user_detail", pk=account.pk)


@managers
@require_POST
def user_deactivate(request, pk):
    return _act(
        request,
        pk,
        lambda u: services.account_deactivate(actor=request.user, user=u),
        _("Deactivated: the account is signed out everywhere and cannot sign in."),
    )


@managers
@require_POST
def user_reactivate(request, pk):
    return _act(request, pk, lambda u: services.account_reactivate(actor=request.user, user=u), _("Reactivated."))


@managers
@require_POST
def user_move(request, pk):
    account = _user_or_404(request, pk)
    form = MoveForm(request.POST, prefix="move")
    if not form.is_valid():
        flash.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("people:user_detail", pk=account.pk)
    return _act(
        request,
        pk,
        lambda u: services.account_move(actor=request.user, user=u, site=form.cleaned_data["site"]),
        _("Moved to %(site)s.") % {"site": form.cleaned_data["site"].name},
    )


@managers
@require_POST
def user_password_reset(request, pk):
    account = _user_or_404(request, pk)
    reset = service_call(request, lambda: services.account_password_reset(actor=request.user, user=account))
    if not reset:
        return redirect("people:user_detail", pk=account.pk)
    return render(request, "people/password_shown.html", {"account": account, "password": reset.result})


@managers
@require_POST
def user_second_factor_reset(request, pk):
    return _act(
        request,
        pk,
        lambda u: services.second_factor_reset(actor=request.user, user=u),
        _("The second factor is reset: the account enrols an authenticator again at its next protected act."),
    )


@managers
def user_import(request):
    """Upload an accounts file: the request only stores it (over the limit: refused before a byte is written) and
    opens the job's page, where a worker's check, the confirmation and the import follow."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and too_large(request):  # the file was skipped unread: the form has nothing to say
        flash.error(request, _("The file is larger than 20 MB: split it."))
        return redirect("people:user_import")
    if request.method == "POST" and form.is_valid():
        job = importing.job_create(kind=ImportJob.Kind.ACCOUNTS, upload=form.cleaned_data["file"], actor=request.user)
        return redirect("people:user_import_job", pk=job.pk)
    jobs = selectors.account_import_jobs(request.user)[:20]
    return render(request, "people/user_import.html", {"form": form, "columns": account_import.COLUMNS, "jobs": jobs})


@managers
def user_import_template(request):
    """The accounts file to fill in: its header and one example row."""
    header, rows = account_import.ACCOUNTS.template()
    return xlsx_response(filename="import-template-accounts", headers=header, rows=rows, sheet="accounts", stamp=False)


@managers
def user_import_job(request, pk):
    """An accounts file's job: its check, confirmation, progress, every problem with its row, and what it created —
    HQ's any, an LCS's its province's LCS's (anyone else: 404)."""
    job = get_object_or_404(selectors.account_import_jobs(request.user), pk=pk)
    if request.method == "POST":
        import_job_action(request, job)
        return redirect("people:user_import_job", pk=job.pk)
    context = importing.progress_context(job, reverse("people:user_import_job", args=[job.pk]))
    if request.htmx:
        return render(request, "orders/_import_progress.html", context)
    if job.status == ImportJob.Status.DONE:
        context["created"] = selectors.imported_users(request.user, job.pk)[:1000]
    return render(request, "people/user_import_job.html", context)


# --- the password views: Django's own, in Chinese ----------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change form; replacing a temporary password is recorded (and ends the forced change)."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "forced": selectors.must_change_password(self.request.user)}

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_change_record(user=form.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """The e-mail carries an absolute link built from SITE_URL (never from the request's Host header)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_extra_email_context(self):
        return {"site_url": settings.SITE_URL.rstrip("/")}

    def form_valid(self, form):
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_change_record(user=form.user)
        return response


# --- the second factor: enrolment, verification, recovery codes (core/twofactor.py) ---------------------------------

second_factor_users = scoping.role_required(R.HQ, R.LCS)


def _codes_page(request, codes: list[str], next_url: str):
    return render(
        request,
        "registration/second_factor_codes.html",
        {"codes": codes, "codes_text": "\r\n".join(codes) + "\r\n", "next": next_url},
    )


@second_factor_users
def second_factor_enrol(request):
    """Scan the QR code (or type the secret) into an authenticator app, confirm with its first code; the recovery
    codes follow, shown once. Enrolled: the page says since when and can issue new recovery codes."""
    next_url = twofactor.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    enrolled = twofactor.enrolled_at(request.user)
    if enrolled:
        if request.method == "POST" and request.POST.get("action") == "codes":
            if not twofactor.is_verified(request):
                return redirect(f"{reverse('second_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
            renewed = service_call(request, lambda: services.recovery_codes_renew(user=request.user))
            if renewed:
                return _codes_page(request, renewed.result, next_url)
        return render(
            request,
            "registration/second_factor_enrolled.html",
            {
                "enrolled_at": enrolled,
                "codes_left": twofactor.recovery_codes_left(request.user),
                "verified": twofactor.is_verified(request),
                "next": next_url,
            },
        )
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = service_call(
            request,
            lambda: services.second_factor_enrol(user=request.user, token=form.cleaned_data["token"]),
            form=form,
        )
        if enrolled:
            twofactor.session_verified(request, twofactor.authenticator(request.user))
            return _codes_page(request, enrolled.result, next_url)
    device = twofactor.enrolment_start(user=request.user)
    return render(
        request,
        "registration/second_factor_enrol.html",
        {
            "form": form,
            "qr": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "next": next_url,
        },
    )


@second_factor_users
def second_factor_verify(request):
    """The step-up: a 6-digit code from the app or a recovery code, then back to where the user was."""
    next_url = twofactor.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if not twofactor.enrolled_at(request.user):
        return redirect(f"{reverse('second_factor_enrol')}?{urlencode({'next': next_url})}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = service_call(
            request, lambda: twofactor.verify(user=request.user, token=form.cleaned_data["token"]), form=form
        )
        if verified:
            twofactor.session_verified(request, verified.result)
            return redirect(next_url)
    demo_code = None
    if settings.DEMO_MODE and request.user.username in DEMO_SECOND_FACTOR_ACCOUNTS:
        demo_code = twofactor.current_code(twofactor.authenticator(request.user))  # the demo's hint, never elsewhere
    return render(
        request, "registration/second_factor_verify.html", {"form": form, "next": next_url, "demo_code": demo_code}
    )


# --- history pages --------------------------------------------------------------------------------------------------


def _history_models():
    return {
        "site": (Site, "province_id"),
        "service-area": (ServiceArea, "site__province_id"),
        "courier": (Courier, "site__province_id"),
        "province": (Province, "pk"),
        "closure-day": (ClosureDay, None),
        "rule": (RuleVersion, None),
        "work-order-limit": (WorkOrderLimit, None),
        "api-client": (ApiClient, None),
    }


@scoping.role_required(R.HQ, R.LCS, R.MANAGER)
def object_history(request, kind, pk):
    """Who changed what, when, for one object of the master data. HQ and national managers see everything; a
    province's LCS and managers the sites (their areas and couriers) and the hours of their own province."""
    entry = _history_models().get(kind)
    if entry is None:
        raise Http404
    model, province_field = entry
    qs = model.objects.all()
    if not scoping.is_national(request.user):
        if province_field is None:
            raise Http404
        qs = qs.filter(**{province_field: request.user.province_id})
    obj = get_object_or_404(qs, pk=pk)
    return render(
        request,
        "people/object_history.html",
        {"object": obj, "kind": model._meta.verbose_name, "history": history_rows(obj)},
    )


# --- service areas: export, and a change previewed before it is saved ------------------------------------------------


@scoping.role_required(R.HQ)
@replica_reads()
def area_export(request):
    province = request.GET.get("province") or None
    return xlsx_response(
        filename="service-areas.xlsx",
        headers=list(areas.AREA_COLUMNS),
        rows=areas.areas_export_rows(province_id=parse_id(province)),
    )


def _change(form) -> areas.AreaChange:
    d = form.cleaned_data
    return areas.AreaChange(
        site=d["site_obj"],
        district=d["district_obj"],
        keywords=areas.keywords_parse(d["keywords"]),
        priority=d["priority"],
        area=d["area_obj"],
        delete=bool(d.get("delete")),
    )


@scoping.role_required(R.HQ)
def area_edit(request):
    """HQ changes a service area: first the preview (where the addresses go now and after), then the save."""
    initial = {}
    area = (
        ServiceArea.objects.filter(pk=parse_id(request.GET.get("area")) or 0).select_related("site", "district").first()
    )
    if area is not None:
        initial = {
            "area": area.pk,
            "site": area.site.code,
            "district": area.district.adcode,
            "keywords": "、".join(area.keywords or []),
            "priority": area.priority,
        }
    elif request.GET.get("site"):
        initial = {"site": request.GET["site"]}
    form = AreaChangeForm(request.POST or None, initial=initial)
    context = {"form": form, "area": area}
    if request.method == "POST" and form.is_valid():
        change = _change(form)
        signature = form.signature()
        if request.POST.get("action") == "save":
            try:
                if signing.loads(form.cleaned_data.get("previewed") or "", salt="area-preview") != signature:
                    raise signing.BadSignature
            except signing.BadSignature:
                form.add_error(None, _("The change differs from what was previewed: preview it again, then save."))
            else:
                saved = service_call(
                    request,
                    lambda: areas.area_change_save(change=change, actor=request.user),
                    _("The service area is saved."),
                    form=form,
                )
                if saved:
                    return redirect("core:site_detail", code=change.site.code)
        context["rows"] = areas.area_preview(change=change, addresses=form.cleaned_data["addresses"].splitlines())
        context["token"] = signing.dumps(signature, salt="area-preview")
    return render(request, "people/area_edit.html", context)
