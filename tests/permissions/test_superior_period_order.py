"""An organisation's superior periods read in time order on every database: the one "since always" (no start)
first, then by start day (PostgreSQL sorts nulls last unless the ordering says otherwise)."""

import datetime

import pytest

from permissions.models import SuperiorPeriod
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_period_since_always_comes_first():
    ward, district, city = OrganizationFactory(), OrganizationFactory(kind="district"), OrganizationFactory(kind="city")
    later = SuperiorPeriod.objects.create(organization=ward, superior=city, valid_from=datetime.date(2025, 7, 1))
    always = SuperiorPeriod.objects.create(
        organization=ward, superior=district, valid_from=None, valid_to=datetime.date(2025, 6, 30)
    )
    assert list(SuperiorPeriod.objects.filter(organization=ward)) == [always, later]
