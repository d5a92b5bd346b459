"""Web pages: thin views over selectors (reads) and services (writes).

No rule lives here.  Whether a form is shown comes from ``access.may`` / the selectors that read the
role table and the state machine; whether an action succeeds is decided by the services, whose
``ReviewError``s are shown on the field they name.  Every action form carries the stage the review was
at when the page was drawn: if it moved on since, or the service reports ``someone_else_acted``, the
page says so plainly and nothing is saved.

"Save draft" on the long forms (report text, self-assessment) keeps the text in the person's session
only: nothing is recorded, audited or shown to anyone else until they submit (see docs/web.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from permissions.roles import Action, roles_allowed
from review_process import forms as f
from review_process.access import may
from review_process.errors import Conflict, Forbidden, NotFound, ReviewError
from review_process.models import TRANSITION_NAMES, Rating, ResponseDecision, Review, ReviewState
from review_process.selectors import (
    audit_trail,
    deadline_label,
    holds_superior_role,
    next_transition,
    organizations_user_may_open,
    overview_for,
    people_named_in,
    record_actions_open_to,
    report_versions,
    review_deadlines,
    review_get_for_user,
    review_overdue,
    review_people,
    review_records,
    review_summaries,
    review_years_visible_to,
    reviews_visible_to,
    stage_label,
    transition_blockers,
    transition_requires_reason,
    transitions_open_to,
    waiting_on_roles,
)
from review_process.services import records as svc
from review_process.templatetags.review_ui import report_diff, stage_steps

SESSION_DRAFTS = "review_form_drafts"
SOMEONE_ELSE_ACTED = "someone_else_acted"  # workflows.services.SOMEONE_ELSE_ACTED

# Which record action shows which form (the form's prefix is its key).
RECORD_FORMS = {
    Action.ADD_REPORT_VERSION: "report",
    Action.ADD_OPINION: "opinion",
    Action.RECORD_OPINION_FOR_OTHERS: "spoken",
    Action.RECORD_CONFERENCE: "conference",
    Action.ADD_GUIDANCE: "guidance",
    Action.SET_SELF_ASSESSMENT: "assessment",
    Action.SET_DECISION: "decision",
    Action.RECORD_NOTIFICATION: "notification",
    Action.SET_REMEDIAL_PLAN: "plan",
    Action.INVITE_PARTICIPANT: "invite",
}
DRAFTABLE = {"report": ("text", "is_final"), "assessment": ("proposed_rating", "justification")}
ANCHORS = {
    "report": "report",
    "opinion": "opinions",
    "spoken": "opinions",
    "respond": "opinions",
    "conference": "conference",
    "guidance": "guidance",
    "assessment": "assessment",
    "decision": "assessment",
    "notification": "results",
    "plan": "results",
    "invite": "participants",
    "transition": "next-step",
}


# --- Helpers ------------------------------------------------------------------------------------------


def _review_or_404(request, pk) -> Review:
    try:
        return review_get_for_user(user=request.user, review_id=pk)
    except NotFound:
        raise Http404() from None


def _review_url(review: Review, anchor: str = "") -> str:
    url = reverse("review_process:review-detail", args=[review.pk])
    return f"{url}#{anchor}" if anchor else url


def _drafts(request) -> dict:
    return request.session.get(SESSION_DRAFTS, {})


def _draft_get(request, review, key) -> dict | None:
    return _drafts(request).get(f"{review.pk}:{key}")


def _draft_set(request, review, key, data: dict) -> None:
    drafts = _drafts(request)
    drafts[f"{review.pk}:{key}"] = {**data, "saved_at": timezone.now().isoformat()}
    request.session[SESSION_DRAFTS] = drafts


def _draft_clear(request, review, key) -> None:
    drafts = _drafts(request)
    if drafts.pop(f"{review.pk}:{key}", None) is not None:
        request.session[SESSION_DRAFTS] = drafts


# --- Building the forms of the review page -------------------------------------------------------------


def _build_form(key, request, review, recs, people, data=None, files=None):
    """The form for ``key``, initial values from the records (or the person's saved draft)."""
    kwargs = {"review": review, "prefix": key, "data": data, "files": files}
    draft = _draft_get(request, review, key) if key in DRAFTABLE else None
    if key == "report":
        latest = recs["report_versions"][-1] if recs["report_versions"] else None
        initial = draft or ({"text": latest.text} if latest else {})
        if review.state == ReviewState.FINALIZING and not draft:
            initial["is_final"] = True
        return f.ReportVersionForm(initial=initial, **kwargs)
    if key == "opinion":
        return f.OwnOpinionForm(**kwargs)
    if key == "spoken":
        conference = recs["conference"]
        attendees = []
        if conference is not None:
            attendees = [a.person for a in conference.attendance.all() if a.present]
            attendees += [p for p in conference.superior_representatives.all() if p not in attendees]
        return f.SpokenOpinionForm(attendees=attendees, **kwargs)
    if key == "conference":
        conference = recs["conference"]
        initial = {}
        if conference is not None:
            held = timezone.localtime(conference.held_at)
            initial = {
                "held_on": held.date(),
                "held_time": held.time().replace(second=0, microsecond=0),
                "location": conference.location,
                "chair": conference.chair.username if conference.chair else "",
                "superior_representatives": [p.username for p in conference.superior_representatives.all()],
            }
            for a in conference.attendance.all():
                initial[f"present_{a.person.username}"] = a.present
                initial[f"reason_{a.person.username}"] = a.reason
        return f.ConferenceForm(
            initial=initial, local_people=people["local"], superior_people=people["superior"], **kwargs
        )
    if key == "guidance":
        return f.GuidanceForm(**kwargs)
    if key == "assessment":
        current = recs["self_assessment"]
        initial = draft or (
            {"proposed_rating": current.proposed_rating, "justification": current.justification} if current else {}
        )
        return f.SelfAssessmentForm(initial=initial, **kwargs)
    if key == "decision":
        current = recs["decision"]
        return f.DecisionForm(initial={"final_rating": current.final_rating} if current else {}, **kwargs)
    if key == "notification":
        current = recs["notification"]
        initial = {"notified_on": current.notified_on, "note": current.note} if current else {}
        initial.setdefault("notified_on", timezone.localdate())
        return f.NotificationForm(initial=initial, **kwargs)
    if key == "plan":
        plan = recs["remedial_plan"]
        items = list(plan.items.all()) if plan else []
        initial = {}
        for i, item in enumerate(items):
            initial[f"item_{i}_description"] = item.description
            initial[f"item_{i}_owner"] = item.owner
            initial[f"item_{i}_due_date"] = item.due_date
        rows = max(3, len(items) + 1)
        if data is not None:
            rows = max(rows, sum(1 for k in data if k.startswith("plan-item_") and k.endswith("_owner")))
        return f.RemedialPlanForm(initial=initial, rows=rows, **kwargs)
    if key == "invite":
        return f.InviteForm(**kwargs)
    raise KeyError(key)


def _respond_form(review, opinion, data=None):
    response = getattr(opinion, "response", None) if _has_response(opinion) else None
    initial = {"decision": response.decision, "note": response.note} if response else {}
    return f.OpinionResponseForm(data=data, review=review, prefix=f"respond-{opinion.pk}", initial=initial)


def _has_response(opinion) -> bool:
    try:
        opinion.response  # noqa: B018
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return False
    return True


def _transition_form(review, name, data=None):
    return f.TransitionForm(
        data=data,
        review=review,
        prefix=f"t-{name}",
        requires_reason=transition_requires_reason(review=review, name=name),
    )


def _review_context(request, review, bound: dict | None = None) -> dict:
    """Everything the review page shows; ``bound`` replaces a form by the one the person just posted."""
    user = request.user
    bound = bound or {}
    recs = review_records(review=review)
    actions = record_actions_open_to(review=review, user=user)
    people = review_people(review=review) if Action.RECORD_CONFERENCE in actions else {"local": [], "superior": []}

    forms = {}
    for action, key in RECORD_FORMS.items():
        if action in actions:
            forms[key] = bound.get(key) or _build_form(key, request, review, recs, people)

    respond_forms = {}
    if Action.RESPOND_OPINION in actions:
        for opinion in recs["opinions"]:
            respond_forms[opinion.pk] = bound.get(f"respond-{opinion.pk}") or _respond_form(review, opinion)
    opinions = [
        {
            "opinion": o,
            "response": o.response if _has_response(o) else None,
            "form": respond_forms.get(o.pk),
        }
        for o in recs["opinions"]
    ]
    unanswered = sum(1 for o in opinions if o["response"] is None)

    names = transitions_open_to(review=review, user=user)
    transitions = []
    for name in names:
        transitions.append(
            {
                "name": name,
                "label": Action(name).label,
                "form": bound.get(f"t-{name}") or _transition_form(review, name),
                "blockers": _messages_of(transition_blockers(review=review, name=name, user=user)),
                "side_exit": name in ("cancel", "return_for_revision"),
            }
        )

    action_links = [
        {"label": Action(action).label, "anchor": f"form-{key}"} for action, key in RECORD_FORMS.items() if key in forms
    ]
    if respond_forms and unanswered:
        action_links.insert(0, {"label": Action.RESPOND_OPINION.label, "anchor": "opinions"})
    problems = [
        {"anchor": f"form-{key}", "title": _problem_title(key)}
        for key, form in bound.items()
        if form is not None and form.errors
    ]

    next_name = next_transition(review)
    next_blockers = _messages_of(transition_blockers(review=review, name=next_name)) if next_name else []
    for t in transitions:
        # Blockers already listed under "Next step" are referred to, not repeated.
        t["own_blockers"] = [m for m in t["blockers"] if m not in next_blockers]
    deadlines = review_deadlines(review)
    overdue = review_overdue(review)
    drafts = {key: _draft_get(request, review, key) for key in DRAFTABLE if key in forms}
    return {
        "review": review,
        "steps": stage_steps(review.state),
        "next_name": next_name,
        "next_label": Action(next_name).label if next_name else "",
        "next_roles": waiting_on_roles(review.state),
        "next_blockers": next_blockers,
        "transitions": [t for t in transitions if not t["side_exit"]],
        "side_exits": [t for t in transitions if t["side_exit"]],
        "forms": forms,
        "action_links": action_links,
        "problems": problems,
        "drafts": {k: v for k, v in drafts.items() if v},
        "record_actions": sorted(actions),
        "has_actions": bool(actions or names),
        "records": recs,
        "opinions": opinions,
        "unanswered": unanswered,
        "deadlines": [(deadline_label(k), v) for k, v in deadlines.items() if v],
        "overdue": (deadline_label(overdue[0]), overdue[1]) if overdue else None,
        "can_read_audit": may(user, review, Action.VIEW_AUDIT_TRAIL),
        "process": getattr(review, "process", None) if _has_process(review) else None,
        "ratings": Rating,
    }


def _messages_of(guards) -> list[str]:
    """Guards are callables (django-fsm conditions): hand templates their messages, not the guards."""
    return [str(guard.message) for guard in guards]


def _problem_title(key: str) -> str:
    if key.startswith("t-"):
        return str(Action(key[2:]).label)
    if key.startswith("respond-"):
        return str(Action.RESPOND_OPINION.label)
    action = next((a for a, k in RECORD_FORMS.items() if k == key), None)
    return str(Action(action).label) if action else key


def _has_process(review) -> bool:
    try:
        review.process  # noqa: B018
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return False
    return True


def _render_review(request, review, bound=None, status=200):
    return render(request, "review_process/review_detail.html", _review_context(request, review, bound), status=status)


def _someone_else_acted(request, review, key, form_class_builder, seen_state: str | None):
    """Say plainly that the review moved on; keep what the person typed if the form still applies."""
    review = _review_or_404(request, review.pk)
    if seen_state and seen_state != review.state:
        text = _(
            "Someone else acted first: while you were filling in the form, the review moved from the stage "
            "“%(before)s” to “%(after)s”. Nothing was saved. Check the page below and, if it is still "
            "needed, do it again."
        ) % {"before": stage_label(seen_state), "after": stage_label(review.state)}
    else:
        text = _(
            "Someone else acted on this review at the same moment. Nothing was saved. Check the page below "
            "and, if it is still needed, do it again."
        )
    messages.warning(request, text)
    bound = {}
    data = request.POST.copy()
    prefix_state = f"{key}-state"
    if prefix_state in data:
        data[prefix_state] = review.state
        try:
            form = form_class_builder(review, data)
        except Exception:  # noqa: BLE001 - the form no longer applies at this stage
            form = None
        if form is not None:
            form.is_valid()
            bound[key] = form
    return _render_review(request, review, bound=bound, status=409)


def _perform(request, review, key, form, perform, success, rebuild):
    """Detect a stale page, validate, run the service, and say what happened."""
    seen = form.data.get(f"{key}-state")
    if seen and seen != review.state:  # the review moved on since the page was drawn
        return _someone_else_acted(request, review, key, rebuild, seen)
    if not form.is_valid():
        return _render_review(request, review, bound={key: form}, status=400)
    try:
        result = perform(form.cleaned_data)
    except NotFound as error:
        if error.code == "not_found":
            raise Http404() from None
        form.add_service_error(error)
        return _render_review(request, review, bound={key: form}, status=404)
    except Conflict as error:
        if error.code == SOMEONE_ELSE_ACTED:
            return _someone_else_acted(request, review, key, rebuild, seen)
        form.add_service_error(error)
        return _render_review(request, _review_or_404(request, review.pk), bound={key: form}, status=409)
    except Forbidden as error:
        # Their role may not do this (the form was not theirs to see): say so at the top of the page.
        messages.error(request, str(error))
        return _render_review(request, review, status=403)
    except ReviewError as error:
        form.add_service_error(error)
        return _render_review(request, review, bound={key: form}, status=400)
    messages.success(request, success(result))
    return HttpResponseRedirect(_review_url(review, ANCHORS.get(key.split("-")[0], "")))


def _record_post(request, pk, key, perform, success):
    """POST of one of the record forms (RECORD_FORMS)."""
    review = _review_or_404(request, pk)
    recs = review_records(review=review)
    people = review_people(review=review) if key == "conference" else {"local": [], "superior": []}

    def rebuild(rv, data):
        return _build_form(key, request, rv, review_records(review=rv), people, data=data, files=request.FILES)

    form = _build_form(key, request, review, recs, people, data=request.POST, files=request.FILES)
    intent = request.POST.get("intent", "submit")
    if key in DRAFTABLE and intent == "discard":
        _draft_clear(request, review, key)
        messages.info(request, _("Your saved draft was discarded."))
        return HttpResponseRedirect(_review_url(review, ANCHORS[key]))
    if key in DRAFTABLE and intent == "save_draft":
        if not form.is_valid():
            return _render_review(request, review, bound={key: form}, status=400)
        _draft_set(request, review, key, {name: form.cleaned_data.get(name) for name in DRAFTABLE[key]})
        messages.success(
            request,
            _("Draft saved. Only you can see it and nothing has been recorded yet: submit it when it is ready."),
        )
        return HttpResponseRedirect(_review_url(review, ANCHORS[key]))

    def perform_and_forget(data):
        result = perform(review, data, form)
        if key in DRAFTABLE:
            _draft_clear(request, review, key)
        return result

    return _perform(request, review, key, form, perform_and_forget, success, rebuild)


# --- Pages --------------------------------------------------------------------------------------------


def _prime_viewflow_perm_cache(user) -> None:
    """viewflow's queue reads every object permission of the person one row at a time (two queries per
    row); load them in one query and hand viewflow the set it would have built."""
    from guardian.models import UserObjectPermission

    if hasattr(user, "_viewflow_per_object_perm_cache"):
        return
    rows = UserObjectPermission.objects.filter(user=user).values_list(
        "content_type__app_label", "permission__codename", "object_pk"
    )
    user._viewflow_per_object_perm_cache = {f"{app}.{codename}_{pk}" for app, codename, pk in rows}


def _my_tasks(user) -> dict:
    """viewflow's inbox (assigned to me) and queue (I may take), limited to the reviews I may see."""
    from viewflow.workflow.models import Task

    from workflows.flows import ReviewFlow
    from workflows.views import tasks_visible_to

    _prime_viewflow_perm_cache(user)

    def listed(queryset):
        tasks = list(
            tasks_visible_to(queryset, user)
            .select_related("process__reviewprocess__review__organization")
            .order_by("created")
        )
        return [
            {
                "task": task,
                "title": task.flow_task.task_title or task.flow_task.name,
                "review": task.process.reviewprocess.review,
                "url": task.flow_task.reverse("index", args=[task.process_id, task.pk]),
            }
            for task in tasks
        ]

    return {
        "inbox": listed(Task.objects.inbox([ReviewFlow], user)),
        "queue": listed(Task.objects.queue([ReviewFlow], user)),
    }


@login_required
@require_GET
def home(request):
    user = request.user
    reviews = (
        reviews_visible_to(user=user)
        .select_related("organization", "conference")
        .order_by("-year", "organization__path", "pk")
    )
    rows = review_summaries(user=user, reviews=reviews)
    organizations = organizations_user_may_open(user=user)
    context = {
        "nav": "home",
        "rows": rows,
        "overdue": [row for row in rows if row["overdue"]],
        "tasks": _my_tasks(user),
        "open_form": f.OpenReviewForm(organizations=organizations, initial={"year": timezone.localdate().year})
        if organizations
        else None,
    }
    return render(request, "review_process/home.html", context)


@login_required
@require_POST
def review_open_view(request):
    from workflows.services import review_open

    organizations = organizations_user_may_open(user=request.user)
    form = f.OpenReviewForm(request.POST, organizations=organizations)
    if form.is_valid():
        try:
            review = review_open(
                organization_code=form.cleaned_data["organization"], year=form.cleaned_data["year"], by=request.user
            )
        except ReviewError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Review opened: %(organization)s, %(year)s. Start by adding the draft report.")
                % {"organization": review.organization.name, "year": review.year},
            )
            return redirect(_review_url(review, "report"))
    reviews = reviews_visible_to(user=request.user).select_related("organization", "conference")
    rows = review_summaries(user=request.user, reviews=reviews)
    context = {
        "rows": rows,
        "overdue": [r for r in rows if r["overdue"]],
        "tasks": _my_tasks(request.user),
        "open_form": form,
    }
    return render(request, "review_process/home.html", context, status=400)


@login_required
@require_GET
def review_detail(request, pk):
    review = _review_or_404(request, pk)
    return _render_review(request, review)


@login_required
@require_GET
def report_compare(request, pk):
    review = _review_or_404(request, pk)
    versions = list(report_versions(review=review))
    if not versions:
        raise Http404()
    by_number = {v.number: v for v in versions}
    default = {"old": versions[0].number, "new": versions[-1].number}
    form = f.CompareForm(request.GET if "old" in request.GET else default, versions=versions)
    diff = old = new = None
    if form.is_valid():
        old, new = by_number[form.cleaned_data["old"]], by_number[form.cleaned_data["new"]]
        diff = report_diff(old.text, new.text)
    return render(
        request,
        "review_process/report_compare.html",
        {"review": review, "form": form, "diff": diff, "old": old, "new": new, "versions": versions},
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_GET
def audit_trail_page(request, pk):
    review = _review_or_404(request, pk)
    if not may(request.user, review, Action.VIEW_AUDIT_TRAIL):
        raise Http404()
    events = list(audit_trail(review=review))
    return render(
        request,
        "review_process/audit_trail.html",
        {"review": review, "events": events, "names": people_named_in(events)},
    )


@login_required
@require_GET
def overview(request, year=None):
    user = request.user
    if not holds_superior_role(user=user):
        raise Http404()
    if year is None:
        years = review_years_visible_to(user=user)
        return redirect("review_process:overview-year", year=years[0] if years else timezone.localdate().year)
    data = overview_for(user=user, year=year)
    if not data["rows"]:
        raise Http404()
    base_depth = min(len(row["organization"].ancestor_ids) for row in data["rows"])
    for row in data["rows"]:
        row["depth"] = len(row["organization"].ancestor_ids) - base_depth
    years = sorted(set(review_years_visible_to(user=user)) | {year, timezone.localdate().year}, reverse=True)
    return render(request, "review_process/overview.html", {**data, "years": years, "nav": "overview"})


# --- Actions (POST) -----------------------------------------------------------------------------------


@login_required
@require_POST
def transition_run(request, pk, name):
    from workflows.services import review_transition

    if name not in TRANSITION_NAMES:
        raise Http404()
    review = _review_or_404(request, pk)
    form = _transition_form(review, name, data=request.POST)

    def rebuild(rv, data):
        return _transition_form(rv, name, data=data)

    def perform(data):
        return review_transition(review=review.pk, name=name, by=request.user, reason=data.get("reason", ""))

    def success(updated):
        text = _("Done: “%(action)s”. The review is now at the stage “%(state)s”.") % {
            "action": Action(name).label,
            "state": stage_label(updated.state),
        }
        following = next_transition(updated)
        if following:
            roles = ", ".join(str(r.label) for r in _roles(following))
            text += " " + _("Next: “%(action)s” (%(roles)s).") % {"action": Action(following).label, "roles": roles}
        return text

    return _perform(request, review, f"t-{name}", form, perform, success, rebuild)


def _roles(action):
    from permissions.roles import Role

    allowed = roles_allowed(action)
    return [r for r in Role if r in allowed]


@login_required
@require_POST
def report_version_post(request, pk):
    def perform(review, data, form):
        return svc.report_version_add(
            review=review,
            by=request.user,
            text=data["text"],
            is_final=data.get("is_final", False),
            attachment=data.get("attachment"),
        )

    def success(version):
        return _("Report version %(number)s added (%(label)s).") % {"number": version.number, "label": version.label}

    return _record_post(request, pk, "report", perform, success)


@login_required
@require_POST
def opinion_post(request, pk):
    def perform(review, data, form):
        return svc.opinion_add(review=review, by=request.user, text=data["text"], channel=data["channel"])

    return _record_post(request, pk, "opinion", perform, lambda o: _("Your opinion was recorded."))


@login_required
@require_POST
def spoken_opinion_post(request, pk):
    def perform(review, data, form):
        return svc.opinion_add(
            review=review, by=request.user, text=data["text"], channel="conference", author_username=data["author"]
        )

    def success(opinion):
        return _("The opinion of %(name)s was recorded.") % {"name": opinion.author.get_full_name()}

    return _record_post(request, pk, "spoken", perform, success)


@login_required
@require_POST
def opinion_respond_post(request, pk, opinion_id):
    review = _review_or_404(request, pk)
    opinion = next((o for o in review_records(review=review)["opinions"] if o.pk == opinion_id), None)
    if opinion is None:
        raise Http404()
    key = f"respond-{opinion.pk}"
    form = _respond_form(review, opinion, data=request.POST)

    def rebuild(rv, data):
        return _respond_form(rv, opinion, data=data)

    def perform(data):
        return svc.opinion_respond(
            review=review, by=request.user, opinion_id=opinion.pk, decision=data["decision"], note=data["note"]
        )

    def success(response):
        return _("Response to the opinion of %(name)s recorded: %(decision)s.") % {
            "name": opinion.author.get_full_name(),
            "decision": ResponseDecision(response.decision).label,
        }

    return _perform(request, review, key, form, perform, success, rebuild)


@login_required
@require_POST
def conference_post(request, pk):
    def perform(review, data, form):
        return svc.conference_record(
            review=review,
            by=request.user,
            held_at=form.held_at(),
            location=data["location"],
            chair_username=data.get("chair") or None,
            attendees=form.attendees(),
            superior_representatives=data.get("superior_representatives", []),
        )

    return _record_post(request, pk, "conference", perform, lambda c: _("The conference was recorded."))


@login_required
@require_POST
def guidance_post(request, pk):
    def perform(review, data, form):
        return svc.guidance_add(review=review, by=request.user, text=data["text"])

    return _record_post(request, pk, "guidance", perform, lambda g: _("The guidance was recorded."))


@login_required
@require_POST
def self_assessment_post(request, pk):
    def perform(review, data, form):
        return svc.self_assessment_set(
            review=review, by=request.user, proposed_rating=data["proposed_rating"], justification=data["justification"]
        )

    def success(assessment):
        return _("Self-assessment submitted: proposed rating “%(rating)s”.") % {
            "rating": Rating(assessment.proposed_rating).label
        }

    return _record_post(request, pk, "assessment", perform, success)


@login_required
@require_POST
def decision_post(request, pk):
    def perform(review, data, form):
        return svc.decision_set(review=review, by=request.user, final_rating=data["final_rating"])

    def success(decision):
        return _("Final rating decided: “%(rating)s”.") % {"rating": Rating(decision.final_rating).label}

    return _record_post(request, pk, "decision", perform, success)


@login_required
@require_POST
def notification_post(request, pk):
    def perform(review, data, form):
        return svc.notification_record(
            review=review, by=request.user, notified_on=data["notified_on"], note=data["note"]
        )

    def success(notification):
        return _("The notification of results dated %(date)s was recorded.") % {
            "date": notification.notified_on.strftime("%d/%m/%Y")
        }

    return _record_post(request, pk, "notification", perform, success)


@login_required
@require_POST
def remedial_plan_post(request, pk):
    def perform(review, data, form):
        return svc.remedial_plan_set(review=review, by=request.user, items=form.items())

    def success(plan):
        return _("The remedial plan was filed (%(count)s items).") % {"count": plan.items.count()}

    return _record_post(request, pk, "plan", perform, success)


@login_required
@require_POST
def participant_invite_post(request, pk):
    def perform(review, data, form):
        return svc.participant_invite(review=review, by=request.user, username=data["username"])

    def success(participant):
        return _("%(name)s was invited to read the draft and give an opinion.") % {
            "name": participant.person.get_full_name()
        }

    return _record_post(request, pk, "invite", perform, success)
