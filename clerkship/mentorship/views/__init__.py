"""The mentorship blueprints: students (mentorship), department staff (mentorship_staff), admins (affinity_admin)."""
