"""Query filters of the API's lists, declared with django-filter (the views parse nothing by hand)."""

from __future__ import annotations

import django_filters

from review_process.models import Review, ReviewState


class ReviewFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", help_text="Review year")
    organization = django_filters.CharFilter(field_name="organization__code", help_text="Organisation code")
    state = django_filters.ChoiceFilter(field_name="state", choices=ReviewState.choices, help_text="Stage")

    class Meta:
        model = Review
        fields = ["year", "organization", "state"]
