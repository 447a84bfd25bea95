"""aiokafka client options from settings: one place for bootstrap and security."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from ..settings import Settings


class KafkaSecurityError(RuntimeError):
    """The broker refused our TLS or SASL handshake: wrong credentials, mechanism or CA.

    Retrying cannot help, so callers fail at once with this message (never the password).
    """


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if "SSL" not in settings.kafka_security_protocol:
        return None
    try:
        return ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None)
    except (OSError, ssl.SSLError) as exc:
        raise KafkaSecurityError(f"KAFKA_SSL_CAFILE={settings.kafka_ssl_cafile!r} cannot be used as a CA bundle: "
                                 f"{exc}") from None


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments shared by every aiokafka producer/consumer/admin the CLI makes."""
    opts: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "security_protocol": settings.kafka_security_protocol,
    }
    ctx = ssl_context(settings)
    if ctx is not None:
        opts["ssl_context"] = ctx
    if settings.kafka_security_protocol.startswith("SASL"):
        opts["sasl_mechanism"] = settings.kafka_sasl_mechanism
        opts["sasl_plain_username"] = settings.kafka_sasl_username
        opts["sasl_plain_password"] = settings.kafka_sasl_password
    return opts


async def check_connection(settings: Settings, *, timeout: float = 15.0) -> None:
    """Open one connection to a bootstrap broker with the configured security and say clearly
    why it failed when the broker refused it.

    aiokafka logs the real cause (e.g. ``SaslAuthenticationFailed``) and then raises only
    "Unable to bootstrap"; this raises :class:`KafkaSecurityError` for TLS and SASL refusals
    (fail fast: no retry helps) and ``ConnectionError`` when no broker answered at all (the
    caller may retry). The message names the user and mechanism, never the password.
    """
    from aiokafka import errors as kerr
    from aiokafka.conn import create_conn
    from aiokafka.protocol.metadata import MetadataRequest

    opts = client_options(settings)
    who = _identity(settings)
    last: BaseException | None = None
    for server in opts["bootstrap_servers"]:
        host, _, port = server.strip().rpartition(":")
        try:
            conn = await asyncio.wait_for(create_conn(
                host, int(port), request_timeout_ms=int(timeout * 1000),
                security_protocol=opts["security_protocol"], ssl_context=opts.get("ssl_context"),
                sasl_mechanism=opts.get("sasl_mechanism"), sasl_plain_username=opts.get("sasl_plain_username"),
                sasl_plain_password=opts.get("sasl_plain_password"),
            ), timeout)
        except (kerr.SaslAuthenticationFailed, kerr.AuthenticationFailedError,
                kerr.IllegalSaslStateError) as exc:
            raise KafkaSecurityError(f"Kafka at {server} rejected the credentials of {who}: "
                                     f"{_scrub(str(exc), settings)}") from None
        except kerr.UnsupportedSaslMechanismError as exc:
            raise KafkaSecurityError(f"Kafka at {server} does not accept {who}: {_scrub(str(exc), settings)}") from None
        except ssl.SSLCertVerificationError as exc:
            raise KafkaSecurityError(
                f"TLS to Kafka at {server} failed: the broker's certificate is not trusted "
                f"(KAFKA_SSL_CAFILE={settings.kafka_ssl_cafile or '(system CAs)'}): {exc.verify_message}") from None
        except ssl.SSLError as exc:
            raise KafkaSecurityError(f"TLS to Kafka at {server} failed ({settings.kafka_security_protocol}): "
                                     f"{exc.reason or exc}") from None
        except (OSError, asyncio.TimeoutError, kerr.KafkaError) as exc:
            last = _closed_early(exc, server, settings) or exc
            continue
        try:  # the handshake passed; a listener that wants SASL still refuses the first real request
            await asyncio.wait_for(conn.send(MetadataRequest([])), timeout)
        except (OSError, asyncio.TimeoutError, kerr.KafkaError) as exc:
            last = _closed_early(exc, server, settings) or exc
            continue
        finally:
            conn.close()
        return
    if isinstance(last, KafkaSecurityError):
        raise last
    raise ConnectionError(f"no Kafka broker answered at {settings.kafka_bootstrap_servers}: "
                          f"{type(last).__name__}: {_scrub(str(last), settings)}")


def _closed_early(exc: BaseException, server: str, settings: Settings) -> KafkaSecurityError | None:
    """A broker that accepts the TCP connection and then closes it on our first bytes is
    speaking another protocol (TLS or SASL expected, or not): say so instead of retrying."""
    from aiokafka.errors import KafkaConnectionError

    if isinstance(exc, KafkaConnectionError) and "closed" in str(exc).lower():
        return KafkaSecurityError(
            f"Kafka at {server} closed the connection right after it opened ({_identity(settings)}): the "
            f"listener expects another protocol; check KAFKA_SECURITY_PROTOCOL (PLAINTEXT, SSL, "
            f"SASL_PLAINTEXT, SASL_SSL) and KAFKA_SASL_MECHANISM")
    return None


def _identity(settings: Settings) -> str:
    if settings.kafka_security_protocol.startswith("SASL"):
        return f"user {settings.kafka_sasl_username!r} ({settings.kafka_sasl_mechanism} over " \
               f"{settings.kafka_security_protocol})"
    return settings.kafka_security_protocol


def _scrub(text: str, settings: Settings) -> str:
    password = settings.kafka_sasl_password
    return text.replace(password, "***") if password else text
