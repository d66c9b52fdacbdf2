"""A low open-file limit, set with prlimit as an administrator would: the
daemon runs with a connection limit that fits, says so once, holds a
flood of connections on loopback, and answers again when they go."""

import os
import re
import socket
import time
import unittest

from harness import Daemon, wait_until

RESERVE = 64        # FD_BUDGET_RESERVE


def limit_lines(d):
    return len(re.findall(r" limit max_connections=", d.log()))


class LowOpenFileLimit(unittest.TestCase):

    def test_limit_of_300_gives_a_connection_limit_that_fits(self):
        with Daemon(prefix=["prlimit", "--nofile=300:300"]) as d:
            start = d.wait_log(r" start .*max_connections=")
            limit = d.wait_log(r" limit max_connections=1000 lowered_to=")
            self.assertIsNotNone(limit, d.log())
            lowered = int(re.search(r"lowered_to=(\d+)", limit).group(1))
            m = re.search(r"headroom=(\d+)", limit)
            headroom = int(m.group(1)) if m else 256   # before: fixed
            file_limit = int(re.search(r"open file limit (\d+)",
                                       limit).group(1))
            self.assertLessEqual(file_limit, 300)
            self.assertGreater(lowered, 0)
            self.assertLessEqual(lowered + headroom + RESERVE, file_limit)
            self.assertIn("max_connections=%d " % lowered, start)
            self.assertEqual(limit_lines(d), 1, d.log())

            # A flood: twice what fits, from many addresses, each
            # with half a request head
            # (the listener's TCP_DEFER_ACCEPT holds back silent ones).
            flood = []
            try:
                for i in range(2 * file_limit):
                    s = socket.socket()
                    # From 100 loopback addresses: under --max-per-ip.
                    s.bind(("127.0.1.%d" % (i % 100 + 1), 0))
                    s.setblocking(False)
                    s.connect_ex(("127.0.0.1", d.port))
                    flood.append(s)
                time.sleep(0.2)
                for s in flood:
                    try:
                        s.send(b"GET /health HTTP/1.1\r\nHost: x\r\n")
                    except OSError:
                        pass
                time.sleep(1.0)
                self.assertIsNone(d.proc.poll(), d.log())
                # The flood reached it and it kept within its budget.
                fds = len(os.listdir("/proc/%d/fd" % d.proc.pid))
                print("\n  fds held during the flood: %d (limit %d, "
                      "connections %d + headroom %d)"
                      % (fds, file_limit, lowered, headroom))
                self.assertGreaterEqual(fds, lowered)
                self.assertLessEqual(fds, file_limit)
            finally:
                for s in flood:
                    s.close()
            # Recovered: answers again, and the limit is not logged again.
            took = wait_until(lambda: d.get("/health", timeout=0.5)[0]
                              == 200, 8)
            self.assertIsNotNone(took, d.log())
            for _ in range(20):
                self.assertEqual(d.get("/health")[0], 200)
            self.assertEqual(limit_lines(d), 1, d.log())


if __name__ == "__main__":
    unittest.main()
