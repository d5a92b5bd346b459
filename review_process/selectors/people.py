"""Who can be found to invite to a review: people of the review's organisation and its superior, by name.

``people_search`` answers the invitation form's search box: active people holding a position, during the review's
year, in the reviewed organisation or its direct superior (in the tree of that year), whose full name or username
contains the query, ignoring case and Vietnamese diacritics ("nguyen thi" finds "Nguyễn Thị"). The folding is
done in Python (SQLite cannot), over that small set of people: the line of one organisation.
"""

from __future__ import annotations

import unicodedata

from permissions.models import Position, User
from permissions.roles import Action
from permissions.tree import ancestor_ids_on, reference_day
from review_process.access import may
from review_process.errors import Forbidden
from review_process.models import Review
from review_process.selectors.reviews import review_get_for_user

#: Letters that do not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """``text`` lower-cased without diacritics: "Nguyễn Thị Đào" -> "nguyen thi dao"."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def people_search(*, review: Review | int, by, query: str, limit: int = 20) -> list[User]:
    """Active people of the review's organisation and its direct superior during the review's year whose full
    name or username contains ``query`` (case- and accent-insensitive), by full name; at most ``limit``.

    404 when ``by`` may not see the review, 403 when they may not invite participants (the search serves that)."""
    review_id = review.pk if isinstance(review, Review) else review
    review = review_get_for_user(user=by, review_id=review_id)
    if not may(by, review, Action.INVITE_PARTICIPANT):
        raise Forbidden()
    needle = fold(query).strip()
    if not needle:
        return []
    line = [review.organization_id]
    ancestors = ancestor_ids_on(review.organization, reference_day(review.year, review.organization))
    if ancestors:
        line.append(ancestors[-1])  # the direct superior in the tree of the review's year
    holders = Position.objects.held_in_year(review.year).filter(organization_id__in=line).values("person_id")
    people = User.objects.filter(is_active=True, pk__in=holders).order_by("full_name", "username")
    found = [p for p in people if needle in fold(p.full_name) or needle in fold(p.username)]
    return found[: max(0, limit)]
