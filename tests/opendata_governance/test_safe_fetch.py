"""SSRF-safe fetching against a real HTTP server on 127.0.0.1: refused, allowed, redirected, cut."""
from __future__ import annotations

import http.server
import ipaddress
import threading
from typing import Iterator

import pytest

from ckanext.opendata_governance import safe_fetch

BODY = b"code_insee;nom\n35238;Rennes\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    seen_hosts: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        _Handler.seen_hosts.append(self.headers.get("Host", ""))
        if self.path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif self.path == "/to-data":
            self._redirect("/data.csv")
        elif self.path == "/loop":
            self._redirect("/loop")
        elif self.path == "/big":
            self.send_response(200)
            self.end_headers()  # no Content-Length: the cap must hold while streaming
            self.wfile.write(b"x" * 300_000)
        elif self.path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Length", "300000")
            self.end_headers()
            self.wfile.write(b"x" * 300_000)
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_loopback_server_is_refused_by_default(server):
    """Without an allow-list, a URL on 127.0.0.1 is refused before any request is sent."""
    _Handler.seen_hosts.clear()
    with pytest.raises(safe_fetch.FetchError, match="private, local or reserved"):
        safe_fetch.fetch(server + "/data.csv", max_bytes=1000, timeout=5, allowlist=[])
    assert _Handler.seen_hosts == []


def test_an_allow_listed_network_is_fetched(server):
    """A loopback server inside an allow-listed CIDR is fetched and read whole."""
    with safe_fetch.fetch(server + "/data.csv", max_bytes=1000, timeout=5,
                          allowlist=["127.0.0.0/8"]) as fetched:
        assert fetched.status_code == 200
        assert fetched.read() == BODY


@pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", "127.0.0.1")
def test_the_allow_list_option_is_read_from_the_config(server):
    """The fetch_allowlist option lets the checks reach an allow-listed address."""
    with safe_fetch.fetch(server + "/data.csv", max_bytes=1000, timeout=5) as fetched:
        assert fetched.read() == BODY


def test_an_allow_listed_host_name_keeps_its_host_header(server):
    """A request pinned to the resolved address still sends the original host name."""
    _Handler.seen_hosts.clear()
    url = server.replace("127.0.0.1", "localhost") + "/data.csv"
    with safe_fetch.fetch(url, max_bytes=1000, timeout=5,
                          allowlist=["localhost"]) as fetched:
        assert fetched.read() == BODY
    assert _Handler.seen_hosts == [url.split("/")[2]]


def test_a_redirect_to_the_metadata_address_is_refused(server):
    """An allowed server redirecting to 169.254.169.254 is refused at the second hop."""
    with pytest.raises(safe_fetch.FetchError, match="169.254.169.254"):
        safe_fetch.fetch(server + "/to-metadata", max_bytes=1000, timeout=5,
                         allowlist=["127.0.0.1"])


def test_a_relative_redirect_is_followed_and_rechecked(server):
    """A redirect to a path of the same allowed server is followed to the file."""
    with safe_fetch.fetch(server + "/to-data", max_bytes=1000, timeout=5,
                          allowlist=["127.0.0.1"]) as fetched:
        assert fetched.read() == BODY
        assert fetched.url.endswith("/data.csv")


def test_more_than_five_redirects_are_refused(server):
    """A redirect loop ends with an error after five hops."""
    with pytest.raises(safe_fetch.FetchError, match="Too many redirects"):
        safe_fetch.fetch(server + "/loop", max_bytes=1000, timeout=5, allowlist=["127.0.0.1"])


def test_an_oversized_streamed_body_is_cut_with_an_error(server):
    """A body without Content-Length that outgrows max_bytes raises while it is read."""
    with safe_fetch.fetch(server + "/big", max_bytes=100_000, timeout=5,
                          allowlist=["127.0.0.1"]) as fetched:
        with pytest.raises(safe_fetch.FetchError, match="larger than 100000 bytes"):
            fetched.read()


def test_an_oversized_declared_body_is_refused_before_reading(server):
    """A Content-Length above max_bytes is refused without reading the body."""
    with pytest.raises(safe_fetch.FetchError, match="larger than 100000 bytes"):
        safe_fetch.fetch(server + "/big-declared", max_bytes=100_000, timeout=5,
                         allowlist=["127.0.0.1"])


def test_truncate_mode_ends_the_stream_at_the_cap(server):
    """With truncate, the reader gets max_bytes bytes and the stream says it was cut."""
    with safe_fetch.fetch(server + "/big", max_bytes=100_000, timeout=5,
                          allowlist=["127.0.0.1"], truncate=True) as fetched:
        assert len(fetched.read()) == 100_000
        assert fetched.truncated


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x.csv",
                                 "gopher://127.0.0.1/", "http://user:pw@example.org/"])
def test_non_http_schemes_and_credentials_are_refused(url):
    """Only plain http(s) URLs without credentials are fetched."""
    with pytest.raises(safe_fetch.FetchError):
        safe_fetch.check_url(url, allowlist=[])


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "100.64.0.1", "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fd00:ec2::254", "ff02::1",
    "::ffff:127.0.0.1"])
def test_private_and_special_addresses_are_not_allowed(address):
    """Loopback, private, link-local, shared, multicast, reserved and metadata addresses fail."""
    assert not safe_fetch.address_allowed(ipaddress.ip_address(address))


def test_the_metadata_address_stays_refused_under_a_broad_allow_list():
    """Allow-listing 169.254.0.0/16 does not open the metadata service; naming it does."""
    metadata = ipaddress.ip_address("169.254.169.254")
    assert not safe_fetch.address_allowed(metadata, ["169.254.0.0/16"])
    assert safe_fetch.address_allowed(metadata, ["169.254.169.254"])


def test_a_public_address_is_allowed():
    """A global unicast address passes without an allow-list."""
    assert safe_fetch.address_allowed(ipaddress.ip_address("91.198.174.192"))
