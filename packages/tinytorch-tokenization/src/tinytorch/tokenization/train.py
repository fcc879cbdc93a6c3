"""Training a byte-level BPE vocabulary, with pair counts kept up to date merge by merge.

Byte-pair encoding starts from the 256 single bytes and repeatedly adds the most frequent
adjacent pair of tokens as a new token. Text is first split into pieces by a pre-tokenisation
pattern (GPT-2's keeps words, numbers, punctuation runs and whitespace apart, so no token spans
"dog." or " the"), and pairs are counted inside pieces only.

Recounting every pair after each merge costs a pass over the whole corpus per merge. Instead the
trainer keeps, for every pair, its count and the pieces it occurs in: a merge of ``(a, b)``
revisits only the pieces containing it and updates only the pairs around each replacement; a heap
of ``(-count, pair)`` with stale entries skipped on the way out finds the next most frequent pair.
Each distinct piece is stored once with its frequency (Tiny Shakespeare's 1.1 M characters are
~25 k distinct pieces).
"""

import heapq
from collections import Counter, defaultdict

import regex

GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
"""GPT-2's pre-tokenisation pattern, in the possessive form tiktoken uses (equal splits to the
original ``'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+``, faster)."""


def _merge_word(word, pair, new_id, f, counts, changed):
    """``word`` (a list of ids) with every non-overlapping ``pair``, left to right, replaced by
    ``new_id``; ``counts`` is updated for the pairs around each replacement only.

    For ``x a b y`` becoming ``x N y`` the pairs ``(x, a)``, ``(a, b)``, ``(b, y)`` lose ``f``
    (the word's frequency) and ``(x, N)``, ``(N, y)`` gain it. The left neighbour is read from the
    output, so in ``a b a b`` the second replacement takes back the ``(N, a)`` the first one added.
    """
    a, b = pair
    out = []
    i, n = 0, len(word)
    while i < n:
        if i + 1 < n and word[i] == a and word[i + 1] == b:
            counts[pair] -= f
            if out:
                left = out[-1]
                counts[left, a] -= f
                counts[left, new_id] += f
                changed.update(((left, a), (left, new_id)))
            if i + 2 < n:
                right = word[i + 2]
                counts[b, right] -= f
                counts[new_id, right] += f
                changed.update(((b, right), (new_id, right)))
            out.append(new_id)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def train_bpe(pieces, num_tokens):
    """Learn byte-level BPE tokens from pre-tokenised text.

    Args:
        pieces: a ``Counter`` (or mapping) of text piece -> how often it occurs.
        num_tokens: size of the learned vocabulary, the 256 bytes included.

    Returns:
        list[bytes]: the token of each rank: ``tokens[i]`` is token id ``i``; the first 256 are
        the single bytes in byte order, then one per merge, most frequent first. Fewer than
        ``num_tokens`` when the text runs out of pairs.

    Ties between equally frequent pairs go to the smallest pair of ids, so training is
    deterministic. A merge whose bytes already are a token (``"ab" + "c"`` after ``"a" + "bc"``)
    reuses that token: every byte string has one id, as tiktoken requires.
    """
    # BEGIN SOLUTION
    tokens = [bytes([i]) for i in range(256)]
    ids_of = {t: i for i, t in enumerate(tokens)}
    words = [list(piece.encode("utf-8")) for piece in pieces]  # distinct pieces as id lists
    freqs = list(pieces.values())

    counts = defaultdict(int)  # pair -> occurrences, weighted by piece frequency
    where = defaultdict(set)  # pair -> indices of the words that (may) contain it
    for w, (word, f) in enumerate(zip(words, freqs)):
        for pair in zip(word, word[1:]):
            counts[pair] += f
            where[pair].add(w)
    heap = [(-c, pair) for pair, c in counts.items()]
    heapq.heapify(heap)

    while len(tokens) < num_tokens and heap:
        neg, pair = heapq.heappop(heap)
        count = counts.get(pair, 0)
        if count <= 0:
            continue
        if -neg != count:  # stale entry: the pair's count changed since it was pushed
            heapq.heappush(heap, (-count, pair))
            continue
        merged = tokens[pair[0]] + tokens[pair[1]]
        new_id = ids_of.get(merged)
        if new_id is None:
            new_id = len(tokens)
            tokens.append(merged)
            ids_of[merged] = new_id
        changed = set()
        for w in where.pop(pair):
            word = words[w]
            merged_word = _merge_word(word, pair, new_id, freqs[w], counts, changed)
            if len(merged_word) == len(word):
                continue  # this word lost the pair to an earlier merge
            words[w] = merged_word
            for p in zip(merged_word, merged_word[1:]):
                if new_id in p:
                    where[p].add(w)
        counts.pop(pair, None)
        for p in changed:
            c = counts.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, p))
            else:
                counts.pop(p, None)
    return tokens
    # END SOLUTION


def train_bpe_naive(pieces, num_tokens):
    """The textbook trainer, for teaching and testing: recount every pair of every piece before
    each merge. Learns exactly the tokens of :func:`train_bpe` (same ties, same reuse of repeated
    bytes), one full pass over the pieces per merge slower."""
    tokens = [bytes([i]) for i in range(256)]
    ids_of = {t: i for i, t in enumerate(tokens)}
    words = Counter()
    for piece, f in pieces.items():
        words[tuple(piece.encode("utf-8"))] += f
    while len(tokens) < num_tokens:
        counts = Counter()
        for word, f in words.items():
            for pair in zip(word, word[1:]):
                counts[pair] += f
        if not counts:
            break
        best = min(counts, key=lambda pair: (-counts[pair], pair))
        merged = tokens[best[0]] + tokens[best[1]]
        if merged not in ids_of:
            ids_of[merged] = len(tokens)
            tokens.append(merged)
        new_id = ids_of[merged]
        merged_words = Counter()
        for word, f in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged_words[tuple(out)] += f
        words = merged_words
    return tokens


def count_pieces(text, pattern=GPT2_PATTERN, special_tokens=()):
    """Counter of the pieces of ``text``; special tokens' text is cut out first (never learned)."""
    compiled = regex.compile(pattern)
    segments = [text]
    if special_tokens:
        splitter = regex.compile("|".join(regex.escape(t) for t in sorted(special_tokens, key=len, reverse=True)))
        segments = splitter.split(text)
    pieces = Counter()
    for segment in segments:
        pieces.update(compiled.findall(segment))
    return pieces
