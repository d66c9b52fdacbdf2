"""Run by test_admin_access.py inside a network namespace of its own
(unshare --net): its loopback interface up, holding besides 127.0.0.1 and
::1 the documentation addresses 192.0.2.1 and 2001:db8::1, which exist
only in this namespace and are not loopback addresses: a request from
them is a request from outside loopback. (No dummy or veth link: this
kernel may lack their modules; lo has no need of one.) Prints one JSON
object of what it saw. Every process it starts is stopped by pid.

    unshare --net python3 netns_admin.py BINARY"""

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
V4, V6 = "192.0.2.1", "2001:db8::1"
TOKEN = "k8s-Secret_t0ken"


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True, timeout=10)


def setup():
    sh("ip", "link", "set", "lo", "up")
    sh("ip", "addr", "add", V4 + "/32", "dev", "lo")
    sh("ip", "-6", "addr", "add", V6 + "/128", "dev", "lo", "nodad")


class Daemon:
    def __init__(self, *args):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HEALTHGATE_")}
        self.p = subprocess.Popen([BIN, "--listen", "[::]:8081"] +
                                  list(args), env=env, text=True,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        self.lines = []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        end = time.monotonic() + 5
        while not any(" start " in x for x in self.lines):
            if time.monotonic() > end:
                raise RuntimeError("no start line: %r" % self.lines)
            time.sleep(0.02)

    def _read(self):
        for line in self.p.stderr:
            self.lines.append(line.rstrip("\n"))

    def stop(self):
        self.p.kill()
        self.p.wait(5)
        self.t.join(2)


def call(method, path, host, source, auth=None):
    """(status, body) of one request from source to host:8081."""
    c = http.client.HTTPConnection(host, 8081, timeout=3,
                                   source_address=(source, 0))
    headers = {"User-Agent": "healthgate-probe/netns"}
    if auth is not None:
        headers["Authorization"] = auth
    try:
        c.request(method, path, headers=headers)
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


def health():
    return call("GET", "/health", "127.0.0.1", "127.0.0.1")[0]


def ctl(*args, token_file=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HEALTHGATE_")}
    if token_file:
        env["HEALTHGATE_ADMIN_TOKEN_FILE"] = token_file
    r = subprocess.run([BIN, "ctl"] + list(args), env=env,
                       capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout, r.stderr


def refusals(d, since):
    return [x for x in d.lines[since:] if "admin_refused" in x]


def main():
    out = {}
    setup()
    tmp = tempfile.mkdtemp(prefix="hg-netns-")
    tok = os.path.join(tmp, "token")
    with open(tok, "w") as f:
        f.write(TOKEN + "\n")
    d = Daemon("--admin-token-file", tok)
    try:
        for fam, host in (("v4", V4), ("v6", V6)):
            for name, auth in (("none", None), ("wrong", "Bearer nope"),
                               ("basic", "Basic " + TOKEN),
                               ("prefix", "Bearer " + TOKEN[:-1])):
                n = len(d.lines)
                st, body = call("POST", "/admin/maintenance/on", host, host,
                                auth)
                time.sleep(0.05)
                out["%s_%s" % (fam, name)] = {
                    "status": st, "health": health(),
                    "refusal_lines": refusals(d, n)}
            n = len(d.lines)
            st, _ = call("POST", "/admin/maintenance/on", host, host,
                         "Bearer " + TOKEN)
            out["%s_right" % fam] = {"status": st, "health": health()}
            st, _ = call("POST", "/admin/maintenance/off", host, host,
                         "Bearer " + TOKEN)
            out["%s_right_off" % fam] = {"status": st, "health": health()}
            # The status verb too, and a drain refused changes nothing.
            st, _ = call("POST", "/admin/drain", host, host, "Bearer x")
            out["%s_drain_refused" % fam] = {"status": st,
                                             "health": health()}
        # Loopback needs no token even with a token file.
        out["loopback"] = call("GET", "/admin/status", "127.0.0.1",
                               "127.0.0.1")[0]
        # ctl from outside loopback: without the token 1, with it 0.
        out["ctl_no_token"] = ctl("maintenance", "on", "--url",
                                  "http://%s:8081" % V4)
        out["ctl_token"] = ctl("maintenance", "on", "--url",
                               "http://%s:8081" % V4, token_file=tok)
        out["ctl_token_health"] = health()
        out["token_in_log"] = any(TOKEN in x for x in d.lines)
        out["log"] = [x for x in d.lines if "admin" in x]
    finally:
        d.stop()
    # No token file: nobody from outside, whatever they send.
    d = Daemon()
    try:
        st, body = call("POST", "/admin/maintenance/on", V4, V4,
                        "Bearer " + TOKEN)
        time.sleep(0.05)
        out["no_file"] = {"status": st, "health": health(),
                          "reason": re.findall(r"reason=(\w+)",
                                               "\n".join(refusals(d, 0)))}
    finally:
        d.stop()
    print(json.dumps(out))


main()
