"""Client-side uploads: the hosted API's `publicKey`, `signature`, `expire` and `token` fields, checked.

A browser cannot hold the private key; the caller's server signs `token + expire` with it (HMAC-SHA1, hex: the
SDKs' getAuthenticationParameters) and the browser sends the signature with the public key, in the multipart
body. API Gateway's authorizer cannot read a body, so it lets a request without credentials through to this
route alone, marked `clientUpload` in its context (service/auth/authorizer.py), and this module decides: the
public key must name an active key, the signature must be that key's of the token and expire as sent, expire
must lie within the next hour, and the token must not have been used (storage/tokens.py takes it once the rest
of the upload is checked). A request with credentials (Basic or x-api-key, checked by the authorizer; or
SigV4) may carry the fields too, as the SDKs send them with their Basic header (sdk-calls.md, section 8.1):
they are then checked the same way, and must name the key of the Basic credentials.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imagemeta.errors import BadParameter, echo
from library.errors import SignatureRefused

from .deps import SigningKeys
from .upload_params import SIGNATURE_FIELDS

# The hosted API's bound: expire is a Unix time less than an hour ahead.
MAX_EXPIRE_AHEAD_SECONDS = 3600
_EXPIRE = re.compile(r"\d{1,12}")
_TOKEN = re.compile(r"[\x21-\x7e]{1,256}")


@dataclass(frozen=True)
class SignedUpload:
    """A client-side upload whose signature holds: the token it spends."""

    public_key: str
    token: str
    expire: int


def signed_upload(fields: Mapping[str, str], authorizer: Mapping[str, Any], keys: SigningKeys | None,
                  now: float) -> SignedUpload | None:
    """The upload's signature, checked; None when it carries none and the gateway authenticated it."""
    anonymous = authorizer.get("clientUpload") == "true"
    given = {name: fields[name] for name in SIGNATURE_FIELDS if fields.get(name)}
    if not given:
        if anonymous:
            raise SignatureRefused("The upload carries no credentials: send a private key (HTTP Basic), or the "
                                   "publicKey, signature, expire and token of a client-side upload.")
        return None
    missing = [name for name in SIGNATURE_FIELDS if name not in given]
    if missing:
        raise BadParameter(f"Parameter `{missing[0]}` is missing: a client-side upload sends publicKey, signature, "
                           "expire and token.")
    expire_text, token = given["expire"].strip(), given["token"]
    if not _EXPIRE.fullmatch(expire_text) or not now < int(expire_text) <= now + MAX_EXPIRE_AHEAD_SECONDS:
        raise BadParameter(f"Parameter `expire` must be a Unix time in seconds less than an hour into the future "
                           f"(now {int(now)}); got {echo(expire_text)}.")
    if not _TOKEN.fullmatch(token):
        raise BadParameter("Parameter `token` must be 1 to 256 printable ASCII characters (a UUID, say).")
    key = keys.signing_key(given["publicKey"]) if keys is not None else None
    if key is None:
        raise SignatureRefused("Parameter `publicKey` names no active key.")
    if not key.verifies(token + expire_text, given["signature"]):
        raise SignatureRefused("Parameter `signature` is not the HMAC-SHA1 of token + expire with the private key "
                               "of `publicKey`.")
    basic_key = authorizer.get("keyId")
    if not anonymous and basic_key is not None and basic_key != key.key_id:
        raise SignatureRefused("The signature's publicKey belongs to another key than the request's credentials.")
    return SignedUpload(given["publicKey"], token, int(expire_text))
