"""aiokafka client options from settings: one place for bootstrap and security."""

from __future__ import annotations

import ssl
from typing import Any

from ..settings import Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if "SSL" not in settings.kafka_security_protocol:
        return None
    ctx = ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None)
    return ctx


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
