"""The suite's one outbound HTTP client: never reaches private, loopback or metadata addresses (SSRF-safe)."""
from __future__ import annotations

import io
import ipaddress
import socket
import time
import urllib.parse
from typing import Any, Iterable, Optional, Union

import requests
from requests.adapters import HTTPAdapter

import ckan.plugins.toolkit as tk

__all__ = ["FetchError", "Fetched", "fetch", "check_url", "address_allowed",
           "allowlist_from_config", "points_inside", "MAX_REDIRECTS"]

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

#: Cloud metadata services; most are link-local already, listed so that an allow-list of
#: a broad private range never opens them by accident.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
             ipaddress.ip_address("100.100.100.200")}


class FetchError(Exception):
    """The URL was refused or could not be fetched within the limits; the message says why.

    ``retryable`` is true for trouble that may pass (connection errors, timeouts), false
    for a verdict a retry would repeat (refused address, too large, bad URL).
    """

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def allowlist_from_config(option: str) -> list[str]:
    """A plugin's declared allow-list option (hosts, addresses, CIDR networks), normalised."""
    value = tk.config.get(option) or []
    if isinstance(value, str):
        value = value.split()
    return [item.strip().lower() for item in value if item.strip()]


def _networks(allowlist: Iterable[str]) -> list[IPNetwork]:
    networks = []
    for item in allowlist:
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
        except ValueError:
            continue  # a host name, matched on the name
    return networks


def address_allowed(address: IPAddress, allowlist: Iterable[str] = ()) -> bool:
    """Whether an address is public, or inside an allow-listed network."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    networks = _networks(allowlist)
    if address in _METADATA:
        return any(network.num_addresses == 1 and address in network for network in networks)
    if any(address in network for network in networks):
        return True
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int, allowlist: list[str]) -> str:
    """The address to connect to, after checking every address the name resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(tk._("Cannot resolve the host {host}").format(host=host)) from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise FetchError(tk._("Cannot resolve the host {host}").format(host=host))
    host_allowed = host.lower().strip("[]") in allowlist
    # Every address must pass: a name resolving to one public and one private address
    # could otherwise reach the private one on a retry.
    for address in addresses:
        if not host_allowed and not address_allowed(address, allowlist):
            raise FetchError(tk._(
                "The address of {host} is private, local or reserved; the portal does not "
                "fetch it").format(host=host))
    return str(addresses[0])


def check_url(url: str, allowlist: Iterable[str] = ()) -> tuple[str, str, int, str]:
    """Refuse a URL that is not http(s) or whose host resolves to a forbidden address;
    returns (scheme, host, port, pinned address)."""
    allowlist = [a.lower() for a in allowlist]
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(tk._("Invalid URL: {url}").format(url=url)) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(tk._("Only http and https URLs are fetched: {url}").format(url=url))
    if parts.username or parts.password:
        raise FetchError(tk._("URLs with credentials are not fetched"))
    port = port or (443 if parts.scheme == "https" else 80)
    address = _resolve(parts.hostname, port, allowlist)
    return parts.scheme, parts.hostname, port, address


def points_inside(url: str, allowlist: Iterable[str] = ()) -> bool:
    """Whether the URL's host is, or resolves to, an address ``fetch`` refuses (private,
    loopback, link-local, metadata). For addresses the portal only shows (visitors'
    browsers load them): a name that does not resolve here is not known to point inside."""
    allowlist = [a.lower() for a in allowlist]
    try:
        host = urllib.parse.urlsplit(url).hostname
    except ValueError:
        return False
    if not host or host.lower().strip("[]") in allowlist:
        return False
    try:
        addresses = [ipaddress.ip_address(host.strip("[]").split("%")[0])]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return False
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    return any(not address_allowed(address, allowlist) for address in addresses)


class _PinnedAdapter(HTTPAdapter):
    """Connects to a pinned address while TLS still checks the certificate of the host name."""

    def __init__(self, host: str) -> None:
        self._host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["server_hostname"] = self._host
        kwargs["assert_hostname"] = self._host
        super().init_poolmanager(*args, **kwargs)


class Fetched(io.RawIOBase):
    """A fetched response read as a binary stream, capped in bytes and time.

    Reading beyond ``max_bytes`` raises FetchError, or ends the stream when
    ``truncate`` is set (the reader then sees ``truncated``).
    """

    def __init__(self, response: requests.Response, session: requests.Session, *,
                 max_bytes: int, deadline: float, truncate: bool) -> None:
        super().__init__()
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.url = response.url
        self.truncated = False
        self._session = session
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._truncate = truncate
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if time.monotonic() > self._deadline:
            raise FetchError(tk._("The download took longer than the time limit"),
                             retryable=True)
        room = self._max_bytes - self._read
        if room <= 0:
            if self._truncate:
                self.truncated = True
                return 0
            raise FetchError(tk._("The file is larger than {limit} bytes").format(
                limit=self._max_bytes))
        # One extra byte tells a file of exactly max_bytes from a larger one.
        want = min(len(buffer), room + 1, _CHUNK)
        try:
            # read1: one receive at most, so that a server dripping bytes cannot keep the
            # read past the deadline (read() would wait for the whole chunk).
            data = self.response.raw.read1(want, decode_content=True)
        except Exception as error:  # urllib3 raises many kinds on a broken connection
            raise FetchError(tk._("The download failed: {error}").format(error=error),
                             retryable=True) from error
        if len(data) > room:
            data = data[:room]
            self._read = self._max_bytes
            if not self._truncate:
                raise FetchError(tk._("The file is larger than {limit} bytes").format(
                    limit=self._max_bytes))
            self.truncated = True
        else:
            self._read += len(data)
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.response.close()
            self._session.close()
        super().close()


def fetch(url: str, *, max_bytes: int, timeout: float, method: str = "GET",
          allowlist: Iterable[str] = (), truncate: bool = False,
          headers: Optional[dict[str, str]] = None,
          user_agent: str = "ckanext-opendata-suite") -> Fetched:
    """Open a URL for streaming, following at most MAX_REDIRECTS redirects, each hop
    checked and pinned to the address it was checked on.

    :param max_bytes: bytes read at most (larger declared or actual bodies are refused,
        or cut when ``truncate``)
    :param timeout: seconds for the whole exchange, connection and body included
    :param allowlist: hosts, addresses or CIDR networks allowed even when private
        (each plugin passes its own declared option, see ``allowlist_from_config``)
    :param headers: extra request headers (e.g. ``If-None-Match``, ``Accept``)
    :raises FetchError: refused address, bad scheme, too many redirects, too large, too slow
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = check_url(current, allowlist)
        parts = urllib.parse.urlsplit(current)
        literal = f"[{address}]" if ":" in address else address
        pinned = urllib.parse.urlunsplit(
            (scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        default_port = port == (443 if scheme == "https" else 80)
        host_header = host if default_port else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
        session = requests.Session()
        # Proxies from the environment would resolve the name themselves, unpinned.
        session.trust_env = False
        session.mount("https://", _PinnedAdapter(host))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            session.close()
            raise FetchError(tk._("The download took longer than the time limit"),
                             retryable=True)
        try:
            response = session.request(
                method, pinned, headers={**(headers or {}), "Host": host_header,
                                         "User-Agent": user_agent},
                stream=True, allow_redirects=False, timeout=(remaining, remaining))
        except requests.RequestException as error:
            session.close()
            raise FetchError(tk._("Cannot fetch {url}: {error}").format(
                url=current, error=error.__class__.__name__), retryable=True) from error
        if response.status_code in _REDIRECTS and response.headers.get("Location"):
            location = response.headers["Location"]
            response.close()
            session.close()
            current = urllib.parse.urljoin(current, location)
            continue
        response.url = current
        declared = response.headers.get("Content-Length", "")
        if not truncate and declared.isdigit() and int(declared) > max_bytes:
            response.close()
            session.close()
            raise FetchError(tk._("The file is larger than {limit} bytes").format(
                limit=max_bytes))
        return Fetched(response, session, max_bytes=max_bytes, deadline=deadline,
                       truncate=truncate)
    raise FetchError(tk._("Too many redirects (more than {n})").format(n=MAX_REDIRECTS))
