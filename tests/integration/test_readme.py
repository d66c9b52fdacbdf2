"""README.md's and docs/'s examples run as printed, and their links lead
somewhere.

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
silently skipped.
Every relative link ([text](path#anchor)) names a file of the tree, and
its anchor a heading of that file, as GitHub makes anchors."""

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
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PAGES = ["README.md"] + sorted(
    os.path.join("docs", n) for n in os.listdir(os.path.join(ROOT, "docs"))
    if n.endswith(".md"))
BLOCK_SECONDS = 30

FENCE = re.compile(r"^```(\S*)\s*$")
IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])")
IPV6 = re.compile(r"\[([0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)\]")


def blocks(page):
    """(kind, first line number, text) for every fenced block of a page."""
    out, kind, start, body = [], None, 0, []
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
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
        raise AssertionError("%s:%d: fence never closed" % (page, start))
    return out


def all_blocks():
    """(page, kind, line, text) for every fenced block of every page."""
    return [(p,) + b for p in PAGES for b in blocks(p)]


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchor(heading):
    """GitHub's anchor for a heading: lower case, punctuation but - and _
    dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page):
    """Every heading's anchor in a page, outside fences."""
    out, fence = set(), False
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                fence = not fence
            elif not fence and line.startswith("#"):
                out.add(anchor(line.lstrip("#")))
    return out


def broken_links(page):
    """Relative links of a page, outside fences, that lead nowhere."""
    bad, fence = [], False
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
        lines = f.readlines()
    for n, line in enumerate(lines, 1):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        for target in LINK.findall(line):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, frag = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(page), path)
                                    ) if path else page
            if not os.path.exists(os.path.join(ROOT, dest)):
                bad.append("%s:%d: %s: no such file" % (page, n, target))
            elif frag and dest.endswith(".md") and frag not in anchors(dest):
                bad.append("%s:%d: %s: no such heading" % (page, n, target))
    return bad


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
        unnamed = ["%s:%d" % (page, start)
                   for page, kind, start, _ in all_blocks() if kind == ""]
        self.assertEqual(unnamed, [], "%s: a fence without a kind (```sh "
                         "runs here, ```text does not)" % unnamed)

    def test_links_lead_somewhere(self):
        bad = [b for page in PAGES for b in broken_links(page)]
        self.assertEqual(bad, [], "\n".join(bad))

    def test_sh_blocks_talk_to_loopback_only(self):
        for page, kind, start, text in all_blocks():
            if kind == "sh":
                self.assertEqual(foreign_addresses(text), [],
                                 "%s:%d: not loopback" % (page, start))

    def test_sh_blocks_run_as_printed(self):
        netns = netns_prefix()
        sh = [(page, start, text)
              for page, kind, start, text in all_blocks() if kind == "sh"]
        self.assertTrue([1 for page, _, _ in sh if page == "README.md"],
                        "README.md has no ```sh block")
        for page, start, text in sh:
            with self.subTest(page=page, line=start):
                if foreign_addresses(text):
                    self.fail("%s:%d: not loopback, not run" % (page, start))
                t0 = time.monotonic()
                rc, out, left = run_block(text, netns)
                took = time.monotonic() - t0
                where = "%s:%d (%.1f s%s)" % (
                    page, start, took, "" if netns else ", no netns")
                self.assertIsNotNone(rc, "%s: still running after %d s:\n%s"
                                     % (where, BLOCK_SECONDS, out))
                self.assertEqual(rc, 0, "%s: exit %s:\n%s" % (where, rc, out))
                self.assertFalse(left, "%s: left processes running (stop "
                                 "what the block starts):\n%s" % (where, out))
                print("\n  %s: ok" % where, end="")

    def test_image_tags_are_this_version(self):
        """Every healthgate image a reader copies (docs, deploy kit,
        docker/) is tagged with this version: python-recipe-test builds
        docker/python/ against healthgate:VERSION, and a stale tag was
        first seen there, 50 minutes into CI."""
        version = subprocess.run(
            [os.path.join(ROOT, "scripts", "version.sh")], check=True,
            capture_output=True, text=True).stdout.strip()
        tag = re.compile(
            r"(?<![\w-])healthgate(?:/healthgate)?:(\d+\.\d+\.\d+)")
        files = PAGES + [
            os.path.join(d, n)
            for d in ("deploy/ecs", "deploy/kubernetes",
                      "deploy/github-actions", "docker/python")
            for n in sorted(os.listdir(os.path.join(ROOT, d)))]
        stale = []
        for name in files:
            with open(os.path.join(ROOT, name), encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    stale += ["%s:%d: %s" % (name, n, m.group(0))
                              for m in tag.finditer(line)
                              if m.group(1) != version]
        self.assertEqual(stale, [], "not tagged %s" % version)


if __name__ == "__main__":
    unittest.main()
