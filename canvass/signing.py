"""The signed session cookie and the form token, checked without rebuilding their keys on every request.

Flask builds a new serializer for the session cookie on every request, and Flask-WTF another for the form's
CSRF token; itsdangerous then makes a new signer for each and derives its HMAC key from the secret again
(an HMAC of its own) for every cookie read. The walk list posts a door every few seconds per canvasser,
and these rebuilds were a fifth of a door record's time. Here both serializers are built once per secret
(and its fallbacks) and each signer keeps its derived keys: the same signatures, the same expiry, the same
key rotation (SECRET_KEY_FALLBACKS), only not worked out again.

`CSRF` is Flask-WTF's CSRFProtect with the same token check on the cached serializer (same token, same
session value, same time limit, same refusals and reasons), and one more check beside it, never instead:
a post a browser marks as coming from another site (`Sec-Fetch-Site: cross-site`, or an `Origin` that is
not this host) is refused before its token is read.
"""
import functools
import hmac
import logging
from urllib.parse import urlsplit

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf import CSRFProtect
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, SignatureExpired, Signer, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from wtforms import ValidationError

logger = logging.getLogger("flask_wtf.csrf")
CROSS_SITE = "The request came from another site."


class _KeptKeys:
    """A signer that derives each secret's key once (itsdangerous derives it again for every signature)."""

    def derive_key(self, secret_key=None):
        keys = self.__dict__.setdefault("_derived", {})
        if secret_key not in keys:
            keys[secret_key] = super().derive_key(secret_key)
        return keys[secret_key]


class _KeptSigner(_KeptKeys, Signer):
    pass


class _KeptTimestampSigner(_KeptKeys, TimestampSigner):
    pass


class KeptSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer that makes its signer once per salt and keeps it."""

    default_signer = _KeptTimestampSigner

    def make_signer(self, salt=None):
        signers = self.__dict__.setdefault("_signers", {})
        salt = self.salt if salt is None else salt
        if salt not in signers:
            signers[salt] = super().make_signer(salt)
        return signers[salt]


@functools.lru_cache(maxsize=8)
def _session_serializer(keys: tuple, salt: str, serializer, key_derivation: str, digest_method) -> KeptSerializer:
    return KeptSerializer(list(keys), salt=salt, serializer=serializer,
                          signer_kwargs={"key_derivation": key_derivation, "digest_method": digest_method})


class KeptSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer built once per secret and its fallbacks."""

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        # As Flask orders them: the fallbacks first, the current key last (itsdangerous signs with the last).
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        return _session_serializer(keys, self.salt, self.serializer, self.key_derivation, self.digest_method)


@functools.lru_cache(maxsize=8)
def _token_serializer(secret_key) -> KeptSerializer:
    return KeptSerializer(secret_key, salt="wtf-csrf-token")


def token_refusal(data, session_token, secret_key, time_limit) -> str | None:
    """Why a form's CSRF token does not hold for a session holding `session_token`, in Flask-WTF's words; None when
    it holds. Flask's request cycle and the door tap below it (web/door_tap_gate.py) both ask here."""
    if not data:
        return "The CSRF token is missing."
    if session_token is None:
        return "The CSRF session token is missing."
    try:
        token = _token_serializer(secret_key).loads(data, max_age=time_limit)
    except SignatureExpired:
        return "The CSRF token has expired."
    except BadData:
        return "The CSRF token is invalid."
    if not isinstance(token, str) or not isinstance(session_token, str) or not hmac.compare_digest(session_token,
                                                                                                   token):
        return "The CSRF tokens do not match."
    return None


def token_settings(config) -> tuple[str, str, int | None]:
    """The form token's field, its secret and its time limit, as Flask-WTF reads them from the app's settings."""
    return (config.get("WTF_CSRF_FIELD_NAME") or "csrf_token",
            config.get("WTF_CSRF_SECRET_KEY") or config["SECRET_KEY"], config.get("WTF_CSRF_TIME_LIMIT", 3600))


def validate_csrf(data) -> None:
    """flask_wtf.csrf.validate_csrf with the app's settings, on a kept serializer: the same checks, the same
    reasons, raised as the same ValidationError."""
    field_name, secret_key, time_limit = token_settings(current_app.config)
    refusal = token_refusal(data, session.get(field_name), secret_key, time_limit)
    if refusal:
        raise ValidationError(refusal)


def cross_site() -> bool:
    """Whether the browser says this request comes from a page of another site (`is_cross_site`)."""
    return is_cross_site(request.headers.get("Sec-Fetch-Site"), request.headers.get("Origin"), request.host)


def is_cross_site(fetch_site: str | None, origin: str | None, host: str) -> bool:
    """Whether a request with these headers, to this host, comes from a page of another site.

    Sec-Fetch-Site is set by the browser itself and no proxy changes it, so where it is sent it decides (a
    subdomain's page is "same-site" and keeps its token check). Older browsers send only Origin with a post:
    its host must be this one. A client that sends neither (curl, the tests) is judged by its token alone."""
    if fetch_site:
        return fetch_site == "cross-site"
    if not origin:
        return False
    # "null" is a sandboxed or privacy-stripped page: not one of ours; nor is an address that does not parse.
    try:
        return origin == "null" or urlsplit(origin).netloc != host
    except ValueError:
        return True


def referrer_refusal(referrer: str | None, host: str) -> str | None:
    """Over HTTPS with WTF_CSRF_SSL_STRICT, Flask-WTF's check that the post came from a page of this host."""
    if not referrer:
        return "The referrer header is missing."
    try:
        same = same_origin(referrer, f"https://{host}/")
    except ValueError:  # an address that does not parse ("https://[", a port out of range)
        same = False
    return None if same else "The referrer does not match the host."


class CSRF(CSRFProtect):
    """CSRFProtect with the token checked on a kept serializer, and posts from another site refused as well."""

    def protect(self, apply_exemptions=False):
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if cross_site():
            logger.info(CROSS_SITE)
            self._error_response(CROSS_SITE)
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as e:
            logger.info(e.args[0])
            self._error_response(e.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            refusal = referrer_refusal(request.referrer, request.host)
            if refusal:
                self._error_response(refusal)
        g.csrf_valid = True
