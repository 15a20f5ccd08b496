// Unit tests: dsp.
#include <doctest/doctest.h>
