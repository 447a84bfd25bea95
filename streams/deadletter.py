"""Build dead-letter records: the original payload, kept whole, and why it failed."""

from __future__ import annotations

import base64

from .errors import Reason
from .names import Stage
from .records import DeadLetter, SourcePosition
from .timeutil import now_rfc3339


def dead_letter(
    payload: bytes | str | None,
    *,
    stage: Stage | str,
    reason: Reason | str,
    message: str,
    source: SourcePosition,
    article_id: str | None = None,
) -> DeadLetter:
    text: str | None = None
    b64: str | None = None
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogatepass")
    if payload is not None:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            b64 = base64.b64encode(payload).decode("ascii")
    return DeadLetter(
        stage=str(stage),
        reason=str(reason),
        message=message or str(reason),
        failed_at=now_rfc3339(),
        source=source,
        payload=text,
        payload_base64=b64,
        article_id=article_id,
    )
