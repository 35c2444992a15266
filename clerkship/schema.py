"""Imports every feature's models so that db.metadata describes the whole schema."""

from clerkship.accounts import models as accounts_models  # noqa: F401
from clerkship.allocation import models as allocation_models  # noqa: F401
from clerkship.applications import models as applications_models  # noqa: F401
from clerkship.audit import models as audit_models  # noqa: F401
from clerkship.awards import models as awards_models  # noqa: F401
from clerkship.communications import models as communications_models  # noqa: F401
from clerkship.cycles import models as cycles_models  # noqa: F401
from clerkship.documents import models as documents_models  # noqa: F401
from clerkship.interviews import models as interviews_models  # noqa: F401
from clerkship.letters import models as letters_models  # noqa: F401
from clerkship.mentorship import models as mentorship_models  # noqa: F401
from clerkship.offers import models as offers_models  # noqa: F401
from clerkship.outbox import models as outbox_models  # noqa: F401
from clerkship.outcomes import models as outcomes_models  # noqa: F401
from clerkship.pathway import models as pathway_models  # noqa: F401
from clerkship.reviews import models as reviews_models  # noqa: F401
from clerkship.reviews import records as reviews_records  # noqa: F401
from clerkship.rosters import models as rosters_models  # noqa: F401
