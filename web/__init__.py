"""The web pages: views, forms, template tags and their URLs (the top layer, beside ``api``).

Imports run one way: ``web`` may import ``workflows``, ``review_process`` and ``permissions``; nothing below
imports ``web``.  No rule of the procedure lives here: what a person may do now comes from
``review_process.availability``, the shape of the procedure from ``review_process.machine``, and every write
goes through a service.
"""
