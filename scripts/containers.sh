# shellcheck shell=sh
# Sourced by the scripts that run buildah or podman (image.sh, image-test.sh,
# release-test.sh, python-recipe-test.sh), from the top of the tree.
#
# containers_conf FILE: the settings these VMs need
# (../shared/notes/containers.md) written to FILE, and CONTAINERS_CONF
# pointed at it: podman's defaults raise RLIMIT_NPROC/NOFILE, which the VM
# refuses, and crun cannot handle the hybrid cgroup layout, so runc and no
# default ulimits.
containers_conf() {
	printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' \
	    >"$1"
	CONTAINERS_CONF=$1
	export CONTAINERS_CONF
}
