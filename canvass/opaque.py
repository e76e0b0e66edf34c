"""Opaque references for database ids shown to readers who must not learn their order or their number.

A committee acts on one input at a time (consider it, tag it, move it, link it to the programme), so its pages
name each input. The database's id would say which input of a cell came in last, and, read again later, how
many records the whole server has taken since, every organisation's together. A reference is the id encrypted
as one AES block under a key derived from the app's secret: the same input keeps its reference, a reference
says nothing of when its input came, and one not made here does not decode.
"""
import base64
import functools
import hashlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Eight zero bytes before the id's eight: a guessed or altered reference decodes to something else.
_MARK = bytes(8)


@functools.lru_cache(maxsize=8)
def _cipher(secret: bytes) -> Cipher:
    key = hashlib.sha256(b"canvass opaque reference\0" + secret).digest()[:16]
    # One block, encrypted on its own: ECB on a single block is AES itself, a keyed permutation.
    return Cipher(algorithms.AES(key), modes.ECB())


def encode(secret: bytes, number: int) -> str:
    encryptor = _cipher(secret).encryptor()
    block = encryptor.update(_MARK + number.to_bytes(8, "big")) + encryptor.finalize()
    return base64.urlsafe_b64encode(block).rstrip(b"=").decode()


def decode(secret: bytes, reference: str) -> int | None:
    """The id a reference was made from, or None for anything that was not made by `encode` with this secret."""
    try:
        block = base64.urlsafe_b64decode(reference.encode("ascii") + b"==")
    except (ValueError, UnicodeEncodeError):
        return None
    if len(block) != 16:
        return None
    decryptor = _cipher(secret).decryptor()
    plain = decryptor.update(block) + decryptor.finalize()
    if plain[:8] != _MARK:
        return None
    number = int.from_bytes(plain[8:], "big")
    # One spelling per id: base64 would also read the reference with stray characters in it.
    return number if encode(secret, number) == reference else None
