"""Where a user-supplied "go back to" address (`next`) may send the browser: only to a page of this site.

The check looks at the address as a browser will read it from the Location header, not as it was
typed: browsers drop tabs and line breaks anywhere, strip control characters and spaces at both
ends and read a backslash as a slash, so `/\t/evil.example` and `/\\evil.example` both become
`//evil.example`, another site. The address is cleaned the same way, resolved against a stand-in
origin, and accepted only when it stays on that origin with a path that begins with exactly one
slash; what goes into the header is the resolved path, so the browser is sent where it was checked.
Forms that look alike after percent-decoding or Unicode compatibility folding (`%2F%2F`, `／／`)
are refused too, in case a proxy or a later hop decodes them once more.
"""
import re
import unicodedata
from urllib.parse import quote, unquote, urljoin, urlsplit

# Any stand-in works: only whether the resolved address keeps it matters.
_ORIGIN = "https://canvass.invalid"
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Characters a path, query or fragment may keep as they are in the header; the rest is percent-encoded.
_SAFE = "/?#[]@!$&'()*+,;=:-._~%"


def _as_browser_reads(value: str) -> str:
    return _TAB_OR_NEWLINE.sub("", value).strip(_C0_OR_SPACE).replace("\\", "/")


def _leaves_site(value: str) -> bool:
    cleaned = _as_browser_reads(value)
    if not cleaned.startswith("/") or cleaned.startswith("//") or _CONTROL.search(cleaned):
        return True
    resolved = urlsplit(urljoin(_ORIGIN + "/", cleaned))
    # Our own addresses never hold "." or ".." segments; a browser folds them, and "/..//x" would become "//x".
    dot_segment = any(part in (".", "..") for part in urlsplit(cleaned).path.split("/"))
    return f"{resolved.scheme}://{resolved.netloc}" != _ORIGIN or resolved.path.startswith("//") or dot_segment


def local_target(value: str | None) -> str | None:
    """`value` as a path on this site to redirect to, or None when it is empty or could lead elsewhere."""
    if not value:
        return None
    # The text, and what it becomes when percent-decoded or Unicode-folded again; an address
    # still unfolding after that many forms is refused unread.
    variants, pending = {value}, [value]
    while pending and len(variants) < 32:
        current = pending.pop()
        for other in (unquote(current), unicodedata.normalize("NFKC", current)):
            if other not in variants:
                variants.add(other)
                pending.append(other)
    if pending or any(_leaves_site(v) for v in variants):
        return None
    resolved = urlsplit(urljoin(_ORIGIN + "/", _as_browser_reads(value)))
    target = quote(resolved.path, safe=_SAFE)
    if resolved.query:
        target += "?" + quote(resolved.query, safe=_SAFE)
    if resolved.fragment:
        target += "#" + quote(resolved.fragment, safe=_SAFE)
    return target
