from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewProcessConfig(AppConfig):
    name = "review_process"
    verbose_name = _("Annual reviews")

    def ready(self) -> None:
        from permissions import grants
        from review_process.selectors import ReviewGrantTarget

        grants.register_target(ReviewGrantTarget())
