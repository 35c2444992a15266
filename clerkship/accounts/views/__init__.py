"""The accounts blueprints: one module per blueprint, named as the blueprint."""
