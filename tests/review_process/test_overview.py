"""The superior's overview lists the organisations whose reviews it follows, in the tree of the year."""

import pytest

from review_process.selectors import overview_for
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_party_cells_are_listed_only_with_a_review_of_their_own(people, org):
    OrganizationFactory(code="LB-DG-C1", name="Chi bộ 1", kind="cell", superior=org.dg)
    codes = [row["organization"].code for row in overview_for(user=people.standing, year=2021)["rows"]]
    assert codes == ["LB-DG", "LB-TT"]
