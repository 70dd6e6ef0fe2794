#!/usr/bin/env python3
"""Checks a shop_scale JSON report: every figure present and sane.

The smoke run's assertions: the replicas caught up, the tables hold bytes,
ingest and replay moved events, and the soaks failed no call except by the
page deadline while the slow model thinks. Exit 1 with every problem listed.
"""
import json
import sys


def main(path):
    with open(path) as f:
        report = json.load(f)
    problems = []

    def need(obj, where, key, check=None, what="present"):
        if key not in obj:
            problems.append(f"{where}.{key}: missing")
            return None
        value = obj[key]
        if check is not None and not check(value):
            problems.append(f"{where}.{key}: {value!r} is not {what}")
        return value

    positive = (lambda v: isinstance(v, (int, float)) and v > 0, "> 0")
    nonneg = (lambda v: isinstance(v, (int, float)) and v >= 0, ">= 0")
    fraction = (lambda v: isinstance(v, (int, float)) and 0 <= v <= 1, "in [0, 1]")

    need(report, "report", "config", lambda v: isinstance(v, dict), "an object")
    ingest = need(report, "report", "ingest", lambda v: isinstance(v, dict), "an object") or {}
    for key in ("events", "copy_seconds", "copy_events_per_second",
                "track_batch_seconds", "track_batch_events_per_second",
                "track_batch_ratio_to_copy", "copy_table_bytes",
                "copy_bytes_per_event", "table_bytes", "bytes_per_event"):
        need(ingest, "ingest", key, *positive)
    need(ingest, "ingest", "track_batch_refused_calls", *nonneg)

    replicas = need(report, "report", "replicas", lambda v: len(v) == 2, "two replicas") or []
    for i, r in enumerate(replicas):
        where = f"replicas[{i}]"
        need(r, where, "name")
        need(r, where, "caught_up", lambda v: v is True, "true")
        for key in ("caught_up_seconds", "history_events", "model_events",
                    "replay_events_per_second", "projected_seconds_at_5m",
                    "resident_bytes", "peak_resident_bytes", "model_bytes",
                    "resident_bytes_per_interaction",
                    "model_bytes_per_interaction"):
            need(r, where, key, *positive)
        if r.get("history_events") != ingest.get("events"):
            problems.append(f"{where}.history_events: {r.get('history_events')} "
                            f"!= ingested {ingest.get('events')}")

    soaks = need(report, "report", "soaks", lambda v: len(v) == 2, "two soaks") or []
    for i, s in enumerate(soaks):
        where = f"soaks[{i}]"
        name = need(s, where, "name")
        for key in ("seconds", "callers", "deadline_ms", "calls", "ok_calls",
                    "user_calls", "session_calls", "anonymous_calls",
                    "live_track_events"):
            need(s, where, key, *positive)
        for key in ("cache_hits", "cache_misses", "model_calls",
                    "model_calls_per_1000_requests"):
            need(s, where, key, *nonneg)
        need(s, where, "cache_hit_rate", *fraction)
        need(s, where, "live_track_failed", lambda v: v == 0, "0")
        latency = need(s, where, "latency", lambda v: isinstance(v, dict), "an object") or {}
        for key in ("p50_ms", "p99_ms", "max_ms"):
            need(latency, where + ".latency", key, *positive)
        errors = need(s, where, "errors_by_code", lambda v: isinstance(v, dict), "an object") or {}
        allowed = {"DEADLINE_EXCEEDED"} if name == "model" else set()
        for code, count in errors.items():
            if code not in allowed:
                problems.append(f"{where}.errors_by_code: {count} {code}")
        if name == "model":
            need(s, where, "model_calls", *positive)
        if name == "builtin":
            need(s, where, "model_calls", lambda v: v == 0, "0 (no key)")

    for p in problems:
        print("check_shop_scale_report:", p, file=sys.stderr)
    if not problems:
        print(f"check_shop_scale_report: {path}: every figure present and sane")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
