"""Pieces every feature uses: types, time, mail, permissions, errors, templating."""
