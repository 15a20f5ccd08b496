"""The route table of ts-serve and the operations of docs/api/openapi.json are the same set,
and every operation documents its 4xx answers."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import SPEC, main, tool  # noqa: E402


class Spec(unittest.TestCase):
    def test_routes_match_operations(self):
        out = subprocess.run([tool("ts-serve"), "routes"], capture_output=True, text=True, timeout=30, check=True).stdout
        routes = {tuple(line.split(" ", 1)) for line in out.splitlines()}
        self.assertGreater(len(routes), 15)
        ops = {(m.upper(), p) for p, item in SPEC["paths"].items() for m in item
               if m in ("get", "post", "put", "patch", "delete")}
        self.assertEqual(sorted(routes - ops), [], "routes missing from the spec")
        self.assertEqual(sorted(ops - routes), [], "operations the server lacks")

    def test_every_operation_is_documented(self):
        ids = set()
        for path, item in SPEC["paths"].items():
            for m, op in item.items():
                if m == "parameters":
                    continue
                self.assertNotIn(op["operationId"], ids)
                ids.add(op["operationId"])
                self.assertTrue(op.get("summary"), (m, path))
                codes = set(op["responses"])
                if op.get("security") != []:  # every route behind a token answers 401 and 403
                    self.assertTrue({"401", "403"} <= codes, (m, path, codes))
                    self.assertIn(op["x-scope"], ("read", "annotate", "process", "admin"))
                if "{id}" in path:
                    self.assertIn("404", codes, (m, path))

    def test_scopes_match_the_server(self):
        # x-scope in the spec is what the server enforces: checked through the route table's
        # own listing of scopes.
        out = subprocess.run([tool("ts-serve"), "routes", "--scopes"], capture_output=True, text=True, timeout=30, check=True).stdout
        for line in out.splitlines():
            method, path, scope = line.split(" ")
            op = SPEC["paths"][path][method.lower()]
            self.assertEqual(op.get("x-scope", "none"), scope, (method, path))


if __name__ == "__main__":
    main()
