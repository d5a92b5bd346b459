"""The directory's admin writes through permissions.services: every change is a directory audit event."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse

from permissions.models import Organization, Position, SuperiorPeriod
from review_process.audit import verify_chain
from review_process.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_PERIODS = {
    "superior_periods-TOTAL_FORMS": "0",
    "superior_periods-INITIAL_FORMS": "0",
    "superior_periods-MIN_NUM_FORMS": "0",
    "superior_periods-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def admin_user():
    return UserFactory(username="admin", full_name="Quản trị", is_staff=True, is_superuser=True)


@pytest.fixture
def client(client, admin_user):
    client.force_login(admin_user)
    return client


def organization_form(organization, **changes):
    data = {
        "code": organization.code,
        "name": organization.name,
        "kind": organization.kind,
        "superior": organization.superior_id or "",
        "valid_from": "",
        "valid_to": "",
        "successor": "",
        "split_from": "",
        **NO_PERIODS,
    }
    data.update(changes)
    return data


def last_directory_event():
    return AuditEvent.objects.filter(review__isnull=True).order_by("-sequence").first()


def test_changing_an_organisations_name_is_audited(client, admin_user, org):
    url = reverse("admin:permissions_organization_change", args=[org.dg.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, organization_form(org.dg, name="Đảng ủy phường Đức Giang (mới)"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organization.objects.get(pk=org.dg.pk).name == "Đảng ủy phường Đức Giang (mới)"
    event = last_directory_event()
    assert (event.action, event.actor, event.actor_role) == ("directory.organization.changed", admin_user, "directory")
    assert event.payload["subject"] == "LB-DG"
    assert event.payload["before"]["name"] == "Đảng ủy phường Đức Giang"
    assert event.payload["after"]["name"] == "Đảng ủy phường Đức Giang (mới)"
    assert verify_chain().intact


def test_dated_superiors_are_set_through_the_service(client, admin_user, org):
    url = reverse("admin:permissions_organization_change", args=[org.dg.pk])
    periods = {
        **NO_PERIODS,
        "superior_periods-TOTAL_FORMS": "2",
        "superior_periods-0-superior": org.lb.pk,
        "superior_periods-0-valid_to": "2025-06-30",
        "superior_periods-1-superior": org.hn.pk,
        "superior_periods-1-valid_from": "2025-07-01",
    }
    response = client.post(url, organization_form(org.dg, superior=org.hn.pk, **periods))
    assert response.status_code == 302, response.content.decode()[:2000]
    in_order = SuperiorPeriod.objects.filter(organization=org.dg).order_by(F("valid_from").asc(nulls_first=True))
    assert list(in_order.values_list("superior__code", "valid_to")) == [
        ("LB", datetime.date(2025, 6, 30)),
        ("HN", None),
    ]
    actions = list(
        AuditEvent.objects.filter(review__isnull=True, actor=admin_user)
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["directory.organization.changed", "directory.organization.superiors_changed"]
    assert Organization.objects.get(pk=org.dg.pk).path == f"{org.hn.path}{org.dg.pk}/"


def test_an_organisation_cannot_report_to_one_below_it(client, org):
    url = reverse("admin:permissions_organization_change", args=[org.lb.pk])
    events = AuditEvent.objects.count()
    response = client.post(url, organization_form(org.lb, superior=org.dg.pk))
    assert response.status_code == 200  # the form again, with the error
    assert Organization.objects.get(pk=org.lb.pk).superior == org.hn
    assert AuditEvent.objects.count() == events


def test_ending_a_position_is_audited(client, admin_user, people):
    position = Position.objects.get(person=people.board)
    url = reverse("admin:permissions_position_change", args=[position.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"end": "2025-06-30"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Position.objects.get(pk=position.pk).end == datetime.date(2025, 6, 30)
    event = last_directory_event()
    assert (event.action, event.actor) == ("directory.position.ended", admin_user)
    assert event.payload["subject"] == "vtthan@LB:organization_board"
    assert (event.payload["before"]["end"], event.payload["after"]["end"]) == (None, "2025-06-30")


def test_starting_a_position_is_audited(client, admin_user, org, people):
    response = client.post(
        reverse("admin:permissions_position_add"),
        {
            "person": people.guest.pk,
            "organization": org.tt.pk,
            "role": "committee_member",
            "title": "Ủy viên",
            "start": "2024-01-01",
            "end": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Position.objects.filter(person=people.guest, organization=org.tt).exists()
    assert (last_directory_event().action, last_directory_event().actor) == ("directory.position.started", admin_user)


def test_organisations_and_positions_are_ended_not_deleted(client, org, people):
    position = Position.objects.get(person=people.board)
    assert client.get(reverse("admin:permissions_organization_delete", args=[org.tt.pk])).status_code == 403
    assert client.get(reverse("admin:permissions_position_delete", args=[position.pk])).status_code == 403
    assert Organization.objects.filter(pk=org.tt.pk).exists() and Position.objects.filter(pk=position.pk).exists()


def test_lists_and_the_person_page_render(client, people):
    for name in ("organization", "position", "user"):
        assert client.get(reverse(f"admin:permissions_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:permissions_user_change", args=[people.secretary.pk]))
    assert page.status_code == 200 and "Phan Việt Hưng" in page.content.decode()


def test_adding_an_organisation_is_audited(client, admin_user, org):
    data = organization_form(Organization(code="HN-VH", name="Đảng ủy phường Việt Hưng", kind="ward"))
    response = client.post(reverse("admin:permissions_organization_add"), {**data, "superior": org.hn.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Organization.objects.get(code="HN-VH")
    assert created.path == f"{org.hn.path}{created.pk}/"
    assert (last_directory_event().action, last_directory_event().actor) == (
        "directory.organization.created",
        admin_user,
    )
