"""The reader's weights read in plain Python: one draft's scores without importing numpy.

The weights file is numpy's `.npy` format (a short header, then little-endian float16 rows);
only the rows a draft's n-grams hit are unpacked, so a one-shot check costs a millisecond or
two instead of numpy's import.
"""

from __future__ import annotations

import ast
import math
import mmap
import struct
from pathlib import Path

from rapport.bot.engine.reader.features import HashSpace, char_ids, normalise, word_ids

__all__ = ["PlainTable"]

_MAGIC = b"\x93NUMPY"


class PlainTable:
    """Weights left in their file's bytes, one row unpacked per n-gram bucket a draft hits."""

    @classmethod
    def open(cls, path: Path, space: HashSpace) -> PlainTable:
        """Map the weights file into memory: only the pages a draft's rows are on are read."""
        with path.open("rb") as f:
            return cls(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), space)

    def __init__(self, blob: bytes | mmap.mmap, space: HashSpace) -> None:
        if blob[:6] != _MAGIC or len(blob) < 10:
            raise ValueError("not a .npy file")
        major = blob[6]
        size_bytes = 2 if major == 1 else 4
        header_len = int.from_bytes(blob[8 : 8 + size_bytes], "little")
        start = 8 + size_bytes
        header = ast.literal_eval(blob[start : start + header_len].decode("latin-1"))
        if header["descr"] != "<f2" or header["fortran_order"]:
            raise ValueError(f"unexpected weights layout {header}")
        rows, cols = header["shape"]
        self.shape: tuple[int, int] = (int(rows), int(cols))
        if len(blob) != start + header_len + rows * cols * 2:
            raise ValueError(f"{len(blob)} bytes, not the {rows}×{cols} float16 rows it declares")
        self.space = space
        self._blob = blob
        self._offset = start + header_len
        self._row = struct.Struct(f"<{cols}e")

    def _sum_rows(self, ids: list[int], weight: float, into: list[float]) -> None:
        unpack, offset, step = self._row.unpack_from, self._offset, self._row.size
        total = [0.0] * self.shape[1]
        for i in ids:
            total = [
                a + b for a, b in zip(total, unpack(self._blob, offset + i * step), strict=True)
            ]
        for k, v in enumerate(total):
            into[k] += v * weight

    def text_scores(self, texts: list[str]) -> list[list[float]]:
        """Each text's n-gram contribution to every output."""
        out = []
        for text in texts:
            norm = normalise(text)
            z = [0.0] * self.shape[1]
            for ids in (char_ids(norm, self.space), word_ids(norm, self.space)):
                if ids:
                    self._sum_rows(ids, 1.0 / math.sqrt(len(ids)), z)
            out.append(z)
        return out

    def evidence_scores(self, values: list[float]) -> list[float]:
        """The evidence vector's contribution to every output."""
        z = [0.0] * self.shape[1]
        unpack, step = self._row.unpack_from, self._row.size
        for k, v in enumerate(values):
            if v:
                row = unpack(self._blob, self._offset + (self.space.size + k) * step)
                z = [a + v * b for a, b in zip(z, row, strict=True)]
        return z
