"""What the command-line tests share: Grace, a mentor in Ada's store."""

import pytest

from tests.conftest import ok


@pytest.fixture
def grace(run, mentee, home):
    """Grace Hopper, a mentor in the store of Ada (the mentee): the options that run `mj` as her."""
    who = ("--identity", str(home / "grace.json"))
    ok(run(*who, "init", "--name", "Grace Hopper", "--role", "mentor"))
    return who
