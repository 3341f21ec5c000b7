from collections.abc import Callable
from typing import Any

from django.test import Client
from pytest_django import DjangoAssertNumQueries
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


def asked_twice(ask: Callable[[], Any], first_queries: int, assert_num_queries: DjangoAssertNumQueries) -> Any:
    """Ask a public answer twice: the first costs `first_queries`, the second none (the cache) and is the
    same answer byte for byte. Returns the second."""
    with assert_num_queries(first_queries):
        first = ask()
    with assert_num_queries(0):
        again = ask()
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    return again
