// Unit tests: cli.
#include <doctest/doctest.h>
