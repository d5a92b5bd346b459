"""Row-level guard for viewflow's per-process URLs (process detail, chart, every task page).

viewflow checks only model-level permissions there and does not check that a task belongs to the
process in the URL.  Here: anonymous visitors go to the login page; a process the user may not see, or a task of another process, is a 404.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from viewflow.workflow.models import Task

from review_process.access import may_view
from workflows.models import ReviewProcess


class ReviewProcessVisibilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/tasks/") and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if "process_pk" not in view_kwargs:
            return None
        process = ReviewProcess.objects.select_related("review").filter(pk=view_kwargs["process_pk"]).first()
        if process is None or not may_view(request.user, process.review):
            raise Http404()
        task_pk = view_kwargs.get("task_pk")
        if task_pk is not None and not Task.objects.filter(pk=task_pk, process_id=process.pk).exists():
            raise Http404()
        return None
