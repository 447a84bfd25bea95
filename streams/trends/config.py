"""Window sizes, lateness and limits of the trend stage (parsed from settings strings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
DAY_MS = _UNITS["d"]


def parse_duration_ms(text: str) -> int:
    """``90s``, ``15m``, ``1h``, ``2d`` -> milliseconds (positive)."""
    match = _DURATION.match(text or "")
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration such as 15m, 1h or 1d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def duration_label(ms: int) -> str:
    """The shortest exact label: 3600000 -> ``1h``."""
    for unit in ("d", "h", "m", "s"):
        if ms % _UNITS[unit] == 0:
            return f"{ms // _UNITS[unit]}{unit}"
    return f"{ms}ms"


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """A tumbling window size and how many previous windows of that size make its baseline."""

    size_ms: int
    baseline_windows: int

    @property
    def label(self) -> str:
        return duration_label(self.size_ms)


def parse_windows(text: str) -> tuple[WindowSpec, ...]:
    """``1h,1d`` or ``1h:24,1d:7`` (size[:previous windows in the baseline]).

    Default baseline: 24 previous windows for sizes under a day (one day of hours), 7 for a
    day or more (one week of days).
    """
    specs: dict[int, WindowSpec] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        size_text, _, k_text = part.partition(":")
        size = parse_duration_ms(size_text)
        if k_text.strip():
            if not k_text.strip().isdigit() or int(k_text) < 1:
                raise ValueError(f"{part!r}: the number of baseline windows must be a positive integer")
            k = int(k_text)
        else:
            k = 24 if size < DAY_MS else 7
        specs[size] = WindowSpec(size, k)
    if not specs:
        raise ValueError(f"{text!r}: no window sizes")
    return tuple(sorted(specs.values(), key=lambda s: s.size_ms))


@dataclass(frozen=True, slots=True)
class TrendConfig:
    """Everything the counter needs; defaults are the service's defaults."""

    windows: tuple[WindowSpec, ...] = (WindowSpec(3_600_000, 24), WindowSpec(DAY_MS, 7))
    #: Articles whose event time is more than this behind the watermark are dropped (counted).
    lateness_ms: int = 2 * DAY_MS
    #: Articles dated more than this after the wall clock are dropped (counted): a bad clock or
    #: a typo would otherwise move the watermark ahead and make every later article late.
    future_ms: int = DAY_MS
    #: Entities counted per article; the rest are dropped (counted).
    max_entities: int = 1_000

    @classmethod
    def from_strings(cls, windows: str, lateness: str, future: str = "1d", max_entities: int = 1_000) -> "TrendConfig":
        return cls(parse_windows(windows), parse_duration_ms(lateness), parse_duration_ms(future), max_entities)

    def spec(self, label: str) -> WindowSpec:
        for spec in self.windows:
            if spec.label == label or spec.size_ms == parse_duration_ms(label):
                return spec
        raise ValueError(f"window {label!r} is not counted; windows: {', '.join(s.label for s in self.windows)}")
