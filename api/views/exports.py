"""Background compliance exports: ask for one, follow it, download its file (``workflows.exports``).

``POST /api/v1/compliance/exports/`` (year, organization, format) answers 202 with the job at once; the file is
written by a Celery worker (inline without a broker). ``GET …/exports/`` lists the caller's recent jobs,
``GET …/exports/{id}/`` one of them, ``GET …/exports/{id}/file`` its file once ``status`` is ``done``. A job is
its requester's: anyone else's is a 404 ``export_not_found``, like a review the caller cannot see.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views.common import errors
from review_process.compliance.export import CONTENT_TYPES, FORMATS
from review_process.errors import NotFound
from workflows.exports import export_compliance, export_file_name, export_get, exports_of
from workflows.models import ExportJob, ExportStatus


class ExportRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2018, max_value=2100)
    organization = serializers.CharField(max_length=50, help_text="Organisation code (its subtree).")
    format = serializers.ChoiceField(choices=FORMATS)


class ExportJobSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="The file's URL once `status` is `done`, else null.")

    class Meta:
        model = ExportJob
        fields = ["id", "year", "organization", "format", "status", "progress", "total", "error", "created_at"]
        fields += ["finished_at", "file"]
        read_only_fields = fields

    def get_file(self, job: ExportJob) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        return self.context["request"].build_absolute_uri(reverse("api:export-file", args=[job.pk]))


class ExportListView(APIView):
    @extend_schema(tags=["audit"], responses={200: ExportJobSerializer(many=True), **errors(401)})
    def get(self, request):
        jobs = exports_of(user=request.user)
        return Response(ExportJobSerializer(jobs, many=True, context={"request": request}).data)

    @extend_schema(
        tags=["audit"],
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer, **errors(400, 401, 404)},
    )
    def post(self, request):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = export_compliance(user=request.user, **data.validated_data)
        job.refresh_from_db()  # inline without a broker: it may be done already
        body = ExportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    @extend_schema(tags=["audit"], responses={200: ExportJobSerializer, **errors(401, 404)})
    def get(self, request, export_id: int):
        job = export_get(user=request.user, job_id=export_id)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportFileView(APIView):
    @extend_schema(
        tags=["audit"], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **errors(401, 404)}
    )
    def get(self, request, export_id: int):
        job = export_get(user=request.user, job_id=export_id)
        if job.status != ExportStatus.DONE or not job.file:
            raise NotFound(code="export_not_ready")
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=export_file_name(job),
            content_type=CONTENT_TYPES[job.format],
        )
