"""Who may read the audit log."""

from tests.matrix import ADMIN, Rule

RULES = [Rule("audit.index", lambda w: "/admin/audit/", ADMIN)]
