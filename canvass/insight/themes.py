"""Themes of similar input within a topic, and placing new input in the themes a committee has shaped.

Door notes are short and hurried: "airbnb i oppgangen", "korttidsutleige til turistar", "husleiga har
auka". Before anything is compared, each note is read the same way: lower case, accents folded, nynorsk,
dialect and short forms rewritten to one spelling (`spellings.txt`: whole words, beginnings and pieces of
words, so "heimetenesta" reads "hjemmetjenesta"), stop words and common verbs dropped (`stopwords.txt`),
and the matters it names found in a policy lexicon of every area (`synonyms.txt`: airbnb, korttidsutleie
and turister name short-term lets; "plass på sykehjem" and omsorgsboliger a place in care). A compound
whose parts are both words of the lexicon is read as its parts too ("sykehjemsmaten": sykehjem + maten), and a
long word one typing slip from a word of the lexicon is read as that word ("sykehjmsplasser").
Four kinds of feature then describe a note: Snowball stems of its words, character 3–5-grams within words
(Norwegian runs words together: barnehageplass, plass i barnehagen), the matters it names and the stems of
its compounds' parts. A matter weighs in a note by how many of the topic's notes name it, so a note that touches
two matters leans to the one its topic raises. Everything runs locally with scikit-learn: no model download.

People raise several things at one door, so a text on the topic being grouped often talks about other
topics too. Given input on other topics as a background, each feature is weighted by how much more often
it comes up in this topic than in the background (the log of the ratio, nothing when it is no more common
here), so "rent" does not pull input on the GP together.

How many themes a topic holds is not fixed: average-linkage clusters are cut where the silhouette (how
much nearer each note is to its own theme than to the next) is best. Themes that mostly name the same matter, or
whose centroids point nearly the same way, are then one theme. Notes in clusters too small to be a theme join
the nearest theme when near enough; the rest are put together in one leftover group rather than spread over
themes of one.

Once a committee has named, merged, split or moved themes, `place` puts new input in the nearest of
those themes (nearest centroid, in the same features) when it is near enough, and otherwise leaves it in
a "not sure" pile for a person to place.
"""
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import snowballstemmer

from canvass.insight.scrub import MASK

# scikit-learn and SciPy are imported where notes are placed in a vector space, not with this module: the module
# comes with every web worker, `flask` command and job consumer (through the committee's input and the job
# queue), and those two libraries were a third of the app's start-up, for work that only finding and placing
# themes does.

# Above this many texts the pairwise distances get too big; k-means takes over.
AGGLOMERATIVE_LIMIT = 3000
# The most themes tried for n texts: about one per four, at most this many.
MOST_THEMES = 40
# A cluster smaller than this is not a theme of its own: its notes join the nearest theme or the leftover group.
SMALLEST_THEME = 3
# How far below the best silhouette a cut with fewer themes may score and still be chosen.
SILHOUETTE_SLACK = 0.05
# Weight of each kind of feature in a note's vector: stems, word pieces, synonym groups, parts of compounds.
WEIGHTS = (1.0, 1.0, 1.6, 0.5)
# New input joins a committee's theme when its cosine similarity to the theme's centroid is at least this
# and beats the next theme by MARGIN; otherwise it is "not sure". Measured by bench/theme_quality.py.
PLACE_AT = 0.25
MARGIN = 0.05
# A matter's weight in a note grows as (notes of the topic naming it + 1) to this power.
GROUP_COMMON = 1.0
# Themes whose centroids have at least this cosine similarity are merged.
MERGE_AT = 0.5
# A note of a cluster too small to be a theme joins the nearest theme at least this near, else the leftover group.
JOIN_AT = 0.25
# These three, the silhouette slack and the synonym groups' weight: chosen by leaving each tuning set out in turn
# (bench/theme_quality.py --leave-one-out).
# Words at least this long that the lexicon does not know are read as a lexicon word one typing slip away.
TYPO_LENGTH = 7
WORD = re.compile(r"[a-zæøå]+(?:-[a-zæøå]+)*")
HERE = Path(__file__).parent


def _data_lines(name: str) -> list[str]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@cache
def stop_words() -> frozenset[str]:
    return frozenset(" ".join(_data_lines("stopwords.txt")).split())


@cache
def _spellings() -> tuple[dict[str, str], list[tuple[str, str]], list[tuple[str, str]]]:
    """Whole-word rewrites, beginnings rewritten and pieces rewritten anywhere in a word ("*teneste*" →
    "tjeneste": heimetenesta, tenestene); the last two longest first, so "komunal" wins over "kom"."""
    whole, starts, inside = {}, [], []
    for line in _data_lines("spellings.txt"):
        standard, variants = line.split(":", 1)
        standard = standard.strip().strip("*")
        for variant in variants.split():
            if variant.startswith("*") and variant.endswith("*"):
                inside.append((variant[1:-1], standard))
            elif variant.endswith("*"):
                starts.append((variant[:-1], standard))
            else:
                whole[variant] = standard
    longest = lambda pair: -len(pair[0])  # noqa: E731
    return whole, sorted(starts, key=longest), sorted(inside, key=longest)


@cache
def _lexicon() -> tuple[dict[str, list], dict[str, list], frozenset[str]]:
    """The synonym groups indexed by the first word of each pattern: whole words, and beginnings (a pattern word
    ending in "*"). Also the lexicon's words themselves, which compounds are split on ("sykehjems" + "plass")."""
    whole: dict[str, list] = {}
    starts: dict[str, list] = {}
    known: set[str] = set()
    for line in _data_lines("synonyms.txt"):
        name, patterns = line.split(":", 1)
        for pattern in (p.split() for p in patterns.split(",") if p.strip()):
            first, rest = pattern[0], tuple(pattern[1:])
            (starts.setdefault(first[:-1], []) if first.endswith("*") else whole.setdefault(first, [])).append(
                (name.strip(), rest))
            known.update(part.rstrip("*") for part in pattern if len(part.rstrip("*")) >= 3)
    known -= stop_words()
    return whole, starts, frozenset(known)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@cache
def _typo_index() -> dict[str, tuple[str, ...]]:
    """The lexicon's words of at least TYPO_LENGTH letters, found by themselves and by each one-letter deletion:
    a word typed with one letter missing, extra, wrong or two swapped shares a deletion with it."""
    whole, starts, _ = _lexicon()
    index: dict[str, set[str]] = {}
    for word in [*whole, *starts]:
        if len(word) >= TYPO_LENGTH:
            for key in {word} | _deletes(word):
                index.setdefault(key, set()).add(word)
    return {key: tuple(sorted(found)) for key, found in index.items()}


def _one_off(a: str, b: str) -> bool:
    """Whether a and b differ by one letter deleted, added, changed or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


@lru_cache(maxsize=65536)
def _mended(token: str) -> str:
    """A word the lexicon does not know read as the lexicon's word it is one slip of the finger from
    ("sykehjmsplasser" → "sykehjemsplasser"), or as it is. Only the word's end may run on past a
    beginning of the lexicon, by at most three letters, so a lookup costs a few dozen probes. The first letter
    must be right: a slip is rarely there, and "penger" is no "henger"."""
    whole, starts, _ = _lexicon()
    if len(token) < TYPO_LENGTH or token in whole or any(token.startswith(s) for s in _starts_of(token)):
        return token
    index = _typo_index()
    for cut in range(len(token), max(TYPO_LENGTH - 1, len(token) - 4), -1):
        head = token[:cut]
        for key in {head} | _deletes(head):
            for word in index.get(key, ()):
                if word[0] == head[0] and (word in starts or cut == len(token)) and _one_off(head, word):
                    return word + token[cut:]
    return token


def _starts_of(token: str) -> list[str]:
    _, starts, _ = _lexicon()
    return [token[:end] for end in range(1, len(token) + 1) if token[:end] in starts]


def synonyms() -> list[str]:
    """The names of the synonym groups."""
    whole, starts, _ = _lexicon()
    return sorted({name for index in (whole, starts) for found in index.values() for name, _ in found})


def _fits(word: str, pattern: str) -> bool:
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


def _groups(tokens: list[str]) -> tuple[str, ...]:
    """The synonym groups a text's words name, found through the index: a lookup per word and per beginning of
    a word, so a lexicon of every policy area costs no more per note than one of housing."""
    whole, starts, _ = _lexicon()
    found: dict[str, None] = {}
    tokens = [_mended(token) for token in tokens]
    for i, token in enumerate(tokens):
        candidates = list(whole.get(token, ()))
        for end in range(1, len(token) + 1):
            candidates += starts.get(token[:end], ())
        for name, rest in candidates:
            if name not in found and len(rest) <= len(tokens) - i - 1 and all(
                    _fits(word, part) for word, part in zip(tokens[i + 1:i + 1 + len(rest)], rest, strict=True)):
                found[name] = None
    return tuple(found)


def _split(word: str) -> tuple[str, ...]:
    """A compound split where both parts are words of the lexicon, the last one with any ending:
    "sykehjemsplassen" → ("sykehjem", "plassen"); () when there is no such split ("parkering" is no park)."""
    _, _, known = _lexicon()
    for cut in range(len(word) - 3, 3, -1):
        head, tail = word[:cut], word[cut:]
        if any(tail[:end] in known for end in range(max(3, len(tail) - 3), len(tail) + 1)):
            for stem in (head, head[:-1] if head[-1] in "se" else None):
                if stem in known:
                    return stem, tail
    return ()


@cache
def _stemmer():
    return snowballstemmer.stemmer("norwegian")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def _fold(text: str) -> str:
    """Lower case with accents dropped (é → e) but å, æ and ø kept."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u030a")
    return unicodedata.normalize("NFC", kept)


@lru_cache(maxsize=65536)
def _spell(word: str) -> str:
    whole, starts, inside = _spellings()
    if word in whole:
        return whole[word]
    for start, standard in starts:
        if word.startswith(start):
            word = standard + word[len(start):]
            break
    for piece, standard in inside:
        if piece in word:
            word = word.replace(piece, standard)
    return whole.get(word, word)


def _tokens(text: str) -> list[str]:
    """Every word of a text in its standard spelling, stop words included (synonym phrases need them)."""
    return [_spell(w) for w in WORD.findall(_fold(MASK.sub(" ", text)))]


@dataclass(frozen=True)
class _Read:
    words: tuple[str, ...]
    stems: tuple[str, ...]
    parts: tuple[str, ...]
    groups: tuple[str, ...]


@lru_cache(maxsize=65536)
def _read(text: str) -> _Read:
    """A text as the theme search reads it: its meaningful words, their stems and the synonym groups it names.

    A compound whose parts are words of the lexicon also counts as its parts (their stems, a feature of their
    own) and in the groups: "sykehjemsmaten" is about food as much as "maten på sykehjemmet" is."""
    tokens = _tokens(text)
    meaningful = tuple(w for w in tokens if w not in stop_words() and len(w) > 1)
    parts = [part for w in meaningful for part in _split(w) if part not in stop_words()]
    return _Read(meaningful, tuple(_stem(w) for w in meaningful), tuple(_stem(p) for p in parts),
                 _groups(tokens + parts))


def words(text: str) -> list[str]:
    """The words of a text that carry meaning, in their standard spelling, without masks and stop words."""
    return list(_read(text).words)


def groups_of(text: str) -> list[str]:
    """The synonym groups a text names."""
    return list(_read(text).groups)


def _stems(text: str) -> list[str]:
    return list(_read(text).stems)


def _stem_text(text: str) -> str:
    return " ".join(_read(text).stems)


@dataclass
class Theme:
    members: list[int]
    label: str
    # The notes that fit no theme, put together: a pile for a person to place, not a theme.
    unsure: bool = False


def find_themes(texts: list[str], background: list[str] | tuple = ()) -> list[Theme]:
    """Groups of similar texts (indices into `texts`), biggest first, each with a label of its telling words.

    `background`: input on other topics, against which the words that belong to this topic are found.
    """
    if not texts:
        return []
    if len(texts) == 1:
        return [Theme([0], _label(texts, _spread(texts), 1))]
    vectors = Features(texts, list(background)).vectors(texts)
    if vectors is None:
        return [Theme(list(range(len(texts))), "")]
    # Texts with no word that counts (only masks, numbers or stop words) have no direction to compare:
    # they make one group of their own instead of breaking the cosine distances.
    counted = vectors.getnnz(axis=1) > 0
    groups: dict[int, list[int]] = {}
    if not counted.all():
        groups[-1] = [int(i) for i in np.flatnonzero(~counted)]
    kept = [int(i) for i in np.flatnonzero(counted)]
    labels = _cluster(vectors[kept]) if len(kept) > 1 else np.zeros(len(kept), dtype=int)
    found: dict[int, list[int]] = {}
    for index, label in zip(kept, labels, strict=True):
        found.setdefault(int(label), []).append(index)
    # Too few texts to tell a theme from a leftover: the clusters are the themes.
    clusters, leftover = (_settle(list(found.values()), vectors, texts) if len(texts) >= 2 * SMALLEST_THEME
                          else (list(found.values()), []))
    spread = _spread(texts)
    themes = [Theme(members, _label([texts[i] for i in members], spread, len(texts)))
              for members in [*groups.values(), *clusters]]
    themes.sort(key=lambda t: (-len(t.members), t.members[0]))
    return themes + ([Theme(leftover, "", unsure=True)] if leftover else [])


class Features:
    """The vector space of one topic's notes: fitted on them (and a background), then any note can be placed in it."""

    def __init__(self, texts: list[str], background: list[str] | tuple = ()):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.blocks = []
        back = list(background)
        readers = [(_stem_text, TfidfVectorizer(analyzer=str.split, sublinear_tf=True)),
                   (lambda t: " ".join(words(t)),
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                    min_df=2 if len(texts) > 2 else 1)),
                   (lambda t: " ".join(g.replace(" ", "_") for g in groups_of(t)),
                    TfidfVectorizer(analyzer=str.split, use_idf=False)),
                   (lambda t: " ".join(_read(t).parts), TfidfVectorizer(analyzer=str.split, sublinear_tf=True))]
        for kind, ((read, vectorizer), weight) in enumerate(zip(readers, WEIGHTS, strict=True)):
            scale = self._fit(vectorizer, [read(t) for t in texts], [read(t) for t in back])
            if scale is not None and kind == 2:
                # A note naming two matters leans to the one its topic raises most: "leia spiser lønna"
                # is about rent in a topic of rents, whatever else it touches.
                counted = vectorizer.transform([read(t) for t in texts])
                scale = scale * (np.asarray((counted > 0).sum(axis=0)).ravel() + 1.0) ** GROUP_COMMON
            if scale is not None:
                self.blocks.append((read, vectorizer, scale, weight))

    @staticmethod
    def _fit(vectorizer, texts: list[str], background: list[str]):
        """Fit the vectorizer; the weight of each feature: how much more it belongs to the texts than the background."""
        try:
            ours = vectorizer.fit_transform(texts)
        except ValueError:  # nothing left to count, e.g. no word piece occurs twice
            return None
        weight = np.ones(ours.shape[1])
        if background:
            share = lambda m: np.asarray((m > 0).sum(axis=0)).ravel() / m.shape[0] + 1e-3  # noqa: E731
            weight = np.clip(np.log(share(ours) / share(vectorizer.transform(background))), 0, None)
        return weight

    def vectors(self, texts: list[str]):
        """Unit vectors of the texts (rows of zeros for texts with nothing that counts); None when nothing counts."""
        from scipy.sparse import diags, hstack
        from sklearn.preprocessing import normalize

        parts = [normalize(vectorizer.transform([read(t) for t in texts]) @ diags(scale)) * weight
                 for read, vectorizer, scale, weight in self.blocks if weight]
        if not parts:
            return None
        vectors = normalize(hstack(parts).tocsr())
        return vectors if vectors.nnz else None


def _cluster(vectors) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
    from sklearn.metrics import silhouette_score
    from sklearn.metrics.pairwise import cosine_distances

    n = vectors.shape[0]
    if n > AGGLOMERATIVE_LIMIT:
        k = int(min(200, max(10, n / 50)))
        return MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3).fit_predict(vectors)
    # Distances computed here: handed the vectors, scipy takes a set of two or three that happens to be
    # square, symmetric and zero on the diagonal for a distance matrix.
    distances = np.clip(cosine_distances(vectors), 0, None)
    np.fill_diagonal(distances, 0)
    if n < 4:
        close = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                        distance_threshold=0.9)
        return close.fit_predict(distances)
    tree = linkage(squareform(distances, checks=False), method="average")
    ks = range(2, min(n - 1, max(2, n // 4), MOST_THEMES) + 1)
    cuts = [fcluster(tree, k, criterion="maxclust") for k in ks]
    scores = [silhouette_score(distances, labels, metric="precomputed") if len(set(labels)) > 1 else -1.0
              for labels in cuts]
    # The fewest themes whose silhouette is close to the best: on short notes the best often splits a
    # theme in two over one word, and a committee merges less than it splits.
    good = max(scores) - SILHOUETTE_SLACK
    return next(labels for labels, score in zip(cuts, scores, strict=True) if score >= good)


def _matter(members: list[int], texts: list[str]) -> str | None:
    """The synonym group at least half of a cluster's texts name, if one does."""
    named = Counter(g for i in members for g in groups_of(texts[i])).most_common(1)
    return named[0][0] if named and named[0][1] * 2 >= len(members) else None


def _centroids(clusters: list[list[int]], vectors):
    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    return normalize(csr_matrix(np.vstack([np.asarray(vectors[members].mean(axis=0)) for members in clusters])))


def _settle(clusters: list[list[int]], vectors, texts: list[str]) -> tuple[list[list[int]], list[int]]:
    """Themes about one matter made one, and the notes of clusters too small to be themes given to the nearest
    theme when they are near enough; the rest are left over.

    On two- to five-word notes the cut of the tree often splits one matter over two themes (one says
    "skolevei", the other "gangfelt"): themes that name the same matter of the lexicon, or whose centroids
    point the same way, are one theme to a committee."""
    from scipy.sparse import vstack

    by_matter: dict[str, list[int]] = {}
    merged: list[list[int]] = []
    for members in sorted(clusters, key=len, reverse=True):
        matter = _matter(members, texts) if len(members) >= SMALLEST_THEME else None
        if matter in by_matter:
            by_matter[matter].extend(members)
        else:
            merged.append(list(members))
            if matter:
                by_matter[matter] = merged[-1]
    themes = [members for members in merged if len(members) >= SMALLEST_THEME]
    leftover = sorted(i for members in merged if len(members) < SMALLEST_THEME for i in members)
    if len(themes) > 1:
        # Closest pair first, one merge at a time; only the merged theme's row of closeness is computed anew,
        # so 200 k-means clusters of 20,000 notes cost a few passes over the vectors, not one per merge.
        rows = [_centroids([members], vectors) for members in themes]
        centroids = vstack(rows)
        closeness = (centroids @ centroids.T).toarray()
        np.fill_diagonal(closeness, -1)
        alive = np.ones(len(themes), dtype=bool)
        while alive.sum() > 1:
            a, b = np.unravel_index(np.argmax(closeness), closeness.shape)
            if closeness[a, b] < MERGE_AT:
                break
            themes[a], themes[b] = themes[a] + themes[b], []
            alive[b] = False
            closeness[b, :] = closeness[:, b] = -1
            rows[a] = _centroids([themes[a]], vectors)
            row = (rows[a] @ vstack(rows).T).toarray().ravel()
            row[~alive] = -1
            row[a] = -1
            closeness[a, :] = closeness[:, a] = row
        themes = [members for members in themes if members]
    if themes and leftover:
        nearness = (vectors[leftover] @ _centroids(themes, vectors).T).toarray()
        stay = []
        for i, row in zip(leftover, nearness, strict=True):
            if row.max() >= JOIN_AT:
                themes[int(np.argmax(row))].append(i)
            else:
                stay.append(i)
        leftover = stay
    return [sorted(members) for members in themes], leftover


def _spread(texts: list[str]) -> Counter:
    """In how many of the texts each stem occurs: counted once per topic, not once per theme."""
    return Counter(stem for text in texts for stem in set(_stems(text)))


def _label(texts: list[str], spread: Counter, total: int, size: int = 3) -> str:
    """The words (and synonym group) that tell the texts apart from the rest of the topic's `total` texts, in
    their commonest spelling; `spread`: in how many of those each stem occurs.

    A word scores by how many of the texts use it, times how much rarer it is in the rest of the topic;
    a synonym group most of the texts name leads the label."""
    by_stem: dict[str, Counter] = {}
    for text in texts:
        read = _read(text)
        for word, stem in dict(zip(read.words, read.stems, strict=True)).items():
            by_stem.setdefault(stem, Counter())[word] += 1
    inside = {stem: sum(forms.values()) for stem, forms in by_stem.items()}
    share = len(texts) / max(total, 1)

    def score(stem):
        common = (spread[stem] or inside[stem]) / total
        return inside[stem] * np.log(1 + share / max(common, 1e-9)) if share < 1 else inside[stem]
    ranked = sorted(by_stem, key=lambda stem: (-score(stem), stem))
    group = Counter(g for text in texts for g in groups_of(text)).most_common(1)
    name = [group[0][0]] if group and group[0][1] * 2 >= len(texts) else []
    named = {_stem(part) for part in name[0].split()} if name else set()
    label: list[str] = []
    for stem in ranked:
        if len(name) + len(label) == size:
            break
        word = by_stem[stem].most_common(1)[0][0]
        # "leie" and "leia", "kjøpe" and "kjøpt": one of them is enough.
        if stem not in named and not any(
                len(os.path.commonprefix([word, other])) >= min(len(word), len(other)) - 1 for other in label):
            label.append(word)
    return ", ".join(name + label)


def place(corrected: dict[int, list[str]], texts: list[str], background: list[str] | tuple = ()) -> list[int | None]:
    """Put each new text in the theme (key of `corrected`, each theme's texts as people left them) whose
    centroid it is nearest, or None ("not sure") when it is not near enough to one theme to tell."""
    if not texts:
        return []
    keys = [key for key, members in corrected.items() if members]
    if not keys:
        return [None] * len(texts)
    known = [text for key in keys for text in corrected[key]]
    features = Features(known + texts, background)
    taught = features.vectors(known)
    new = features.vectors(texts)
    if taught is None or new is None:
        return [None] * len(texts)
    owner = np.repeat(np.arange(len(keys)), [len(corrected[key]) for key in keys])
    centroids = _centroids([np.flatnonzero(owner == j) for j in range(len(keys))], taught)
    similarity = (new @ centroids.T).toarray()
    placed = []
    for row in similarity:
        order = np.argsort(-row)
        best = row[order[0]]
        second = row[order[1]] if len(order) > 1 else 0.0
        placed.append(keys[order[0]] if best >= PLACE_AT and best - second >= MARGIN else None)
    return placed
