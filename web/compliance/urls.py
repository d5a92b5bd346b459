"""URLs of the auditors' pages (namespace ``compliance``; mounted at ``/compliance/`` by config/urls.py)."""

from django.urls import path

from web.compliance import exports, views

app_name = "compliance"

urlpatterns = [
    path("", views.bulk, name="bulk"),
    path("export.<str:fmt>", views.bulk_export, name="bulk-export"),
    path("verify", views.verify_audit_trail, name="verify"),
    path("exports/", exports.export_start, name="export-start"),
    path("exports/<int:pk>/status", exports.export_status, name="export-status"),
    path("exports/<int:pk>/file", exports.export_download, name="export-download"),
    path("reviews/<int:pk>/", views.review_report, name="review"),
    path("reviews/<int:pk>/evidence.zip", views.evidence_download, name="evidence-archive"),
    path("reviews/<int:pk>/<str:document>.<str:fmt>", views.document_download, name="document"),
]
