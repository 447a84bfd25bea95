"""Trends: which people, places and organisations are rising, by event time.

Pure core (no Kafka): :mod:`.events` (event time, entity keys, observations), :mod:`.config`
(window sizes, lateness), :mod:`.score` (baseline and burst score), :mod:`.state` (windowed
counting, watermark, expiry), :mod:`.batch` (offline rows). The Faust stage is :mod:`.stage`.
"""

from .batch import BatchResult, trend_rows
from .config import TrendConfig, WindowSpec, parse_windows
from .events import Observation, entity_key, event_time_ms, extract
from .state import TrendState

__all__ = ["BatchResult", "Observation", "TrendConfig", "TrendState", "WindowSpec", "entity_key", "event_time_ms",
           "extract", "parse_windows", "trend_rows"]
