// Unit tests: gen.
#include <doctest/doctest.h>
