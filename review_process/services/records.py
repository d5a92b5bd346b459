"""Writes to the records a review's stages produce, by stage.

Each service authorises (``review_process.availability``), locks, changes and audits in one transaction.
The services live in ``drafting`` (report versions, participants, opinions), ``conference`` (the conference
and the superior's guidance) and ``rating`` (self-assessment, decision, notification, remedial plan); this
module is the one place callers import them from.
"""

from review_process.machine import RECORD_MODE, RECORD_STATES
from review_process.services.conference import conference_record, guidance_add, guidance_update, guidance_withdraw
from review_process.services.drafting import (
    opinion_add,
    opinion_respond,
    opinions_accept_all,
    participant_invite,
    participant_revoke,
    report_version_add,
)
from review_process.services.rating import (
    decision_set,
    notification_record,
    remedial_plan_set,
    self_assessment_set,
)

__all__ = [
    "RECORD_MODE",
    "RECORD_STATES",
    "conference_record",
    "decision_set",
    "guidance_add",
    "guidance_update",
    "guidance_withdraw",
    "notification_record",
    "opinion_add",
    "opinion_respond",
    "opinions_accept_all",
    "participant_invite",
    "participant_revoke",
    "remedial_plan_set",
    "report_version_add",
    "self_assessment_set",
]
