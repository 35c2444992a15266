"""The fair release of days: the pure draw (engine.py) and running it (services.py)."""
