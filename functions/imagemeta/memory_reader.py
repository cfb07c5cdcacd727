"""Pillow handed the caller's buffers as one file, without copying them (a JPEG's kept segments, a palette image)."""
from __future__ import annotations

import io
from bisect import bisect_right
from itertools import accumulate
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


class MemoryReader(io.RawIOBase):
    """A seekable read-only file over buffers laid end to end, without copying them."""

    def __init__(self, *parts: bytes | bytearray | memoryview):
        self._parts = [memoryview(part).cast("B") for part in parts]
        self._starts = list(accumulate((len(part) for part in self._parts), initial=0))  # the last: the size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._starts[-1]}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        size_end = self._starts[-1]
        end = size_end if size is None or size < 0 else min(self._pos + size, size_end)
        chunks, position = [], self._pos
        while position < end:
            index = bisect_right(self._starts, position) - 1  # empty parts share the next one's start
            offset = position - self._starts[index]
            take = min(end - position, len(self._parts[index]) - offset)
            chunks.append(self._parts[index][offset : offset + take])
            position += take
        self._pos = max(self._pos, end)
        return b"".join(chunks)

    def close(self) -> None:
        """Release the buffers so a bytearray can be resized again."""
        for part in self._parts:
            part.release()
        super().close()

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        chunk = self.read(len(target))
        target[: len(chunk)] = chunk
        return len(chunk)

    def as_file(self) -> IO[bytes]:
        """This reader as the binary file Pillow's typing asks for (it reads it as one)."""
        return cast(IO[bytes], self)
