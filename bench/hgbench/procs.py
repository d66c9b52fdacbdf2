"""What /proc says of a process: its children, CPU time, context switches,
memory and sockets, and the hypervisor's steal of the bench's two CPUs."""

import os

from . import settings as S


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            if int(st.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out


def user_sys_ticks(pid):
    """(utime, stime) of a process (all its threads), in clock ticks: the
    split is the kernel's tick sampling, so read it over many requests."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def run_ns(pid):
    """Time on CPU in ns, all threads (schedstat): fine enough for idle."""
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{t}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


def ctx_switches(pid):
    """Voluntary + involuntary context switches over all threads."""
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{t}/status") as f:
            for line in f:
                if "ctxt_switches" in line:
                    total += int(line.split()[1])
    return total


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def open_sockets(pid):
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            n += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return n


def steal_ticks():
    """Time the hypervisor ran something else while the server's or the
    load's CPU wanted to run ("steal" in /proc/stat), in clock ticks.
    Recorded per run, not used to set runs aside: a server that sleeps
    between batches hands its virtual CPU back to the host and gets more
    steal than one that stays busy, so that would favour the sleepers."""
    cpus = (f"cpu{S.SERVER_CPU}", f"cpu{S.LOAD_CPU}")
    with open("/proc/stat") as f:
        return sum(int(line.split()[8]) for line in f
                   if line.split()[0] in cpus)
