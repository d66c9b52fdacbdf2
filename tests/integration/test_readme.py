"""README.md's examples run as printed.

Every block fenced as ```sh is a command a reader copies, and is run here
exactly as written:
- with `sh -e` in a fresh temporary directory (also $HOME and $TMPDIR),
  with `healthgate` on PATH as the binary under test;
- in a network namespace of its own when unshare(1) can make one (loopback
  only, brought up first, so fixed example ports never meet another test),
  else on the host's loopback; an address outside 127.0.0.0/8 and ::1 in a
  block fails the test before anything runs;
- in its own process group, for at most BLOCK_SECONDS. It must exit 0 and
  leave nothing running: a block that starts a daemon in the background
  stops it itself (`kill $pid; wait`). Whatever is left is killed with the
  group, and the test fails saying so.
A block that cannot run here (it needs root, a container engine, AWS, a
real systemd) is fenced ```text and says why beside it. Every fence names
its kind (sh, text, json, yaml, dockerfile, ...), so a new block is never
silently skipped."""

import ipaddress
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import BINARY

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "..", "..", "README.md")
BLOCK_SECONDS = 30

FENCE = re.compile(r"^```(\S*)\s*$")
IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])")
IPV6 = re.compile(r"\[([0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)\]")


def blocks(path=README):
    """(kind, first line number, text) for every fenced block."""
    out, kind, start, body = [], None, 0, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = FENCE.match(line.rstrip("\n"))
            if kind is None:
                if m:
                    kind, start, body = m.group(1), n, []
            elif m and m.group(1) == "":
                out.append((kind, start, "".join(body)))
                kind = None
            else:
                body.append(line)
    if kind is not None:
        raise AssertionError("README.md:%d: fence never closed" % start)
    return out


def foreign_addresses(text):
    """Literal addresses in text outside loopback."""
    bad = []
    for rx in (IPV4, IPV6):
        for m in rx.finditer(text):
            try:
                a = ipaddress.ip_address(m.group(1))
            except ValueError:
                continue
            if not (a.is_loopback or a.is_unspecified):
                bad.append(m.group(1))
    return bad


def netns_prefix():
    """The command that runs a block in a new network namespace with its
    loopback up, or None where unshare(1) cannot make one."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return None
    probe = subprocess.run(["unshare", "--net", "--map-root-user", "sh",
                            "-c", "ip link set lo up"],
                           capture_output=True, timeout=10)
    if probe.returncode != 0:
        return None
    return ["unshare", "--net", "--map-root-user", "sh", "-c",
            'ip link set lo up && exec sh -e "$0"']


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def run_block(text, netns):
    """(exit status or None on timeout, output, leftovers killed)."""
    with tempfile.TemporaryDirectory(prefix="readme-") as tmp:
        bindir = os.path.join(tmp, ".bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(BINARY), os.path.join(bindir, "healthgate"))
        script = os.path.join(bindir, "block.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(text)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HEALTHGATE_")}
        env.update(PATH=bindir + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
                   HOME=tmp, TMPDIR=tmp)
        cmd = (netns or ["sh", "-e"]) + [script]
        # Output to a file, not a pipe: a daemon left behind would hold a
        # pipe open, and the block's end must not wait for it.
        log = os.path.join(bindir, "out")
        with open(log, "w", encoding="utf-8") as out_f:
            proc = subprocess.Popen(cmd, cwd=tmp, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out_f,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
            try:
                rc = proc.wait(timeout=BLOCK_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                rc = None
        # Anything of the block's still in its group is a daemon it did
        # not stop; a short grace lets ones it just signalled finish.
        deadline = time.monotonic() + 2
        while group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = group_alive(proc.pid)
        if left:
            os.killpg(proc.pid, signal.SIGKILL)
        with open(log, encoding="utf-8", errors="replace") as f:
            out = f.read()
        return rc, out, left


class Readme(unittest.TestCase):

    def test_every_fence_names_its_kind(self):
        unnamed = [start for kind, start, _ in blocks() if kind == ""]
        self.assertEqual(unnamed, [], "README.md lines %s: a fence without "
                         "a kind (```sh runs here, ```text does not)" % unnamed)

    def test_sh_blocks_talk_to_loopback_only(self):
        for kind, start, text in blocks():
            if kind == "sh":
                self.assertEqual(foreign_addresses(text), [],
                                 "README.md:%d: not loopback" % start)

    def test_sh_blocks_run_as_printed(self):
        netns = netns_prefix()
        sh = [(start, text) for kind, start, text in blocks() if kind == "sh"]
        self.assertTrue(sh, "README.md has no ```sh block")
        for start, text in sh:
            with self.subTest(line=start):
                if foreign_addresses(text):
                    self.fail("README.md:%d: not loopback, not run" % start)
                t0 = time.monotonic()
                rc, out, left = run_block(text, netns)
                took = time.monotonic() - t0
                where = "README.md:%d (%.1f s%s)" % (
                    start, took, "" if netns else ", no netns")
                self.assertIsNotNone(rc, "%s: still running after %d s:\n%s"
                                     % (where, BLOCK_SECONDS, out))
                self.assertEqual(rc, 0, "%s: exit %s:\n%s" % (where, rc, out))
                self.assertFalse(left, "%s: left processes running (stop "
                                 "what the block starts):\n%s" % (where, out))
                print("\n  %s: ok" % where, end="")


if __name__ == "__main__":
    unittest.main()
