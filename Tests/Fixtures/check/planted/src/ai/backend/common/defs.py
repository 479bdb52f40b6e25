"""Constants shared by the server-side components."""

# The release this code is heading for, as Python packaging spells it (no leading zeros).
NEXT_RELEASE_VERSION = "26.10.0"

DEFAULT_CHUNK_SIZE = 64 * 1024
