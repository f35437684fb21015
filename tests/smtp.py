"""A real SMTP server on 127.0.0.1 for tests, as the ``smtp_server`` fixture."""
from __future__ import annotations

import base64
import dataclasses
import email
import email.message
import email.policy
import socketserver
import threading
from typing import Any, Callable, Iterator, MutableMapping, Optional

import pytest

__all__ = ["CapturedMail", "SMTPTestServer", "smtp_server", "flush_outbox"]

# Python's smtplib refuses lines longer than this when reading replies; the
# server holds clients to the RFC 5321 limit on text lines with some slack.
_MAX_LINE = 64 * 1024


@dataclasses.dataclass
class CapturedMail:
    """The SMTP envelope of one received message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes


class _Handler(socketserver.StreamRequestHandler):
    """One SMTP session: EHLO/HELO, AUTH, MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT."""

    server: _ThreadedServer

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def _readline(self) -> bytes | None:
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            return None
        return line.rstrip(b"\r\n")

    def _reset(self) -> None:
        self.mail_from: str | None = None
        self.rcpt_tos: list[str] = []

    def handle(self) -> None:
        self._reset()
        self._reply(f"220 {self.server.hostname} ESMTP test server ready")
        while True:
            raw = self._readline()
            if raw is None:
                return
            line = raw.decode("utf-8", "replace")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self._reset()
                self._reply(f"250-{self.server.hostname}")
                self._reply("250-8BITMIME")
                self._reply("250-SMTPUTF8")
                self._reply("250-AUTH PLAIN LOGIN")
                self._reply("250 HELP")
            elif verb == "HELO":
                self._reset()
                self._reply(f"250 {self.server.hostname}")
            elif verb == "AUTH":
                self._auth(arg)
            elif verb == "MAIL":
                if not arg.upper().startswith("FROM:"):
                    self._reply("501 Syntax: MAIL FROM:<address>")
                    continue
                self._reset()
                self.mail_from = _address(arg[5:])
                self._reply("250 OK")
            elif verb == "RCPT":
                if self.mail_from is None:
                    self._reply("503 Error: need MAIL command")
                elif not arg.upper().startswith("TO:"):
                    self._reply("501 Syntax: RCPT TO:<address>")
                else:
                    self.rcpt_tos.append(_address(arg[3:]))
                    self._reply("250 OK")
            elif verb == "DATA":
                if not self.rcpt_tos:
                    self._reply("503 Error: need RCPT command")
                    continue
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                if data is None:
                    return
                assert self.mail_from is not None
                self.server.capture(CapturedMail(self.mail_from, self.rcpt_tos, data))
                self._reset()
                self._reply("250 OK: queued")
            elif verb == "RSET":
                self._reset()
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "VRFY":
                self._reply("252 Cannot VRFY user, but will accept message")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply(f"502 Error: command {verb!r} not implemented")

    def _auth(self, arg: str) -> None:
        # Any credentials are accepted: tests only need CKAN's login path to run.
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        if mechanism == "PLAIN":
            if not initial:
                self._reply("334 ")
                initial = (self._readline() or b"").decode("ascii", "replace")
            parts = base64.b64decode(initial or "").split(b"\0")
            user = parts[1].decode("utf-8", "replace") if len(parts) > 1 else ""
        elif mechanism == "LOGIN":
            self._reply("334 VXNlcm5hbWU6")
            user = base64.b64decode(self._readline() or b"").decode("utf-8", "replace")
            self._reply("334 UGFzc3dvcmQ6")
            self._readline()
        else:
            self._reply("504 Unrecognized authentication type")
            return
        self.server.logins.append(user)
        self._reply("235 Authentication successful")

    def _read_data(self) -> bytes | None:
        lines: list[bytes] = []
        while True:
            line = self._readline()
            if line is None:
                return None
            if line == b".":
                return b"\r\n".join(lines) + b"\r\n"
            # RFC 5321 4.5.2: the client doubled every leading dot.
            lines.append(line[1:] if line.startswith(b".") else line)


def _address(text: str) -> str:
    # "MAIL FROM:<a@b> SIZE=123 SMTPUTF8": keep the address only.
    text = text.strip()
    if text.startswith("<"):
        return text[1:text.find(">")] if ">" in text else text[1:]
    return text.split(" ", 1)[0]


class _ThreadedServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    # Many portal threads may mail at once (bench/feedback.py); socketserver's backlog of 5
    # would stall them in TCP retransmits, which a real mail server does not do.
    request_queue_size = 128
    hostname = "smtp.test"

    def __init__(self, port: int = 0) -> None:
        # Port 0: the system picks a free port, so parallel runs never clash.
        super().__init__(("127.0.0.1", port), _Handler)
        self.lock = threading.Lock()
        self.envelopes: list[CapturedMail] = []
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[str] = []

    def capture(self, mail: CapturedMail) -> None:
        # Wire line endings are CRLF; parsed content reads as Python text with "\n".
        message = email.message_from_bytes(
            mail.data.replace(b"\r\n", b"\n"), policy=email.policy.default)
        with self.lock:
            self.envelopes.append(mail)
            self.messages.append(message)  # type: ignore[arg-type]


class SMTPTestServer:
    """A running server: ``host``, ``port``, ``messages`` (``EmailMessage``), ``envelopes``.

    Point CKAN at it with ``server.ckan_config(ckan_config)`` (CKAN's
    ``ckan_config`` fixture, or any mutable mapping) or
    ``server.ckan_config(monkeypatch)``, or set ``smtp.server`` to
    ``server.address`` yourself.
    """

    def __init__(self, flush: Optional[Callable[[], object]] = None, port: int = 0) -> None:
        # The portal records mails in its outbox; ``flush`` (the fixture's: the outbox
        # flushed in the test's process) sends them before each look at the mailbox.
        # ``port``: a given port, e.g. the one a benchmark's portal found closed until now.
        self._flush = flush
        self._server = _ThreadedServer(port)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="smtp-test-server", daemon=True)

    @property
    def host(self) -> str:
        """Always 127.0.0.1."""
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        """The free port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def address(self) -> str:
        """``host:port``, the form of CKAN's ``smtp.server`` option."""
        return f"{self.host}:{self.port}"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        """Messages received so far, oldest first."""
        self.flush()
        with self._server.lock:
            return list(self._server.messages)

    @property
    def envelopes(self) -> list[CapturedMail]:
        """Envelopes (MAIL FROM, RCPT TO, raw data) of the messages, oldest first."""
        self.flush()
        with self._server.lock:
            return list(self._server.envelopes)

    @property
    def logins(self) -> list[str]:
        """User names clients authenticated with."""
        with self._server.lock:
            return list(self._server.logins)

    def flush(self) -> None:
        """Send what waits in the portal's mail outbox (nothing without a flush function)."""
        if self._flush is not None:
            self._flush()

    def clear(self) -> None:
        """Forget the messages received so far, the outbox's due mails included."""
        self.flush()
        with self._server.lock:
            self._server.messages.clear()
            self._server.envelopes.clear()
            self._server.logins.clear()

    def config_options(self) -> dict[str, Any]:
        """CKAN options that send mail to this server, in clear, without login."""
        return self.config_options_for(self.address)

    @staticmethod
    def config_options_for(address: str) -> dict[str, Any]:
        """The same options for a server at ``host:port`` (one that may not be up yet)."""
        return {
            "smtp.server": address,
            "smtp.starttls": False,
            "smtp.user": "",
            "smtp.password": "",
            "smtp.mail_from": "portail@example.org",
        }

    def ckan_config(self, target: pytest.MonkeyPatch | MutableMapping[str, Any]) -> None:
        """Set ``smtp.*`` options on a config mapping, or on CKAN's config through ``monkeypatch``."""
        if isinstance(target, pytest.MonkeyPatch):
            import ckan.plugins.toolkit as tk

            for key, value in self.config_options().items():
                target.setitem(tk.config, key, value)
        else:
            target.update(self.config_options())

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def flush_outbox() -> None:
    """Send the mails the suite's outbox holds and are due (``ckan mail-outbox flush``)."""
    from ckanext.suite import mail

    mail.flush()


@pytest.fixture
def smtp_server() -> Iterator[SMTPTestServer]:
    """A real SMTP server on 127.0.0.1 and a free port, stopped after the test; reading its
    messages first flushes the portal's mail outbox, as the jobs worker or cron would.

    Use it from a test module with ``from tests.smtp import smtp_server``
    (or list ``tests.smtp`` in the root conftest's ``pytest_plugins``).
    """
    server = SMTPTestServer(flush_outbox)
    server.start()
    try:
        yield server
    finally:
        server.stop()
