import sys
import time


class Progress:
    """A one-line progress bar on a terminal; one line per step otherwise (logs, CI)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()

    def step(self, label: str, total: int):
        return _Step(self, label, total)


class _Step:
    def __init__(self, progress: Progress, label: str, total: int):
        self.progress, self.label, self.total, self.done = progress, label, max(total, 1), 0
        self.started = time.monotonic()
        self._draw()

    def advance(self, count: int = 1):
        self.done += count
        if self.progress.tty and (self.done == self.total or self.done % max(1, self.total // 50) == 0):
            self._draw()

    def _draw(self):
        if not self.progress.tty:
            return
        width = 30
        filled = int(width * min(self.done, self.total) / self.total)
        self.progress.stream.write(f"\r  {self.label:<12} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        self.progress.stream.flush()

    def finish(self, summary: str = ""):
        seconds = time.monotonic() - self.started
        line = f"  {self.label:<12} {summary or f'{self.done} 项'}  ({seconds:.1f}s)"
        if self.progress.tty:
            self.progress.stream.write("\r" + line + " " * 20 + "\n")
        else:
            self.progress.stream.write(line + "\n")
        self.progress.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.finish()
