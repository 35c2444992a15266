"""What the outbox tells the features above it, which it does not know."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by the worker, in the transaction that records a message as sent (kwargs: message).
# The features above listen: a deadline announced by an email starts when it was sent.
message_sent = _signals.signal("outbox.message-sent")
