"""Helpers for the web page tests: who may see what, and a client logged in as a persona."""

from __future__ import annotations

import pytest

# Personas of tests/conftest.py that see the Đức Giang review (its own line), and the outsider who does not.
SEES_REVIEW = ["secretary", "deputy", "member", "member2", "board", "inspection", "standing", "auditor"]
READS_AUDIT = ["secretary", "deputy", "board", "inspection", "standing", "auditor"]
HAS_OVERVIEW = ["board", "inspection", "standing", "auditor"]
EVERYONE = [*SEES_REVIEW, "outsider"]


@pytest.fixture
def login(client, people):
    """``login("board")`` logs the client in as that persona and returns the client."""

    def as_(name: str):
        client.force_login(getattr(people, name))
        return client

    return as_
