"""An address-space limit set with prlimit --as, as the issue 29 report
did: 600 connections from 127.0.{1,2,3}.x each sending half a head ("GET
/he"), then /health from new addresses. Before, memory ran out before the
table (1000) filled: admission never evicted, libmicrohttpd closed each
newcomer unlogged and all 20 /health were reset. The limit here is the
daemon's own address space at rest plus 512 KiB (the report's 10,500,000
on a daemon of about 10 MB)."""

import os
import re
import socket
import time
import unittest

from harness import Daemon

UNDER_TOOL = bool(os.environ.get("HEALTHGATE_WRAP") or
                  os.environ.get("HEALTHGATE_SANITIZED"))


def vm_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(f.read().split("VmSize:")[1].split()[0]) * 1024


@unittest.skipIf(UNDER_TOOL, "a sanitizer or valgrind maps its own memory")
class HalfOpenFloodUnderAddressSpaceLimit(unittest.TestCase):

    def test_table_is_sized_and_new_addresses_are_answered(self):
        with Daemon() as d:
            rest = vm_bytes(d.proc.pid)
        limit = rest + 512 * 1024
        flood = []
        with Daemon(prefix=["prlimit", "--as=%d" % limit]) as d:
            line = d.wait_log(r" limit .*address space limit")
            self.assertIsNotNone(line, d.log())
            lowered = int(re.search(r"lowered_to=(\d+)", line).group(1))
            try:
                for i in range(600):
                    s = socket.socket()
                    s.bind(("127.0.%d.%d" % (1 + i % 3, 1 + i // 3), 0))
                    s.setblocking(False)
                    s.connect_ex(("127.0.0.1", d.port))
                    flood.append(s)
                time.sleep(0.3)
                for s in flood:
                    try:
                        s.send(b"GET /he")
                    except OSError:
                        pass
                time.sleep(1.0)
                answers = []
                for i in range(20):
                    try:
                        answers.append(d.get("/health", timeout=1.0,
                                             source="127.0.9.%d" % (i + 1))
                                       [0])
                    except OSError as e:
                        answers.append(type(e).__name__)
                self.assertIsNone(d.proc.poll(), d.log())
            finally:
                for s in flood:
                    s.close()
            summary = d.wait_log(r" admission .*evicted_no_head=[1-9]", 6)
            print("\n  --as=%d (%d at rest): lowered_to=%d; /health from "
                  "new addresses: %s" % (limit, rest, lowered, answers))
            self.assertEqual(answers, [200] * 20, d.log()[-2000:])
            self.assertEqual(len(re.findall(r" limit .*address space",
                                            d.log())), 1)
            self.assertIsNotNone(summary, d.log()[-2000:])


if __name__ == "__main__":
    unittest.main()
