"""Rosters: exports of placed students, the compliance tracker, dashboards with charts."""
