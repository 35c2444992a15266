"""The start page is for everyone."""

from tests.matrix import EVERYONE, Rule

RULES = [Rule("home.index", lambda w: "/", EVERYONE)]
