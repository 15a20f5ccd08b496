// Unit tests: loudness.
#include <doctest/doctest.h>
