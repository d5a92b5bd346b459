from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReviewProcessConfig(AppConfig):
    name = "review_process"
    verbose_name = _("Annual reviews")

    def ready(self) -> None:
        # Models are importable only once the apps are ready, hence import_module here.
        grants = import_module("permissions.grants")
        journal = import_module("permissions.journal")
        review_grants = import_module("review_process.grants")
        audit = import_module("review_process.audit")
        grants.register_target(review_grants.ReviewGrantTarget())
        journal.register_recorder(audit.directory_record)
        # PostgreSQL: grant the application role (settings.DB_APP_ROLE) its rights after every migrate.
        post_migrate.connect(
            import_module("review_process.management.commands.grant_app_role").after_migrate, sender=self
        )
