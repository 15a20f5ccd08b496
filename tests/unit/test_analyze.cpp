// Unit tests: analyze.
#include <doctest/doctest.h>
