"""The rule registry: what an auditor checks, where the rule comes from, and how it is checked.

Each rule has a stable ``code`` (also the API's error code when a blocking rule refuses a step), a title
in Vietnamese and English, the regimes (review years, ``review_process.regimes``) it applies to, its
citation per regime taken from ../shared/docs/domain-rules.md (a citation says "unverified" where that
file tags the source [I] or [U]), a severity and a check.

* ``finding``: the step is allowed; the auditor's report shows the failure.
* ``blocking``: the engine refuses the listed transitions while the rule fails (``blocking.py``).

A check reads only ``ReviewFacts`` (the review's records and its audit events, loaded in bulk by
``facts.py``) and returns an ``Outcome``: pass / fail / not applicable, a translated message and links to
the evidence records (``{"type": "report_version", "id": 3}``).  Checks never query the database.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from review_process.compliance.facts import TRANSITION_PREFIX, ReviewFacts, local_date
from review_process.models import TRANSITION_NAMES, Rating, Review, ReviewState
from review_process.regimes import REGIMES

ALL_REGIMES = tuple(r.code for r in REGIMES)


class Status(models.TextChoices):
    PASS = "pass", gettext_lazy("Pass")
    FAIL = "fail", gettext_lazy("Fail")
    NOT_APPLICABLE = "not_applicable", gettext_lazy("Not applicable")


class Severity(models.TextChoices):
    BLOCKING = "blocking", gettext_lazy("Blocking: the engine refuses the step")
    FINDING = "finding", gettext_lazy("Finding: allowed, but reported")


# Tags of ../shared/docs/domain-rules.md: S stated in a source, S-sec in a secondary source,
# I inferred or practice, U not found.
VERIFIED_TAGS = ("S", "S-sec")


@dataclass(frozen=True)
class Citation:
    document: str
    article: str = ""
    clause: str = ""
    tag: str = "S-sec"
    note: str = ""  # English; what is uncertain (shown after "unverified")
    section: str = ""  # where domain-rules.md discusses it

    @property
    def verified(self) -> bool:
        return self.tag in VERIFIED_TAGS

    def __str__(self) -> str:
        text = ", ".join(part for part in (self.document, self.article, self.clause) if part)
        if not self.verified:
            text += " — " + _("unverified")
            if self.note:
                text += ": " + self.note
        return text

    def as_dict(self) -> dict:
        return {
            "document": self.document,
            "article": self.article,
            "clause": self.clause,
            "tag": self.tag,
            "verified": self.verified,
            "note": self.note,
            "section": self.section,
        }


@dataclass
class Outcome:
    status: str
    message: str
    evidence: list[dict] = field(default_factory=list)


def passed(message: str, evidence: list[dict] | None = None) -> Outcome:
    return Outcome(Status.PASS, message, evidence or [])


def failed(message: str, evidence: list[dict] | None = None) -> Outcome:
    return Outcome(Status.FAIL, message, evidence or [])


def not_applicable(message: str, evidence: list[dict] | None = None) -> Outcome:
    return Outcome(Status.NOT_APPLICABLE, message, evidence or [])


def link(kind: str, obj) -> dict:
    return {"type": kind, "id": obj.pk}


def links(kind: str, objects) -> list[dict]:
    return [link(kind, o) for o in objects]


def day(value: datetime.date | datetime.datetime) -> str:
    """Dates in messages: dd/mm/yyyy in every language (the form used in party documents)."""
    if isinstance(value, datetime.datetime):
        value = local_date(value)
    return value.strftime("%d/%m/%Y")


def stage(state: str) -> str:
    return str(ReviewState(state).label) if state in ReviewState.values else state


def names(people) -> str:
    return ", ".join(p.get_full_name() for p in people)


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one review."""

    rule: str
    title_vi: str
    title_en: str
    severity: str
    status: str
    message: str
    reference: str
    evidence: list[dict]

    @property
    def title(self) -> str:
        return self.title_vi if (translation.get_language() or "vi").startswith("vi") else self.title_en

    @property
    def failed(self) -> bool:
        return self.status == Status.FAIL

    def as_dict(self, *, detail: bool = False) -> dict:
        data = {
            "rule": self.rule,
            "status": str(self.status),
            "message": self.message,
            "reference": self.reference,
            "evidence": self.evidence,
        }
        if detail:
            data.update(title=self.title, title_vi=self.title_vi, title_en=self.title_en, severity=str(self.severity))
        return data


@dataclass(frozen=True)
class Rule:
    code: str
    title_vi: str
    title_en: str
    severity: str
    citation: Citation
    check: Callable[[ReviewFacts], Outcome]
    checks_what: str  # English, for docs/compliance.md and the auditors' page
    regimes: tuple[str, ...] = ALL_REGIMES
    regime_citations: dict[str, Citation] = field(default_factory=dict)
    blocks: tuple[str, ...] = ()  # transitions refused while a blocking rule fails

    def citation_for(self, regime_code: str | None) -> Citation:
        return self.regime_citations.get(regime_code or "", self.citation)

    def applies_to(self, regime_code: str | None) -> bool:
        return regime_code in self.regimes

    def evaluate(self, facts: ReviewFacts) -> Finding:
        regime = facts.regime
        code = regime.code if regime else None
        if not self.applies_to(code):
            outcome = not_applicable(
                _("This rule does not apply to reviews of %(year)s.") % {"year": facts.review.year}
            )
        else:
            outcome = self.check(facts)
        return Finding(
            rule=self.code,
            title_vi=self.title_vi,
            title_en=self.title_en,
            severity=self.severity,
            status=outcome.status,
            message=str(outcome.message),
            reference=str(self.citation_for(code)),
            evidence=outcome.evidence,
        )


# --- The checks -------------------------------------------------------------------------------------


@functools.cache
def _fsm_table() -> dict[str, dict[str, str]]:
    """The prescribed sequence, read from the state machine: {transition: {source: target}}."""
    table = {}
    for name in TRANSITION_NAMES:
        meta = getattr(Review, name)._django_fsm
        table[name] = {str(source): str(t.target) for source, t in meta.transitions.items()}
    return table


def check_stage_order(f: ReviewFacts) -> Outcome:
    events = f.events
    if not events or events[0].action != "review.opened":
        return failed(
            _("The audit trail does not start with the opening of the review."), links("audit_event", events[:1])
        )
    table = _fsm_table()
    state = events[0].to_state or ReviewState.DRAFT
    steps = []
    for event in events[1:]:
        if event.action.startswith(TRANSITION_PREFIX):
            name = event.action[len(TRANSITION_PREFIX) :]
            params = {
                "step": name,
                "seq": event.sequence,
                "from": stage(event.from_state),
                "to": stage(event.to_state),
                "state": stage(state),
            }
            if event.from_state != state:
                return failed(
                    _(
                        "The step “%(step)s” (event %(seq)s) started from the stage “%(from)s” while the review "
                        "was at the stage “%(state)s”: a step was skipped or taken out of order."
                    )
                    % params,
                    [link("audit_event", event)],
                )
            if table.get(name, {}).get(event.from_state) != event.to_state:
                return failed(
                    _(
                        "The step “%(step)s” (event %(seq)s) went from “%(from)s” to “%(to)s”, which is not a step "
                        "of the prescribed sequence."
                    )
                    % params,
                    [link("audit_event", event)],
                )
            state = event.to_state
            steps.append(event)
        elif event.from_state and event.from_state != state:
            return failed(
                _(
                    "The record “%(action)s” (event %(seq)s) was written at the stage “%(from)s” while the review "
                    "was at the stage “%(state)s”."
                )
                % {
                    "action": event.action,
                    "seq": event.sequence,
                    "from": stage(event.from_state),
                    "state": stage(state),
                },
                [link("audit_event", event)],
            )
    if state != f.review.state:
        return failed(
            _("The review is at the stage “%(actual)s” but its audit trail ends at the stage “%(trail)s”.")
            % {"actual": stage(f.review.state), "trail": stage(state)},
            [link("review", f.review), *links("audit_event", events[-1:])],
        )
    return passed(
        ngettext(
            "%(n)s step taken in the prescribed order, none skipped.",
            "%(n)s steps taken in the prescribed order, none skipped.",
            len(steps),
        )
        % {"n": len(steps)},
        links("audit_event", steps),
    )


def check_draft_notice(f: ReviewFacts) -> Outcome:
    if f.conference is None:
        return not_applicable(_("No conference has been recorded yet."))
    circulated = f.first_transition("circulate_draft")
    if circulated is None:
        return failed(
            _("A conference is recorded but the audit trail has no circulation of the draft."),
            [link("conference", f.conference)],
        )
    required = f.regime.draft_notice_days
    held_on = local_date(f.conference.held_at)
    circulated_on = local_date(circulated.occurred_at)
    days = (held_on - circulated_on).days
    evidence = [link("audit_event", circulated), link("conference", f.conference)]
    if f.circulated_draft is not None:
        evidence.insert(0, link("report_version", f.circulated_draft))
    params = {"circulated": day(circulated_on), "held": day(held_on), "days": days, "required": required}
    if days >= required:
        return passed(
            ngettext(
                "The draft was circulated on %(circulated)s, %(days)s day before the conference on %(held)s "
                "(at least %(required)s required).",
                "The draft was circulated on %(circulated)s, %(days)s days before the conference on %(held)s "
                "(at least %(required)s required).",
                days,
            )
            % params,
            evidence,
        )
    return failed(
        ngettext(
            "The draft was circulated on %(circulated)s, only %(days)s day before the conference on %(held)s; "
            "at least %(required)s days are required.",
            "The draft was circulated on %(circulated)s, only %(days)s days before the conference on %(held)s; "
            "at least %(required)s days are required.",
            days,
        )
        % params,
        evidence,
    )


def check_conference_deadline(f: ReviewFacts) -> Outcome:
    if f.conference is None:
        return not_applicable(_("No conference has been recorded yet."))
    deadline = f.regime.conference_deadline(f.review.year)
    held_on = local_date(f.conference.held_at)
    params = {"held": day(held_on), "deadline": day(deadline)}
    if held_on <= deadline:
        return passed(
            _("The conference was held on %(held)s, by the deadline of %(deadline)s.") % params,
            [link("conference", f.conference)],
        )
    return failed(
        _("The conference was held on %(held)s, after the superior's deadline of %(deadline)s.") % params,
        [link("conference", f.conference)],
    )


def check_attendance_quorum(f: ReviewFacts) -> Outcome:
    if f.conference is None:
        return not_applicable(_("No conference has been recorded yet."))
    total = len(f.attendance)
    if total == 0:
        return failed(_("The conference has no attendance list."), [link("conference", f.conference)])
    present = sum(1 for a in f.attendance if a.present)
    quorum = f.regime.attendance_quorum
    params = {"present": present, "total": total, "quorum": f"{quorum * 100:.0f}%"}
    evidence = [link("conference", f.conference), *links("attendance", f.attendance)]
    if present > quorum * total:
        return passed(
            _("%(present)s of %(total)s members attended, more than the quorum of %(quorum)s.") % params, evidence
        )
    return failed(
        _("Only %(present)s of %(total)s members attended; more than %(quorum)s must attend.") % params, evidence
    )


def check_superior_representative(f: ReviewFacts) -> Outcome:
    if f.conference is None:
        return not_applicable(_("No conference has been recorded yet."))
    held_on = local_date(f.conference.held_at)
    if not f.representatives:
        return failed(
            _("No representative of the superior committee is recorded at the conference."),
            [link("conference", f.conference)],
        )
    qualified = [(u, f.superior_positions(u.pk, held_on)) for u in f.representatives]
    qualified = [(u, positions) for u, positions in qualified if positions]
    if not qualified:
        return failed(
            ngettext(
                "%(names)s is recorded as the superior's representative but held no position in a superior "
                "organisation on %(date)s.",
                "%(names)s are recorded as the superior's representatives, but none held a position in a superior "
                "organisation on %(date)s.",
                len(f.representatives),
            )
            % {"names": names(f.representatives), "date": day(held_on)},
            [link("conference", f.conference)],
        )
    return passed(
        _("The superior was represented at the conference by %(names)s.") % {"names": names(u for u, _p in qualified)},
        [link("conference", f.conference), *(link("position", p[0]) for _u, p in qualified)],
    )


def check_guidance_before_finalisation(f: ReviewFacts) -> Outcome:
    event = f.first_transition("give_guidance")
    if event is None:
        return not_applicable(_("The review has not reached finalisation yet."))
    guidance = f.guidance_with_text
    if not guidance:
        return failed(
            _("The review went on to finalisation without any guidance from the superior recorded."),
            [link("audit_event", event)],
        )
    before = [g for g in guidance if g.created_at <= event.occurred_at]
    if not before:
        return failed(
            _("The guidance was recorded on %(recorded)s, after the review went on to finalisation on %(final)s.")
            % {"recorded": day(guidance[0].created_at), "final": day(event.occurred_at)},
            [*links("guidance", guidance), link("audit_event", event)],
        )
    from_superior = [g for g in before if f.superior_positions(g.given_by_id, local_date(g.created_at))]
    if not from_superior:
        return failed(
            _("The guidance recorded was not given by anyone holding a position in a superior organisation."),
            [*links("guidance", before), link("audit_event", event)],
        )
    return passed(
        ngettext(
            "%(n)s guidance record from the superior before finalisation.",
            "%(n)s guidance records from the superior before finalisation.",
            len(from_superior),
        )
        % {"n": len(from_superior)},
        [*links("guidance", from_superior), link("audit_event", event)],
    )


def check_opinions_answered(f: ReviewFacts) -> Outcome:
    if not f.reached("submit_assessment"):
        return not_applicable(_("The final report has not been submitted yet."))
    unanswered = [o for o in f.opinions if f.response(o) is None]
    if unanswered:
        return failed(
            ngettext(
                "%(n)s opinion has no response (accepted or explained).",
                "%(n)s opinions have no response (accepted or explained).",
                len(unanswered),
            )
            % {"n": len(unanswered)},
            links("opinion", unanswered),
        )
    return passed(
        ngettext(
            "The %(n)s opinion received was answered.",
            "All %(n)s opinions received were answered.",
            len(f.opinions),
        )
        % {"n": len(f.opinions)},
        [link("opinion_response", f.response(o)) for o in f.opinions],
    )


def _normalised(text: str) -> str:
    return " ".join((text or "").split())


def check_final_report_revised(f: ReviewFacts) -> Outcome:
    if not f.reached("submit_assessment"):
        return not_applicable(_("The final report has not been submitted yet."))
    final = f.final_version
    if final is None:
        return failed(_("The review was submitted without a final report version."))
    guidance = f.guidance_with_text
    latest = max((g.created_at for g in guidance), default=None)
    if latest is not None and final.created_at <= latest:
        return failed(
            _("The final report (version %(n)s, %(date)s) is not dated after the guidance of %(guidance)s.")
            % {"n": final.number, "date": day(final.created_at), "guidance": day(latest)},
            [link("report_version", final), *links("guidance", guidance)],
        )
    accepted = f.accepted_opinions
    draft = f.circulated_draft
    evidence = [link("report_version", final)]
    if draft is not None and draft.pk != final.pk:
        evidence.insert(0, link("report_version", draft))
    if accepted or guidance:
        same = draft is None or draft.pk == final.pk
        same = same or (
            _normalised(draft.text) == _normalised(final.text) and draft.attachment_sha256 == final.attachment_sha256
        )
        if same:
            return failed(
                ngettext(
                    "The final report (version %(final)s) is identical to the circulated draft (version %(draft)s) "
                    "although %(n)s opinion was accepted and the superior's guidance was recorded.",
                    "The final report (version %(final)s) is identical to the circulated draft (version %(draft)s) "
                    "although %(n)s opinions were accepted and the superior's guidance was recorded.",
                    len(accepted),
                )
                % {"final": final.number, "draft": draft.number if draft else "-", "n": len(accepted)},
                [*evidence, *links("opinion", accepted), *links("guidance", guidance)],
            )
    return passed(
        _("The final report (version %(n)s, %(date)s) is dated after the guidance and revises the draft.")
        % {"n": final.number, "date": day(final.created_at)},
        evidence,
    )


def check_self_assessment_before_decision(f: ReviewFacts) -> Outcome:
    if f.decision is None and not f.reached("approve"):
        return not_applicable(_("No rating has been decided yet."))
    assessment = f.self_assessment
    if assessment is None:
        return failed(
            _("The rating was decided without a self-assessment."),
            [link("decision", f.decision)] if f.decision else [],
        )
    if f.decision is None:
        return failed(_("The review was approved without a rating decision."), [link("self_assessment", assessment)])
    evidence = [link("self_assessment", assessment), link("decision", f.decision)]
    if assessment.updated_at >= f.decision.decided_at:
        return failed(
            _("The self-assessment (%(sa)s) is dated after the rating decision (%(decision)s).")
            % {"sa": day(assessment.updated_at), "decision": day(f.decision.decided_at)},
            evidence,
        )
    return passed(
        _("The self-assessment (%(sa)s) came before the rating decision (%(decision)s).")
        % {"sa": day(assessment.updated_at), "decision": day(f.decision.decided_at)},
        evidence,
    )


def check_competent_body(f: ReviewFacts) -> Outcome:
    decision = f.decision
    if decision is None:
        if f.reached("approve"):
            return failed(_("The review was approved without a rating decision."))
        return not_applicable(_("No rating has been decided yet."))
    decided_on = local_date(decision.decided_at)
    superior_id = f.organization.superior_id
    positions = f.superior_positions(decision.decided_by_id, decided_on, roles=("standing_committee",))
    direct = [p for p in positions if p.organization_id == superior_id]
    params = {"name": decision.decided_by.get_full_name(), "date": day(decided_on)}
    if direct:
        return passed(
            _("The rating was decided by %(name)s, a member of the directly superior standing committee on %(date)s.")
            % params,
            [link("decision", decision), link("position", direct[0])],
        )
    if positions:
        return failed(
            _(
                "The rating was decided by %(name)s, who sat on a standing committee above the reviewed "
                "organisation on %(date)s but not on the directly superior one."
            )
            % params,
            [link("decision", decision), *links("position", positions)],
        )
    return failed(
        _(
            "The rating was decided by %(name)s, who held no standing-committee position in a superior organisation "
            "on %(date)s."
        )
        % params,
        [link("decision", decision)],
    )


def check_notification_recorded(f: ReviewFacts) -> Outcome:
    approved = f.first_transition("approve")
    if approved is None:
        return not_applicable(_("The rating has not been approved yet."))
    approved_on = local_date(approved.occurred_at)
    notification = f.notification
    if notification is None:
        due = approved_on + datetime.timedelta(days=settings.REVIEW_NOTIFY_DAYS)
        if not f.reached("close") and timezone.localdate() <= due:
            return not_applicable(
                _("The notification of results is not recorded yet (due by %(due)s).") % {"due": day(due)}
            )
        return failed(
            _("The result approved on %(approved)s was never notified.") % {"approved": day(approved_on)},
            [link("audit_event", approved)],
        )
    evidence = [link("notification", notification), link("audit_event", approved)]
    if notification.notified_on < approved_on:
        return failed(
            _("The notification is dated %(notified)s, before the approval on %(approved)s.")
            % {"notified": day(notification.notified_on), "approved": day(approved_on)},
            evidence,
        )
    return passed(_("The result was notified on %(notified)s.") % {"notified": day(notification.notified_on)}, evidence)


def check_remedial_plan(f: ReviewFacts) -> Outcome:
    closed = f.first_transition("close")
    if closed is None:
        return not_applicable(_("The review has not been closed yet; the plan may still be filed."))
    shortcomings = f.shortcomings()
    if not shortcomings:
        return not_applicable(_("No shortcomings were named (no opinion accepted, rating excellent)."))
    reasons = []
    if "accepted_opinions" in shortcomings:
        n = shortcomings["accepted_opinions"]
        reasons.append(ngettext("%(n)s opinion accepted", "%(n)s opinions accepted", n) % {"n": n})
    if "final_rating" in shortcomings:
        reasons.append(_("final rating “%(rating)s”") % {"rating": Rating(shortcomings["final_rating"]).label})
    params = {"reasons": "; ".join(reasons)}
    if f.remedial_plan is None or not f.remedial_items:
        return failed(
            _("Shortcomings were named (%(reasons)s) but no remedial plan was filed.") % params,
            [*links("opinion", f.accepted_opinions), *([link("decision", f.decision)] if f.decision else [])],
        )
    return passed(
        ngettext(
            "A remedial plan with %(n)s item was filed for the shortcomings named (%(reasons)s).",
            "A remedial plan with %(n)s items was filed for the shortcomings named (%(reasons)s).",
            len(f.remedial_items),
        )
        % {"n": len(f.remedial_items), **params},
        [link("remedial_plan", f.remedial_plan)],
    )


def check_evidence_complete(f: ReviewFacts) -> Outcome:
    from review_process.evidence import ItemStatus, checklist_from_facts

    items = checklist_from_facts(f)
    missing = [i for i in items if i.status == ItemStatus.MISSING]
    if missing:
        return failed(
            _("The evidence file lacks: %(items)s.") % {"items": "; ".join(f"{i.number}. {i.title}" for i in missing)},
            [{"type": "evidence_item", "id": i.number} for i in missing],
        )
    present = [i for i in items if i.status == ItemStatus.PRESENT]
    return passed(
        ngettext(
            "Every item due so far is in the evidence file (%(n)s item).",
            "Every item due so far is in the evidence file (%(n)s items).",
            len(present),
        )
        % {"n": len(present)},
        [{"type": "evidence_item", "id": i.number} for i in present],
    )


# --- The registry -----------------------------------------------------------------------------------


RULES: tuple[Rule, ...] = (
    Rule(
        code="stage_order",
        check=check_stage_order,
        title_vi="Thực hiện đúng trình tự các bước, không bỏ bước",
        title_en="Stages followed in order, no step skipped",
        severity=Severity.FINDING,
        checks_what=(
            "Replays the transition events of the audit trail against the state machine: each step starts from "
            "the stage the previous one ended in and is a step of the prescribed sequence; records are written "
            "at the stage the trail shows; the review's stage equals the end of its trail."
        ),
        citation=Citation(
            "Quy trình kiểm điểm theo hướng dẫn của Ban Tổ chức Trung ương (HD 21-HD/BTCTW 18/10/2019; "
            "HD 25-HD/BTCTW 10/11/2023; HD 43-HD/BTCTW 31/10/2025)",
            "các bước 1–15",
            tag="I",
            note="the order of the steps as a whole is read from the guidance and practice",
            section="§1A",
        ),
    ),
    Rule(
        code="draft_notice",
        check=check_draft_notice,
        title_vi="Gửi dự thảo báo cáo trước hội nghị ít nhất N ngày",
        title_en="Draft circulated at least N days before the conference",
        severity=Severity.FINDING,
        checks_what=(
            "Calendar days from the circulate_draft audit event (its occurred_at, local time) to the conference "
            "date (Conference.held_at) are at least REVIEW_DRAFT_NOTICE_DAYS (default 3)."
        ),
        citation=Citation(
            "Quy chế làm việc của cấp ủy / kế hoạch của cấp trên",
            tag="U",
            note="no day-count in 132-QĐ/TW, 124-QĐ/TW, 366-QĐ/TW or HD 21/25/43; N is a setting",
            section="§1A step 4",
        ),
    ),
    Rule(
        code="conference_deadline",
        check=check_conference_deadline,
        title_vi="Hội nghị kiểm điểm tổ chức trước thời hạn của cấp trên",
        title_en="Conference held before the superior's deadline",
        severity=Severity.FINDING,
        checks_what=(
            "The conference date (local) is on or before the regime's conference deadline "
            "(REVIEW_CONFERENCE_DEADLINE, default 15/12 of the review year)."
        ),
        citation=Citation(
            "Kế hoạch 01-KH/TU Thành ủy Hà Nội, 06/11/2020",
            "cấp cơ sở hoàn thành trước ngày 15/12 hằng năm",
            tag="I",
            note="stated for Hà Nội from 2020; other years and provinces set their own date (a setting)",
            section="§2",
        ),
    ),
    Rule(
        code="attendance_quorum",
        check=check_attendance_quorum,
        title_vi="Số thành viên dự hội nghị vượt tỷ lệ quy định",
        title_en="Attendance above the quorum",
        severity=Severity.FINDING,
        checks_what=(
            "Members marked present on the attendance list are more than REVIEW_ATTENDANCE_QUORUM (default 0.5) "
            "of the members listed. An empty list fails."
        ),
        citation=Citation(
            "Điều lệ Đảng, Điều 9 khoản 5; Quy định 24-QĐ/TW (2021)",
            "điểm 9.3",
            tag="U",
            note="'more than half' governs decisions; no attendance quorum for review conferences was found",
            section="§3",
        ),
    ),
    Rule(
        code="superior_representative",
        check=check_superior_representative,
        title_vi="Có đại diện cấp ủy cấp trên dự và chỉ đạo hội nghị",
        title_en="A superior representative present at the conference",
        severity=Severity.BLOCKING,
        blocks=("close_opinions",),
        checks_what=(
            "At least one person recorded as a superior representative held a position (organisation board, "
            "standing committee or inspection) in an organisation above the reviewed one on the conference "
            "date. Blocking: close_opinions is refused until one is recorded."
        ),
        citation=Citation(
            "Hướng dẫn kiểm điểm (HD 21/25/43-HD/BTCTW): cấp trên dự và chỉ đạo",
            tag="U",
            note="attendance of the superior is the practice in every case seen (Đức Giang 2021); "
            "no central text requiring it was found",
            section="§1A step 7",
        ),
    ),
    Rule(
        code="guidance_before_finalisation",
        check=check_guidance_before_finalisation,
        title_vi="Có ý kiến chỉ đạo của cấp trên trước khi hoàn thiện báo cáo",
        title_en="Guidance recorded before finalisation",
        severity=Severity.FINDING,
        checks_what=(
            "Once the review entered finalisation (give_guidance event), guidance with text was recorded before "
            "that event by a person holding a position in a superior organisation."
        ),
        citation=Citation(
            "Hướng dẫn kiểm điểm (HD 21/25/43-HD/BTCTW): tiếp thu ý kiến chỉ đạo, hoàn thiện báo cáo",
            tag="I",
            note="the step follows practice (Đức Giang 2021); no deadline was found",
            section="§1A steps 7–8",
        ),
    ),
    Rule(
        code="opinions_answered",
        check=check_opinions_answered,
        title_vi="Mọi ý kiến góp ý đều được tiếp thu hoặc giải trình",
        title_en="Every opinion answered",
        severity=Severity.FINDING,
        checks_what="Once the report was submitted, every opinion has a response (accepted or explained).",
        citation=Citation(
            "Hướng dẫn 43-HD/BTCTW, 31/10/2025 (và HD 21, HD 25): lấy ý kiến tham gia, góp ý",
            tag="I",
            note="collecting opinions is stated; answering each one is inferred",
            section="§1A steps 2 and 8",
        ),
    ),
    Rule(
        code="final_report_revised",
        check=check_final_report_revised,
        title_vi="Báo cáo hoàn chỉnh sau ý kiến chỉ đạo và có tiếp thu so với dự thảo",
        title_en="Final report dated after the guidance and revised from the draft",
        severity=Severity.FINDING,
        checks_what=(
            "Once submitted: the latest final version is dated after the latest guidance, and where opinions were "
            "accepted or guidance recorded its text (whitespace-normalised) or attachment differs from the "
            "circulated draft (the last version written before circulate_draft)."
        ),
        citation=Citation(
            "Mẫu 01-HD KĐ.ĐG (dự thảo và báo cáo hoàn chỉnh)",
            tag="I",
            note="the auditor's check that the final report reflects accepted guidance is inferred",
            section="§6 item 4 and audit checks",
        ),
    ),
    Rule(
        code="self_assessment_before_decision",
        check=check_self_assessment_before_decision,
        title_vi="Tự đánh giá, xếp loại trước khi cấp trên quyết định",
        title_en="Self-assessment before the rating decision",
        severity=Severity.FINDING,
        checks_what="Once a rating is decided: a self-assessment exists and is dated before the decision.",
        citation=Citation(
            "Quy định 132-QĐ/TW, 08/3/2018; Hướng dẫn 21-HD/BTCTW, 18/10/2019", "mục II.B.3", "Bước 1 → Bước 3"
        ),
        regime_citations={
            "2023-2024": Citation("Quy định 124-QĐ/TW, 04/10/2023", "Điều 11", "Bước 1 tự đánh giá → Bước 3"),
            "2025+": Citation(
                "Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025",
                tag="I",
                note="the same order is assumed to continue",
            ),
        },
    ),
    Rule(
        code="competent_body",
        check=check_competent_body,
        title_vi="Cấp có thẩm quyền (Ban Thường vụ cấp trên trực tiếp) quyết định xếp loại",
        title_en="Rating decided by the competent superior body",
        severity=Severity.FINDING,
        checks_what=(
            "The person who recorded the decision held a standing_committee position in the directly superior "
            "organisation (Organization.superior) on the decision date. A standing-committee member higher up "
            "fails: the guidance names the direct superior."
        ),
        citation=Citation(
            "Hướng dẫn 21-HD/BTCTW, 18/10/2019", "mục II.B.3", "Ban Thường vụ cấp ủy cấp huyện quyết định"
        ),
        regime_citations={
            "2018": Citation(
                "Hướng dẫn 16-HD/BTCTW, 24/9/2018", tag="I", note="assumed as in 2019–2022", section="§1A step 11"
            ),
            "2023-2024": Citation("Hướng dẫn 25-HD/BTCTW, 10/11/2023", "Mục 3", section="§1A step 11"),
            "2025+": Citation(
                "Hướng dẫn 43-HD/BTCTW, 31/10/2025",
                "Ban Thường vụ cấp trên trực tiếp",
                tag="I",
                note="after 1/7/2025 the direct superior of a ward is the city (Thành ủy)",
                section="§1A step 11; §8.5",
            ),
        },
    ),
    Rule(
        code="notification_recorded",
        check=check_notification_recorded,
        title_vi="Thông báo kết quả đánh giá, xếp loại",
        title_en="Notification of results recorded",
        severity=Severity.FINDING,
        checks_what=(
            "Once approved: a notification is recorded, dated on or after the approval. While the review is "
            "still at 'approved' a missing notification is not yet due for REVIEW_NOTIFY_DAYS (default 15) days."
        ),
        citation=Citation(
            "Quy định 124-QĐ/TW, 04/10/2023, Điều 13; Hướng dẫn 05-HD/TU Hải Dương, 17/11/2023",
            tag="S-sec",
            section="§1A step 13",
        ),
        regime_citations={
            "2018": Citation("Quy định 132-QĐ/TW, 08/3/2018", tag="I", note="notification practice; no text retrieved"),
            "2019-2022": Citation(
                "Quy định 132-QĐ/TW, 08/3/2018", tag="I", note="notification practice; no text retrieved"
            ),
        },
    ),
    Rule(
        code="remedial_plan",
        check=check_remedial_plan,
        title_vi="Có kế hoạch khắc phục hạn chế, khuyết điểm đã chỉ ra",
        title_en="Remedial plan filed where shortcomings were named",
        severity=Severity.FINDING,
        checks_what=(
            "Once closed, if shortcomings were named — at least one opinion accepted, or a final rating below "
            "excellent — a remedial plan with at least one item is on file."
        ),
        citation=Citation(
            "Quy định 132-QĐ/TW, 08/3/2018",
            "tiêu chí 'kết quả khắc phục những hạn chế, yếu kém đã được chỉ ra'",
            tag="S",
            section="§1A step 14",
        ),
        regime_citations={
            "2023-2024": Citation(
                "Quy định 124-QĐ/TW, 04/10/2023",
                tag="I",
                note="the duty to plan remediation is stated in 2017 and 2025 texts",
                section="§1A step 14",
            ),
            "2025+": Citation(
                "Quy định 232-QĐ/TW (2025); Quy định 366-QĐ/TW, 30/8/2025, Điều 11",
                "có kế hoạch, biện pháp… khắc phục hạn chế, khuyết điểm",
                tag="S",
                section="§1A step 14",
            ),
        },
    ),
    Rule(
        code="evidence_complete",
        check=check_evidence_complete,
        title_vi="Hồ sơ kiểm điểm đầy đủ",
        title_en="Evidence file complete",
        severity=Severity.FINDING,
        checks_what=(
            "Every item of the evidence checklist (domain-rules §6) that is kept in this system and is due at the "
            "review's stage is present (see review_process.evidence)."
        ),
        citation=Citation(
            "Quy định 89-QĐ/TW, 04/8/2017, Bước 4 (lưu hồ sơ); danh mục hồ sơ",
            tag="I",
            note="the checklist is reasoned from the steps; several items are stated in sources",
            section="§6",
        ),
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule_for(code: str) -> Rule:
    return RULES_BY_CODE[code]


def evaluate_all(facts: ReviewFacts, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    return [rule.evaluate(facts) for rule in rules]
