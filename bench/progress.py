"""Progress of long steps, on a terminal only: the API's own (api/progress.py), which the benchmarks share."""

from __future__ import annotations

from api.progress import NO_STEPS, Steps, Task

__all__ = ["NO_STEPS", "Steps", "Task"]
