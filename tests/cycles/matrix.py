"""Who may reach the catalogue, department and set-up endpoints."""

from tests.matrix import ADMIN, DEPARTMENT_MANAGERS, DEPARTMENT_STAFF, EVERYONE, Rule


def _dept(w) -> str:
    return f"/departments/{w.department.slug}"


RULES = [
    Rule("cycles.catalogue", lambda w: "/catalogue", EVERYONE),
    Rule("cycles.department", lambda w: _dept(w) + "/rotations/", DEPARTMENT_STAFF),
    Rule(
        "cycles.allocation_rule",
        lambda w: _dept(w) + "/allocation-rule",
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule("cycles.edit_rotation", lambda w: _dept(w) + "/rotations/new", DEPARTMENT_MANAGERS),
    Rule(
        "cycles.edit_rotation",
        lambda w: _dept(w) + f"/rotations/{w.rotation.id}/edit",
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule(
        "cycles.edit_rotation",
        lambda w: _dept(w) + f"/rotations/{w.rotation.id}/edit",
        DEPARTMENT_MANAGERS,
    ),
    Rule("cycles.edit_block", lambda w: _dept(w) + "/blocks/new", DEPARTMENT_MANAGERS),
    Rule(
        "cycles.edit_block",
        lambda w: _dept(w) + f"/blocks/{w.block.id}/edit",
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "cycles.edit_block",
        lambda w: _dept(w) + f"/blocks/{w.block.id}/edit",
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule(
        "cycles.delete_block",
        lambda w: _dept(w) + f"/blocks/{w.block.id}/delete",
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule("setup.cycles", lambda w: "/admin/cycles/", ADMIN),
    Rule("setup.edit_cycle", lambda w: "/admin/cycles/new", ADMIN),
    Rule("setup.edit_cycle", lambda w: f"/admin/cycles/{w.cycle.id}/edit", ADMIN, method="POST"),
    Rule("setup.close_cycle", lambda w: f"/admin/cycles/{w.cycle.id}/close", ADMIN),
    Rule("setup.close_cycle", lambda w: f"/admin/cycles/{w.cycle.id}/close", ADMIN, method="POST"),
    Rule("setup.departments", lambda w: "/admin/departments/", ADMIN),
    Rule("setup.edit_department", lambda w: "/admin/departments/new", ADMIN),
    Rule(
        "setup.edit_department",
        lambda w: f"/admin/departments/{w.department.id}/edit",
        ADMIN,
        method="POST",
    ),
    Rule("setup.sites", lambda w: "/admin/sites/", ADMIN),
    Rule("setup.edit_site", lambda w: "/admin/sites/new", ADMIN),
    Rule(
        "setup.edit_site",
        lambda w: f"/admin/sites/{w.rotation.site_id}/edit",
        ADMIN,
        method="POST",
    ),
]
