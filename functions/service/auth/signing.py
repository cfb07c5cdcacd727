"""Client-side upload signatures (HMAC-SHA1 of `token + expire`, keyed by the private key) checked without the key.

The hosted SDKs sign with the private key (sdk-calls.md, §8.1), which the service never stores (keys.py keeps a
hash of it). HMAC-SHA1 hashes `key XOR ipad` and `key XOR opad` as the first block of its inner and outer
SHA-1; the SHA-1 states after those blocks are all a verifier needs (RFC 2104, section 4, "precomputed"
values). The keys table keeps those 40 bytes (`signing`): with them a signature can be checked, or forged, but
the private key cannot be recovered (that would invert SHA-1's compression), so they authenticate no other
request. SHA-1's compression is written out here because hashlib cannot start from a given state; tests compare
every signature with the standard library's hmac.
"""
from __future__ import annotations

import hashlib
import hmac
import struct

BLOCK_BYTES = 64
_IV = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
_MASK = 0xFFFFFFFF
STATE_BYTES = 40  # the inner and the outer state, five 32-bit words each

State = tuple[int, int, int, int, int]


def signing_state(private_key: str) -> bytes:
    """The precomputed HMAC-SHA1 states of a key (what the keys table keeps as `signing`)."""
    key = private_key.encode()
    if len(key) > BLOCK_BYTES:
        key = hashlib.sha1(key).digest()  # noqa: S324 - HMAC-SHA1's own rule for long keys
    key = key.ljust(BLOCK_BYTES, b"\0")
    inner = _compress(_IV, bytes(byte ^ 0x36 for byte in key))
    outer = _compress(_IV, bytes(byte ^ 0x5C for byte in key))
    return struct.pack(">10I", *inner, *outer)


def signature(state: bytes, message: str) -> str:
    """HMAC-SHA1 of the message in lower-case hex, as the SDKs' getAuthenticationParameters writes it."""
    words = struct.unpack(">10I", state)
    inner_digest = _digest(words[:5], message.encode())
    return _digest(words[5:], inner_digest).hex()


def verify(state: bytes, message: str, claimed: str) -> bool:
    """Whether `claimed` is the message's signature (compared in constant time; hex in any case)."""
    return hmac.compare_digest(signature(state, message).encode(), claimed.strip().lower().encode())


def _digest(state: State, message: bytes) -> bytes:
    """SHA-1 of a message that follows one block already hashed into `state`."""
    length_bits = (BLOCK_BYTES + len(message)) * 8
    padded = message + b"\x80" + b"\0" * ((55 - len(message)) % BLOCK_BYTES) + struct.pack(">Q", length_bits)
    for start in range(0, len(padded), BLOCK_BYTES):
        state = _compress(state, padded[start : start + BLOCK_BYTES])
    return struct.pack(">5I", *state)


def _rotate(word: int, bits: int) -> int:
    return ((word << bits) | (word >> (32 - bits))) & _MASK


def _compress(state: State, block: bytes) -> State:
    """SHA-1's compression of one 64-byte block (FIPS 180-4, 6.1.2)."""
    w = list(struct.unpack(">16I", block))
    for index in range(16, 80):
        w.append(_rotate(w[index - 3] ^ w[index - 8] ^ w[index - 14] ^ w[index - 16], 1))
    a, b, c, d, e = state
    for index in range(80):
        if index < 20:
            f, k = (b & c) | (~b & d), 0x5A827999
        elif index < 40:
            f, k = b ^ c ^ d, 0x6ED9EBA1
        elif index < 60:
            f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
        else:
            f, k = b ^ c ^ d, 0xCA62C1D6
        a, b, c, d, e = (_rotate(a, 5) + f + e + k + w[index]) & _MASK, a, _rotate(b, 30), c, d
    return (
        (state[0] + a) & _MASK, (state[1] + b) & _MASK, (state[2] + c) & _MASK, (state[3] + d) & _MASK,
        (state[4] + e) & _MASK,
    )
