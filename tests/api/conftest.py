import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated with that person's token (as other systems would call us)."""

    def make(user=None, language=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        if language:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return make
