"""The readable difference between any two versions of a review's report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from review_process.selectors import report_versions
from web import forms as f
from web.report_diff import report_diff
from web.views.common import review_or_404


@login_required
@require_GET
def report_compare(request, pk):
    review = review_or_404(request, pk)
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
