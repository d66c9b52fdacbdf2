"""The drain watches gRPC probers as it watches HTTP ones: ALB-like
prober nodes at a tenth of an ALB's timing (a check every 0.5 s, the
shortest ALB interval of 5 s over ten), each on its own loopback source
(grpcpeer.SourceProxy: grpcio cannot pick one), polling healthgate's gRPC
port with a real grpcio client. After SIGTERM healthgate exits only once
each has been failed --drain-fall times, and never later than the cap."""

import time
import unittest

from grpcpeer import Prober, SourceProxy
from harness import SIGTERM, wait_until
from test_robust import bounded
from test_grpc_listen import grpc_daemon

SOURCES = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
PERIOD = 0.5
FALL = 2
CAP = 6.0


class GrpcDrain(unittest.TestCase):

    def probers(self, d, sources):
        proxies = [SourceProxy(s, d.gport) for s in sources]
        probers = [Prober(p.port, period=PERIOD) for p in proxies]
        for p in probers:
            p.start()
        self.assertTrue(wait_until(
            lambda: all(len(p.results) >= 2 for p in probers), 5),
            [p.results for p in probers])
        return proxies, probers

    def test_exit_after_each_grpc_prober_saw_its_failures(self):
        with grpc_daemon("--drain-fall", str(FALL), "--drain-window", "3s",
                         "--drain-ignore", "none", "--drain-timeout",
                         "%gs" % CAP) as d:
            proxies, probers = self.probers(d, SOURCES)
            t0 = time.monotonic()
            d.signal(SIGTERM)
            rc = d.wait(CAP + 3)
            t_exit = time.monotonic()
            for p in probers:
                p.stop()
            for x in proxies:
                x.close()
            self.assertEqual(rc, 0, d.log())
            self.assertLess(t_exit - t0, CAP, "ended by the cap")
            for src, p in zip(SOURCES, probers):
                failed = [r for r in p.results if t0 <= r[0] <= t_exit and
                          r[1] == "UNAVAILABLE"]
                self.assertGreaterEqual(len(failed), FALL, (src, p.results))
                # Never a SERVING answer once the drain began.
                self.assertNotIn("SERVING", [r[2] for r in p.results
                                             if r[0] >= t0 + 0.05])
                self.assertIsNotNone(d.wait_log(
                    r"prober_done addr=%s failures=%d" %
                    (src.replace(".", r"\."), FALL), 1), d.log())
            self.assertIsNotNone(d.wait_log(
                r"drain_end reason=evidence watched=3 served=3"), d.log())
            # At 0.5 s a prober, two failures each take about 1 s.
            bounded(self, t_exit - t0, 2 * FALL * PERIOD + 1.5, "drain")

    def test_a_prober_that_cannot_see_enough_is_capped(self):
        with grpc_daemon("--drain-fall", "50", "--drain-window", "3s",
                         "--drain-ignore", "none",
                         "--drain-timeout", "3s") as d:
            proxies, probers = self.probers(d, SOURCES[:1])
            t0 = time.monotonic()
            d.signal(SIGTERM)
            rc = d.wait(8)
            took = time.monotonic() - t0
            for p in probers:
                p.stop()
            for x in proxies:
                x.close()
            self.assertEqual(rc, 0)
            self.assertGreater(took, 2.8)
            bounded(self, took, 4.5, "exit after a 3 s cap")
            self.assertIsNotNone(d.wait_log(r"drain_capped reason=cap "
                                            r"watched=1"), d.log())


if __name__ == "__main__":
    unittest.main()
