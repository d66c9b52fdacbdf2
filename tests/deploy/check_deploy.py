#!/usr/bin/env python3
"""Holds the deploy kit under deploy/ to itself, to the daemon and to plan.

    python3 tests/deploy/check_deploy.py build/healthgate

Reads every file under deploy/ (JSON with the standard library, YAML with
the small reader below, Terraform with the smaller one below it; the
Kubernetes manifests in deploy/kubernetes/ are check_kubernetes.py's), then
checks that the files agree with each other, that healthgate's settings in
the task definition are the daemon's defaults, that the ALB and ECS
settings are the ones `healthgate plan` assumes, and that `healthgate plan`
fed the files' numbers finds no contradiction. Every "healthgate plan: KEY
Xs typical, Ys worst" comment in deploy/ must match plan's figures.

Python 3 standard library only. When PyYAML happens to be installed, the
YAML reader's results are also compared with PyYAML's; without it that
check is skipped, never failed. Ends with "N passed, M failed"; exit 1 if
anything failed.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TASKDEF = DEPLOY / "ecs" / "task-definition.json"
CFN = DEPLOY / "alb" / "target-group.yaml"
TF = DEPLOY / "alb" / "target-group.tf"
WORKFLOW = DEPLOY / "github-actions" / "deploy.yml"
DESCRIBE_TG = DEPLOY / "alb" / "describe-target-groups.json"
DESCRIBE_ATTRS = DEPLOY / "alb" / "describe-target-group-attributes.json"
HEALTH_CMD = ["CMD", "/healthgate", "probe", "http://127.0.0.1:8081/live"]
SUPERVISED = DEPLOY / "ecs" / "task-definition-supervised.json"
PYTHON_RECIPE = ROOT / "docker" / "python" / "Dockerfile"
FARGATE_STOP_MAX = 120
KUBERNETES = DEPLOY / "kubernetes"


class ParseError(Exception):
    pass


# --- a YAML reader for the subset deploy/ uses --------------------------
#
# Block mappings and sequences, plain and quoted scalars, flow sequences of
# scalars, empty {} and [], | and > block scalars, comments, and
# CloudFormation's short tags (!Ref X -> {"Ref": "X"}, !Sub x ->
# {"Fn::Sub": "x"}). Scalars resolve as YAML 1.2 does: true and false are
# booleans, "on" is a string (GitHub Actions' trigger key).

INT_RE = re.compile(r"^[-+]?[0-9]+$")
FLOAT_RE = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")


def _tagged(tag, value):
    return {"Ref": value} if tag == "Ref" else {"Fn::" + tag: value}


def _strip_comment(s):
    """s without a trailing comment: a # at the start or after a space,
    outside quotes."""
    quote = None
    for k, ch in enumerate(s):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (k == 0 or s[k - 1] in " [,:"):
            quote = ch
        elif ch == "#" and (k == 0 or s[k - 1] in " \t"):
            return s[:k].rstrip()
    return s.rstrip()


def _unquote(s, lineno):
    if s[0] == "'":
        if not s.endswith("'") or len(s) < 2:
            raise ParseError("line %d: unterminated '" % lineno)
        return s[1:-1].replace("''", "'")
    if not s.endswith('"') or len(s) < 2:
        raise ParseError('line %d: unterminated "' % lineno)
    try:
        return json.loads(s)
    except ValueError as e:
        raise ParseError("line %d: %s" % (lineno, e))


def _split_flow(s, lineno):
    items, depth, quote, cur = [], 0, None, ""
    for ch in s:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if quote or depth:
        raise ParseError("line %d: unbalanced flow collection" % lineno)
    if cur.strip():
        items.append(cur.strip())
    return items


def _scalar(s, lineno):
    s = _strip_comment(s).strip()
    if s == "":
        return None
    if s.startswith("!"):
        tag, _, rest = s[1:].partition(" ")
        return _tagged(tag, _scalar(rest, lineno))
    if s[0] in "'\"":
        return _unquote(s, lineno)
    if s[0] == "[":
        if not s.endswith("]"):
            raise ParseError("line %d: unterminated [" % lineno)
        return [_scalar(x, lineno) for x in _split_flow(s[1:-1], lineno)]
    if s[0] == "{":
        if s.replace(" ", "") != "{}":
            raise ParseError("line %d: flow mappings are not supported"
                             % lineno)
        return {}
    if s in ("null", "~", "Null", "NULL"):
        return None
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if INT_RE.match(s):
        return int(s)
    if FLOAT_RE.match(s):
        return float(s)
    if s[0] in "&*|>%@`":
        raise ParseError("line %d: %r is not supported" % (lineno, s))
    return s


def _split_key(s):
    """(key, rest) when s is "key: rest" or "key:", else None."""
    if s[:1] in "'\"":
        end = s.find(s[0], 1)
        if end < 0 or s[end + 1:end + 2] != ":":
            return None
        rest = s[end + 2:]
        if rest and rest[0] != " ":
            return None
        return s[1:end], rest.strip()
    if s[:1] in "[{!&*":
        return None
    m = re.match(r"^([^#][^:]*?):( |$)", s)
    if not m:
        return None
    return m.group(1).strip(), s[m.end():].strip()


class MiniYAML:
    def __init__(self, text):
        self.lines = text.split("\n")
        self.n = len(self.lines)

    @staticmethod
    def indent(line):
        return len(line) - len(line.lstrip(" "))

    def skip(self, i):
        while i < self.n:
            s = self.lines[i].strip()
            if s and not s.startswith("#") and s != "---":
                if "\t" in self.lines[i][:self.indent(self.lines[i]) + 1]:
                    raise ParseError("line %d: tab in indentation" % (i + 1))
                return i
            i += 1
        return i

    def load(self):
        i = self.skip(0)
        if i >= self.n:
            return None
        value, i = self.block(i, self.indent(self.lines[i]))
        i = self.skip(i)
        if i < self.n:
            raise ParseError("line %d: unexpected indentation" % (i + 1))
        return value

    def block(self, i, ind):
        body = self.lines[i][ind:]
        if body == "-" or body.startswith("- "):
            return self.seq(i, ind)
        if _split_key(_strip_comment(body)) is not None:
            return self.mapping(i, ind)
        return _scalar(body, i + 1), i + 1

    def value_after_key(self, i, ind, rest):
        """The value of a "key:" on line i, whose own indent is ind."""
        if rest[:1] in ("|", ">"):
            return self.block_scalar(i + 1, ind, _strip_comment(rest))
        if rest:
            return _scalar(rest, i + 1), i + 1
        j = self.skip(i + 1)
        if j < self.n:
            jind = self.indent(self.lines[j])
            body = self.lines[j][jind:]
            if jind > ind:
                return self.block(j, jind)
            if jind == ind and (body == "-" or body.startswith("- ")):
                return self.seq(j, ind)
        return None, i + 1

    def mapping(self, i, ind):
        out = {}
        while True:
            i = self.skip(i)
            if i >= self.n or self.indent(self.lines[i]) < ind:
                return out, i
            if self.indent(self.lines[i]) > ind:
                raise ParseError("line %d: unexpected indentation" % (i + 1))
            body = _strip_comment(self.lines[i][ind:])
            if body == "-" or body.startswith("- "):
                return out, i
            kv = _split_key(body)
            if kv is None:
                raise ParseError("line %d: expected \"key: value\"" % (i + 1))
            key, rest = kv
            if key in out:
                raise ParseError("line %d: duplicate key %r" % (i + 1, key))
            out[key], i = self.value_after_key(i, ind, rest)

    def seq(self, i, ind):
        out = []
        while True:
            i = self.skip(i)
            if i >= self.n or self.indent(self.lines[i]) != ind:
                return out, i
            body = self.lines[i][ind:]
            if not (body == "-" or body.startswith("- ")):
                return out, i
            text = body[1:]
            if _strip_comment(text).strip() == "":
                j = self.skip(i + 1)
                if j < self.n and self.indent(self.lines[j]) > ind:
                    value, i = self.block(j, self.indent(self.lines[j]))
                else:
                    value, i = None, i + 1
            else:
                # The item starts a block of its own at its first column.
                sub = ind + 1 + self.indent(text)
                self.lines[i] = " " * sub + text.lstrip(" ")
                value, i = self.block(i, sub)
            out.append(value)

    def block_scalar(self, i, parent, header):
        style, chomp = header[0], header[1:].strip()
        if chomp not in ("", "-", "+"):
            raise ParseError("line %d: block scalar header %r" % (i, header))
        lines, ind = [], None
        while i < self.n:
            line = self.lines[i]
            if line.strip() == "":
                lines.append("")
                i += 1
                continue
            li = self.indent(line)
            if ind is None:
                if li <= parent:
                    break
                ind = li
            if li < ind:
                break
            lines.append(line[ind:])
            i += 1
        trailing = 0
        while lines and lines[-1] == "":
            lines.pop()
            trailing += 1
        if style == "|":
            text = "\n".join(lines)
        else:
            text, prev_blank = "", True
            for line in lines:
                if line == "":
                    text += "\n"
                    prev_blank = True
                else:
                    text += ("" if prev_blank else " ") + line
                    prev_blank = False
        if chomp == "-":
            return text, i
        if chomp == "+":
            return text + "\n" * (trailing + 1), i
        return (text + "\n") if lines else "", i


def yaml_load(text):
    return MiniYAML(text).load()


def pyyaml_load(text):
    """PyYAML's reading, with YAML 1.2 booleans and CloudFormation tags,
    or None when PyYAML is not installed."""
    try:
        import yaml
    except ImportError:
        return None

    class Loader(yaml.SafeLoader):
        pass

    # YAML 1.1 reads "on" as true; GitHub and YAML 1.2 do not.
    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|"
                                             r"False|FALSE)$"), list("tTfF"))

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node)
        else:
            value = loader.construct_mapping(node)
        return _tagged(suffix, value)

    Loader.add_multi_constructor("!", tagged)
    return yaml.load(text, Loader=Loader)


# --- a Terraform reader for the values deploy/ sets ----------------------
#
# Blocks ("type "label" ... { ... }") and "name = value" attributes whose
# values are strings, numbers, booleans, references (kept as their text)
# and lists of those. A block becomes a dict under its type and labels.

HCL_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<nl>\n)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<num>-?[0-9]+(?:\.[0-9]+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*)
  | (?P<punct>[{}\[\]=,])
""", re.X | re.S)


def _hcl_tokens(text):
    pos, line, out = 0, 1, []
    while pos < len(text):
        m = HCL_TOKEN.match(text, pos)
        if not m:
            raise ParseError("line %d: cannot read %r" % (line,
                                                          text[pos:pos + 20]))
        kind = m.lastgroup
        if kind == "nl":
            out.append(("nl", "\n", line))
        elif kind not in ("ws", "comment"):
            out.append((kind, m.group(), line))
        line += m.group().count("\n")
        pos = m.end()
    out.append(("eof", "", line))
    return out


class MiniHCL:
    def __init__(self, text):
        self.toks = _hcl_tokens(text)
        self.k = 0

    def peek(self):
        return self.toks[self.k]

    def take(self, kind=None, value=None):
        tok = self.toks[self.k]
        if (kind and tok[0] != kind) or (value and tok[1] != value):
            raise ParseError("line %d: expected %s, found %r" % (
                tok[2], value or kind, tok[1]))
        self.k += 1
        return tok

    def skip_nl(self):
        while self.peek()[0] == "nl":
            self.k += 1

    def load(self):
        body = self.body()
        self.take("eof")
        return body

    def body(self):
        out = {}
        while True:
            self.skip_nl()
            kind, value, line = self.peek()
            if kind in ("eof",) or value == "}":
                return out
            name = self.take("ident")[1]
            if self.peek()[1] == "=":
                self.take(value="=")
                if name in out:
                    raise ParseError("line %d: %s set twice" % (line, name))
                out[name] = self.expr()
                if self.peek()[0] not in ("nl", "eof") and \
                        self.peek()[1] != "}":
                    raise ParseError("line %d: one attribute a line" % line)
                continue
            labels = []
            while self.peek()[0] == "str":
                labels.append(json.loads(self.take("str")[1]))
            self.take(value="{")
            inner = self.body()
            self.take(value="}")
            path, node = [name] + labels, out
            for key in path[:-1]:
                node = node.setdefault(key, {})
            if path[-1] in node:
                raise ParseError("line %d: block %s twice" % (
                    line, " ".join(path)))
            node[path[-1]] = inner

    def expr(self):
        kind, value, line = self.take()
        if kind == "str":
            return json.loads(value)
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "ident":
            return {"true": True, "false": False, "null": None}.get(
                value, {"ref": value})
        if value == "[":
            items = []
            while True:
                self.skip_nl()
                if self.peek()[1] == "]":
                    self.take()
                    return items
                items.append(self.expr())
                self.skip_nl()
                if self.peek()[1] == ",":
                    self.take()
        raise ParseError("line %d: unexpected %r" % (line, value))


def hcl_load(text):
    return MiniHCL(text).load()


# --- the checks ---------------------------------------------------------

class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, why=""):
        if ok:
            self.passed += 1
            print("ok   - %s" % name)
        else:
            self.failed += 1
            print("FAIL - %s%s" % (name, ": " + why if why else ""))
        return ok

    def equal(self, got, want, name):
        return self.check(got == want, name, "%r, want %r" % (got, want))

    def skip(self, name, why):
        print("skip - %s: %s" % (name, why))


def fmt_ms(ms):
    """plan_format_ms, so comments compare as plan prints them."""
    ms = max(ms, 0)
    whole = int(ms + 0.5)
    if 0 < ms < 1000:
        return "%.0fms" % ms
    if ms < 120000:
        if whole % 1000 == 0:
            return "%ds" % (whole // 1000)
        if whole % 100 == 0:
            return "%.1fs" % (ms / 1000)
        return "%.2fs" % (ms / 1000)
    whole = int(ms / 1000 + 0.5)
    return "%dm%02ds" % (whole // 60, whole % 60)


def run_plan(binary, args, env):
    """(exit status, stdout, stderr) of `healthgate plan ARGS` with exactly
    env as the environment (plus PATH)."""
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    full.update(env)
    p = subprocess.run([binary, "plan"] + args, env=full,
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def plan_json(rep, binary, args, env, name):
    rc, out, err = run_plan(binary, args + ["--format", "json"], env)
    try:
        doc = json.loads(out)
    except ValueError as e:
        rep.check(False, name, "no JSON (exit %d): %s %s" % (rc, e,
                                                             err.strip()))
        return rc, None
    rep.check(True, name)
    return rc, doc


def kit_files():
    """Every file under deploy/ but the Kubernetes manifests, whose
    multi-document YAML check_kubernetes.py reads (with Kubernetes'
    schema and healthgate plan --manifest)."""
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file() and
                  KUBERNETES not in p.parents)


def read_all(rep):
    """Every file under deploy/, parsed by its kind."""
    docs = {}
    files = kit_files()
    rep.check(len(files) > 0, "deploy/ has files")
    for path in files:
        rel = path.relative_to(ROOT)
        text = path.read_text()
        try:
            if path.suffix == ".json":
                docs[path] = json.loads(text)
            elif path.suffix in (".yaml", ".yml"):
                docs[path] = yaml_load(text)
            elif path.suffix == ".tf":
                docs[path] = hcl_load(text)
            else:
                rep.check(False, "%s has a reader" % rel,
                          "no reader for %s files" % path.suffix)
                continue
        except (ValueError, ParseError) as e:
            rep.check(False, "%s parses" % rel, str(e))
            continue
        rep.check(isinstance(docs[path], dict), "%s parses" % rel,
                  "top level is not a mapping")
        if path.suffix in (".yaml", ".yml"):
            theirs = pyyaml_load(text)
            if theirs is None:
                rep.skip("%s reads the same with PyYAML" % rel,
                         "PyYAML not installed")
            else:
                rep.equal(docs[path], theirs,
                          "%s reads the same with PyYAML" % rel)
    return docs


def container(taskdef, name):
    for c in taskdef.get("containerDefinitions", []):
        if c.get("name") == name:
            return c
    return {}


def ports(c):
    return [m.get("containerPort") for m in c.get("portMappings", [])]


def listen_port(value):
    m = re.search(r":([0-9]+)$", value or "")
    return int(m.group(1)) if m else None


def target_group_values(rep, cfn, tf):
    """The target group as one dict of plain values, from either file,
    checking field by field that they agree."""
    res = [r for r in (cfn.get("Resources") or {}).values()
           if r.get("Type") == "AWS::ElasticLoadBalancingV2::TargetGroup"]
    rep.equal(len(res), 1, "target-group.yaml has one target group")
    p = res[0].get("Properties", {}) if res else {}
    attrs = {a.get("Key"): a.get("Value")
             for a in p.get("TargetGroupAttributes", [])}
    tgs = (tf.get("resource") or {}).get("aws_lb_target_group") or {}
    rep.equal(len(tgs), 1, "target-group.tf has one aws_lb_target_group")
    t = next(iter(tgs.values())) if tgs else {}
    hc = t.get("health_check", {})

    def num(v):
        return int(v) if v is not None and str(v).isdigit() else v

    fields = [
        ("target type", p.get("TargetType"), t.get("target_type")),
        ("protocol", p.get("Protocol"), t.get("protocol")),
        ("traffic port", num(p.get("Port")), num(t.get("port"))),
        ("health check enabled", p.get("HealthCheckEnabled"),
         hc.get("enabled")),
        ("health check protocol", p.get("HealthCheckProtocol"),
         hc.get("protocol")),
        ("health check port", num(p.get("HealthCheckPort")),
         num(hc.get("port"))),
        ("health check path", p.get("HealthCheckPath"), hc.get("path")),
        ("interval", num(p.get("HealthCheckIntervalSeconds")),
         num(hc.get("interval"))),
        ("timeout", num(p.get("HealthCheckTimeoutSeconds")),
         num(hc.get("timeout"))),
        ("healthy threshold", num(p.get("HealthyThresholdCount")),
         num(hc.get("healthy_threshold"))),
        ("unhealthy threshold", num(p.get("UnhealthyThresholdCount")),
         num(hc.get("unhealthy_threshold"))),
        ("matcher", str((p.get("Matcher") or {}).get("HttpCode")),
         str(hc.get("matcher"))),
        ("deregistration delay",
         num(attrs.get("deregistration_delay.timeout_seconds")),
         num(t.get("deregistration_delay"))),
    ]
    out = {}
    for name, a, b in fields:
        rep.check(a == b and a is not None,
                  "yaml and tf agree on the %s" % name,
                  "yaml %r, tf %r" % (a, b))
        out[name] = a
    return out


def check_taskdef(rep, td):
    app, hg = container(td, "app"), container(td, "healthgate")
    rep.check(bool(app), "task definition has an app container")
    rep.check(bool(hg), "task definition has a healthgate container")
    rep.check(app.get("essential") is True and hg.get("essential") is True,
              "both containers are essential")
    rep.equal(hg.get("dependsOn"), [{"containerName": "app",
                                     "condition": "START"}],
              "healthgate dependsOn app START (so ECS stops it first)")
    rep.equal((hg.get("healthCheck") or {}).get("command"), HEALTH_CMD,
              "healthgate's container health check probes /live")
    hcheck = hg.get("healthCheck") or {}
    rep.check(hcheck.get("timeout", 0) < hcheck.get("interval", 0),
              "container health check timeout is below its interval")
    env = {e["name"]: e["value"] for e in hg.get("environment", [])}
    rep.equal(listen_port(env.get("HEALTHGATE_LISTEN")),
              (ports(hg) or [None])[0],
              "HEALTHGATE_LISTEN's port is healthgate's container port")
    m = re.search(r"http://(127\.0\.0\.1|localhost|\[::1\]):([0-9]+)/",
                  env.get("HEALTHGATE_CHECKS", ""))
    rep.check(m is not None and int(m.group(2)) in ports(app),
              "HEALTHGATE_CHECKS checks the app's container port over "
              "loopback", env.get("HEALTHGATE_CHECKS", "(unset)"))
    rep.equal(app.get("stopTimeout"), hg.get("stopTimeout"),
              "app and healthgate have one stopTimeout (plan takes one)")
    if "FARGATE" in td.get("requiresCompatibilities", []):
        rep.check(0 < (hg.get("stopTimeout") or 0) <= FARGATE_STOP_MAX,
                  "stopTimeout is within Fargate's 120 s",
                  str(hg.get("stopTimeout")))
    dockerfile = ROOT / "docker" / "Dockerfile"
    if dockerfile.exists():
        m = re.search(r"HEALTHCHECK\s+(.*?)\s+CMD", dockerfile.read_text(),
                      re.S)
        opts = dict(re.findall(r"--([a-z-]+)=([0-9a-z]+)",
                               m.group(1))) if m else {}
        image = {"interval": opts.get("interval"),
                 "timeout": opts.get("timeout"),
                 "retries": opts.get("retries"),
                 "startPeriod": opts.get("start-period")}
        ours = {k: None if hcheck.get(k) is None else (
            str(hcheck[k]) if k == "retries" else "%ds" % hcheck[k])
            for k in image}
        rep.equal(ours, image, "container health check times match "
                  "docker/Dockerfile's HEALTHCHECK")
    else:
        rep.skip("container health check times match docker/Dockerfile",
                 "no docker/Dockerfile yet")
    return app, hg, env


def check_workflow(rep, wf, text, td, hg, expected_flags):
    steps = ((wf.get("jobs") or {}).get("deploy") or {}).get("steps") or []
    rep.check(len(steps) > 0, "deploy.yml has a deploy job with steps")

    def uses(prefix):
        return [s for s in steps if str(s.get("uses", "")).startswith(prefix)]

    deploy = uses("aws-actions/amazon-ecs-deploy-task-definition@")
    rep.equal(len(deploy), 1, "deploy.yml deploys with "
              "amazon-ecs-deploy-task-definition")
    w = (deploy[0].get("with") or {}) if deploy else {}
    rep.check(w.get("wait-for-service-stability") in (True, "true"),
              "the deploy step keeps wait-for-service-stability: true",
              repr(w.get("wait-for-service-stability")))
    render = uses("aws-actions/amazon-ecs-render-task-definition@")
    rw = (render[0].get("with") or {}) if render else {}
    rep.check(rw.get("task-definition") == str(TASKDEF.relative_to(ROOT)),
              "the workflow renders deploy/ecs/task-definition.json",
              repr(rw.get("task-definition")))
    rep.check(bool(container(td, rw.get("container-name"))),
              "the rendered container is in the task definition",
              repr(rw.get("container-name")))
    build = uses("docker/build-push-action@")
    bw = (build[0].get("with") or {}) if build else {}
    rep.check("type=gha" in str(bw.get("cache-from")) and
              "type=gha" in str(bw.get("cache-to")),
              "the build caches its layers, dependencies included",
              "cache-from %r, cache-to %r" % (bw.get("cache-from"),
                                              bw.get("cache-to")))
    rep.equal((wf.get("env") or {}).get("HEALTHGATE_IMAGE"), hg.get("image"),
              "the workflow's healthgate image is the task definition's")

    # Every step says how long it should take, in the comment above it.
    lines = text.split("\n")
    untimed = []
    for k, line in enumerate(lines):
        if re.match(r"^\s*- name:", line):
            j, comment = k - 1, ""
            while j >= 0 and lines[j].strip().startswith("#"):
                comment = lines[j] + comment
                j -= 1
            if not re.search(r"~\s*[0-9]", comment):
                untimed.append(line.strip()[len("- name:"):].strip())
    rep.check(not untimed, "every workflow step has a time in its comment",
              ", ".join(untimed))

    planned = [s for s in steps if " plan " in str(s.get("run", ""))]
    rep.equal(len(planned), 1, "the workflow runs healthgate plan")
    if planned:
        words = shlex.split(planned[0]["run"].replace("\\\n", " "))
        args = words[words.index("plan") + 1:]
        flags = dict(zip(args[0::2], args[1::2]))
        for flag, want in expected_flags.items():
            rep.equal(flags.get(flag), want,
                      "the workflow's plan step has %s %s" % (flag, want))


def check_markers(rep, figures):
    """Every "healthgate plan: KEY Xs typical, Ys worst" in deploy/."""
    seen = 0
    pat = re.compile(r"healthgate plan: ([a-z_0-9]+) (\S+) typical, "
                     r"(\S+) worst")
    for path in kit_files():
        for m in pat.finditer(path.read_text()):
            seen += 1
            key, typ, worst = m.groups()
            f = figures.get(key)
            rel = path.relative_to(ROOT)
            if f is None:
                rep.check(False, "%s: plan has a figure %s" % (rel, key))
                continue
            want = (fmt_ms(f["typical_ms"]), fmt_ms(f["worst_ms"]))
            rep.equal((typ.rstrip(";,."), worst.rstrip(";,.")), want,
                      "%s: %s is plan's %s typical, %s worst" % (
                          rel, key, want[0], want[1]))
    rep.check(seen > 0, "deploy/ quotes plan's figures somewhere")


def run_checks(rep, binary):
    docs = read_all(rep)
    td, cfn = docs.get(TASKDEF, {}), docs.get(CFN, {})
    tf, wf = docs.get(TF, {}), docs.get(WORKFLOW, {})
    for path in (TASKDEF, CFN, TF, WORKFLOW):
        rep.check(path in docs, "%s is there and read" % path.relative_to(
            ROOT))

    app, hg, env = check_taskdef(rep, td)
    tg = target_group_values(rep, cfn, tf)
    rep.equal(tg["health check port"], (ports(hg) or [None])[0],
              "the ALB checks healthgate's container port")
    rep.equal(tg["traffic port"], (ports(app) or [None])[0],
              "the ALB sends traffic to the app's container port")
    rep.equal(tg["health check path"], "/health",
              "the ALB checks /health")
    rep.equal(tg["matcher"], "200", "the ALB wants 200")

    # The describe outputs committed beside them are the same target group.
    desc = {}
    for path in (DESCRIBE_TG, DESCRIBE_ATTRS):
        desc[path] = docs.get(path, {})
        rep.check(path in docs, "%s is there and read" %
                  path.relative_to(ROOT))
    groups = desc[DESCRIBE_TG].get("TargetGroups") or [{}]
    g = groups[0]
    attrs = {a.get("Key"): a.get("Value")
             for a in desc[DESCRIBE_ATTRS].get("Attributes", [])}
    for name, theirs in [
            ("interval", g.get("HealthCheckIntervalSeconds")),
            ("timeout", g.get("HealthCheckTimeoutSeconds")),
            ("healthy threshold", g.get("HealthyThresholdCount")),
            ("unhealthy threshold", g.get("UnhealthyThresholdCount")),
            ("health check path", g.get("HealthCheckPath")),
            ("health check port", int(g.get("HealthCheckPort") or 0)),
            ("traffic port", g.get("Port")),
            ("matcher", (g.get("Matcher") or {}).get("HttpCode")),
            ("deregistration delay", int(attrs.get(
                "deregistration_delay.timeout_seconds") or -1))]:
        rep.equal(theirs, tg[name], "the describe outputs' %s is the "
                  "target group's" % name)

    # Unless told, plan assumes what AWS assumes.
    _, bare = plan_json(rep, binary, [], {}, "plan --format json runs "
                        "with no options")
    if bare is None:
        return
    d = bare["inputs"]
    for name, want, got in [
            ("interval", 30000, d["alb_interval_ms"]),
            ("timeout", 5000, d["alb_timeout_ms"]),
            ("healthy threshold", 5, d["alb_healthy"]),
            ("unhealthy threshold", 2, d["alb_unhealthy"]),
            ("deregistration delay", 300000, d["deregistration_delay_ms"]),
            ("stop timeout (no stopTimeout)", 30000, d["stop_timeout_ms"])]:
        rep.equal(got, want, "plan's default %s is AWS's" % name)

    # The kit's own files, read by plan itself.
    files = ["--target-group", str(DESCRIBE_TG),
             "--target-group", str(DESCRIBE_ATTRS)]
    stop = hg.get("stopTimeout")
    flags = ["--alb-interval", "%ds" % tg["interval"],
             "--alb-timeout", "%ds" % tg["timeout"],
             "--alb-healthy", str(tg["healthy threshold"]),
             "--alb-unhealthy", str(tg["unhealthy threshold"]),
             "--deregistration-delay", "%ds" % tg["deregistration delay"]]
    rc, kit = plan_json(rep, binary, ["--task-definition", str(TASKDEF)] +
                        files, {}, "plan reads the kit's task definition "
                        "and describe outputs")
    if kit is None:
        return
    k = kit["inputs"]
    for name, want, got in [
            ("interval", tg["interval"] * 1000, k["alb_interval_ms"]),
            ("timeout", tg["timeout"] * 1000, k["alb_timeout_ms"]),
            ("healthy threshold", tg["healthy threshold"], k["alb_healthy"]),
            ("unhealthy threshold", tg["unhealthy threshold"],
             k["alb_unhealthy"]),
            ("deregistration delay", tg["deregistration delay"] * 1000,
             k["deregistration_delay_ms"]),
            ("stop timeout", (stop or 0) * 1000, k["stop_timeout_ms"])]:
        rep.equal(got, want, "plan read the kit's %s" % name)
    rep.equal(k["depends_on_app"], "yes", "plan sees healthgate dependsOn "
              "the app")
    rep.equal(k["container_check_uses_live"], "yes", "plan sees the "
              "container health check ask /live")
    for key in ("interval_ms", "timeout_ms", "rise", "fall",
                "drain_timeout_ms", "drain_fall", "drain_window_ms"):
        rep.equal(k[key], d[key], "the task definition's %s is the "
                  "daemon's default" % key)
    rep.check(rc == 0 and kit["ok"] is True and not kit["contradictions"],
              "plan finds no contradiction in deploy/ (exit %d)" % rc,
              "; ".join(c["problem"] for c in kit["contradictions"]))
    slow = [f["problem"] for f in kit["findings"] if f["level"] == "slow"]
    rep.check(not slow, "plan finds no slow setting in deploy/",
              "; ".join(slow))
    rc, out, err = run_plan(binary, ["--task-definition", str(TASKDEF)] +
                            files, {})
    rep.check(rc == 0 and "no contradictions" in out,
              "plan's text output agrees (exit %d)" % rc, err.strip())

    # The same settings typed as flags give the same plan.
    hg_env = {k2: v for k2, v in env.items() if k2.startswith("HEALTHGATE_")}
    rc, typed = plan_json(rep, binary, flags + ["--stop-timeout", "%ds" % (
        stop or 0)], hg_env, "plan runs on the same settings as flags")
    if typed is not None:
        same = {x: y for x, y in kit["inputs"].items()
                if x not in ("depends_on_app", "container_check_uses_live")}
        rep.equal({x: typed["inputs"][x] for x in same}, same,
                  "the files and the flags give plan the same inputs")
        rep.equal(typed["figures"], kit["figures"],
                  "the files and the flags give the same figures")

    # Proof that these checks can fail, on copies of the kit's files.
    with tempfile.TemporaryDirectory() as tmp:
        cap_s = "%ds" % (k["drain_timeout_ms"] // 1000)
        rc, broken = plan_json(rep, binary, ["--task-definition",
                               str(TASKDEF), "--stop-timeout", cap_s] +
                               files, {}, "plan runs with a stop timeout at "
                               "the cap")
        rep.check(rc == 1 and broken is not None and any(
            c["key"] == "drain_cap_not_below_stop_timeout"
            for c in broken["contradictions"]),
            "plan refuses a stop timeout at the drain cap (exit %d)" % rc)

        nostop = json.loads(TASKDEF.read_text())
        for c in nostop["containerDefinitions"]:
            c.pop("stopTimeout", None)
        nostop_path = Path(tmp) / "no-stop-timeout.json"
        nostop_path.write_text(json.dumps({"taskDefinition": nostop}))
        rc, ns = plan_json(rep, binary, ["--task-definition",
                           str(nostop_path)] + files, {},
                           "plan reads a describe output without "
                           "stopTimeout")
        rep.check(rc == 1 and ns is not None and
                  ns["inputs"]["stop_timeout_ms"] == 30000 and
                  not ns["inputs"]["stop_timeout_set"] and any(
                      c["key"] == "drain_cap_not_below_stop_timeout"
                      for c in ns["contradictions"]),
                  "no stopTimeout is ECS's 30 s, against the 30 s cap "
                  "(exit %d)" % rc)

        bad = Path(tmp) / "bad.json"
        bad.write_text(TASKDEF.read_text()[:200])
        rc, out, err = run_plan(binary, ["--task-definition", str(bad)], {})
        rep.check(rc == 2 and out == "" and err.count("\n") == 1 and
                  str(bad) in err, "a cut task definition: one line naming "
                  "the file, exit 2 (exit %d)" % rc, err.strip())

    # Every other task definition in the kit passes through plan too.
    for other in sorted(TASKDEF.parent.glob("*.json")):
        if other == TASKDEF:
            continue
        rel = other.relative_to(ROOT)
        rc, o = plan_json(rep, binary, ["--task-definition", str(other)] +
                          files, {}, "plan reads %s" % rel)
        rep.check(rc == 0 and o is not None and o["ok"] is True,
                  "plan finds no contradiction in %s (exit %d)" % (rel, rc),
                  "; ".join(c["problem"] for c in
                            (o or {}).get("contradictions", [])))
        words = [w for c in json.loads(other.read_text()).get(
            "containerDefinitions", []) for w in
            (c.get("entryPoint") or []) + (c.get("command") or [])]
        if o is not None:
            rep.equal(o["inputs"]["supervisor"], "--" in words,
                      "plan sees %s's supervisor mode (a \"--\" in its "
                      "command line) as it is" % rel)

    check_workflow(rep, wf, WORKFLOW.read_text(), td, hg, {
        "--alb-interval": "%ds" % tg["interval"],
        "--alb-timeout": "%ds" % tg["timeout"],
        "--alb-healthy": str(tg["healthy threshold"]),
        "--alb-unhealthy": str(tg["unhealthy threshold"]),
        "--deregistration-delay": "%ds" % tg["deregistration delay"],
        "--task-definition": "/deploy/ecs/task-definition.json",
    })
    check_markers(rep, {f["key"]: f for f in kit["figures"]})
    check_supervised(rep, binary)


def _seconds(text):
    """A healthgate duration ("30s", "2s", "500ms", "1m") in seconds."""
    total = 0.0
    for num, unit in re.findall(r"([0-9.]+)(ms|s|m|h)?", text or ""):
        total += float(num) * {"ms": 0.001, "s": 1, "m": 60,
                               "h": 3600}.get(unit or "s")
    return total


def check_supervised(rep, binary):
    """The single-container form: the app's image runs healthgate as its
    entry point, the app after "--" (docs/drain.md: "Supervisor mode")."""
    rel = SUPERVISED.relative_to(ROOT)
    try:
        td = json.loads(SUPERVISED.read_text())
    except (OSError, ValueError) as e:
        rep.check(False, "%s is there and parses" % rel, str(e))
        return
    cs = td.get("containerDefinitions") or []
    rep.equal(len(cs), 1, "%s has one container" % rel)
    c = cs[0] if cs else {}
    rep.check(c.get("essential") is True, "its container is essential")
    entry, cmd = c.get("entryPoint") or [], c.get("command") or []
    rep.check(entry[:1] == ["healthgate"] and entry[-1:] == ["--"],
              "its entryPoint is healthgate [options] --", repr(entry))
    rep.check(bool(cmd), "its command is the app", repr(cmd))
    rep.equal((c.get("healthCheck") or {}).get("command"),
              ["CMD", "healthgate", "probe", "/live"],
              "its health check is healthgate probe /live (no curl)")
    env = {e["name"]: e["value"] for e in c.get("environment", [])}
    rep.equal(listen_port(env.get("HEALTHGATE_LISTEN")), 8081,
              "HEALTHGATE_LISTEN is :8081")
    rep.check(8081 in ports(c) and any(
        p != 8081 for p in ports(c)), "it maps healthgate's port and the "
        "app's", repr(ports(c)))
    checks = " ".join(entry) + " " + env.get("HEALTHGATE_CHECKS", "")
    m = re.search(r"http://(127\.0\.0\.1|localhost|\[::1\]):([0-9]+)/",
                  checks)
    rep.check(m is not None and int(m.group(2)) in ports(c) and
              int(m.group(2)) != 8081, "healthgate checks the app's port "
              "over loopback", checks.strip())
    need = (_seconds(env.get("HEALTHGATE_DRAIN_TIMEOUT", "30s")) +
            _seconds(env.get("HEALTHGATE_DRAIN_LINGER", "2s")) +
            _seconds(env.get("HEALTHGATE_STOP_TIMEOUT", "10s")))
    stop = c.get("stopTimeout") or 30
    rep.check(need <= stop <= FARGATE_STOP_MAX, "stopTimeout %ds holds "
              "drain cap + linger + the app's stop timeout (%gs), within "
              "Fargate's 120 s" % (stop, need))
    # Its form is docs/drain.md's recipe: the same ENTRYPOINT and CMD.
    if PYTHON_RECIPE.exists():
        text = PYTHON_RECIPE.read_text()
        got = {}
        for key in ("ENTRYPOINT", "CMD"):
            mm = re.search(r"^%s (\[.*\])$" % key, text, re.M)
            got[key] = json.loads(mm.group(1)) if mm else None
        rep.equal([got["ENTRYPOINT"], got["CMD"]], [entry, cmd],
                  "its entryPoint and command are docker/python's "
                  "ENTRYPOINT and CMD")
    # The daemon takes these very settings: run them, with a stand-in app
    # that exits 7, on a free loopback port; healthgate must exit 7.
    run_env = {k: v for k, v in os.environ.items()
               if not k.startswith("HEALTHGATE_")}
    run_env.update(env)
    run_env["HEALTHGATE_LISTEN"] = "127.0.0.1:0"
    try:
        p = subprocess.run([binary] + entry[1:] + ["sh", "-c", "exit 7"],
                           env=run_env, capture_output=True, text=True,
                           timeout=10)
        rep.check(p.returncode == 7, "healthgate runs with its entryPoint "
                  "and environment, and exits with the app's status "
                  "(exit %d)" % p.returncode, p.stderr.strip()[-300:])
    except subprocess.TimeoutExpired:
        rep.check(False, "healthgate runs with its entryPoint and "
                  "environment", "still running after 10 s")
    _, o = plan_json(rep, binary, ["--task-definition", str(SUPERVISED)],
                     {}, "plan reads %s" % rel)
    if o is not None:
        rep.check("supervisor" in json.dumps(o.get("inputs", {})),
                  "plan sees the supervisor mode in %s" % rel)


# The pages whose plan blocks must be plan's output: README.md and docs/.
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
PLAN_BLOCK_RE = re.compile(r"^```text\n(\$ healthgate plan[^\n]*)\n(.*?)^```$",
                           re.S | re.M)


def plan_block(binary, cmdline):
    """What a docs plan block must hold: plan's output for the command
    on its first line, run from the top of the tree with no environment,
    and its exit status when it is not 0."""
    args = shlex.split(cmdline[2:])[2:]
    p = subprocess.run([binary, "plan"] + args, cwd=ROOT,
                       env={"PATH": os.environ.get("PATH", "/bin")},
                       capture_output=True, text=True, timeout=30)
    body = p.stdout
    if p.returncode != 0:
        body += "$ echo $?\n%d\n" % p.returncode
    return body


def check_page(rep, binary, page, update):
    """A page's plan blocks are plan's output; with update, they are
    rewritten to be. Returns how many blocks the page has."""
    text = page.read_text()
    name = page.relative_to(ROOT)
    blocks = list(PLAN_BLOCK_RE.finditer(text))
    out, at = [], 0
    for m in blocks:
        want = plan_block(binary, m.group(1))
        out.append(text[at:m.start(2)] + want)
        at = m.end(2)
        if not update:
            got = m.group(2)
            diff = next((i for i, (a, b) in enumerate(zip(
                got.split("\n"), want.split("\n"))) if a != b), None)
            rep.check(got == want, "%s: %s is plan's output" %
                      (name, m.group(1)), "first difference at line %s of "
                      "the block; regenerate with check_deploy.py "
                      "--update-readme" % diff)
    out.append(text[at:])
    if update and blocks:
        page.write_text("".join(out))
        print("%s: %d plan blocks written" % (name, len(blocks)))
    return len(blocks)


def check_readme(rep, binary, update):
    """Every plan block of README.md and docs/ is plan's output."""
    n = sum(check_page(rep, binary, p, update) for p in PAGES)
    rep.check(n >= 2, "the docs have plan blocks (the kit's and AWS's "
              "defaults)", "%d found" % n)


def main(argv):
    update = "--update-readme" in argv
    argv = [a for a in argv if a != "--update-readme"]
    if len(argv) != 2:
        print("usage: check_deploy.py [--update-readme] PATH/TO/healthgate",
              file=sys.stderr)
        return 2
    rep = Report()
    try:
        check_readme(rep, str(Path(argv[1]).resolve()), update)
        if update:
            return 0
        run_checks(rep, str(Path(argv[1]).resolve()))
    except Exception as e:  # a file too broken to check any further
        rep.check(False, "the checks ran to the end", "%s: %s" % (
            type(e).__name__, e))
    print("%d passed, %d failed" % (rep.passed, rep.failed))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
