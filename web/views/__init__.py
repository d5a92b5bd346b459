"""The web pages' views, one module per page or concern.

``home`` (my work, open a review), ``review_page`` (the review and its forms), ``records`` (the one POST view
of the record forms, whose table is ``record_forms.RECORD_FORMS``, and the response to an opinion),
``transitions``, ``overview``, ``audit_trail``, ``report_compare``; ``posting`` handles every action form's
POST the same way, ``common`` holds what they share.
"""
