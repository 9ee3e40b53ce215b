"""Shared image helpers, shipped as the `imaging` layer (Lambda extracts it under /opt,
and /opt/python is on the Python path)."""


def thumbnail_size(width, height, target):
    """The size of a thumbnail `target` pixels wide that keeps the aspect ratio."""
    if width <= 0:
        return (target, target)
    return (target, max(1, round(height * target / width)))
