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
LDLIBS	  = -lmicrohttpd -lev -ljansson -lcares -lbearssl -lnghttp2 -lmnl -lm

ifneq ($(SANITIZER),)
CFLAGS	 += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
LDFLAGS	 += -fsanitize=$(SANITIZER)
endif

SRCS	 ?= $(wildcard src/*.c)
OBJS	 := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
DEPS_OK	 := $(BUILD)/.deps-ok

# Unit tests: tests/test_<module>.c, linked with only the objects listed.
UNIT	 := addr config conn_table drain health http_status log metrics \
	    notify opts plan plan_json probe risefall sbuf stop reap fd_budget
UNIT	 += signame supervise
UNIT	 += checks
UNIT	 += http_framing
UNIT	 += answer check_target
UNIT	 += check_spec
UNIT	 += jsonstr decimal
UNIT	 += http_body pct
T_http_body	= http_body decimal
T_pct		= pct
UNIT	 += admin
UNIT	 += grpc_health
T_grpc_health	= grpc_health
UNIT	 += quiet
T_addr		= addr decimal
T_answer	= answer addr decimal
T_check_target	= check_target answer addr decimal
T_check_spec	= check_spec check_param pct http_framing opts addr decimal
T_jsonstr	= jsonstr
T_admin		= admin addr decimal sbuf jsonstr clock drain agent
T_decimal	= decimal
T_quiet		= quiet
T_config	= config addr opts check_spec check_param pct http_framing signame decimal
T_conn_table	= conn_table addr decimal
T_metrics	= metrics conn_table sbuf jsonstr
T_http_framing	= http_framing decimal
T_drain		= drain agent addr decimal
T_health	= health sbuf jsonstr clock
T_http_status	= http_status
T_log		= log jsonstr clock
T_notify	= notify log opts jsonstr decimal clock
T_opts		= opts decimal
T_plan		= plan app_ports config addr opts check_spec check_param pct http_framing signame decimal
T_plan_json	= plan_json plan app_ports addr opts decimal
T_probe		= probe addr opts http_status http_request sock resolve decimal \
		  answer clock probe_grpc check_spec check_param pct http_framing \
		  grpc_call grpc_health h2_conn tls tls_conf
T_risefall	= risefall
T_sbuf		= sbuf jsonstr
T_signame	= signame decimal
T_supervise	= supervise child signame log clock jsonstr decimal
T_stop		= stop drain agent quiet addr decimal
T_reap		= reap
T_fd_budget	= fd_budget log jsonstr clock
T_checks	= checks jitter risefall sbuf clock check_target answer resolve addr jsonstr decimal selfconn \
		  metrics conn_table
UNIT_BINS := $(UNIT:%=$(BUILD)/tests/test_%)

.PHONY: all run check unit integration clean deps sanitize valgrind \
	install systemd-check deploy-check fuzz image image-test bench static \
	release release-test haproxy-test python-recipe-test k8s-sidecar-test \
	k8s-test
.PHONY: attack uninstall FORCE
all: $(BUILD)/healthgate

$(DEPS_OK): scripts/deps.sh
	@mkdir -p $(BUILD)
	@./scripts/deps.sh
	@touch $@

deps:
	@./scripts/deps.sh

# version.c names the commit; its header changes only when the commit does.
$(BUILD)/gen/commit.h: FORCE
	@mkdir -p $(@D)
	@echo '#define HEALTHGATE_COMMIT "$(if $(COMMIT), (commit $(COMMIT)))"' \
	    >$@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi
$(BUILD)/obj/version.o: $(BUILD)/gen/commit.h
FORCE:

$(BUILD)/obj/%.o: src/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/healthgate: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o \
    $$(addprefix $(BUILD)/obj/,$$(addsuffix .o,$$(T_$$*)))
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) -lcmocka -lm

# test_notify drives a real libev loop; probe resolves names with c-ares.
$(BUILD)/tests/test_notify: TEST_LIBS = -lev
$(BUILD)/tests/test_probe: TEST_LIBS = -lev -lcares -lnghttp2 -lbearssl
# test_supervise runs real children on a real libev loop.
$(BUILD)/tests/test_supervise: TEST_LIBS = -lev
# plan_json walks what jansson parsed.
$(BUILD)/tests/test_plan_json: TEST_LIBS = -ljansson
# test_reap links reap.o, whose sweep watches children with libev.
$(BUILD)/tests/test_reap: TEST_LIBS = -lev
# test_checks fakes the clock, the check timers, the log and the probes.
$(BUILD)/tests/test_checks: TEST_LIBS = -Wl,--wrap=clock_mono \
	    -Wl,--wrap=jitter_random \
	    -Wl,--wrap=ev_timer_start -Wl,--wrap=ev_timer_stop \
	    -Wl,--wrap=log_event -lcares -lev
# test_stop fakes the clock, the drain timer, the log and the app's traffic.
$(BUILD)/tests/test_stop: TEST_LIBS = -Wl,--wrap=clock_mono \
	    -Wl,--wrap=ev_timer_start -Wl,--wrap=ev_timer_stop \
	    -Wl,--wrap=log_event -Wl,--wrap=traffic_start \
	    -Wl,--wrap=traffic_halt -Wl,--wrap=traffic_quiet

run: deps $(BUILD)/healthgate
	./$(BUILD)/healthgate

unit: $(UNIT_BINS)
	@./scripts/run-unit.sh $(UNIT_BINS)

integration: deps $(BUILD)/healthgate
	@python3 tests/integration/run.py $(BUILD)/healthgate

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@./scripts/check.sh $(BUILD) $(UNIT_BINS)

# The files under deploy/ parse, agree, and pass healthgate plan; the
# GitHub workflows pass actionlint.
deploy-check: deps $(BUILD)/healthgate
	@python3 tests/deploy/check_deploy.py $(BUILD)/healthgate
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

# libFuzzer targets, one per parser: tests/fuzz/fuzz_<name>.c, linked with
# the sources listed. make fuzz FUZZ_SECONDS=60 runs each for that long.
FUZZ_SECONDS ?= 60
FUZZ	 := duration listen cidr url check env http_status probe_response log \
	    plan_json
FUZZ	 += http_framing
FUZZ	 += http_body pct jsonstr
F_http_body	= http_body decimal
F_pct		= pct
F_jsonstr	= jsonstr
# jsonstr's output is read back by jansson.
$(BUILD)/fuzz/fuzz_jsonstr: FUZZ_LIBS = -ljansson
FUZZ	 += tls_pem tls_handshake
F_tls_pem	= tls_conf
F_tls_handshake	= tls tls_conf clock
$(BUILD)/fuzz/fuzz_tls_pem: FUZZ_LIBS = -lbearssl
$(BUILD)/fuzz/fuzz_tls_handshake: FUZZ_LIBS = -lbearssl
FUZZ	 += admin
FUZZ	 += grpc_request grpc_response
F_grpc_request	= grpc_health
F_grpc_response	= grpc_health
F_duration	= opts decimal
F_listen	= addr decimal
F_cidr		= addr decimal
F_url		= addr decimal
F_check		= check_spec check_param pct http_framing opts addr decimal
F_env		= config addr opts check_spec check_param pct http_framing signame decimal
F_http_status	= http_status
F_http_framing	= http_framing decimal
F_admin		= admin addr decimal sbuf jsonstr clock drain
F_probe_response = probe http_status opts addr http_request sock decimal \
		  answer clock probe_grpc check_spec check_param pct http_framing \
		  grpc_call grpc_health h2_conn tls tls_conf
# probe resolves names with c-ares on a libev loop.
$(BUILD)/fuzz/fuzz_probe_response: FUZZ_LIBS = -lev -lcares -lnghttp2 -lbearssl
F_log		= log jsonstr clock
F_plan_json	= plan_json plan app_ports addr opts decimal
# plan_json walks what jansson parsed.
$(BUILD)/fuzz/fuzz_plan_json: FUZZ_LIBS = -ljansson
FUZZ_CFLAGS = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all $(WARN)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
    $$(addprefix src/,$$(addsuffix .c,$$(F_$$*))) | $(DEPS_OK)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -o $@ $< \
	    $(addprefix src/,$(addsuffix .c,$(F_$*))) $(FUZZ_LIBS)

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

-include $(OBJS:.o=.d) $(wildcard $(BUILD)/tests/*.d)
