# SPDX-License-Identifier: GPL-2.0
#
# hvmod top-level Makefile.
#
#   make                 module (against KDIR), hvctl, selftests
#   make setup           install what a fresh Debian 12 machine lacks (apt-get)
#   make demo            boot the default (SVM) box: load hvmod, run hvctl info
#   make check           build + DKMS + every box; prints "N passed, N failed"
#   make kvm-selftests   the kernel's own KVM selftests (linux-source-6.1) for
#                        selftests/hvmod_kvm_selftests.sh (cached build)
#   make bench [BOX=svm|vmx]     hvbench: hvmod vs the distro's KVM, same box
#   make bench-hvt [BOX=svm|vmx] hello.hvt boot-to-halt: hvmod vs the distro's KVM
#   make fuzz [ITER=N] [SEED=S]  a long hvmod_fuzz run in the svm box
#   make box-shell BOX=svm|vmx   interactive shell in a box (see tools/testbox/README)
#
# KDIR defaults to the headers of the pinned test-box kernel
# (tools/testbox/kernel.version).  On a real host:
#   make KDIR=/lib/modules/$(uname -r)/build

TOP       := $(CURDIR)
KVER      ?= $(shell $(TOP)/tools/testbox/kver.sh)
KDIR      ?= /usr/src/linux-headers-$(KVER)
BUILD     ?= $(TOP)/build
HVMOD_VERSION := $(shell cat $(TOP)/VERSION)

export TOP KVER KDIR BUILD HVMOD_VERSION

.PHONY: all module hvctl selftests setup demo check bench bench-hvt box-shell dkms \
	clean checkpatch fuzz kvm-selftests

all: module hvctl selftests

module:
	@test -d "$(KDIR)" || { echo "KDIR=$(KDIR) not found: run 'make setup' (or pass KDIR=...)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules
	$(MAKE) -C $(KDIR) M=$(TOP)/selftests/vio_cmdline modules

hvctl:
	$(MAKE) -C tools/hvctl

selftests:
	$(MAKE) -C selftests

setup:
	$(TOP)/tools/testbox/setup.sh

dkms:
	$(TOP)/tools/testbox/dkms.sh

demo: setup all
	$(TOP)/tools/testbox/run-box.sh --box svm --job demo

kvm-selftests: setup
	$(TOP)/tools/testbox/kvm-selftests.sh

check: setup all kvm-selftests
	$(TOP)/tools/testbox/check.sh

# hvbench against /dev/hvmod and the distro's KVM in one box run (not a test)
bench: setup all
	$(TOP)/tools/testbox/run-box.sh --box $(BOX) --job bench

bench-hvt: setup all
	$(TOP)/tools/testbox/bench-hvt.sh --box $(BOX)

# a long ioctl fuzzer run (make check runs a short one)
ITER ?= 1000000
fuzz: setup all
	$(TOP)/tools/testbox/fuzz.sh --iter $(ITER) $(if $(SEED),--seed $(SEED))

BOX ?= svm
box-shell: setup all
	$(TOP)/tools/testbox/run-box.sh --box $(BOX) --job shell

checkpatch:
	$(TOP)/tools/testbox/checkpatch.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	-$(MAKE) -C $(KDIR) M=$(TOP)/selftests/vio_cmdline clean 2>/dev/null
	$(MAKE) -C tools/hvctl clean
	$(MAKE) -C selftests clean
	rm -rf $(BUILD)
