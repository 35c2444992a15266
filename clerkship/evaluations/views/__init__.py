"""The evaluations' blueprints: staff and faculty, administrators' school list, the student,
the home school's link."""
