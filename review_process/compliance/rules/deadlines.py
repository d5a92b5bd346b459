"""Dates and deadlines: the draft's advance notice, the superior's conference deadline, the notification
of results after the approval.

Each rule is declared on its check (``base.rule``); the registry is the package's ``RULES``.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from review_process.compliance.facts import ReviewFacts, event_day, local_date
from review_process.compliance.messages import gettext as _
from review_process.compliance.messages import ngettext
from review_process.compliance.rules.base import (
    Citation,
    Outcome,
    Severity,
    day,
    failed,
    link,
    not_applicable,
    passed,
    rule,
)
from review_process.dates import order_error


@rule(
    code="draft_notice",
    severity=Severity.FINDING,
    citation=Citation(
        "Quy chế làm việc của cấp ủy / kế hoạch của cấp trên",
        tag="U",
        note="no day-count in 132-QĐ/TW, 124-QĐ/TW, 366-QĐ/TW or HD 21/25/43; N is a setting",
        section="§1A step 4",
    ),
    title_vi="Gửi dự thảo báo cáo trước hội nghị ít nhất N ngày",
    title_en="Draft circulated at least N days before the conference",
    checks_what=(
        "Calendar days from the day the draft was circulated (the circulate_draft step's occurred_on, as stated "
        "by the secretary; for older events the day it was recorded, Hà Nội time) to the conference date "
        "(Conference.held_at, Hà Nội time) are at least REVIEW_DRAFT_NOTICE_DAYS (default 3). A draft circulated "
        "after the conference fails on the order check of review_process.dates."
    ),
)
def draft_notice(f: ReviewFacts) -> Outcome:
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
    circulated_on = event_day(circulated)
    days = (held_on - circulated_on).days
    evidence = [link("audit_event", circulated), link("conference", f.conference)]
    if f.circulated_draft is not None:
        evidence.insert(0, link("report_version", f.circulated_draft))
    params = {"circulated": day(circulated_on), "held": day(held_on), "days": days, "required": required}
    if order_error("circulation", circulated_on, "conference", held_on) is not None:
        return failed(
            _("The draft was circulated on %(circulated)s, after the conference on %(held)s.") % params, evidence
        )
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


@rule(
    code="conference_deadline",
    severity=Severity.FINDING,
    citation=Citation(
        "Kế hoạch 01-KH/TU Thành ủy Hà Nội, 06/11/2020",
        "cấp cơ sở hoàn thành trước ngày 15/12 hằng năm",
        tag="I",
        note="stated for Hà Nội from 2020; other years and provinces set their own date (a setting)",
        section="§2",
    ),
    title_vi="Hội nghị kiểm điểm tổ chức trước thời hạn của cấp trên",
    title_en="Conference held before the superior's deadline",
    checks_what=(
        "The conference date (local) is on or before the regime's conference deadline "
        "(REVIEW_CONFERENCE_DEADLINE, default 15/12 of the review year)."
    ),
)
def conference_deadline(f: ReviewFacts) -> Outcome:
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


@rule(
    code="notification_recorded",
    severity=Severity.FINDING,
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
    title_vi="Thông báo kết quả đánh giá, xếp loại",
    title_en="Notification of results recorded",
    checks_what=(
        "Once approved: a notification is recorded, dated (notified_on) on or after the day of the approval "
        "(the approve step's occurred_on), by the order check of review_process.dates. While the review is still "
        "at 'approved' a missing notification is not yet due for REVIEW_NOTIFY_DAYS (default 15) days after the "
        "approval."
    ),
)
def notification_recorded(f: ReviewFacts) -> Outcome:
    approved = f.first_transition("approve")
    if approved is None:
        return not_applicable(_("The rating has not been approved yet."))
    approved_on = event_day(approved)
    notification = f.notification
    if notification is None:
        due = approved_on + datetime.timedelta(days=f.regime.notify_days)
        if not f.reached("close") and timezone.localdate() <= due:
            return not_applicable(
                _("The notification of results is not recorded yet (due by %(due)s).") % {"due": day(due)}
            )
        return failed(
            _("The result approved on %(approved)s was never notified.") % {"approved": day(approved_on)},
            [link("audit_event", approved)],
        )
    evidence = [link("notification", notification), link("audit_event", approved)]
    if order_error("approval", approved_on, "notification", notification.notified_on) is not None:
        return failed(
            _("The notification is dated %(notified)s, before the approval on %(approved)s.")
            % {"notified": day(notification.notified_on), "approved": day(approved_on)},
            evidence,
        )
    return passed(_("The result was notified on %(notified)s.") % {"notified": day(notification.notified_on)}, evidence)
