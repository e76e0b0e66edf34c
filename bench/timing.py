"""The timing loop every view benchmark shares: one request to warm up, then the median of `repeat` more."""
import statistics
import time


def median_ms(client, path: str, repeat: int = 5, headers: dict | None = None) -> float:
    """The median time in milliseconds to get `path` through the app, after one request that must succeed."""
    assert client.get(path, headers=headers or {}).status_code == 200, path
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path, headers=headers or {})
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
