"""Progress of long loops, written to a rule's log: count, rate and time left, at a readable pace.

Log files are not terminals: no carriage returns or bars, one line at most every
``every`` seconds (and the last one), e.g.
``predicting windows: 1,200/4,800 (25%), 41.3/s, about 1m27s left``.
"""

import time


def _duration(seconds):
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class Progress:
    """Counts work done and logs it.

    Parameters
    ----------
    total : int
        Units of work (windows, batches, chromosomes).
    what : str
        What is counted, starting the line.
    logger : logging.Logger
    every : float
        Least seconds between two lines.
    clock : callable
        Seconds, monotonic (a test gives its own).
    """

    def __init__(self, total, what, logger, every=30.0, clock=time.monotonic):
        self.total, self.what, self.logger, self.every, self.clock = int(total), what, logger, every, clock
        self.done = 0
        self.start = self.last = clock()

    def advance(self, n=1):
        """Count ``n`` more units; log a line if ``every`` seconds have passed or the work is done."""
        self.done += n
        now = self.clock()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            self.logger.info("%s", self.line(now))

    def line(self, now):
        """The progress line at time ``now``."""
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        text = f"{self.what}: {self.done:,}/{self.total:,} ({100 * self.done / max(self.total, 1):.0f}%), {rate:.1f}/s"
        if self.done >= self.total:
            return f"{text}, done in {_duration(elapsed)}"
        return f"{text}, about {_duration((self.total - self.done) / rate)} left" if rate > 0 else text
