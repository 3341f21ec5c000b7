from django.test import Client
from rest_framework.test import APIClient

from yicang.community.models import User


def signed_in(user: User) -> Client:
    """A browser with `user` signed in through a real session."""
    client = Client()
    client.force_login(user)
    return client


def api(user: User | None = None) -> APIClient:
    """An API client, signed in through a real session when given a user."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client
