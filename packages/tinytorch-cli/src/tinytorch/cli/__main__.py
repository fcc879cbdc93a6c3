"""``python -m tinytorch.cli`` runs ``tito``."""

import sys

from .app import main

sys.exit(main())
