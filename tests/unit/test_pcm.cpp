// Unit tests: pcm.
#include <doctest/doctest.h>
