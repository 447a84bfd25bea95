"""The pure trend core: event time, keys, windows, dedup, lateness, baseline/score, expiry, recovery."""

from __future__ import annotations

import math
import random

import pytest

from streams.trends import TrendConfig, TrendState, entity_key, event_time_ms, extract, parse_windows, trend_rows
from streams.trends.config import parse_duration_ms
from streams.trends.events import FROM_INGESTED, FROM_PUBLISHED, Observation
from streams.trends.score import baseline, burst_score

H = 3_600_000
NOW = 1_900_000_000_000  # 2030: "now" for the future check


def art(aid, published, *entities, ingested=None):
    return {"id": aid, "published_at": published, "ingested_at": ingested,
            "entities": [dict(e) for e in entities]}


def ent(text, type_="PER", id_=None, name=None, mentions=1):
    return {"type": type_, "text": text, "id": id_, "name": name, "count": mentions,
            "mentions": [{"start": 0, "end": 1, "text": text, "field": "text"}] * mentions}


def obs(key, article, t, mentions=1):
    return Observation(key, article, t, mentions, "PER", key, key, None)  # linked: the key is the id


@pytest.mark.parametrize("value,expected", [
    ("2015-07-27T18:49:22", "2015-07-27T18:49:22+00:00"),  # no offset: UTC
    ("2015-07-27T18:49:22Z", "2015-07-27T18:49:22+00:00"),
    ("2015-07-27T21:49:22+03:00", "2015-07-27T18:49:22+00:00"),
    ("2015-07-27", "2015-07-27T00:00:00+00:00"),
    ("Mon, 27 Jul 2015 18:49:22 GMT", "2015-07-27T18:49:22+00:00"),
])
def test_event_time_from_published_at(value, expected):
    from datetime import datetime
    t, source = event_time_ms({"published_at": value, "ingested_at": "2020-01-01T00:00:00Z"})
    assert source == FROM_PUBLISHED
    assert t == int(datetime.fromisoformat(expected).timestamp() * 1000)


@pytest.mark.parametrize("published", [None, "", "yesterday", "2015-13-45", 12345, "0001-01-01T00:00:00"])
def test_event_time_falls_back_to_ingested_at(published):
    t, source = event_time_ms({"published_at": published, "ingested_at": "2020-01-01T00:00:00.000Z"})
    assert (t, source) == (1_577_836_800_000, FROM_INGESTED)
    assert event_time_ms({"published_at": published}) == (None, None)


def test_entity_key_is_id_else_type_and_text_exactly():
    assert entity_key({"id": "Q794", "type": "LOC", "text": "إيران"}) == "Q794"
    assert entity_key({"id": None, "type": "PER", "text": "مايك  بومبيو"}) == "PER:مايك  بومبيو"
    assert entity_key({"type": "PER"}) is None


def test_extract_merges_same_key_and_refuses_with_reasons():
    rec = art("a", "2015-07-27T18:00:00", ent("x", mentions=2), ent("x", mentions=3), {"type": 5}, ent("y"))
    ex = extract(rec, now_ms=NOW, future_ms=86_400_000, max_entities=1000)
    assert [(o.key, o.mentions) for o in ex.observations] == [("PER:x", 5), ("PER:y", 1)]
    assert ex.skipped == {"bad_entity": 1}
    assert extract(art("a", "2015-07-27"), now_ms=NOW, future_ms=0, max_entities=9).skipped == {"no_entities": 1}
    assert extract(art("a", "2099-01-01", ent("x")), now_ms=NOW, future_ms=86_400_000,
                   max_entities=9).skipped == {"future": 1}
    assert extract(art("a", None, ent("x")), now_ms=NOW, future_ms=0, max_entities=9).skipped == {"no_event_time": 1}
    assert extract({"entities": []}, now_ms=NOW, future_ms=0, max_entities=9).skipped == {"no_id": 1}
    assert extract([1, 2], now_ms=NOW, future_ms=0, max_entities=9).skipped == {"not_an_object": 1}


def test_ten_thousand_entities_are_capped_and_counted():
    rec = art("big", "2015-07-27T18:00:00", *[ent(f"e{i}") for i in range(10_000)])
    ex = extract(rec, now_ms=NOW, future_ms=0, max_entities=1_000)
    assert len(ex.observations) == 1_000 and ex.skipped == {"too_many_entities": 9_000}
    result = trend_rows([rec], TrendConfig(max_entities=1_000), now_ms=NOW)
    assert len(result.rows) == 2_000  # 1,000 entities x (1h, 1d)


def test_parse_windows_and_durations():
    assert [(s.label, s.baseline_windows) for s in parse_windows("1d,1h")] == [("1h", 24), ("1d", 7)]
    assert [(s.label, s.baseline_windows) for s in parse_windows("15m:8")] == [("15m", 8)]
    assert parse_duration_ms("48h") == 2 * 86_400_000
    for bad in ("", "1w", "0h", "1h:x"):
        with pytest.raises(ValueError):
            parse_windows(bad)


def test_baseline_is_smoothed_and_score_ranks_bursts():
    first = baseline(0, 24)
    assert 0 < first < 1 and math.isfinite(burst_score(1, first))
    assert burst_score(5, first) > burst_score(1, first) > 0
    steady = baseline(240, 24)
    assert abs(burst_score(10, steady)) < 0.5
    assert burst_score(30, steady) > 4
    assert burst_score(0, steady) < -4


def test_distinct_articles_mentions_and_close_emission():
    st = TrendState(TrendConfig(windows=parse_windows("1h")))
    assert st.observe(obs("k", "a1", 10 * H + 5, mentions=3))[0] == "counted"
    assert st.observe(obs("k", "a1", 10 * H + 5, mentions=3)) == ("duplicate", [])  # replayed article
    st.observe(obs("k", "a2", 10 * H + 50))
    outcome, rows = st.observe(obs("other", "a3", 11 * H))  # watermark reaches 11:00: 10:00 closes
    assert outcome == "counted"
    assert [(r["entity"]["key"], r["articles"], r["mentions"]) for r in rows] == [("k", 2, 4)]
    assert rows[0]["window_start"] == "1970-01-01T10:00:00.000Z" and rows[0]["window_end"] == "1970-01-01T11:00:00.000Z"
    assert rows[0]["baseline"] == round(1 / 25, 4)


def test_late_update_within_lateness_and_drop_beyond():
    st = TrendState(TrendConfig(windows=parse_windows("1h"), lateness_ms=2 * H))
    st.observe(obs("k", "a1", 10 * H))
    st.observe(obs("k", "a2", 12 * H))  # closes 10:00 and 11:00
    assert st.observe(obs("k", "a3", 10 * H + 1)) == ("counted", [])  # late but within 2 h: an update
    st.observe(obs("k", "a5", 10 * H + 2))
    assert st.pending_updates == 1  # two late articles, one (window, entity) to re-send
    rows = st.take_updates()
    assert [(r["window_start"][11:16], r["articles"]) for r in rows] == [("10:00", 3)] and st.pending_updates == 0
    assert st.observe(obs("k", "a4", 9 * H)) == ("late", [])  # 3 h behind the watermark
    st.observe(obs("k", "a6", 10 * H + 3))
    _, rows = st.observe(obs("k", "a7", 13 * H))  # 12:00 closes, 10:00 expires: its pending update comes out
    assert [(r["window_start"][11:16], r["articles"]) for r in rows] == [("12:00", 1), ("10:00", 4)]


def test_baseline_uses_previous_windows_also_after_they_expire():
    st = TrendState(TrendConfig(windows=parse_windows("1h:3"), lateness_ms=H))
    rows_by_hour = {}
    for hour, n in enumerate([2, 4, 6, 1, 0]):
        for i in range(n):
            st.observe(obs("k", f"a{hour}-{i}", hour * H + i))
        for r in st.observe(obs("tick", f"t{hour}", (hour + 1) * H))[1]:
            rows_by_hour.setdefault(r["window_start"][11:13], {})[r["entity"]["key"]] = r
    # hour 3 (1 article): baseline from hours 0..2 = (2+4+6+1)/4, hours 0/1 already archived
    assert rows_by_hour["03"]["k"]["baseline"] == round(13 / 4, 4)
    assert rows_by_hour["03"]["k"]["score"] < 0


def test_state_stays_flat_on_an_endless_stream():
    cfg = TrendConfig(windows=parse_windows("1h,1d"), lateness_ms=48 * H)
    st = TrendState(cfg)
    rng = random.Random(7)
    sizes = []
    for i in range(60_000):  # 20 days at one article every 30 s, 3 entities from a churning vocabulary
        t = i * 30_000
        keys = {f"e{rng.randrange(i // 500, i // 500 + 50)}" for _ in range(3)}
        st.observe_article(f"a{i}", t, [obs(k, f"a{i}", t) for k in sorted(keys)])
        if i % 500 == 499:
            sizes.append((len(st.seen), len(st.history), st.size()["windows"]))
    # after a 4-day warm-up, days 4-12 and days 12-20 peak at the same sizes (a sawtooth, no growth)
    middle, last = sizes[23:69], sizes[69:]
    for column in range(3):
        assert max(s[column] for s in last) <= 1.05 * max(s[column] for s in middle), column
    assert max(s[0] for s in last) <= 3 * 2_880  # lateness + the largest window: 3 days of articles


def test_rebuild_from_durable_state_continues_identically():
    cfg = TrendConfig(windows=parse_windows("1h:3,1d:2"), lateness_ms=3 * H)
    stream = [obs(f"e{i % 7}", f"a{i}", i * 600_000 + (i % 5) * 60_000, mentions=1 + i % 3) for i in range(400)]
    straight = TrendState(cfg)
    out_straight = [r for o in stream for r in straight.observe(o)[1] + straight.take_updates()]
    first = TrendState(cfg)
    out = [r for o in stream[:250] for r in first.observe(o)[1] + first.take_updates()]
    restored = TrendState(cfg, seen=dict(first.seen), history=dict(first.history))
    restored.rebuild(list(first.seen.items()), list(first.history.items()))
    assert restored.size() == first.size() and restored.watermark == first.watermark
    out += [r for o in stream[200:] for r in restored.observe(o)[1] + restored.take_updates()]  # 50 replayed
    assert out == out_straight


def test_batch_rows_equal_a_direct_count():
    rng = random.Random(3)
    records = []
    for i in range(300):
        hour = rng.randrange(0, 60)
        ents = [ent(f"p{rng.randrange(12)}", mentions=rng.randrange(1, 4)) for _ in range(rng.randrange(0, 5))]
        records.append(art(f"a{i}", f"2015-07-{21 + hour // 24:02d}T{hour % 24:02d}:{rng.randrange(60):02d}:00", *ents))
    records += records[:40]  # duplicates
    direct: dict[tuple, tuple[set, int]] = {}
    for rec in records:
        t, _ = event_time_ms(rec)
        keys = {}
        for e in rec["entities"]:
            keys[entity_key(e)] = keys.get(entity_key(e), 0) + len(e["mentions"])
        for key, m in keys.items():
            start = t - t % H
            ids, mentions = direct.get((start, key), (set(), 0))
            if rec["id"] not in ids:
                direct[(start, key)] = (ids | {rec["id"]}, mentions + m)
    rows = trend_rows(records, now_ms=NOW, windows=["1h"]).rows
    from streams.trends.events import parse_time_ms
    got = {(parse_time_ms(r["window_start"]), r["entity"]["key"]): (r["articles"], r["mentions"]) for r in rows}
    assert got == {k: (len(ids), m) for k, (ids, m) in direct.items()}
