"""The pHash sample's shortcuts give libvips' own bytes: checked on every input they can see.

Expectations come from libvips itself (the operation sharp runs), computed here on all inputs.
"""
import numpy as np
import pyvips

from imagemeta.sample import to_grey

EVERY_COLOUR = 1 << 24
SIDE = 4096  # SIDE * SIDE = every 8-bit RGB colour once


def test_rgba_to_grey_equals_libvips_on_every_colour_and_alpha() -> None:
    # Every 8-bit colour once, each with a scrambled alpha so every alpha value occurs thousands of times.
    n = np.arange(EVERY_COLOUR, dtype=np.uint32)
    pixels = np.stack([n >> 16, (n >> 8) & 255, n & 255, (n * 2654435761 >> 24) & 255], axis=-1).astype(np.uint8)
    rgba = pyvips.Image.new_from_memory(pixels.tobytes(), SIDE, SIDE, 4, "uchar").copy(interpretation="srgb")
    ours = to_grey(rgba)
    theirs = rgba.colourspace("b-w")
    assert (ours.bands, ours.format, ours.interpretation) == (theirs.bands, theirs.format, theirs.interpretation)
    assert ours.write_to_memory() == theirs.write_to_memory()
