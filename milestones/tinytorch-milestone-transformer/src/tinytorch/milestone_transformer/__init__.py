"""TinyTorch milestone 2017: attention is all you need.

Digit tasks (reverse, copy, sort), TinyTalks question answering and character-level Tiny
Shakespeare, on the learner's own GPT. Run it with ``python -m tinytorch.milestone_transformer
[--quick] [--part tasks tinytalks shakespeare]`` or ``tito milestone run transformer``.
"""

from importlib.metadata import PackageNotFoundError, version

from .milestone import PARTS, main, run
from .shakespeare import load_text
from .tinytalks import generate_corpus, verified_corpus

try:
    __version__ = version("tinytorch-milestone-transformer")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["main", "run", "PARTS", "generate_corpus", "verified_corpus", "load_text"]
