"""Themes of similar input within a topic: TF-IDF on stemmed Norwegian words and word pieces, then clustering.

Norwegian runs words together (barnehageplass, barnehageplasser, plass i barnehagen), so beside
whole-word stems the vectors hold character 3–5-grams within words, which match the parts of a
compound. Everything runs locally with scikit-learn and the Snowball stemmer: no model download.

People raise several things at one door, so a text on the topic being grouped often talks about
other topics too. Given input on other topics as a background, each word and word piece is
weighted by how much more often it comes up in this topic than in the background (the log of the
ratio, nothing when it is no more common here), so "rent" does not pull input on the GP together.
"""
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import snowballstemmer
from scipy.sparse import diags, hstack
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_distances
from sklearn.preprocessing import normalize

from canvass.insight.scrub import MASK

# Cosine distance under which two groups of input count as the same theme (average linkage).
THRESHOLD = 0.94
# Above this many texts the pairwise distances get too big; k-means takes over.
AGGLOMERATIVE_LIMIT = 3000
WORD = re.compile(r"[a-zæøåéèü]+(?:-[a-zæøåéèü]+)*")


@cache
def stop_words() -> frozenset[str]:
    return frozenset((Path(__file__).with_name("stopwords.txt")).read_text(encoding="utf-8").split())


@cache
def _stemmer():
    return snowballstemmer.stemmer("norwegian")


def words(text: str) -> list[str]:
    """The words of a text that carry meaning, lower-cased, without masks and stop words."""
    return [w for w in WORD.findall(MASK.sub(" ", text.lower())) if w not in stop_words() and len(w) > 1]


def _stems(text: str) -> list[str]:
    return _stemmer().stemWords(words(text))


@dataclass
class Theme:
    members: list[int]
    label: str


def find_themes(texts: list[str], background: list[str] | tuple = ()) -> list[Theme]:
    """Groups of similar texts (indices into `texts`), biggest first, each with a label of its commonest words.

    `background`: input on other topics, against which the words that belong to this topic are found.
    """
    if not texts:
        return []
    if len(texts) == 1:
        return [Theme([0], _label(texts))]
    vectors = _vectors(texts, list(background))
    if vectors is None:
        return [Theme(list(range(len(texts))), "")]
    # Texts with no word that counts (only masks, numbers or stop words) have no direction to compare:
    # they make one group of their own instead of breaking the cosine distances.
    counted = vectors.getnnz(axis=1) > 0
    groups: dict[int, list[int]] = {}
    if not counted.all():
        groups[-1] = [int(i) for i in np.flatnonzero(~counted)]
    kept = [int(i) for i in np.flatnonzero(counted)]
    labels = _cluster(vectors[kept], len(kept)) if len(kept) > 1 else [0] * len(kept)
    for index, label in zip(kept, labels, strict=True):
        groups.setdefault(int(label), []).append(index)
    themes = [Theme(members, _label([texts[i] for i in members])) for members in groups.values()]
    return sorted(themes, key=lambda t: (-len(t.members), t.members[0]))


def _vectors(texts: list[str], background: list[str]):
    stemmed = [" ".join(_stems(t)) for t in texts]
    if not any(stemmed):
        return None
    plain = [" ".join(words(t)) for t in texts]
    parts = [_weighted(TfidfVectorizer(analyzer=str.split, sublinear_tf=True), stemmed,
                       [" ".join(_stems(t)) for t in background])]
    if len(texts) > 2:
        pieces = _weighted(TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
                           plain, [" ".join(words(t)) for t in background])
        if pieces is not None and pieces.shape[1]:
            parts.append(pieces)
    vectors = hstack([part for part in parts if part is not None]).tocsr()
    return normalize(vectors) if vectors.nnz else None


def _weighted(vectorizer: TfidfVectorizer, texts: list[str], background: list[str]):
    """TF-IDF vectors of the texts, each feature weighted by how much more it belongs to them than to the background."""
    try:
        ours = vectorizer.fit_transform(texts)
    except ValueError:  # nothing left to count, e.g. no word piece occurs twice
        return None
    if background:
        share = lambda m: np.asarray((m > 0).sum(axis=0)).ravel() / m.shape[0] + 1e-3  # noqa: E731
        ours = ours @ diags(np.clip(np.log(share(ours) / share(vectorizer.transform(background))), 0, None))
    return normalize(ours)


def _cluster(vectors, n: int) -> np.ndarray:
    if n <= AGGLOMERATIVE_LIMIT:
        # Distances computed here: handed the vectors, scipy takes a set of two or three that happens to be
        # square, symmetric and zero on the diagonal for a distance matrix.
        model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                        distance_threshold=THRESHOLD)
        return model.fit_predict(cosine_distances(vectors))
    k = int(min(200, max(10, n / 50)))
    return MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3).fit_predict(vectors)


def _label(texts: list[str], size: int = 3) -> str:
    """The words the texts share most often, in their commonest spelling."""
    by_stem: dict[str, dict[str, int]] = {}
    for text in texts:
        seen = set()
        for word in words(text):
            stem = _stemmer().stemWord(word)
            if stem in seen:
                continue
            seen.add(stem)
            by_stem.setdefault(stem, {}).setdefault(word, 0)
            by_stem[stem][word] += 1
    ranked = sorted(by_stem.values(), key=lambda forms: -sum(forms.values()))
    return ", ".join(max(forms, key=forms.get) for forms in ranked[:size])
