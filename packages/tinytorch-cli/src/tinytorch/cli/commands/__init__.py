"""``tito``'s command groups; each module's ``register(groups)`` adds its own parser."""

from . import curriculum, data, grade, milestone, module, run, submit

GROUPS = (module, milestone, curriculum, data, run, submit, grade)
