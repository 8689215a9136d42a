"""Progress lines: paced by the clock, with count, rate and time left; always the last one."""

import logging

from hicmodels.progress import Progress


def test_lines_are_paced_and_say_rate_and_time_left(caplog):
    now = [0.0]
    progress = Progress(100, "predicting windows", logging.getLogger("t"), every=10, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="t"):
        for step in range(100):
            now[0] += 0.5  # 2 windows a second
            progress.advance()
    lines = caplog.messages
    assert lines[0] == "predicting windows: 20/100 (20%), 2.0/s, about 40s left"
    assert len(lines) == 5  # every 10 s of the 50, the last one included once
    assert lines[-1] == "predicting windows: 100/100 (100%), 2.0/s, done in 50s"


def test_long_work_reads_in_hours_and_minutes():
    progress = Progress(10_000, "batches", logging.getLogger("t"), clock=lambda: 0.0)
    progress.done = 100
    assert progress.line(100.0) == "batches: 100/10,000 (1%), 1.0/s, about 2h45m left"
    assert progress.line(1.0) == "batches: 100/10,000 (1%), 100.0/s, about 1m39s left"
