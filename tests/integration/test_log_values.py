"""Log values are escaped where the line is written, never altered: an
exec check whose output holds a quote, a backslash, a newline, a tab and
"key=value" shows that output whole in its check_down line, read back from
text logs by a logfmt reader and from JSON logs by json.loads."""

import json
import os
import tempfile
import unittest

from harness import Daemon

OUTPUT = 'say "hi" \\ back\tkey=value\nnext line'
REASON = "exit status 1: " + OUTPUT


def logfmt(line):
    """key=value fields of a text line (after TS LEVEL EVENT): a value is
    bare to the next space or quoted with \\" \\\\ \\n \\r \\t \\xHH."""
    fields, i = {}, 0
    while i < len(line):
        if line[i] == " ":
            i += 1
            continue
        eq = line.index("=", i)
        key, i = line[i:eq], eq + 1
        if i < len(line) and line[i] == '"':
            out, i = bytearray(), i + 1
            while line[i] != '"':
                c = line[i]
                if c == "\\":
                    i += 1
                    c = line[i]
                    if c == "x":
                        out.append(int(line[i + 1:i + 3], 16))
                        i += 3
                        continue
                    c = {"n": "\n", "r": "\r", "t": "\t"}.get(c, c)
                out += c.encode()
                i += 1
            fields[key] = out.decode("utf-8", "surrogateescape")
            i += 1
        else:
            end = line.find(" ", i)
            end = len(line) if end < 0 else end
            fields[key] = line[i:end]
            i = end
    return fields


class ReasonsLoseNothing(unittest.TestCase):

    def setUp(self):
        with tempfile.NamedTemporaryFile("w", suffix=".sh",
                                         delete=False) as f:
            # printf, so the shell adds nothing: the bytes of OUTPUT.
            f.write("#!/bin/sh\nprintf '%s\\n' " +
                    "'" + OUTPUT.replace("'", "'\\''") + "'\nexit 1\n")
        os.chmod(f.name, 0o755)
        self.script = f.name

    def tearDown(self):
        os.unlink(self.script)

    def test_text_log_escapes_the_reason(self):
        with Daemon("--interval", "200ms", "--timeout", "150ms", "--check",
                    "odd=exec:%s" % self.script) as d:
            line = d.wait_log(r" check_down name=odd ", timeout=3)
            self.assertIsNotNone(line, d.log())
            self.assertNotIn("\n", line.rstrip("\n"))
            rest = line.rstrip("\n").split(" check_down ", 1)[1]
            got = logfmt(rest)
            self.assertEqual(got["reason"], REASON, line)
            self.assertEqual(got["name"], "odd")
            self.assertEqual(got["result"], "exit")
            self.assertIn(r'\"hi\" \\ back\tkey=value\nnext line"', line)

    def test_json_log_carries_the_reason(self):
        with Daemon("--log-format", "json", "--interval", "200ms",
                    "--timeout", "150ms", "--check",
                    "odd=exec:%s" % self.script) as d:
            line = d.wait_log(r'"event":"check_down"', timeout=3)
            self.assertIsNotNone(line, d.log())
            obj = json.loads(line)
            self.assertEqual(obj["reason"], REASON, line)
            self.assertEqual(obj["name"], "odd")


if __name__ == "__main__":
    unittest.main()
