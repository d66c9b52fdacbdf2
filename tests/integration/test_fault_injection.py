"""Allocation failures injected with libfiu's fiu-run (fiu-utils), as the
issue 29 report did: the daemon may die of them, but never by libev's
abort() without a line in its log ("(libev) cannot allocate 288 bytes,
aborting", exit 134, in 2 of 25 runs at 1 %, 8 of 25 at 20 %)."""

import os
import shutil
import signal
import subprocess
import time
import unittest

from harness import BINARY, Daemon

UNDER_TOOL = bool(os.environ.get("HEALTHGATE_WRAP") or
                  os.environ.get("HEALTHGATE_SANITIZED"))
CHECKS = ["--interval", "200ms", "--timeout", "100ms",
          "--check", "a=tcp://127.0.0.1:1", "--check", "b=exec:true",
          "--check", "c=http://127.0.0.1:1/"]


def run_once(probability, seconds):
    """One daemon under fiu-run for up to seconds: (how it ended, stderr).
    It ended: its exit status (negative: the signal); else None."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HEALTHGATE_")}
    proc = subprocess.Popen(
        ["fiu-run", "-x", "-c", "enable_random name=libc/mm/*,"
         "probability=%g" % probability, BINARY, "--listen", "127.0.0.1:0"]
        + CHECKS, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=env)
    try:
        _, err = proc.communicate(timeout=seconds)
        return proc.returncode, err.decode(errors="replace")
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=5)
        return None, err.decode(errors="replace")


@unittest.skipIf(shutil.which("fiu-run") is None or UNDER_TOOL,
                 "needs fiu-run (fiu-utils), the daemon under no other tool")
class AllocationFailures(unittest.TestCase):

    def test_never_an_abort_without_a_log_line(self):
        runs = [(0.2, 1.0)] * 10 + [(0.01, 1.5)] * 6
        seen = []
        for p, secs in runs:
            rc, err = run_once(p, secs)
            seen.append(rc)
            self.assertNotIn("cannot allocate", err)
            self.assertNotEqual(rc, -signal.SIGABRT, err)
            if rc is not None:
                # Dead of it: said so, one line at least, and not 0.
                self.assertNotEqual(rc, 0, err)
                self.assertRegex(err, r" error exit |out of memory", err)
        print("\n  16 runs under fiu-run (10 at 20 %%, 6 at 1 %%): exits %s"
              % seen)


@unittest.skipIf(shutil.which("strace") is None or UNDER_TOOL,
                 "needs strace, the daemon under no other tool")
class OwnDescriptorsRunOut(unittest.TestCase):
    """Once the check is up, strace (attached by pid) fails every
    socket() of the daemon with EMFILE: healthgate's own want, not the
    app's. Before, the tcp check went down ("connect: Too many open
    files") and with --fall 1 /health said 503 while the app listened all
    along."""

    def test_check_keeps_its_verdict_and_says_why(self):
        import socket as so
        app = so.socket()
        app.bind(("127.0.0.1", 0))
        app.listen(64)
        tracer = None
        with Daemon("--interval", "200ms", "--timeout", "150ms",
                    "--fall", "1", "--check",
                    "db=tcp://127.0.0.1:%d" % app.getsockname()[1]) as d:
            try:
                self.assertIsNotNone(d.wait_log(r" check_up name=db"),
                                     d.log())
                tracer = subprocess.Popen(
                    ["strace", "-f", "-qq", "-o", os.devnull, "-p",
                     str(d.proc.pid), "-e", "trace=socket", "-e",
                     "inject=socket:error=EMFILE"])
                skipped = d.wait_log(r" check_skipped ", timeout=5)
                time.sleep(1.0)     # five more runs without a socket
                statuses = [d.get("/health")[0] for _ in range(5)]
                _, _, metrics = d.get("/metrics")
            finally:
                if tracer:
                    tracer.send_signal(signal.SIGINT)   # detaches
                    tracer.wait(10)
                app.close()
        print("\n  %s; /health %s" % (skipped and skipped.split(" ", 2)[2],
                                       statuses))
        self.assertIsNotNone(skipped, d.log())
        self.assertIn('reason="connect: Too many open files" kept=up',
                      skipped)
        self.assertEqual(statuses, [200] * 5, d.log())
        self.assertNotIn("check_down", d.log())
        self.assertEqual(d.log().count(" check_skipped "), 1, d.log())
        self.assertRegex(metrics.decode(), r'healthgate_check_skipped_total'
                         r'\{check="db"\} [1-9]')


@unittest.skipIf(shutil.which("strace") is None or UNDER_TOOL,
                 "needs strace, the daemon under no other tool")
class OwnProcessesRunOut(unittest.TestCase):
    """The same for an exec check: every clone of the daemon fails with
    EAGAIN (as at RLIMIT_NPROC). Before, posix_spawn's error went down as
    the app's ("spawn"), and with --fall 1 /health said 503."""

    def test_exec_check_keeps_its_verdict(self):
        tracer = None
        with Daemon("--interval", "200ms", "--timeout", "150ms",
                    "--fall", "1", "--check", "cmd=exec:/bin/true") as d:
            try:
                self.assertIsNotNone(d.wait_log(r" check_up name=cmd"),
                                     d.log())
                tracer = subprocess.Popen(
                    ["strace", "-f", "-qq", "-o", os.devnull, "-p",
                     str(d.proc.pid), "-e", "trace=clone,clone3,fork,vfork",
                     "-e", "inject=clone,clone3,fork,vfork:error=EAGAIN"])
                skipped = d.wait_log(r" check_skipped ", timeout=5)
                time.sleep(1.0)
                statuses = [d.get("/health")[0] for _ in range(5)]
            finally:
                if tracer:
                    tracer.send_signal(signal.SIGINT)
                    tracer.wait(10)
        self.assertIsNotNone(skipped, d.log())
        self.assertIn("Resource temporarily unavailable", skipped)
        self.assertEqual(statuses, [200] * 5, d.log())
        self.assertNotIn("check_down", d.log())


if __name__ == "__main__":
    unittest.main()
