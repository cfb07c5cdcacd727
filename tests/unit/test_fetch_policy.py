"""The fetcher's URL and address policy, without any network."""
from __future__ import annotations

from ipaddress import ip_address

import pytest

from imagemeta.errors import BadParameter, FetchRefused, UpstreamError
from imagemeta.fetch.policy import FetchSettings, check_address, check_target, checked_addresses, parse_url

LOOPBACK_FORMS = ["2130706433", "0177.0.0.1", "0x7f.1", "127.1", "127.0.0.1", "0x7F000001", "017700000001"]


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
def test_every_ipv4_spelling_of_loopback_parses_to_127_0_0_1(host: str) -> None:
    target = parse_url(f"http://{host}/a.jpg")
    assert target.address == ip_address("127.0.0.1")
    assert target.url == "http://127.0.0.1/a.jpg"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.com/a.jpg",
        "file:///etc/passwd",
        "example.com/a.jpg",
        "http://user:secret@example.com/a.jpg",
        "http://@example.com/a.jpg",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://exa mple.com/",
        "http://example.com/a b.jpg",
        "http://example.com\\@127.0.0.1/",
        "http://example.com/\n",
        "http:///a.jpg",
        "http://[::1/",
        "http://[not-ipv6]/",
        "http://1.2.3.09/",
        "http://256.1.1.1/",
        "http://1.2.3.4.5/",
        "http://a.0x7f/",
        "http://ex!ample.com/",
    ],
)
def test_malformed_urls_are_bad_parameters_naming_url(url: str) -> None:
    with pytest.raises(BadParameter) as raised:
        parse_url(url)
    assert "url parameter" in raised.value.message


def test_parse_normalises_host_port_path_and_query() -> None:
    target = parse_url("HTTPS://Images.Example.COM.:8443/a/./b/../c/%2E%2e/d/ü.jpg?size=1#frag")
    assert (target.scheme, target.host, target.port) == ("https", "images.example.com", 8443)
    assert target.path == "/a/d/%C3%BC.jpg?size=1"
    assert target.url == "https://images.example.com:8443/a/d/%C3%BC.jpg?size=1"


def test_full_width_digits_are_read_as_the_ipv4_address_they_spell() -> None:
    assert parse_url("http://１２７.０.０.１/").address == ip_address("127.0.0.1")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "100.64.0.1", "169.254.169.254", "169.254.1.1", "fd00:ec2::254", "fe80::1", "fc00::1", "fec0::1",
        "224.0.0.1", "ff02::1", "240.0.0.1", "255.255.255.255", "192.0.2.1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",  # IPv4-mapped, IPv4-compatible
        "64:ff9b::7f00:1", "64:ff9b:1:a9fe:a9:fe00::",  # NAT64 of 127.0.0.1 and of 169.254.169.254
        "2002:7f00:1::", "2002:a9fe:a9fe::1",  # 6to4 of 127.0.0.1 and of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo for 127.0.0.1
    ],
)
def test_non_public_addresses_and_their_ipv6_forms_are_refused(address: str) -> None:
    with pytest.raises(FetchRefused):
        check_address(address, FetchSettings())


@pytest.mark.parametrize(
    ("address", "dialled"),
    [
        ("1.2.3.4", "1.2.3.4"),
        ("2606:4700::1", "2606:4700::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),  # the same host, dialled over IPv4
        ("64:ff9b::102:304", "64:ff9b::102:304"),  # NAT64 of a public address
        ("2002:102:304::1", "2002:102:304::1"),
    ],
)
def test_public_addresses_are_allowed(address: str, dialled: str) -> None:
    assert check_address(address, FetchSettings()) == ip_address(dialled)


def test_loopback_allowance_admits_only_127_0_0_0_8_and_ipv6_loopback() -> None:
    local = FetchSettings(allow_loopback=True)
    assert check_address("127.0.0.1", local) == ip_address("127.0.0.1")
    assert check_address("127.1.2.3", local) == ip_address("127.1.2.3")
    assert check_address("::1", local) == ip_address("::1")
    for address in ("169.254.169.254", "10.0.0.1", "0.0.0.0", "::ffff:127.0.0.1", "fd00:ec2::254"):
        with pytest.raises(FetchRefused):
            check_address(address, local)


def test_one_refused_answer_among_public_ones_refuses_the_host() -> None:
    resolved = {"mixed.test": ["1.2.3.4", "127.0.0.1"], "public.test": ["1.2.3.4", "2606:4700::1"]}
    with pytest.raises(FetchRefused):
        checked_addresses(parse_url("http://mixed.test/"), FetchSettings(), lambda host, port: resolved[host])
    addresses = checked_addresses(parse_url("http://public.test/"), FetchSettings(), lambda host, port: resolved[host])
    assert addresses == [ip_address("1.2.3.4"), ip_address("2606:4700::1")]


def test_ip_literals_are_not_looked_up_and_empty_answers_are_upstream_errors() -> None:
    def no_lookup(host: str, port: int) -> list[str]:
        raise AssertionError(f"looked up {host}")

    assert checked_addresses(parse_url("http://1.2.3.4/"), FetchSettings(), no_lookup) == [ip_address("1.2.3.4")]
    with pytest.raises(UpstreamError):
        checked_addresses(parse_url("http://nowhere.test/"), FetchSettings(), lambda host, port: [])


def test_ports_outside_the_allowed_set_are_refused_naming_the_port() -> None:
    check_target(parse_url("https://example.com/"), FetchSettings())
    with pytest.raises(FetchRefused) as raised:
        check_target(parse_url("http://example.com:8080/"), FetchSettings())
    assert raised.value.message == "The URL is not allowed: port 8080 is not an allowed port (80, 443)."
    check_target(parse_url("http://example.com:8080/"), FetchSettings(allowed_ports=(8080,)))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://cdn.example.com/images/a.jpg", True),
        ("https://cdn.example.com/images/../secret", False),
        ("https://cdn.example.com/images/%2e%2e/secret", False),
        # Origins decode before normalising: %2F would turn `..%2f` into a climbing segment.
        ("https://cdn.example.com/images/..%2fprivate/x", False),
        ("https://cdn.example.com/images/..%2Fprivate/x", False),
        ("https://cdn.example.com/images/..%5cprivate/x", False),
        ("https://cdn.example.com/%69mages/a.jpg", True),
        ("https://cdn.example.com/images/a.jpg?next=/../x", True),
        ("https://cdn.example.com/imagesx/a.jpg", False),
        ("http://cdn.example.com/images/a.jpg", False),
        ("https://cdn.example.com:8443/images/a.jpg", False),
        ("https://cdn.example.com.evil.test/images/a.jpg", False),
        ("https://other.example.com/a.jpg", True),
    ],
)
def test_url_prefix_allow_list_compares_origin_and_normalised_path(url: str, allowed: bool) -> None:
    settings = FetchSettings(
        allowed_ports=(443, 8443),
        allowed_url_prefixes=("https://cdn.example.com/images/", "https://other.example.com"),
    )
    if allowed:
        check_target(parse_url(url), settings)
    else:
        with pytest.raises(FetchRefused):
            check_target(parse_url(url), settings)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://elsewhere.example.com/images/a.jpg", "its host is not that of an allowed URL prefix"),
        ("http://cdn.example.com/images/a.jpg", "the scheme http is not that of an allowed URL prefix for its host"),
        ("https://cdn.example.com:8443/images/a.jpg", "the port 8443 is not that of an allowed URL prefix for its host"),
        ("https://cdn.example.com/private/a.jpg", "its path is not under an allowed URL prefix"),
        (
            "https://cdn.example.com/images/..%2fprivate/a.jpg",
            "its path holds an encoded slash or backslash, which a URL prefix cannot be checked against",
        ),
    ],
)
def test_prefix_refusals_say_which_part_was_refused(url: str, reason: str) -> None:
    settings = FetchSettings(allowed_ports=(80, 443, 8443), allowed_url_prefixes=("https://cdn.example.com/images/",))
    with pytest.raises(FetchRefused) as raised:
        check_target(parse_url(url), settings)
    assert raised.value.message == f"The URL is not allowed: {reason}."


def test_address_refusal_says_the_address_is_not_public_without_naming_it() -> None:
    with pytest.raises(FetchRefused) as raised:
        checked_addresses(parse_url("http://internal.test/"), FetchSettings(), lambda host, port: ["10.1.2.3"])
    assert "not public" in raised.value.message
    assert "10.1.2.3" not in raised.value.message and "10.1.2.3" in raised.value.detail



UNCHECKABLE = "which a URL prefix cannot be checked against"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        # Tomcat and Spring read `..;` as `..`: the origin would serve /private/x.jpg.
        ("/images/..;/private/x.jpg", f"its path holds a ';' parameter (such as ..;), {UNCHECKABLE}"),
        ("/images/..%3b/private/x.jpg", f"its path holds a ';' parameter (such as ..;), {UNCHECKABLE}"),
        # Decoded once this is `%2e%2e%2f`, under the prefix; an origin decoding again climbs.
        ("/images/%252e%252e%252fprivate/x.jpg",
         f"its path holds a double percent-encoding (such as %252e), which an origin may decode again, {UNCHECKABLE}"),
        ("/images/%252e%252e/private/x.jpg",
         f"its path holds a double percent-encoding (such as %252e), which an origin may decode again, {UNCHECKABLE}"),
        # Overlong UTF-8 for `.`: lenient decoders read `..`.
        ("/images/%c0%ae%c0%ae/private/x.jpg",
         f"its path holds percent-encoded bytes that are not UTF-8 (such as an overlong %c0%ae), {UNCHECKABLE}"),
        ("/images/..%00/private/x.jpg",
         f"its path holds an encoded control character (such as %00), {UNCHECKABLE}"),
        ("/images/x.jpg%00.png", f"its path holds an encoded control character (such as %00), {UNCHECKABLE}"),
        # IIS trims trailing dots and spaces from a segment: `.. ` would be `..`.
        ("/images/..%20/private/x.jpg", f"its path holds a segment of dots and spaces, {UNCHECKABLE}"),
        ("/images/.../x.jpg", f"its path holds a segment of dots and spaces, {UNCHECKABLE}"),
        # A prefix is a path boundary, with or without its trailing slash.
        ("/images-private/x.jpg", "its path is not under an allowed URL prefix"),
        ("/photos-private/x.jpg", "its path is not under an allowed URL prefix"),
        ("/photosx", "its path is not under an allowed URL prefix"),
    ],
)
def test_paths_an_origin_could_read_outside_the_prefix_are_refused_naming_why(path: str, reason: str) -> None:
    settings = FetchSettings(allowed_url_prefixes=("http://host.test/images/", "http://host.test/photos"))
    with pytest.raises(FetchRefused) as raised:
        check_target(parse_url("http://host.test" + path), settings)
    assert raised.value.message == f"The URL is not allowed: {reason}."


@pytest.mark.parametrize(
    "path",
    [
        "/images/a.jpg", "/images/", "/images", "/photos", "/photos/", "/photos/2024/a.jpg",
        "/images/%C3%BC.jpg", "/images/100%25.jpg", "/images/a%20b.jpg", "/images/a.b.jpg", "/images/.hidden",
        "/images/x/../y.jpg", "/images/a.jpg?next=/../x;y",
    ],
)
def test_paths_under_a_prefix_are_admitted(path: str) -> None:
    settings = FetchSettings(allowed_url_prefixes=("http://host.test/images/", "http://host.test/photos"))
    check_target(parse_url("http://host.test" + path), settings)


def test_without_prefixes_the_path_is_not_judged() -> None:
    # Prefix rules are about escaping a prefix: with none configured, any public URL's path may be fetched.
    check_target(parse_url("http://host.test/a/..;/%252e/%c0%ae.jpg"), FetchSettings())
