"""Requests and items as bytes, for the Redis queue and the item stream.

Requests travel as Scrapy's ``Request.to_dict`` (callbacks by name) pickled. Their ``cb_kwargs``
hold our own objects (a column's walk state, a page, a record, and on Jiangxi's new platform the
detail request a relation answer leads to, whose callback is a bound method of the spider): the
spider itself is never pickled but written as a reference to "the spider", which the reading
process resolves to its own spider of the same family. Items are plain pickles.

Pickle runs code of whoever wrote the bytes: the Redis server of a crawl must be reachable by
the crawl's own processes only (docs/distributed.md, "Trust").
"""

from __future__ import annotations

import io
import pickle
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict

_SPIDER = "spider"


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, spider: Spider | None) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.spider = spider

    def persistent_id(self, obj: Any) -> str | None:
        return _SPIDER if obj is not None and obj is self.spider else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, spider: Spider | None) -> None:
        super().__init__(file)
        self.spider = spider

    def persistent_load(self, pid: Any) -> Any:
        if pid == _SPIDER and self.spider is not None:
            return self.spider
        raise pickle.UnpicklingError(f"unknown persistent reference {pid!r}")


def dumps(obj: Any, spider: Spider | None = None) -> bytes:
    """Pickle ``obj``, with ``spider`` as a reference rather than a copy."""
    buffer = io.BytesIO()
    _Pickler(buffer, spider).dump(obj)
    return buffer.getvalue()


def loads(data: bytes, spider: Spider | None = None) -> Any:
    """Unpickle ``data``, resolving the spider reference to ``spider``."""
    return _Unpickler(io.BytesIO(data), spider).load()


def original(callback: Any) -> Any:
    """The spider method behind a callback the worker wrapped (``spider.Wrapped``)."""
    return getattr(callback, "original", callback)


def encode_request(request: Request, spider: Spider) -> bytes:
    """A request as bytes; a callback the worker wrapped is written as the method it wraps."""
    callback, errback = original(request.callback), original(request.errback)
    if callback is not request.callback or errback is not request.errback:
        request = request.replace(callback=callback, errback=errback)
    return dumps(request.to_dict(spider=spider), spider)


def decode_request(data: bytes, spider: Spider) -> Request:
    """The request ``encode_request`` wrote, its callbacks resolved on ``spider``."""
    return request_from_dict(loads(data, spider), spider=spider)
