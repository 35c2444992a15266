"""The pathway blueprints: one module per blueprint, named as the blueprint."""
