"""Review workflow: assigning reviewers, scoring, calibration and agreement statistics."""
