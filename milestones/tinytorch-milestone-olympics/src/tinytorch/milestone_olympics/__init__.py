"""TinyTorch milestone 2018: the optimization olympics (profile, compress, accelerate)."""

from importlib.metadata import PackageNotFoundError, version

from .models import GPT_CONFIG, build_cnn, build_gpt, cnn_flops, gpt_flops
from .olympics import DESCRIPTION, PARTS, run

try:
    __version__ = version("tinytorch-milestone-olympics")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["GPT_CONFIG", "build_cnn", "build_gpt", "cnn_flops", "gpt_flops", "DESCRIPTION", "PARTS", "run"]
