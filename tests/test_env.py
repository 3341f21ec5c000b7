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
        (lambda env: env.rate("PAGE_RATE", "120/m"), "PAGE_RATE must be a count per s, m, h or d, such as 120/m"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(call: object, message: str) -> None:
    env = Env({"DEBUG": "maybe", "PORT": "eighty", "AGE": "-5", "MODE": "c", "PAGE_RATE": "120 per minute"})

    with pytest.raises(ImproperlyConfigured, match=message):
        call(env)  # type: ignore[operator]


def test_lists_are_comma_separated_and_trimmed() -> None:
    assert Env({"HOSTS": " a.org, b.org ,,"}).items("HOSTS") == ["a.org", "b.org"]


def test_rates_read_as_the_rate_limiters_write_them() -> None:
    env = Env({"PAGE": "30/m", "API": "1200/minute"})

    rates = (env.rate("PAGE", "1/s"), env.rate("API", "1/s"), env.rate("UNSET", "60/h"))

    assert rates == ("30/m", "1200/minute", "60/h")
