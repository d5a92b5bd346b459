"""The load run's figures (bench/load.py) and their rendering (bench/report.py), without running locust.

The steady state and the logins of the ramp-up are reported apart: a login that failed is counted and shown, never
dropped by the reset of statistics; a request kind that the reset left empty is not a row of the table.
"""

from __future__ import annotations

import json

import pytest

from bench import load, report

pytestmark = pytest.mark.scaled


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50.0
    assert load.percentile(values, 95) == 95.0
    assert load.percentile([7.0], 95) == 7.0
    assert load.percentile([], 95) == 0.0


def test_logins_are_counted_with_their_errors_and_the_ramp(tmp_path):
    recorded = tmp_path / "logins.json"
    logins = [{"request": "GET login form", "ms": 20.0, "error": ""} for _ in range(3)]
    logins += [{"request": "POST login", "ms": ms, "error": ""} for ms in (900.0, 1200.0)]
    logins.append({"request": "POST login", "ms": 30.0, "error": "login refused for x (status 200)"})
    window = {"spawn_started": 100.0, "steady_started": 125.5, "ended": 185.5}
    recorded.write_text(json.dumps({"logins": logins, "window": window}))

    figures = load.login_stats(recorded)

    post = figures["by_request"]["POST login"]
    assert (post["requests"], post["errors"], post["max_ms"]) == (3, 1, 1200.0)
    assert post["first_errors"] == ["login refused for x (status 200)"]
    assert figures["by_request"]["GET login form"]["errors"] == 0
    assert (figures["ramp_s"], figures["steady_s"]) == (25.5, 60.0)


def test_locust_rows_left_empty_by_the_reset_are_not_reported(tmp_path):
    header = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%\n"
    (tmp_path / "locust_stats.csv").write_text(
        header + "POST,login,0,0,0.0,N/A,N/A\nGET,home,10,1,2.5,120,310\n,Aggregated,10,1,2.5,120,310\n"
    )
    stats = load.locust_stats(tmp_path / "locust")
    assert list(stats["by_request"]) == ["GET home"]
    assert stats["total"] == {"requests": 10, "errors": 1, "rps": 2.5, "p50_ms": 120.0, "p95_ms": 310.0}


def test_report_shows_the_steady_state_against_the_target_and_the_logins_apart():
    figures = {"requests": 400, "errors": 0, "rps": 6.7, "p50_ms": 80.0, "p95_ms": 250.0}
    results = {
        "load": {
            "users": 50,
            "seconds": 60,
            "spawn_rate": 2,
            "think_time_s": [3, 10],
            "gunicorn": "2 instances x 2 workers x 4 threads",
            "personas": {"board": 6, "secretary": 44},
            "load_average": {"before": [1.0, 1.0, 1.0], "after": [2.0, 1.5, 1.0]},
            "total": figures,
            "by_request": {"GET home": figures},
            "failures": [],
            "logins": {
                "by_request": {
                    "POST login": {
                        "requests": 50,
                        "errors": 2,
                        "p50_ms": 900.0,
                        "p95_ms": 4000.0,
                        "max_ms": 5000.0,
                        "first_errors": ["login refused for y (status 200)"],
                    }
                },
                "ramp_s": 31.0,
                "steady_s": 60.0,
            },
        }
    }
    text = report.table(results)
    assert "Target: met." in text  # the logins' 4 s p95 is not the steady state's
    assert "| POST login | 50 | 2 | 900.0 | 4000.0 | 5000.0 |" in text
    assert "login refused for y" in text
    assert "6 board, 44 secretary" in text

    results["load"]["total"] = {**figures, "p95_ms": 450.0}
    assert "Target: **missed** (p95 +150 ms)." in report.table(results)
