"""The project's wire format: JSON encoded with orjson, registered as Faust codec ``orjson``.

orjson serialises the record dataclasses natively, so agents send typed records and the
topic carries plain UTF-8 JSON that any consumer can read.
"""

from __future__ import annotations

from typing import Any

import orjson
from faust.serializers import codecs

CODEC_NAME = "orjson"


class OrjsonCodec(codecs.Codec):
    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return orjson.loads(s)


def register() -> None:
    """Idempotent: make ``value_serializer="orjson"`` available to Faust."""
    if CODEC_NAME not in codecs.codecs:
        codecs.register(CODEC_NAME, OrjsonCodec())


register()
