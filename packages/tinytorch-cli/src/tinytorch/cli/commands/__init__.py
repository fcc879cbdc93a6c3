"""``tito``'s command groups; each module's ``register(groups)`` adds its own parser."""

from . import curriculum, data, milestone, module, run

GROUPS = (module, milestone, curriculum, data, run)
