"""The ``smtp_server`` fixture receives real SMTP sessions from smtplib."""
from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage

import pytest

from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)


def _message(subject: str, body: str, to: str = "service@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "portail@example.org"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def test_listens_on_loopback_on_a_free_port(smtp_server: SMTPTestServer) -> None:
    """The server is on 127.0.0.1, and its address is CKAN's host:port form."""
    assert smtp_server.host == "127.0.0.1"
    assert smtp_server.port > 0
    assert smtp_server.address == f"127.0.0.1:{smtp_server.port}"
    with socket.create_connection((smtp_server.host, smtp_server.port), timeout=5) as conn:
        assert conn.recv(100).startswith(b"220 ")


def test_captures_a_plain_message(smtp_server: SMTPTestServer) -> None:
    """A message sent with smtplib arrives as an EmailMessage with its envelope."""
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.send_message(_message("Hello", "First line\n.starts with a dot\n"))
    [msg] = smtp_server.messages
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == "Hello"
    assert msg.get_content() == "First line\n.starts with a dot\n"
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "portail@example.org"
    assert envelope.rcpt_tos == ["service@example.org"]


def test_captures_utf8_french_subject_and_body(smtp_server: SMTPTestServer) -> None:
    """Accented subjects and bodies survive the round trip."""
    subject = "Mise à jour attendue\u00a0: «\u00a0Équipements sportifs\u00a0»"
    body = "Le jeu de données «\u00a0Équipements sportifs\u00a0» doit être mis à jour au plus tard le 1er mars 2025.\n"
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.send_message(_message(subject, body, to="référent@example.org"))
    [msg] = smtp_server.messages
    assert msg["Subject"] == subject
    assert msg.get_content() == body
    assert smtp_server.envelopes[0].rcpt_tos == ["référent@example.org"]


def test_several_recipients_and_messages_in_one_session(smtp_server: SMTPTestServer) -> None:
    """RSET, NOOP, HELO and several transactions per connection work."""
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.helo("client.test")
        assert client.noop()[0] == 250
        client.sendmail("a@example.org", ["b@example.org", "c@example.org"],
                        _message("one", "1").as_bytes())
        assert client.rset()[0] == 250
        client.sendmail("a@example.org", ["d@example.org"], _message("two", "2").as_bytes())
    assert [m["Subject"] for m in smtp_server.messages] == ["one", "two"]
    assert smtp_server.envelopes[0].rcpt_tos == ["b@example.org", "c@example.org"]


def test_login_is_accepted_and_recorded(smtp_server: SMTPTestServer) -> None:
    """AUTH is accepted, so CKAN's smtp.user path can run against the server."""
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.login("ckan", "secret")
        client.send_message(_message("auth", "ok"))
    assert smtp_server.logins == ["ckan"]
    assert len(smtp_server.messages) == 1


def test_out_of_order_commands_are_refused(smtp_server: SMTPTestServer) -> None:
    """RCPT before MAIL and DATA before RCPT get 503."""
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.ehlo()
        assert client.rcpt("x@example.org")[0] == 503
        client.mail("a@example.org")
        assert client.docmd("DATA")[0] == 503
    assert smtp_server.messages == []


def test_clear_forgets_messages(smtp_server: SMTPTestServer) -> None:
    """clear() empties what was captured."""
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.send_message(_message("x", "y"))
    smtp_server.clear()
    assert smtp_server.messages == [] and smtp_server.envelopes == []


def test_ckan_config_sets_the_smtp_options_on_a_mapping(smtp_server: SMTPTestServer) -> None:
    """ckan_config() on a mapping sets smtp.server to host:port and turns STARTTLS off."""
    config: dict[str, object] = {"smtp.server": "mail.example.org:25", "smtp.starttls": True}
    smtp_server.ckan_config(config)
    assert config["smtp.server"] == smtp_server.address
    assert config["smtp.starttls"] is False


def test_ckan_mailer_delivers_to_the_server(
        smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """CKAN's own mailer, pointed at the server, delivers a French mail."""
    mailer = pytest.importorskip("ckan.lib.mailer")
    import ckan.plugins.toolkit as tk

    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail")
    monkeypatch.setitem(tk.config, "ckan.site_url", "http://test.ckan.net")
    mailer.mail_recipient("Service des finances", "finances@example.org",
                          "Mise à jour attendue", "Le jeu de données « Budget » est en retard.")
    [msg] = smtp_server.messages
    assert msg["Subject"] == "Mise à jour attendue"
    text = msg.get_body(("plain",))
    assert isinstance(text, EmailMessage)
    assert "« Budget » est en retard." in text.get_content()
    assert smtp_server.envelopes[0].rcpt_tos == ["finances@example.org"]
