"""All settings in one place, read from environment variables (12-factor).

Every variable has a documented default; ``news-streams settings`` prints the values in
force (with secrets masked). Nothing else in the package reads ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

_TRUE = {"1", "true", "yes", "on"}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


@dataclass(frozen=True)
class Settings:
    """Typed view of the environment; build it with :meth:`from_env`."""

    #: Kafka bootstrap servers, comma separated (``KAFKA_BOOTSTRAP_SERVERS``).
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    #: Prefix shared by all topic names (``NEWS_TOPIC_PREFIX``): ``<prefix>raw`` etc.
    topic_prefix: str = "news."
    #: Partitions for topics the project creates (``NEWS_TOPIC_PARTITIONS``).
    topic_partitions: int = 4
    #: Replication factor for created topics (``NEWS_TOPIC_REPLICATION``).
    topic_replication: int = 1
    #: Faust application id, also the consumer group (``NEWS_APP_ID``).
    app_id: str = "news-streams"
    #: Largest accepted raw record in bytes; larger ones are dead-lettered (``NEWS_MAX_RECORD_BYTES``).
    max_record_bytes: int = 2_000_000
    #: ``at_least_once`` (default) or ``exactly_once`` (``NEWS_PROCESSING_GUARANTEE``).
    processing_guarantee: str = "at_least_once"
    #: Where the worker's web server (``/metrics``, ``/healthz``) binds (``NEWS_WEB_HOST``/``NEWS_WEB_PORT``).
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    #: Faust state directory (``NEWS_DATA_DIR``).
    data_dir: str = "var/faust"
    #: ``text`` or ``json`` log lines (``NEWS_LOG_FORMAT``).
    log_format: str = "text"
    #: Kafka security: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (``KAFKA_SECURITY_PROTOCOL``).
    kafka_security_protocol: str = "PLAINTEXT"
    #: SASL mechanism, e.g. SCRAM-SHA-512 (``KAFKA_SASL_MECHANISM``).
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = field(default="", repr=False)
    #: CA bundle used to verify the brokers (``KAFKA_SSL_CAFILE``).
    kafka_ssl_cafile: str = ""
    #: Faust broker session / rebalance timeouts in seconds (lower them in tests).
    broker_session_timeout: float = 30.0
    broker_rebalance_timeout: float = 30.0
    # -- trends stage (streams/trends) --
    #: Run the trend agents in the worker (``NEWS_TRENDS``: on/off).
    trends_enabled: bool = True
    #: Tumbling window sizes, ``size[:K]`` with K previous windows in the baseline (``NEWS_TRENDS_WINDOWS``).
    trends_windows: str = "1h,1d"
    #: Articles further behind the event-time watermark are dropped (``NEWS_TRENDS_LATENESS``).
    trends_lateness: str = "48h"
    #: Faust store of the trend tables: ``memory://`` or ``rocksdb://`` (rocksdict) (``NEWS_TRENDS_STORE``).
    trends_store: str = "memory://"
    #: Story stage: Faust table store, ``memory://`` or ``rocksdb://`` (RocksDB through rocksdict)
    #: (``NEWS_STORY_STORE``), and hours of event-time silence after which a story closes and its
    #: index entries expire; also how far apart two articles of one story may be (``NEWS_STORY_WINDOW_HOURS``).
    story_store: str = "memory://"
    story_window_hours: float = 72.0

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            kafka_bootstrap_servers=_env("KAFKA_BOOTSTRAP_SERVERS", cls.kafka_bootstrap_servers),
            topic_prefix=_env("NEWS_TOPIC_PREFIX", cls.topic_prefix),
            topic_partitions=int(_env("NEWS_TOPIC_PARTITIONS", str(cls.topic_partitions))),
            topic_replication=int(_env("NEWS_TOPIC_REPLICATION", str(cls.topic_replication))),
            app_id=_env("NEWS_APP_ID", cls.app_id),
            max_record_bytes=int(_env("NEWS_MAX_RECORD_BYTES", str(cls.max_record_bytes))),
            processing_guarantee=_env("NEWS_PROCESSING_GUARANTEE", cls.processing_guarantee),
            web_host=_env("NEWS_WEB_HOST", cls.web_host),
            web_port=int(_env("NEWS_WEB_PORT", str(cls.web_port))),
            data_dir=_env("NEWS_DATA_DIR", cls.data_dir),
            log_format=_env("NEWS_LOG_FORMAT", cls.log_format),
            kafka_security_protocol=_env("KAFKA_SECURITY_PROTOCOL", cls.kafka_security_protocol),
            kafka_sasl_mechanism=_env("KAFKA_SASL_MECHANISM", cls.kafka_sasl_mechanism),
            kafka_sasl_username=_env("KAFKA_SASL_USERNAME", ""),
            kafka_sasl_password=_env("KAFKA_SASL_PASSWORD", ""),
            kafka_ssl_cafile=_env("KAFKA_SSL_CAFILE", ""),
            broker_session_timeout=float(_env("NEWS_BROKER_SESSION_TIMEOUT", str(cls.broker_session_timeout))),
            broker_rebalance_timeout=float(
                _env("NEWS_BROKER_REBALANCE_TIMEOUT", str(cls.broker_rebalance_timeout))
            ),
            trends_enabled=_env("NEWS_TRENDS", "on").lower() in _TRUE,
            trends_windows=_env("NEWS_TRENDS_WINDOWS", cls.trends_windows),
            trends_lateness=_env("NEWS_TRENDS_LATENESS", cls.trends_lateness),
            trends_store=_env("NEWS_TRENDS_STORE", cls.trends_store),
            story_store=_env("NEWS_STORY_STORE", cls.story_store),
            story_window_hours=float(_env("NEWS_STORY_WINDOW_HOURS", str(cls.story_window_hours))),
        )

    def __post_init__(self) -> None:
        _check("NEWS_PROCESSING_GUARANTEE", self.processing_guarantee, ("at_least_once", "exactly_once"))
        _check("NEWS_LOG_FORMAT", self.log_format, ("text", "json"))
        _check("KAFKA_SECURITY_PROTOCOL", self.kafka_security_protocol,
               ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"))
        if self.kafka_security_protocol.startswith("SASL"):
            _check("KAFKA_SASL_MECHANISM", self.kafka_sasl_mechanism, ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"))
            if not self.kafka_sasl_username or not self.kafka_sasl_password:
                raise ValueError(f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                                 "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        if not self.story_store.startswith(("memory://", "rocksdb://")) or self.story_window_hours <= 0:
            raise ValueError("NEWS_STORY_STORE must be memory:// or rocksdb://, NEWS_STORY_WINDOW_HOURS positive")
        if self.topic_partitions < 1 or self.max_record_bytes < 1:
            raise ValueError("NEWS_TOPIC_PARTITIONS and NEWS_MAX_RECORD_BYTES must be positive")
        _check("NEWS_TRENDS_STORE", self.trends_store, ("memory://", "rocksdb://"))
        from .trends.config import TrendConfig  # the window syntax lives with the stage

        TrendConfig.from_strings(self.trends_windows, self.trends_lateness)

    def topic(self, stage: str) -> str:
        """Full topic name for a stage name (``raw``, ``cleaned``, ``enriched``, ``dead-letter``)."""
        if stage not in STAGE_TOPICS:
            raise ValueError(f"unknown topic {stage!r}; expected one of {', '.join(STAGE_TOPICS)}")
        return f"{self.topic_prefix}{stage}"

    def masked(self) -> dict[str, object]:
        """Settings as a dict with secrets masked, safe for logs."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = "***" if "password" in f.name and value else value
        return out

    @property
    def exactly_once(self) -> bool:
        return self.processing_guarantee == "exactly_once"


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(allowed)}")


#: The stage names the CLI and docs use for topics, in data-flow order.
STAGE_TOPICS = ("raw", "cleaned", "enriched", "dead-letter", "trends-mentions", "trends", "stories")


def get_settings() -> Settings:
    return Settings.from_env()


def shared_data_dir() -> "Path":
    """Where the shared research data lives (``NEWS_SHARED_DATA``, default ``../shared/data``).

    Only tests, benchmarks and the demo read it; nothing from it ships with the package.
    """
    from pathlib import Path

    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    return Path(_env("NEWS_SHARED_DATA", str(default))).resolve()
