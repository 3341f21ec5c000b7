import pytest
from django.core.exceptions import ImproperlyConfigured

from yicang.env import Env


def test_flags_read_the_usual_spellings() -> None:
    env = Env({"A": "yes", "B": "0", "C": " On ", "E": ""})

    assert [env.flag("A", False), env.flag("B", True), env.flag("C", False), env.flag("D", True)] == [
        True,
        False,
        True,
        True,
    ]
    assert env.flag("E", True) is True  # an empty value, as .env.example leaves it, means the default


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda env: env.flag("DEBUG", False), "DEBUG must be one of true/false"),
        (lambda env: env.integer("PORT", 1), "PORT must be a whole number, not 'eighty'"),
        (lambda env: env.integer("AGE", 1, minimum=0), "AGE must be at least 0, not -5"),
        (lambda env: env.string("SECRET_KEY"), "Set the environment variable SECRET_KEY."),
        (lambda env: env.items("ALLOWED_HOSTS"), "Set the environment variable ALLOWED_HOSTS"),
        (lambda env: env.choice("MODE", ("a", "b"), "a"), "MODE must be one of a, b, not 'c'"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(call: object, message: str) -> None:
    env = Env({"DEBUG": "maybe", "PORT": "eighty", "AGE": "-5", "MODE": "c"})

    with pytest.raises(ImproperlyConfigured, match=message):
        call(env)  # type: ignore[operator]


def test_lists_are_comma_separated_and_trimmed() -> None:
    assert Env({"HOSTS": " a.org, b.org ,,"}).items("HOSTS") == ["a.org", "b.org"]
