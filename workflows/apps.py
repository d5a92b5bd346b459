from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Review tasks")

    def ready(self) -> None:
        # The flows register themselves with workflows.registry (see its docstring).
        import_module("workflows.flows")
        # The outbox's kinds register their handlers with workflows.outbox.
        import_module("workflows.notifications")
        import_module("workflows.opinion_requests")
