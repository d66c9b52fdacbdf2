# healthgate — see README.md. `make run` runs it, `make check` tests it.

# The version is CHANGELOG.md's top entry (one source for the binary, the
# image and the release); a build from a git checkout adds the commit.
VERSION	 := $(shell ./scripts/version.sh 2>/dev/null)
COMMIT	 := $(shell git rev-parse --short=7 HEAD 2>/dev/null)
BUILD	 ?= build
CC	 ?= cc
OPT	 ?= -O2
SANITIZER ?=

WARN	  = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wwrite-strings -Werror
CPPFLAGS += -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE \
	    -DHEALTHGATE_VERSION='"$(VERSION)"'
CFLAGS	 ?= $(OPT) -g
CFLAGS	 += -std=c11 $(WARN) -MMD -MP
LDLIBS	  = -lmicrohttpd -lev -ljansson -lcares -lbearssl -lnghttp2 -lyaml -lm
# MNL=no: a build without libmnl, whose traffic reader is refused (the
# drain then says so once and runs on probers): traffic_nl_none.c.
MNL	 ?= yes
ifeq ($(MNL),no)
NL_OUT	  = src/traffic_nl.c
else
NL_OUT	  = src/traffic_nl_none.c
LDLIBS	 += -lmnl
endif

ifneq ($(SANITIZER),)
CFLAGS	 += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
LDFLAGS	 += -fsanitize=$(SANITIZER)
endif

SRCS	 ?= $(filter-out $(NL_OUT),$(wildcard src/*.c src/plan/*.c))
OBJS	 := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
DEPS_OK	 := $(BUILD)/.deps-ok

# Every object but main's, in one static library that the unit tests and
# (built again, instrumented) the fuzzers link: the linker takes from it
# only what a test reaches, so no test keeps a list of its objects. The
# daemon links the objects themselves: the static build's nss_none.o is
# reached only through -Wl,--wrap= from libcares.a, linked after it, which
# an archive scanned before libcares.a would not supply.
LIB	 := $(BUILD)/libhealthgate.a
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))

# Unit tests: every tests/unit/**/test_<module>.c, one cmocka binary each,
# linked with the library; tests/unit/fake_loop.c (the clock, libev's
# timers and the log, faked) comes from its own archive, pulled in by the
# tests that wrap those calls. Only the --wrap lines are per test (below).
UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/unit/*/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/%.c=$(BUILD)/tests/%)
UNIT_LIB  := $(BUILD)/tests/unit/libfake_loop.a

.PHONY: all run check unit integration clean deps npm-deps sanitize valgrind \
	install systemd-check deploy-check fuzz image image-test bench static \
	release release-test haproxy-test python-recipe-test k8s-sidecar-test \
	bench-prestop \
	k8s-test
.PHONY: attack uninstall FORCE lint
all: $(BUILD)/healthgate

$(DEPS_OK): scripts/deps.sh
	@mkdir -p $(BUILD)
	@./scripts/deps.sh
	@touch $@

deps:
	@./scripts/deps.sh

# ajv-cli, for the /health body's JSON Schema (tests/schema/).
npm-deps:
	@./scripts/npm-deps.sh

# version.c names the commit; its header changes only when the commit does.
$(BUILD)/gen/commit.h: FORCE
	@mkdir -p $(@D)
	@echo '#define HEALTHGATE_COMMIT "$(if $(COMMIT), (commit $(COMMIT)))"' \
	    >$@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi
$(BUILD)/obj/version.o: $(BUILD)/gen/commit.h
# ...and so does the fuzzers' instrumented copy (make fuzz in a fresh tree).
$(BUILD)/fuzz/obj/version.o: $(BUILD)/gen/commit.h
FORCE:

$(BUILD)/obj/%.o: src/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/healthgate: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -c -o $@ $<

$(UNIT_LIB): $(BUILD)/tests/unit/fake_loop.o
	@rm -f $@
	$(AR) rcs $@ $^

.SECONDARY:
$(UNIT_BINS): %: %.o $(UNIT_LIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS) -lcmocka -lm

# test_checks fakes the clock, the check timers, the log and the probes.
$(BUILD)/tests/unit/test_checks: TEST_LIBS = -Wl,--wrap=clock_mono \
	    -Wl,--wrap=jitter_random \
	    -Wl,--wrap=ev_timer_start -Wl,--wrap=ev_timer_stop \
	    -Wl,--wrap=log_kv_write
# test_check_target fakes the clock and the log (and the resolver).
$(BUILD)/tests/unit/test_check_target: TEST_LIBS = -Wl,--wrap=clock_mono \
	    -Wl,--wrap=log_kv_write
# test_stop fakes the clock, the drain timer, the log and the app's traffic.
$(BUILD)/tests/unit/test_stop: TEST_LIBS = -Wl,--wrap=clock_mono \
	    -Wl,--wrap=ev_timer_start -Wl,--wrap=ev_timer_stop \
	    -Wl,--wrap=log_kv_write -Wl,--wrap=traffic_start \
	    -Wl,--wrap=traffic_halt -Wl,--wrap=traffic_quiet
# test_evalloc fails libev's allocations on demand, and never sleeps.
$(BUILD)/tests/unit/test_evalloc: TEST_LIBS = -Wl,--wrap=realloc \
	    -Wl,--wrap=nanosleep
# test_conn_table runs out of memory on demand.
$(BUILD)/tests/unit/test_conn_table: TEST_LIBS = -Wl,--wrap=calloc

run: deps $(BUILD)/healthgate
	./$(BUILD)/healthgate

unit: $(UNIT_BINS)
	@./scripts/run-unit.sh $(UNIT_BINS)

integration: deps npm-deps $(BUILD)/healthgate
	@python3 tests/integration/run.py $(BUILD)/healthgate

check: deps npm-deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@./scripts/check.sh $(BUILD) $(UNIT_BINS)

# The files under deploy/ parse, agree, and pass healthgate plan; the
# Kubernetes manifests (and the broken copies in tests/deploy/kubernetes/)
# pass Kubernetes' published schema (npm-deps.sh installs it, pinned, once)
# and plan --manifest; the GitHub workflows pass actionlint.
deploy-check: deps $(BUILD)/healthgate
	@python3 tests/deploy/check_deploy.py $(BUILD)/healthgate
	@./scripts/npm-deps.sh tests/deploy/k8s-schema
	@python3 tests/deploy/check_kubernetes.py $(BUILD)/healthgate \
	    tests/deploy/k8s-schema/validate.mjs
	@BUILD=$(BUILD) ./scripts/actionlint.sh

# The whole of make check with AddressSanitizer and UBSan, in its own tree.
sanitize: deps
	@HEALTHGATE_SANITIZED=1 $(MAKE) --no-print-directory \
	    BUILD=$(BUILD)/sanitize OPT=-O1 SANITIZER=address,undefined check

# The integration tests with the daemon under memcheck: any error or
# definite leak makes the daemon exit 99, which the tests see.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite
valgrind: deps $(BUILD)/healthgate
	@command -v valgrind >/dev/null || ./scripts/deps.sh valgrind
	@HEALTHGATE_WRAP="$(VALGRIND)" \
	    python3 tests/integration/run.py $(BUILD)/healthgate

# libFuzzer targets, one per parser: every tests/fuzz/fuzz_<name>.c, linked
# with the library built again by clang, instrumented for coverage and the
# sanitizers. make fuzz FUZZ_SECONDS=60 runs each for that long.
FUZZ_SECONDS ?= 60
FUZZ	 := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SAN  = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -g -O1 $(FUZZ_SAN) $(WARN)
FUZZ_LIB := $(BUILD)/fuzz/libhealthgate.a
FUZZ_OBJS := $(LIB_OBJS:$(BUILD)/obj/%.o=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/fuzz/obj/%.o: src/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
	    -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB) \
    | $(DEPS_OK)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) \
	    $(LDLIBS)

fuzz: deps
	@./scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory $(FUZZ:%=$(BUILD)/fuzz/fuzz_%)
	@./scripts/fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ)

# systemd-analyze verify, and the unit's security exposure held to 1.5;
# then the installed unit under a real systemd, booted as PID 1 with
# systemd-nspawn (as root; its root file system is made once, in
# $(BUILD)/systemd).
systemd-check: $(BUILD)/healthgate
	@./scripts/systemd-check.sh $(BUILD)/healthgate

# The stripped binary, the man page, the docs, the unit and its options
# file. Units an administrator installs by hand go under
# /usr/local/lib/systemd/system, which systemd searches; /lib/systemd/system
# is the distribution packages' own. The unit's ExecStart and
# EnvironmentFile follow PREFIX and SYSCONFDIR; with a PREFIX systemd does
# not search, set UNITDIR=/etc/systemd/system. An existing options file is
# kept; uninstall removes it only when it is still the one shipped.
PREFIX	 ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR	 ?= $(PREFIX)/lib/systemd/system
MANDIR	 ?= $(PREFIX)/share/man
DOCDIR	 ?= $(PREFIX)/share/doc/healthgate
DOCS	 := README.md CHANGELOG.md LICENSE ARCHITECTURE.md $(wildcard docs/*.md)
install: $(BUILD)/healthgate
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DOCDIR)/docs
	install -m 755 -s $(BUILD)/healthgate $(DESTDIR)$(PREFIX)/bin/healthgate
	install -m 644 docs/healthgate.8 $(DESTDIR)$(MANDIR)/man8/healthgate.8
	install -m 644 $(filter-out docs/%,$(DOCS)) $(DESTDIR)$(DOCDIR)
	install -m 644 $(filter docs/%,$(DOCS)) $(DESTDIR)$(DOCDIR)/docs
	sed -e 's|^ExecStart=/usr/local/bin/|ExecStart=$(PREFIX)/bin/|' \
	    -e 's|/etc/default/healthgate|$(SYSCONFDIR)/default/healthgate|' \
	    systemd/healthgate.service >$(BUILD)/healthgate.service
	install -m 644 $(BUILD)/healthgate.service \
	    $(DESTDIR)$(UNITDIR)/healthgate.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/default/healthgate ]; then \
	    echo "kept $(DESTDIR)$(SYSCONFDIR)/default/healthgate"; \
	else \
	    echo "install -m 644 systemd/healthgate.default" \
		"$(DESTDIR)$(SYSCONFDIR)/default/healthgate"; \
	    install -m 644 systemd/healthgate.default \
		$(DESTDIR)$(SYSCONFDIR)/default/healthgate; \
	fi
	@echo "then: systemctl daemon-reload;" \
	    "systemctl enable --now healthgate"

# What install put there; under a DESTDIR, the directories it left empty
# too (never the system's own).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/healthgate \
	    $(DESTDIR)$(MANDIR)/man8/healthgate.8 \
	    $(DESTDIR)$(UNITDIR)/healthgate.service
	rm -rf $(DESTDIR)$(DOCDIR)
	@f=$(DESTDIR)$(SYSCONFDIR)/default/healthgate; \
	if cmp -s systemd/healthgate.default $$f; then \
	    echo "rm -f $$f"; rm -f $$f; \
	elif [ -e $$f ]; then echo "kept $$f: it was changed"; fi
	@if [ -n "$(DESTDIR)" ] && [ -d "$(DESTDIR)" ]; then \
	    find "$(DESTDIR)" -mindepth 1 -depth -type d -empty -delete; fi

# healthgate beside nginx and HAProxy on loopback (BENCHMARKS.md);
# BENCH_QUICK=1 make bench for a one-minute run.
bench: deps static $(BUILD)/healthgate
	@BENCH_ALSO=$(BUILD)/healthgate ./bench/run $(BUILD)/static/healthgate

# The binary the image ships, built on this machine by the image's own
# recipe: musl, libev, c-ares and libmicrohttpd (static, without HTTPS)
# from Debian's source packages, and healthgate as a static PIE, in
# $(BUILD)/static/TARGET/healthgate; TARGET=amd64 or arm64 (cross-compiled),
# default this machine's, which $(BUILD)/static/healthgate links to.
TARGET	 ?=
static:
	@BUILD=$(BUILD) TARGET=$(TARGET) ./scripts/static.sh

# /health p99 with and without 50 held /admin/prestop requests
# (BENCHMARKS.md); about two minutes.
bench-prestop: $(BUILD)/healthgate
	@command -v taskset >/dev/null || ./scripts/deps.sh util-linux
	@./bench/prestop $(BUILD)/healthgate

# The container images (docker/Dockerfile), one manifest list
# localhost/healthgate:$(VERSION) for PLATFORMS: docker buildx where a
# Docker engine answers, else buildah; image-test builds and checks them,
# runs the amd64 one with podman and the arm64 binary under qemu-user.
PLATFORMS ?= linux/amd64,linux/arm64
image:
	@PLATFORMS=$(PLATFORMS) ./scripts/image.sh

image-test:
	@PLATFORMS=$(PLATFORMS) ./scripts/image-test.sh

# make release REGISTRY=HOST[:PORT]/NAMESPACE [TLS_VERIFY=false]: the list
# pushed as REGISTRY/healthgate:$(VERSION) and :latest (built first unless
# make image built it from these sources). release-test does it for real
# into a docker-registry on loopback and reads it back.
REGISTRY ?=
TLS_VERIFY ?= true
release:
	@REGISTRY=$(REGISTRY) TLS_VERIFY=$(TLS_VERIFY) ./scripts/release.sh

release-test:
	@./scripts/release-test.sh

# healthgate -- APP behind a real HAProxy: two backends, eight clients, one
# backend stopped at four points of the check cycle; baselines beside it
# (README: "Supervisor mode"). About two minutes; HAPROXY_QUICK=1: five runs.
haproxy-test: deps $(BUILD)/healthgate
	@command -v haproxy >/dev/null || ./scripts/deps.sh haproxy
	@timeout 600 python3 tests/lb/haproxy_e2e.py $(BUILD)/healthgate \
	    $(if $(HAPROXY_QUICK),--quick)

# No function in src/ over 80 lines (scripts/funclen.sh; tables are data).
# Static analysers (issue 29): gcc -fanalyzer on every source (its
# findings are errors, as every warning is), then clang's scan-build over
# a whole build in $(BUILD)/lint (any report fails). A false positive is
# written so the analyser can follow it, with a "lint:" comment giving
# the reason at the line.
LINT_FA	:= $(SRCS:src/%.c=$(BUILD)/lint/fa/%.ok)
$(BUILD)/lint/fa/%.ok: src/%.c $(BUILD)/gen/commit.h | $(DEPS_OK)
	@mkdir -p $(@D)
	gcc $(CPPFLAGS) -std=c11 $(OPT) $(WARN) -fanalyzer -c -o /dev/null $<
	@touch $@
lint: deps $(BUILD)/gen/commit.h
	@./scripts/funclen.sh 80
	@command -v scan-build >/dev/null || ./scripts/deps.sh clang-tools clang
	@echo "== gcc -fanalyzer"
	@$(MAKE) -j2 --no-print-directory $(LINT_FA)
	@echo "== scan-build"
	@./scripts/scan-build.sh $(BUILD)/lint

# The sidecar form's Kubernetes-shaped stop behind a real HAProxy (docs/
# kubernetes.md): the app's preStop on /admin/prestop as the kubelet sends
# it from deploy/kubernetes/sidecar.yaml, a router that lets go a lag
# after the stop; no request may fail. About a minute.
# healthgate -- APP stopped as Kubernetes stops a pod, behind a real
# HAProxy without checks whose runtime API is the endpoints controller; a
# kubelet polling /health, lags shorter and longer than its probes, none,
# and the app alone as the baseline (docs/kubernetes.md). About a minute.
k8s-test: deps $(BUILD)/healthgate
	@command -v haproxy >/dev/null || ./scripts/deps.sh haproxy
	@timeout 300 python3 tests/lb/k8s_e2e.py $(BUILD)/healthgate \
	    $(if $(K8S_QUICK),--quick)

k8s-sidecar-test: deps $(BUILD)/healthgate
	@command -v haproxy >/dev/null || ./scripts/deps.sh haproxy
	@timeout 300 python3 tests/lb/k8s_sidecar.py $(BUILD)/healthgate

# Outside tools against the real binary (tests/attack/): zzuf mutates
# valid requests (600 seeds), slowhttptest runs its four attacks beside a
# timed prober; then zzuf again (200 seeds) with the daemon under memcheck.
# About a minute and a half.
attack: deps $(BUILD)/healthgate
	@command -v zzuf >/dev/null && command -v slowhttptest >/dev/null || \
	    ./scripts/deps.sh zzuf slowhttptest valgrind
	@timeout 600 python3 tests/attack/run.py $(BUILD)/healthgate
	@HEALTHGATE_WRAP="$(VALGRIND)" ATTACK_ZZUF_SEEDS=200 timeout 600 \
	    python3 tests/attack/run.py $(BUILD)/healthgate test_zzuf.py

# The README's Python recipe (docker/python/) built and run with podman.
python-recipe-test:
	@./scripts/python-recipe-test.sh

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(BUILD)/tests/unit/fake_loop.d \
    $(FUZZ_OBJS:.o=.d)
