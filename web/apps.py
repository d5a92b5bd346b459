"""The web pages' Django app (label ``web``): it holds the ``review_ui`` template tag library."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    label = "web"
