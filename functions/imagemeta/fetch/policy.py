"""Which URLs and addresses the fetcher may reach: pure functions, no I/O (the resolver is passed in)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit

from ..errors import BadParameter, FetchRefused, UpstreamError
from ..limits import DEFAULT_MAX_BYTES

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], list[str]]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Whitespace, controls and backslashes are read differently by different URL parsers: refuse them.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_IPV4_NUMBER = re.compile(r"0x[0-9a-f]*|[0-9]+")
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"
_ADDRESS_REFUSED = (
    "The URL is not allowed: its host is or resolves to an address that is not public "
    "(loopback, private, link-local, reserved or the metadata service)."
)
# What an origin may read otherwise than the prefix check does, so that a path under a prefix here escapes it
# there: decoded once, the path is refused when another decoding, a `;` parameter (Tomcat reads `..;` as `..`),
# a lenient UTF-8 decoder (`%c0%ae` as `.`), a NUL that ends a C string, or a segment trimmed of its trailing
# dots and spaces (IIS: `.. ` is `..`) could make it climb.
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c)", re.IGNORECASE)
_DOUBLE_ENCODED = re.compile(r"%25[0-9a-f]{2}", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LOOPBACK = (ip_network("127.0.0.0/8"), ip_network("::1/128"))
# Refused even where a Python version's is_global would let them through.
_ALWAYS_REFUSED = (
    ip_network("100.64.0.0/10"),  # CGNAT (RFC 6598)
    ip_network("169.254.169.254/32"),  # EC2 instance metadata, IPv4
    ip_network("fd00:ec2::254/128"),  # EC2 instance metadata, IPv6
)
_NAT64 = ip_network("64:ff9b::/96")
_NAT64_LOCAL = ip_network("64:ff9b:1::/48")


@dataclass(frozen=True)
class FetchSettings:
    """The fetcher's limits and policy; the settings classes of `imagemeta.settings` read them from the environment."""

    header_timeout_s: float = 8.0
    body_timeout_s: float = 18.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    allowed_ports: tuple[int, ...] = (80, 443)
    allowed_url_prefixes: tuple[str, ...] = ()
    allow_loopback: bool = False


@dataclass(frozen=True)
class Target:
    """A parsed, normalised http(s) URL; `address` is set when the host is an IP literal."""

    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if _DEFAULT_PORTS[self.scheme] == self.port else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.path}"


def parse_url(url: str) -> Target:
    """Parse an http(s) URL without credentials; BadParameter (naming `url`) when malformed."""
    if not url or _UNSAFE_CHARACTERS.search(url):
        raise _malformed("The url parameter must be a URL without spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise _malformed("The url parameter is not a valid URL.", error) from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise _malformed("The url parameter must be an http or https URL.")
    if "@" in parts.netloc:
        raise _malformed("The url parameter must not contain credentials.")
    host, address = _parse_host(parts.hostname or "", bracketed="[" in parts.netloc)
    path = quote(_remove_dot_segments(parts.path or "/"), safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE + "?")
    return Target(parts.scheme, host, _DEFAULT_PORTS[parts.scheme] if port is None else port, path, address)


def check_target(target: Target, settings: FetchSettings) -> None:
    """FetchRefused saying which part was refused, unless the port is allowed and the URL under an allowed prefix."""
    if target.port not in settings.allowed_ports:
        allowed = ", ".join(str(port) for port in settings.allowed_ports)
        raise FetchRefused(_refusal(f"port {target.port} is not an allowed port ({allowed})"))
    prefixes = [parse_url(prefix) for prefix in settings.allowed_url_prefixes]
    if prefixes:
        reason = _prefix_refusal(target, prefixes)
        if reason:
            raise FetchRefused(_refusal(reason), detail=target.url)


def _refusal(reason: str) -> str:
    return f"The URL is not allowed: {reason}."


def _prefix_refusal(target: Target, prefixes: list[Target]) -> str | None:
    """Why no allowed prefix admits the target (the nearest miss: host, then scheme, port, path); None when one does."""
    same_host = [prefix for prefix in prefixes if prefix.host == target.host]
    if not same_host:
        return "its host is not that of an allowed URL prefix"
    same_scheme = [prefix for prefix in same_host if prefix.scheme == target.scheme]
    if not same_scheme:
        return f"the scheme {target.scheme} is not that of an allowed URL prefix for its host"
    same_origin = [prefix for prefix in same_scheme if prefix.port == target.port]
    if not same_origin:
        return f"the port {target.port} is not that of an allowed URL prefix for its host"
    path, uncheckable = _decoded_path(target)
    if uncheckable:
        return f"its path holds {uncheckable}, which a URL prefix cannot be checked against"
    if not any(_under(path, prefix) for prefix in same_origin):
        return "its path is not under an allowed URL prefix"
    return None


def _under(path: str, prefix: Target) -> bool:
    """Whether the decoded path is the prefix's path or below it: a prefix ends at a segment boundary, so
    `/images` (or `/images/`) admits `/images` and `/images/a.jpg`, never `/images-private/a.jpg`."""
    base = unquote(prefix.path.partition("?")[0]).rstrip("/")
    return path == base or path.startswith(base + "/")


def _decoded_path(target: Target) -> tuple[str, str | None]:
    """The path (without query) as the origin will read it, percent-decoded once (dot segments were resolved by
    `parse_url`), and what in it an origin could read otherwise (None when nothing)."""
    path = target.path.partition("?")[0]
    if _ENCODED_SEPARATOR.search(path):
        # Servers differ on whether `%2F` separates segments (and `..%2f` then climbs).
        return path, "an encoded slash or backslash"
    if _DOUBLE_ENCODED.search(path):
        return path, "a double percent-encoding (such as %252e), which an origin may decode again"
    try:
        decoded = unquote_to_bytes(path).decode("utf-8")  # strict: overlong forms such as %c0%ae are refused
    except UnicodeDecodeError:
        return path, "percent-encoded bytes that are not UTF-8 (such as an overlong %c0%ae)"
    if _CONTROL.search(decoded):
        return decoded, "an encoded control character (such as %00)"
    if ";" in decoded:
        return decoded, "a ';' parameter (such as ..;)"
    if any(segment and not segment.strip(". ") for segment in decoded.split("/")):
        return decoded, "a segment of dots and spaces"
    return decoded, None


def checked_addresses(target: Target, settings: FetchSettings, resolver: Resolver) -> list[IPAddress]:
    """Resolve the host once and return its addresses; FetchRefused if any one of them is refused."""
    names = [str(target.address)] if target.address is not None else resolver(target.host, target.port)
    if not names:
        raise UpstreamError("The remote host name could not be resolved.", detail=target.host)
    return [check_address(name, settings) for name in names]


def check_address(name: str, settings: FetchSettings) -> IPAddress:
    """The address to dial for `name`; FetchRefused if it is not a public unicast address."""
    try:
        address = ip_address(name)
    except ValueError:
        raise FetchRefused(_refusal("its host did not resolve to an IP address"),
                           detail=f"resolver answered {name!r}") from None
    if settings.allow_loopback and any(address in network for network in _LOOPBACK):
        return address
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # the same host: dial it over IPv4
    embedded = _embedded_ipv4(address)
    # NAT64 prefixes are reserved space by design: judge them by the IPv4 address they carry.
    translated = address in _NAT64 or address in _NAT64_LOCAL
    if (_refused(address) and not translated) or (embedded is not None and _refused(embedded)):
        # Which address stays in the log: telling a caller how internal names resolve would help them map the network.
        raise FetchRefused(_ADDRESS_REFUSED, detail=f"address {name} is not public")
    return address


def _parse_host(hostname: str, bracketed: bool) -> tuple[str, IPAddress | None]:
    if bracketed:
        try:
            address = IPv6Address(hostname)
        except ValueError as error:
            raise _malformed("The url parameter has an invalid IPv6 address.", error) from None
        return str(address), address
    try:
        # IDNA first: it maps e.g. full-width digits to ASCII, which could then form an IPv4 literal.
        host = hostname.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError as error:
        raise _malformed("The url parameter has an invalid host name.", error) from None
    ipv4 = _ipv4_literal(host)
    if ipv4 is not None:
        return str(ipv4), ipv4
    if len(host) > 253 or not _HOST_NAME.fullmatch(host):
        raise _malformed("The url parameter has an invalid host name.")
    return host, None


def _ipv4_literal(host: str) -> IPv4Address | None:
    """The WHATWG URL standard's IPv4 parser: `127.1`, `0x7f.1`, `0177.0.0.1`, `2130706433` are all IPv4."""
    parts = host.split(".")
    if not _IPV4_NUMBER.fullmatch(parts[-1]):
        return None
    try:
        numbers = [_ipv4_number(part) for part in parts]
    except ValueError as error:
        raise _malformed("The url parameter has an invalid IPv4 address.", error) from None
    last = numbers.pop()
    if len(numbers) > 3 or any(n > 255 for n in numbers) or last >= 256 ** (4 - len(numbers)):
        raise _malformed("The url parameter has an invalid IPv4 address.")
    return IPv4Address(sum(n << 8 * (3 - i) for i, n in enumerate(numbers)) + last)


def _ipv4_number(part: str) -> int:
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part, 10)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, also for `%2e` forms, so an allowed prefix cannot be left with `/../`."""
    output: list[str] = []
    segments = path.split("/")
    for segment in segments[1:]:
        name = unquote(segment)
        if name == "..":
            if output:
                output.pop()
        elif name != ".":
            output.append(segment)
    trailing = "/" if unquote(segments[-1]) in {".", ".."} else ""
    return "/" + "/".join(output) + trailing if output else "/"


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries: 6to4, Teredo, NAT64, IPv4-compatible."""
    if isinstance(address, IPv4Address):
        return None
    packed = address.packed
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or packed[:12] == bytes(12):
        return IPv4Address(packed[12:])
    if address in _NAT64_LOCAL:
        return IPv4Address(packed[6:8] + packed[9:11])  # RFC 6052 /48 layout skips bits 64-71
    return None


def _refused(address: IPAddress) -> bool:
    # Each class named, not only is_global: its ranges have changed between Python versions.
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or getattr(address, "is_site_local", False)
        or any(address in network for network in _ALWAYS_REFUSED)
    )


def _malformed(message: str, error: Exception | None = None) -> BadParameter:
    return BadParameter(message, help="Pass a percent-encoded public http(s) URL as `url`.", detail=str(error or ""))
