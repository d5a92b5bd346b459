"""The verdicts every persona should get at every door at every stage, written out by hand.

Read from the documented rules, never computed from ``permissions/roles.py`` (the table under test):

* who sees a review, who reads its audit trail, who acts on it: README ("How a step happens", the demo logins),
  docs/architecture.md (the transitions and who takes them; an ended position authorises nothing; whoever acted
  keeps read access), docs/web.md (pages, 404 for a review one may not see, login page for anonymous visitors),
  docs/api.md (401 / 403 / 404 / 409), docs/compliance.md (the auditors' pages: 404 unseen, 403 seen only);
* when each record is written: the reference case's procedure (the draft, opinions and the conference while
  collecting opinions, guidance awaited then confirmed, the final report and self-assessment while finalising,
  the decision once submitted, the notification and remedial plan once approved).

Each table is one door (or several doors that promise the same): a row per persona, a column per stage
(``STAGES``). ``KNOWN_LEAKS`` lists the cells where the product does not do what the documents promise and the
difference lets someone in; ``NOTES`` explains the cells that are not obvious.
"""

from __future__ import annotations

PERSONAS = [
    "anonymous",  # not logged in
    "secretary",  # pvhung, secretary of Đức Giang ward (the reviewed organisation)
    "deputy",  # ntlan, deputy secretary of Đức Giang
    "member",  # tvminh, committee member of Đức Giang
    "guest",  # invited participant (invited by the secretary while drafting)
    "board",  # vtthan, organisation board of Long Biên district (the direct superior)
    "inspection",  # ntkdinh, inspection committee of Long Biên
    "standing",  # lqvinh, standing committee of Long Biên (the competent body)
    "auditor",  # tmduc, inspection committee of Hà Nội city (above the district)
    "outsider",  # nvthanh, secretary of another ward (Thượng Thanh)
    "ended",  # a Long Biên standing-committee position that ended yesterday; never acted on the review
]
STAGES = [
    "draft",
    "collecting_opinions",
    "awaiting_guidance",
    "finalizing",
    "submitted",
    "approved",
    "closed",
    "cancelled",
]
VERDICTS = {
    "ok": "let in: the page or file (200), the list showing the review, or the action done (200/201, or 302 back "
    "to the review); every write is rolled back",
    "unlisted": "the list page answers, without this review on it",
    "none": "API: visible, but nothing of that kind is recorded yet (404 with a record's code, e.g. `no_conference`)",
    "login": "sent to the login page (pages: 302 to /accounts/login/; API: 401 `not_authenticated`)",
    "404": "does not exist for this person (or, where noted, there is nothing at that address yet)",
    "403": "visible, but this person's role may not do it",
    "409": "the role may, but not at this stage (or a guard of the procedure says not now)",
    "400": "the form is refused before the role is looked at (see the note)",
}


def table(text: str) -> dict[str, tuple[str, ...]]:
    """Rows ``persona verdict verdict …`` (one verdict per stage, in ``STAGES`` order)."""
    rows = {}
    for line in text.strip().splitlines():
        persona, *cells = line.split()
        rows[persona] = tuple(cells)
    return rows


# fmt: off
#          draft    opinions guidance finalize submitted approved closed   cancelled
HOME = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  ok       ok       ok       ok       ok       ok       ok       ok
deputy     ok       ok       ok       ok       ok       ok       ok       ok
member     ok       ok       ok       ok       ok       ok       ok       ok
guest      ok       ok       ok       ok       ok       ok       ok       ok
board      ok       ok       ok       ok       ok       ok       ok       ok
inspection ok       ok       ok       ok       ok       ok       ok       ok
standing   ok       ok       ok       ok       ok       ok       ok       ok
auditor    ok       ok       ok       ok       ok       ok       ok       ok
outsider   unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
ended      unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
""")
TASK_QUEUE = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  ok       ok       unlisted ok       unlisted unlisted unlisted unlisted
deputy     unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
member     unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
guest      unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
board      unlisted unlisted ok       unlisted unlisted ok       unlisted unlisted
inspection unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
standing   unlisted unlisted unlisted unlisted ok       unlisted unlisted unlisted
auditor    unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
outsider   unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
ended      unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
""")
OVERVIEW = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  404      404      404      404      404      404      404      404
deputy     404      404      404      404      404      404      404      404
member     404      404      404      404      404      404      404      404
guest      404      404      404      404      404      404      404      404
board      ok       ok       ok       ok       ok       ok       ok       ok
inspection ok       ok       ok       ok       ok       ok       ok       ok
standing   ok       ok       ok       ok       ok       ok       ok       ok
auditor    ok       ok       ok       ok       ok       ok       ok       ok
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")
SEES = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  ok       ok       ok       ok       ok       ok       ok       ok
deputy     ok       ok       ok       ok       ok       ok       ok       ok
member     ok       ok       ok       ok       ok       ok       ok       ok
guest      ok       ok       ok       ok       ok       ok       ok       ok
board      ok       ok       ok       ok       ok       ok       ok       ok
inspection ok       ok       ok       ok       ok       ok       ok       ok
standing   ok       ok       ok       ok       ok       ok       ok       ok
auditor    ok       ok       ok       ok       ok       ok       ok       ok
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")
AUDIT_PAGE = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  ok       ok       ok       ok       ok       ok       ok       ok
deputy     ok       ok       ok       ok       ok       ok       ok       ok
member     404      404      404      404      404      404      404      404
guest      404      404      404      404      404      404      404      404
board      ok       ok       ok       ok       ok       ok       ok       ok
inspection ok       ok       ok       ok       ok       ok       ok       ok
standing   ok       ok       ok       ok       ok       ok       ok       ok
auditor    ok       ok       ok       ok       ok       ok       ok       ok
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")
AUDITORS = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  ok       ok       ok       ok       ok       ok       ok       ok
deputy     ok       ok       ok       ok       ok       ok       ok       ok
member     403      403      403      403      403      403      403      403
guest      403      403      403      403      403      403      403      403
board      ok       ok       ok       ok       ok       ok       ok       ok
inspection ok       ok       ok       ok       ok       ok       ok       ok
standing   ok       ok       ok       ok       ok       ok       ok       ok
auditor    ok       ok       ok       ok       ok       ok       ok       ok
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")
MINUTES = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  404      ok       ok       ok       ok       ok       ok       404
deputy     404      ok       ok       ok       ok       ok       ok       404
member     403      403      403      403      403      403      403      403
guest      403      403      403      403      403      403      403      403
board      404      ok       ok       ok       ok       ok       ok       404
inspection 404      ok       ok       ok       ok       ok       ok       404
standing   404      ok       ok       ok       ok       ok       ok       404
auditor    404      ok       ok       ok       ok       ok       ok       404
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")
BULK = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  ok       ok       ok       ok       ok       ok       ok       ok
deputy     ok       ok       ok       ok       ok       ok       ok       ok
member     unlisted unlisted unlisted unlisted unlisted unlisted unlisted unlisted
guest      404      404      404      404      404      404      404      404
board      ok       ok       ok       ok       ok       ok       ok       ok
inspection ok       ok       ok       ok       ok       ok       ok       ok
standing   ok       ok       ok       ok       ok       ok       ok       ok
auditor    ok       ok       ok       ok       ok       ok       ok       ok
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")
API_CONFERENCE = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  none     ok       ok       ok       ok       ok       ok       none
deputy     none     ok       ok       ok       ok       ok       ok       none
member     none     ok       ok       ok       ok       ok       ok       none
guest      none     ok       ok       ok       ok       ok       ok       none
board      none     ok       ok       ok       ok       ok       ok       none
inspection none     ok       ok       ok       ok       ok       ok       none
standing   none     ok       ok       ok       ok       ok       ok       none
auditor    none     ok       ok       ok       ok       ok       ok       none
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")
API_DECISION = table("""
anonymous  login    login    login    login    login    login    login    login
secretary  none     none     none     none     ok       ok       ok       none
deputy     none     none     none     none     ok       ok       ok       none
member     none     none     none     none     ok       ok       ok       none
guest      none     none     none     none     ok       ok       ok       none
board      none     none     none     none     ok       ok       ok       none
inspection none     none     none     none     ok       ok       ok       none
standing   none     none     none     none     ok       ok       ok       none
auditor    none     none     none     none     ok       ok       ok       none
outsider   404      404      404      404      404      404      404      404
ended      404      404      404      404      404      404      404      404
""")


def acts(actors: dict[str, str], *, others: str = "403 403 403 403 403 403 403 403", extra: dict | None = None):
    """An action's table: ``actors`` (persona -> their eight verdicts); every other persona who sees the review
    gets ``others``; the outsider and the ended position 404; anonymous visitors the login page."""
    rows = {"anonymous": "login login login login login login login login"}
    for persona in PERSONAS[1:9]:
        rows[persona] = actors.get(persona, (extra or {}).get(persona, others))
    rows["outsider"] = rows["ended"] = "404 404 404 404 404 404 404 404"
    return {persona: tuple(cells.split()) for persona, cells in rows.items()}


#                                    draft opinions guidance finalize submitted approved closed cancelled
CIRCULATE_DRAFT = acts({"secretary": "ok    409      409      409      409       409      409    409"})
CLOSE_OPINIONS = acts({"secretary": "409   ok       409      409      409       409      409    409"})
GIVE_GUIDANCE = acts({"board": "409   409      ok       409      409       409      409    409"})
SUBMIT_ASSESSMENT = acts({"secretary": "409   409      409      ok       409       409      409    409"})
APPROVE = acts({"standing": "409   409      409      409      ok        409      409    409"})
CLOSE = acts({"board": "409   409      409      409      409       ok       409    409"})
CANCEL = acts({"standing": "ok    ok       ok       ok       ok        409      409    409"})
# Only the person who opened the review (the secretary) withdraws it; the board holds the action too (409).
WITHDRAW = acts({
    "secretary": "ok    409      409      409      409       409      409    409",
    "board": "409   409      409      409      409       409      409    409",
})
REPORT = acts({
    "secretary": "ok    ok       ok       ok       409       409      409    409",
    "deputy": "ok    ok       ok       ok       409       409      409    409",
})
OPINION = acts({
    "deputy": "409   ok       409      409      409       409      409    409",
    "member": "409   ok       409      409      409       409      409    409",
    "guest": "409   ok       409      409      409       409      409    409",
    "board": "409   ok       409      409      409       409      409    409",
    "standing": "409   ok       409      409      409       409      409    409",
})
SPOKEN = acts(
    {"secretary": "400   ok       409      409      409       409      409    400"},
    others="400   403      403      403      403       403      403    400",
)
RESPOND_PAGE = acts(
    {"secretary": "404   ok       ok       ok       409       409      409    404"},
    others="404   403      403      403      403       403      403    404",
)
RESPOND_API = acts({"secretary": "409   ok       ok       ok       409       409      409    409"})
CONFERENCE = acts({"secretary": "409   ok       ok       409      409       409      409    409"})
GUIDANCE = acts({
    "board": "409   ok       ok       409      409       409      409    409",
    "standing": "409   ok       ok       409      409       409      409    409",
})
SELF_ASSESSMENT = acts({"secretary": "409   409      409      ok       409       409      409    409"})
DECISION = acts({"standing": "409   409      409      409      ok        409      409    409"})
NOTIFICATION = acts({"board": "409   409      409      409      409       ok       409    409"})
REMEDIAL_PLAN = acts({"secretary": "409   409      409      409      409       ok       409    409"})
INVITE = acts({"secretary": "ok    ok       409      409      409       409      409    409"})
# fmt: on

_R, _A = "/reviews/{review}/", "/api/v1/reviews/{review}/"
_BY_TRANSITION = {
    "circulate_draft": CIRCULATE_DRAFT,
    "close_opinions": CLOSE_OPINIONS,
    "give_guidance": GIVE_GUIDANCE,
    "submit_assessment": SUBMIT_ASSESSMENT,
    "approve": APPROVE,
    "return_for_revision": APPROVE,  # the competent body decides either way (docs/architecture.md)
    "close": CLOSE,
    "cancel": CANCEL,
    "withdraw": WITHDRAW,
}

#: Door (``METHOD url-template``) -> its table. A write has the same table through the page and the API.
TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "GET /": HOME,
    "GET /overview/{year}/?org=LB": OVERVIEW,
    f"GET {_R}": SEES,
    f"GET {_R}report/compare/": SEES,
    f"GET {_R}audit-trail/": AUDIT_PAGE,
    f"GET {_R}report-versions/{{version}}/attachment": SEES,
    **{f"POST {_R}transitions/{name}/": rows for name, rows in _BY_TRANSITION.items()},
    f"POST {_R}report/": REPORT,
    f"POST {_R}opinions/": OPINION,
    f"POST {_R}opinions/spoken/": SPOKEN,
    f"POST {_R}opinions/{{opinion}}/response/": RESPOND_PAGE,
    f"POST {_R}conference/": CONFERENCE,
    f"POST {_R}guidance/": GUIDANCE,
    f"POST {_R}self-assessment/": SELF_ASSESSMENT,
    f"POST {_R}decision/": DECISION,
    f"POST {_R}notification/": NOTIFICATION,
    f"POST {_R}remedial-plan/": REMEDIAL_PLAN,
    f"POST {_R}participants/": INVITE,
    f"GET {_A}": SEES,
    f"GET {_A}report-versions/": SEES,
    f"GET {_A}opinions/": SEES,
    f"GET {_A}conference/": API_CONFERENCE,
    f"GET {_A}decision/": API_DECISION,
    f"GET {_A}audit-trail/": AUDITORS,
    f"GET {_A}compliance/": AUDITORS,
    **{f"POST {_A}transitions/{name}/": rows for name, rows in _BY_TRANSITION.items()},
    f"POST {_A}report-versions/": REPORT,
    f"POST {_A}opinions/": OPINION,
    f"POST {_A}opinions/{{opinion}}/response/": RESPOND_API,
    f"POST {_A}participants/": INVITE,
    f"PUT {_A}conference/": CONFERENCE,
    f"POST {_A}guidance/": GUIDANCE,
    f"PUT {_A}self-assessment/": SELF_ASSESSMENT,
    f"PUT {_A}decision/": DECISION,
    f"PUT {_A}notification/": NOTIFICATION,
    f"PUT {_A}remedial-plan/": REMEDIAL_PLAN,
    "GET /compliance/reviews/{review}/": AUDITORS,
    "GET /compliance/reviews/{review}/evidence.zip": AUDITORS,
    "GET /compliance/reviews/{review}/minutes.pdf": MINUTES,
    "GET /compliance/?year={year}&organization=LB-DG": BULK,
    "GET /compliance/export.csv?year={year}&organization=LB-DG": BULK,
    "GET /tasks/": TASK_QUEUE,
    "GET /tasks/{task}/": SEES,
    f"GET {_R}procedure/": SEES,
}

#: What a reader of the matrix needs to know about a door.
NOTES = {
    "GET /": "the home page answers everyone logged in; “ok” means the review is listed on it.",
    "GET /tasks/": "the task list shows the steps assigned to the person and those waiting for their role "
    "(the step waiting at that stage, unassigned); a closed or cancelled review has none.",
    f"GET {_R}audit-trail/": "a person who sees the review but may not read its trail gets 404 on the page "
    "(the API and the auditors' pages say 403).",
    "GET /compliance/reviews/{review}/minutes.pdf": "404 for the auditors while there are no minutes to "
    "generate (no conference recorded: at the draft stage, and a review cancelled while drafting).",
    f"POST {_R}opinions/spoken/": "an opinion spoken at the conference by ntkdinh, recorded by someone else. "
    "400: with no conference recorded there is no attendee to choose, and the form is refused before the role "
    "is looked at (docs/web.md promises 403 to a role that may not act; nothing leaks: only those who see the "
    "review get this far).",
    f"POST {_R}opinions/{{opinion}}/response/": "the secretary changes the response to an opinion (an unanswered "
    "one first). 404 at the draft stage and for a review cancelled while drafting: there is no opinion to answer "
    "yet, and the page looks the opinion up first.",
    f"POST {_A}opinions/{{opinion}}/response/": "at the draft stage and for a review cancelled while drafting there "
    "is no opinion yet (the URL names a made-up one): the API checks the role and the stage first, so 403 or 409.",
    "GET /tasks/{task}/": "the task waiting at that stage (the review's last step once closed or cancelled): its "
    "page answers whoever sees the review, and says whether they may take the step.",
    f"POST {_R}transitions/return_for_revision/": "a reason is given; the standing committee returns a submitted "
    "review.",
}

#: ``(door, persona, stage) -> (what the product answers, what the documents promise, why it matters)``.
#: Checked strictly: a leak that is fixed fails the test until its entry is removed.
KNOWN_LEAKS: dict[tuple[str, str, str], tuple[str, str, str]] = {}


def expected() -> dict[tuple[str, str, str], str]:
    """``{(door, persona, stage): verdict}`` for every cell of every table."""
    return {
        (door, persona, stage): cells[i]
        for door, rows in TABLES.items()
        for persona, cells in rows.items()
        for i, stage in enumerate(STAGES)
    }


# --- The readable artifact ----------------------------------------------------------------------------------


def render_markdown(doors: list[tuple[str, str]]) -> str:
    """docs/permission-matrix.md: the legend, the known leaks, then a table per door (doors that promise the same
    share one), by kind of door; ``doors`` are ``(kind, door)`` in the test's order."""
    leaks = KNOWN_LEAKS
    out = [
        "# Permission matrix",
        "",
        "Who gets what at every door of the product, for each persona of the reference case (Đức Giang ward, "
        "2021) at each stage. Generated by `tests/security/test_door_matrix.py` from the literal table in "
        "`tests/security/door_matrix_expected.py`, which the test checks against the running product "
        "(`WRITE_MATRIX=1` rewrites this file). URL templates: `{review}` the review, `{opinion}` an opinion "
        "(an unanswered one first), `{version}` a report version with an attachment, `{task}` the review's "
        "waiting task. Writes send a body the form or serializer accepts and "
        "are rolled back.",
        "",
        "| verdict | meaning |",
        "|---|---|",
        *[f"| `{verdict}` | {meaning} |" for verdict, meaning in VERDICTS.items()],
        "",
        "## Known leaks",
        "",
    ]
    if leaks:
        out += ["| door | persona | stage | gets | should get | why it matters |", "|---|---|---|---|---|---|"]
        out += [f"| `{d}` | {p} | {s} | `{g}` | `{w}` | {why} |" for (d, p, s), (g, w, why) in leaks.items()]
    else:
        out.append("None: every cell below is what the documents promise.")
    for group in dict.fromkeys(kind for kind, _ in doors):
        out += ["", f"## {group[0].upper()}{group[1:]}"]
        shared: dict[int, list[str]] = {}
        for name in [name for kind, name in doors if kind == group]:
            leaky = any(key[0] == name for key in leaks)
            shared.setdefault(name if leaky else id(TABLES[name]), []).append(name)  # a leaky door: a table of its own
        for names in shared.values():
            rows = TABLES[names[0]]
            out += ["", "### " + ", ".join(f"`{name}`" for name in names), ""]
            out += [f"*{NOTES[name]}*" for name in names if name in NOTES][:1]
            out += ["", "| persona | " + " | ".join(STAGES) + " |", "|---" * (len(STAGES) + 1) + "|"]
            for persona, cells in rows.items():
                shown = [
                    f"**{leaks[(n, persona, stage)][0]}** ⚠" if (n := names[0], persona, stage) in leaks else cell
                    for stage, cell in zip(STAGES, cells, strict=True)
                ]
                out.append(f"| {persona} | " + " | ".join(shown) + " |")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"
