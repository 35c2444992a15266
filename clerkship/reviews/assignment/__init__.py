"""Assigning reviewers: by hand and automatically (engine.py over balancing.py), with conflicts of interest."""
