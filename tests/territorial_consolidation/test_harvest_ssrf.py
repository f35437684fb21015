"""SSRF: partner sources and redirects towards private addresses are refused before any connection."""
from __future__ import annotations

import json
import socket
from typing import Any, Iterator

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation import replay_server as rs
from tests.territorial_consolidation.replay_server import (ReplayServer, UdataPortal,
                                                           job_errors, partner_marks,
                                                           snapshot, udata_record)

pytestmark = partner_marks()

ORG = udata_record(0)["organization"]["id"]
UDATA_PATH = f"/api/1/organizations/{ORG}/datasets/"
ALLOWLIST = "ckanext.territorial_consolidation.harvest_allowlist"


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address a Python socket of this process tries to connect to."""
    seen: list[Any] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        seen.append(address)
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


@pytest.fixture
def partner() -> Iterator[ReplayServer]:
    """A udata partner on 127.0.0.1, which the tests do not allow-list."""
    with ReplayServer("127.0.0.1") as server:
        UdataPortal(server, [udata_record(0)])
        yield server


@pytest.fixture
def relay() -> Iterator[ReplayServer]:
    """An allow-listed partner on 127.0.0.2 whose answers redirect elsewhere."""
    with ReplayServer("127.0.0.2") as server:
        UdataPortal(server, [udata_record(0)])
        yield server


def _hosts(connections: list[Any]) -> set[str]:
    return {address[0] for address in connections if isinstance(address, tuple)}


def _run(url: str, source_type: str = "territorial_udata") -> Any:
    source = harvest_setup.make_source(factories.Organization(), url,
                                       {"territory": "commune:35238"},
                                       source_type=source_type)
    job = harvest_setup.run_job(source["id"])
    assert snapshot(source["id"]) == {}
    return job


def test_loopback_source_is_refused_unless_allow_listed(
        partner: ReplayServer, connections: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source on 127.0.0.1, not allow-listed, is refused and never connected to."""
    monkeypatch.setitem(tk.config, ALLOWLIST, "")

    job = _run(partner.url(UDATA_PATH))

    (error,) = job_errors(job.id)
    assert "private, local or reserved" in error
    assert partner.requests == []
    assert (partner.host, partner.port) not in connections


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/api/1/organizations/x/datasets/",
    "http://169.254.169.254/api/1/organizations/x/datasets/",
    "http://[::1]/api/1/organizations/x/datasets/",
])
def test_private_and_metadata_sources_are_refused(url: str, connections: list[Any]) -> None:
    """Sources on a private, link-local (cloud metadata) or loopback address are refused
    without any connection."""
    job = _run(url)

    (error,) = job_errors(job.id)
    assert "private, local or reserved" in error
    assert not _hosts(connections) & {"10.0.0.1", "169.254.169.254", "::1"}


def test_metadata_address_stays_refused_inside_an_allowed_network(
        connections: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow-listing 169.254.0.0/16 does not open the cloud metadata address."""
    monkeypatch.setitem(tk.config, ALLOWLIST, "169.254.0.0/16")

    job = _run("http://169.254.169.254/api/1/organizations/x/datasets/")

    assert len(job_errors(job.id)) == 1
    assert "169.254.169.254" not in _hosts(connections)


def test_name_resolving_to_a_private_address_is_refused(
        partner: ReplayServer, connections: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``localhost`` resolves to 127.0.0.1: refused after resolution, never connected."""
    monkeypatch.setitem(tk.config, ALLOWLIST, "")

    job = _run(f"http://localhost:{partner.port}{UDATA_PATH}")

    (error,) = job_errors(job.id)
    assert "localhost" in error
    assert partner.requests == []
    assert partner.port not in {address[1] for address in connections
                                if isinstance(address, tuple)}


@pytest.mark.parametrize("target", ["loopback", "localhost", rs.FAULT_REDIRECT_PRIVATE,
                                    rs.FAULT_REDIRECT_METADATA])
def test_redirect_to_a_forbidden_address_is_refused(
        partner: ReplayServer, relay: ReplayServer, connections: list[Any],
        monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """An allow-listed partner redirecting to 127.0.0.1 (not allow-listed), localhost,
    10.0.0.1 or 169.254.169.254 gets its redirect refused: no connection follows it."""
    monkeypatch.setitem(tk.config, ALLOWLIST, "127.0.0.2")
    locations = {"loopback": partner.url(UDATA_PATH),
                 "localhost": f"http://localhost:{partner.port}{UDATA_PATH}"}
    if target in locations:
        relay.fault(UDATA_PATH, "redirect", location=locations[target])
    else:
        relay.fault(UDATA_PATH, target)

    job = _run(relay.url(UDATA_PATH))

    (error,) = job_errors(job.id)
    assert "private, local or reserved" in error
    assert len(relay.requests) == 1
    assert partner.requests == []
    assert "10.0.0.1" not in _hosts(connections)
    assert "169.254.169.254" not in _hosts(connections)
    assert partner.port not in {address[1] for address in connections
                                if isinstance(address, tuple)}


def test_json_ld_remote_context_is_never_fetched(
        partner: ReplayServer, relay: ReplayServer, connections: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON-LD page whose @context is a URL (here the non allow-listed partner) is
    refused; rdflib never fetches it."""
    monkeypatch.setitem(tk.config, ALLOWLIST, "127.0.0.2")
    document = {"@context": partner.url("/context.jsonld"),
                "@id": "https://data.example/ds/1", "@type": "dcat:Dataset",
                "title": "Jeu"}
    relay.add("/catalog.jsonld", rs.Reply(body=json.dumps(document).encode(),
                                          content_type="application/ld+json"))

    job = _run(relay.url("/catalog.jsonld"), source_type="territorial_dcat")

    (error,) = job_errors(job.id)
    assert "remote JSON-LD context" in error
    assert partner.requests == []
    assert partner.port not in {address[1] for address in connections
                                if isinstance(address, tuple)}


def test_source_cannot_allow_list_itself(partner: ReplayServer) -> None:
    """A source's own config may not allow-list hosts: refused, naming the key."""
    with pytest.raises(tk.ValidationError) as error:
        harvest_setup.make_source(factories.Organization(), partner.url(UDATA_PATH),
                                  {"territory": "commune:35238", "allowlist": ["127.0.0.1"]},
                                  source_type="territorial_udata")
    assert "allowlist" in str(error.value.error_dict["config"])
