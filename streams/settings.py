"""All settings in one place: one table of environment variables (12-factor).

Each field of :class:`Settings` is declared with :func:`setting`, which records its variable,
type, default, accepted range or values, whether it is a secret, and what it means. That one
table (:data:`VARIABLES`) is what :meth:`Settings.from_env` parses, what ``news-streams
settings`` prints (``--table``, ``--markdown`` for the README, ``--env`` for an ``.env``/compose
file) and what a test compares with the README. Nothing else in the package reads
``os.environ`` for configuration. A bad value fails at start-up with one line that names the
variable and the accepted values; secrets are masked in every rendering.
"""

from __future__ import annotations

import os
import re
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

__all__ = ["STAGE_TOPICS", "Settings", "SettingsError", "VARIABLES", "Variable", "get_settings", "is_set",
           "shared_data_dir"]


class SettingsError(ValueError):
    """A variable has a value the service cannot use; the message names it and what is accepted."""

    detail: str = ""


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _trend_windows(value: str) -> None:
    from .trends.config import parse_windows  # the window syntax lives with the stage

    parse_windows(value)


def _duration(value: str) -> None:
    from .trends.config import parse_duration_ms

    parse_duration_ms(value)


_VALIDATORS = {"windows": _trend_windows, "duration": _duration}


@dataclass(frozen=True)
class Variable:
    """One row of the settings table."""

    env: str
    doc: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    secret: bool = False
    #: How the default reads in docs when it is computed (empty value = "use the built-in").
    default_doc: str | None = None
    pattern: str | None = None
    #: The pattern in words, for people.
    hint: str | None = None
    path: bool = False
    #: A syntax checked by the code that uses the value (key of :data:`_VALIDATORS`).
    validate: str | None = None
    #: Filled in from the dataclass field below.
    name: str = ""
    kind: type = str
    default: Any = None

    def accepted(self) -> str:
        """The accepted values, as the error messages and the table say them."""
        if self.choices:
            return " | ".join(self.choices)
        if self.kind is bool:
            return "on | off"
        if self.kind in (int, float):
            word = "integer" if self.kind is int else "number"
            if self.low is not None and self.high is not None:
                return f"{word} {_num(self.low)}..{_num(self.high)}"
            if self.low is not None:
                return f"{word} >= {_num(self.low)}"
            return word
        if self.hint:
            return self.hint
        return "a path" if self.path else "text"

    def parse(self, raw: str) -> Any:
        """Text from the environment -> typed value; :class:`SettingsError` names the variable."""
        if self.kind is bool:
            word = raw.strip().lower()
            if word not in _TRUE and word not in _FALSE:
                raise self.error(raw)
            return word in _TRUE
        if self.kind is int:
            try:
                value: Any = int(raw.strip())
            except ValueError:
                raise self.error(raw) from None
        elif self.kind is float:
            try:
                value = float(raw.strip())
            except ValueError:
                raise self.error(raw) from None
        else:
            value = raw
        try:
            self.check(value)
        except SettingsError as exc:
            raise self.error(raw, exc.detail) from None
        return value

    def check(self, value: Any) -> None:
        if self.choices and value not in self.choices:
            raise self.error(value)
        if self.kind in (int, float):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
                raise self.error(value)
            if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
                raise self.error(value)
        if self.kind is bool and not isinstance(value, bool):
            raise self.error(value)
        if self.pattern and not re.fullmatch(self.pattern, str(value)):
            raise self.error(value)
        if self.validate:
            try:
                _VALIDATORS[self.validate](value)
            except ValueError as exc:
                raise self.error(value, str(exc)) from None

    def error(self, value: Any, detail: str = "") -> SettingsError:
        text = str(value)
        shown = "***" if self.secret else text if text and not re.search(r"[\s'\"]", text) else repr(text)
        error = SettingsError(f"{self.env}={shown} is not accepted: expected {self.accepted()}"
                              + (f" ({detail})" if detail and not self.secret else ""))
        error.detail = detail
        return error

    def shown_default(self) -> str:
        if self.default_doc is not None:
            return self.default_doc
        return "(empty)" if self.default == "" else _text(self.default)


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) and not value.is_integer() else str(int(value))


def setting(env: str, default: Any, doc: str, **meta: Any) -> Any:
    """Declare a settings field and its row of the table at once."""
    return field(default=default, repr=not meta.get("secret", False),
                 metadata={"variable": Variable(env=env, doc=doc, **meta)})


@dataclass(frozen=True)
class Settings:
    """Typed view of the environment; build it with :meth:`from_env` (or ``replace`` in tests).

    Every field is validated when the object is made, whichever way it is made.
    """

    kafka_bootstrap_servers: str = setting(
        "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "Kafka brokers, `host:port`, comma separated",
        pattern=r"[^,\s]+:[0-9]+(,[^,\s]+:[0-9]+)*", hint="host:port[,host:port...]")
    topic_prefix: str = setting(
        "NEWS_TOPIC_PREFIX", "news.", "prefix of every topic name (`<prefix>raw`, ...)", pattern=r"[A-Za-z0-9._-]{0,200}",
        hint="up to 200 of A-Z a-z 0-9 . _ - (may be empty)")
    topic_partitions: int = setting(
        "NEWS_TOPIC_PARTITIONS", 4, "partitions of created topics (the unit of parallelism)", low=1, high=10_000)
    topic_replication: int = setting(
        "NEWS_TOPIC_REPLICATION", 1, "replication factor of created topics (3 in production)", low=1, high=32)
    app_id: str = setting(
        "NEWS_APP_ID", "news-streams", "Faust app id = Kafka consumer group", pattern=r"[A-Za-z0-9._-]{1,200}",
        hint="1 to 200 of A-Z a-z 0-9 . _ -")
    max_record_bytes: int = setting(
        "NEWS_MAX_RECORD_BYTES", 2_000_000, "raw records larger than this are dead-lettered `too_large`",
        low=1, high=100_000_000)
    processing_guarantee: str = setting(
        "NEWS_PROCESSING_GUARANTEE", "at_least_once", "delivery guarantee (`exactly_once`: Kafka transactions)",
        choices=("at_least_once", "exactly_once"))
    web_host: str = setting(
        "NEWS_WEB_HOST", "127.0.0.1", "address the worker's `/metrics` and `/healthz` listen on", pattern=r"\S+",
        hint="a host name or IP address")
    web_port: int = setting("NEWS_WEB_PORT", 6066, "port of `/metrics` and `/healthz`", low=1, high=65_535)
    data_dir: str = setting(
        "NEWS_DATA_DIR", "var/faust", "the worker's state directory (relative: to the current directory; "
        "created with its parents)", path=True)
    log_format: str = setting("NEWS_LOG_FORMAT", "text", "log lines as text or JSON", choices=("text", "json"))
    broker_session_timeout: float = setting(
        "NEWS_BROKER_SESSION_TIMEOUT", 30.0, "consumer group session timeout, seconds (lower in tests)",
        low=1.0, high=3600.0)
    broker_rebalance_timeout: float = setting(
        "NEWS_BROKER_REBALANCE_TIMEOUT", 30.0, "consumer group rebalance timeout, seconds", low=1.0, high=3600.0)
    event_loop: str = setting(
        "NEWS_EVENT_LOOP", "uvloop", "the worker's event loop: `uvloop` (libuv, the worker's Kafka I/O and "
        "callbacks cost less CPU) or Python's `asyncio`", choices=("uvloop", "asyncio"))
    producer_linger_ms: int = setting(
        "NEWS_PRODUCER_LINGER_MS", 5, "how long the worker's producer waits to fill a batch, ms (more: fewer "
        "requests per record, each hop that much later)", low=0, high=1000)
    producer_batch_bytes: int = setting(
        "NEWS_PRODUCER_BATCH_BYTES", 262_144, "the worker's producer batch size per partition, bytes (a larger "
        "record goes alone; Kafka's 16384 holds one 7-11 KB cleaned/enriched record)", low=1024, high=16_777_216)
    consumer_max_poll_records: int = setting(
        "NEWS_CONSUMER_MAX_POLL_RECORDS", 20, "records per fetch the worker hands to its agents at most (0: "
        "all that one fetch returned; small batches interleave the topics and cost less CPU: A/B 0.78x "
        "beyond the stages against 0 with Faust's 4096-record buffers)", low=0, high=100_000)
    consumer_fetch_bytes: int = setting(
        "NEWS_CONSUMER_FETCH_BYTES", 4_194_304, "bytes per partition one fetch may return (a larger record "
        "still comes, alone)", low=65_536, high=104_857_600)
    stream_buffer: int = setting(
        "NEWS_STREAM_BUFFER", 32, "records an agent may have been handed but not yet processed (Faust's "
        "`stream_buffer_maxsize`, default 4096: a full buffer holds up delivery to every agent, so a long "
        "buffer of a slow stage delays the others)",
        low=16, high=100_000)
    kafka_security_protocol: str = setting(
        "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", "how clients connect to Kafka",
        choices=("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"))
    kafka_sasl_mechanism: str = setting(
        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "SASL mechanism (with `SASL_*` protocols)",
        choices=("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"))
    kafka_sasl_username: str = setting("KAFKA_SASL_USERNAME", "", "SASL user (with `SASL_*` protocols)")
    kafka_sasl_password: str = setting(
        "KAFKA_SASL_PASSWORD", "", "SASL password (never logged or shown)", secret=True)
    kafka_ssl_cafile: str = setting(
        "KAFKA_SSL_CAFILE", "", "CA bundle (PEM) that verifies the brokers (`SSL`, `SASL_SSL`)",
        default_doc="system CAs", path=True)
    schema_dir: str = setting(
        "NEWS_SCHEMA_DIR", "", "record contracts (`*.schema.json`) to use instead of the shipped ones",
        default_doc="shipped in the package", path=True)
    kafka_deploy_dir: str = setting(
        "NEWS_KAFKA_DEPLOY_DIR", "", "`pom.xml` and `*.properties` that `news-streams broker` runs Kafka from",
        default_doc="shipped in the package", path=True)
    cache_dir: str = setting(
        "NEWS_CACHE_DIR", "", "cache of `broker` (Kafka's resolved classpath)", default_doc="~/.cache/news-streams", path=True)
    demo_dir: str = setting("NEWS_DEMO_DIR", "var/demo", "where `news-streams demo` keeps its broker data and logs", path=True)
    shared_data: str = setting(
        "NEWS_SHARED_DATA", "", "research corpora for quality tests, benchmarks and the demo (never shipped)",
        default_doc="../shared/data beside the checkout", path=True)
    trends_enabled: bool = setting(
        "NEWS_TRENDS", True, "run the trend stage in the worker (`off`: the worker does not feed it; not run with "
        "`exactly_once`)")
    trends_windows: str = setting(
        "NEWS_TRENDS_WINDOWS", "1h,1d", "tumbling trend windows (`s`/`m`/`h`/`d`), each optionally `size:K` with K previous "
        "windows in the baseline (default 24 under a day, else 7)",
        hint="size[:K][,size[:K]...], e.g. 1h:24,1d:7", validate="windows")
    trends_lateness: str = setting(
        "NEWS_TRENDS_LATENESS", "48h", "articles further behind the event-time watermark are dropped (counted)",
        hint="a duration: 90s, 15m, 48h, 2d", validate="duration")
    trends_store: str = setting(
        "NEWS_TRENDS_STORE", "memory://", "store of the trend tables (`rocksdb://`: rocksdict, local state survives restarts)",
        choices=("memory://", "rocksdb://"))
    stories_enabled: bool = setting(
        "NEWS_STORIES", True, "run the story stage in the worker (`off`: the worker does not feed it; not run with "
        "`exactly_once`)")
    story_store: str = setting(
        "NEWS_STORY_STORE", "memory://", "store of the story stage's tables (`rocksdb://`: rocksdict)",
        choices=("memory://", "rocksdb://"))
    story_shards: int = setting(
        "NEWS_STORY_SHARDS", 1, "key shards of the story stage: 1 keeps its whole index in one partition; N > 1 "
        "splits it over N partitions of `stories-keys` (the workers share them) and decides in one of "
        "`stories-answers` (README \"Stories\"; at-least-once only: refused with `exactly_once`)", low=1, high=1024)
    story_window_hours: float = setting(
        "NEWS_STORY_WINDOW_HOURS", 72.0, "hours of event-time silence after which a story closes (and how far "
        "apart two articles of one story may be)", low=0.01, high=8760.0)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Parse every variable of the table; an empty value means the default."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var in VARIABLES:
            raw = environ.get(var.env)
            if raw is not None and raw != "":
                values[var.name] = var.parse(raw)
        return cls(**values)

    def __post_init__(self) -> None:
        for var in VARIABLES:
            var.check(getattr(self, var.name))
        if self.story_shards > 1 and self.stories_enabled and self.processing_guarantee == "exactly_once":
            raise SettingsError(f"NEWS_STORY_SHARDS={self.story_shards} runs the story stage at-least-once only: "
                                "with NEWS_PROCESSING_GUARANTEE=exactly_once use NEWS_STORY_SHARDS=1 (or NEWS_STORIES=off)")
        if self.kafka_security_protocol.startswith("SASL"):
            if not self.kafka_sasl_username or not self.kafka_sasl_password:
                raise SettingsError(f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                                    "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")

    def topic(self, stage: str) -> str:
        """Full topic name for a stage name (``raw``, ``cleaned``, ``enriched``, ``dead-letter``)."""
        if stage not in STAGE_TOPICS:
            raise ValueError(f"unknown topic {stage!r}; expected one of {', '.join(STAGE_TOPICS)}")
        return f"{self.topic_prefix}{stage}"

    def masked(self) -> dict[str, object]:
        """Settings as a dict (field name -> value) with secrets masked, safe for logs."""
        return {var.name: _shown(var, getattr(self, var.name)) for var in VARIABLES}

    def environment(self) -> dict[str, str]:
        """Variable -> value text that makes a child process see these settings (secrets included)."""
        return {var.env: _text(getattr(self, var.name)) for var in VARIABLES}

    @property
    def exactly_once(self) -> bool:
        return self.processing_guarantee == "exactly_once"

    @property
    def cache_path(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "news-streams"


def _text(value: Any) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


def _shown(var: Variable, value: Any) -> Any:
    return "***" if var.secret and value else value


def _table() -> tuple[Variable, ...]:
    hints = get_type_hints(Settings)
    rows = []
    for f in fields(Settings):
        var: Variable = f.metadata["variable"]
        assert f.default is not MISSING
        object.__setattr__(var, "name", f.name)
        object.__setattr__(var, "kind", hints[f.name])
        object.__setattr__(var, "default", f.default)
        rows.append(var)
    return tuple(rows)


#: The settings table, in declaration order: every environment variable the service reads.
VARIABLES: tuple[Variable, ...] = _table()


def render_markdown() -> str:
    """The README's configuration table (a test keeps the README equal to this)."""
    lines = ["| variable | default | accepted | meaning |", "| --- | --- | --- | --- |"]
    for var in VARIABLES:
        default = var.shown_default()
        default = "–" if default == "(empty)" else f"`{default}`" if var.default_doc is None else default
        secret = " **secret**" if var.secret else ""
        lines.append(f"| `{var.env}` | {default} | {var.accepted().replace('|', '&#124;')} | {var.doc}{secret} |")
    return "\n".join(lines)


def render_table(settings: Settings) -> str:
    """The values in force, aligned for a terminal; secrets masked."""
    rows = [("variable", "value", "default", "accepted")]
    for var in VARIABLES:
        value = _shown(var, getattr(settings, var.name))
        rows.append((var.env, "" if value == "" else _text(value), var.shown_default(), var.accepted()))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}" for r in rows)


def render_env() -> str:
    """``NAME=default`` lines with a comment each: an ``.env`` template for compose."""
    lines = []
    for var in VARIABLES:
        value = "" if var.secret or var.default_doc is not None else _text(var.default)
        lines.append(f"# {var.doc} ({var.accepted()}; default {var.shown_default()})"
                     + ("; secret" if var.secret else ""))
        lines.append(f"{var.env}={value}")
    return "\n".join(lines)


#: The stage names the CLI and docs use for topics, in data-flow order.
STAGE_TOPICS = ("raw", "cleaned", "enriched", "dead-letter", "trends-mentions", "trends", "stories")


def get_settings() -> Settings:
    return Settings.from_env()


def is_set(env: str) -> bool:
    """Whether the operator set this variable (the demo starts its own broker when Kafka's is not)."""
    if env not in {var.env for var in VARIABLES}:
        raise KeyError(env)
    return bool(os.environ.get(env))


def shared_data_dir(settings: Settings | None = None) -> Path:
    """Where the shared research data lives (``NEWS_SHARED_DATA``, default ``../shared/data``).

    Only tests, benchmarks and the demo read it; nothing from it ships with the package.
    """
    settings = settings or Settings.from_env()
    if settings.shared_data:
        return Path(settings.shared_data).expanduser().resolve()
    return (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()
