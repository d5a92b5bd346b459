"""factory_boy factories. Organisations go through the service so their materialised path is right."""

import datetime

import factory

from permissions.models import Organization, Position, User
from permissions.services import organization_save, position_start


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.LazyAttribute(lambda o: f"Đảng ủy {o.code}")
    kind = "ward"
    superior = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organization_save(organization=model_class(*args, **kwargs))


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    person = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "committee_member"
    start = datetime.date(2020, 1, 1)
    end = None
    title = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return position_start(**kwargs)
