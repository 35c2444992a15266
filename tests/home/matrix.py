"""The start page is for everyone; a department's workspace for its directors and coordinators."""

from tests.matrix import DEPARTMENT_STAFF, EVERYONE, Rule

RULES = [
    Rule("home.index", lambda w: "/", EVERYONE),
    Rule("home.department", lambda w: f"/departments/{w.department.slug}/", DEPARTMENT_STAFF),
]
