"""What the rotation tells the features above it, which it does not know."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by record_completion, in the transaction that records the rotation completed
# (kwargs: record, by). Surveys listens: the student is asked about the rotation.
rotation_completed = _signals.signal("rotations.rotation-completed")
