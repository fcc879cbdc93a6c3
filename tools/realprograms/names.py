"""Write a deterministic list of invented names, one per line: the makemore data set of this suite.

Names are built from syllables with a fixed seed, so the file is the same on every machine and
nothing is downloaded. ``python names.py OUT [COUNT]``.
"""

import random
import sys

ONSETS = ["", "b", "br", "c", "ch", "d", "el", "f", "g", "h", "j", "k", "kl", "l", "m", "n", "p",
          "r", "s", "sh", "st", "t", "th", "v", "w", "z"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "y", "ae"]
CODAS = ["", "", "n", "l", "r", "s", "th", "x", "nd", "ra", "na", "lyn", "ric", "en", "ia", "ette"]


def make_names(count, seed=2024):
    rng = random.Random(seed)
    names = set()
    while len(names) < count:
        syllables = rng.choice([1, 2, 2, 2, 3])
        name = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(CODAS)
        if 2 <= len(name) <= 12:
            names.add(name)
    return sorted(names)


if __name__ == "__main__":
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8000
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(make_names(count)) + "\n")
