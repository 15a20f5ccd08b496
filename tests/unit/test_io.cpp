// Unit tests: io.
#include <doctest/doctest.h>
