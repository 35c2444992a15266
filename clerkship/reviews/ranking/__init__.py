"""Ranking a round: composites and calibration, agreement statistics, the reliability and bias panel."""
