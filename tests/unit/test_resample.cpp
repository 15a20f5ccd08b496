// Unit tests: resample.
#include <doctest/doctest.h>
