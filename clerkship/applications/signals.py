"""Events of an application's life that features built on applications react to.

Applications sit below offers, pathway and interviews; rather than call up into
them, the application services send these signals and those features connect to
them when they are imported (create_app imports every feature). Receivers run inside
the same transaction as the change, so everything commits or rolls back together.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Application; keyword: by (the User acting, or None for the system)
application_started = _signals.signal("application-started")
application_withdrawn = _signals.signal("application-withdrawn")
# Sent by the pathway services after Application.in_pathway changed.
pathway_flag_changed = _signals.signal("pathway-flag-changed")
