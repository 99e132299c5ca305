// SPDX-License-Identifier: GPL-2.0
/*
 * hvmod_fuzz: random ioctls with random arguments, register state, and
 * mmap/munmap of the vCPU run area.
 */
#define _GNU_SOURCE
#include "fuzz.h"

/* ---- random ioctls ---- */

struct ioc {
	const char *name;
	unsigned long req;
};

#define IOC(x)	{ #x, x }
static const struct ioc iocs[] = {
	IOC(KVM_GET_API_VERSION), IOC(KVM_CREATE_VM), IOC(KVM_GET_MSR_INDEX_LIST),
	IOC(KVM_CHECK_EXTENSION), IOC(KVM_GET_VCPU_MMAP_SIZE),
	IOC(KVM_GET_SUPPORTED_CPUID), IOC(KVM_GET_EMULATED_CPUID),
	IOC(KVM_GET_MSR_FEATURE_INDEX_LIST), IOC(KVM_CREATE_VCPU),
	IOC(KVM_GET_DIRTY_LOG), IOC(KVM_SET_NR_MMU_PAGES),
	IOC(KVM_SET_USER_MEMORY_REGION), IOC(KVM_SET_TSS_ADDR),
	IOC(KVM_SET_IDENTITY_MAP_ADDR), IOC(KVM_CREATE_IRQCHIP),
	IOC(KVM_IRQ_LINE), IOC(KVM_IRQ_LINE_STATUS), IOC(KVM_IOEVENTFD),
	IOC(KVM_IRQFD), IOC(KVM_CREATE_PIT2), IOC(KVM_SET_BOOT_CPU_ID),
	IOC(KVM_REGISTER_COALESCED_MMIO), IOC(KVM_SET_GSI_ROUTING),
	IOC(KVM_GET_CLOCK), IOC(KVM_SET_CLOCK), IOC(KVM_ENABLE_CAP),
	IOC(KVM_GET_STATS_FD), IOC(KVM_RUN), IOC(KVM_GET_REGS),
	IOC(KVM_SET_REGS), IOC(KVM_GET_SREGS), IOC(KVM_SET_SREGS),
	IOC(KVM_TRANSLATE), IOC(KVM_INTERRUPT), IOC(KVM_GET_MSRS),
	IOC(KVM_SET_MSRS), IOC(KVM_SET_CPUID), IOC(KVM_SET_CPUID2),
	IOC(KVM_GET_CPUID2), IOC(KVM_GET_FPU), IOC(KVM_SET_FPU),
	IOC(KVM_GET_LAPIC), IOC(KVM_SET_LAPIC), IOC(KVM_NMI),
	IOC(KVM_GET_VCPU_EVENTS), IOC(KVM_SET_VCPU_EVENTS),
	IOC(KVM_GET_DEBUGREGS), IOC(KVM_SET_DEBUGREGS), IOC(KVM_GET_MP_STATE),
	IOC(KVM_SET_MP_STATE), IOC(KVM_SET_GUEST_DEBUG), IOC(KVM_GET_XSAVE),
	IOC(KVM_SET_XSAVE), IOC(KVM_GET_XCRS), IOC(KVM_SET_XCRS),
	IOC(KVM_GET_TSC_KHZ), IOC(KVM_SET_TSC_KHZ), IOC(KVM_KVMCLOCK_CTRL),
	IOC(KVM_GET_ONE_REG), IOC(KVM_SET_ONE_REG), IOC(KVM_SMI),
	IOC(KVM_X86_SETUP_MCE), IOC(HVMOD_GET_INFO),
};
#define NR_IOCS	(sizeof(iocs) / sizeof(iocs[0]))

/*
 * A pointer argument: into the scratch area (whose contents are random
 * values), its very end (the kernel's copy runs into the guard page), or
 * somewhere the kernel must refuse.  Never anywhere else in the fuzzer.
 */
static unsigned long rand_arg(struct thr *t, size_t size)
{
	struct rng *r = &t->rng;
	uint64_t *w = (uint64_t *)t->scratch;
	size_t i, off;

	switch (rn(r, 12)) {
	case 0:
		return 0;
	case 1:
		return rval(r);
	case 2:
		return 0xffff888000000000ULL + rn(r, 1 << 20) * 8;
	case 3:
		return (unsigned long)guard_page;
	case 4:
		/* straddles the end of scratch */
		off = SCRATCH_SIZE - (size ? rn(r, size) + 1 : 1);
		return (unsigned long)(t->scratch + off);
	default:
		for (i = 0; i < 512; i++)
			w[i] = chance(r, 70) ? rval(r) : 0;
		/* counts in headers (nmsrs, nent...) small enough to matter */
		if (chance(r, 50))
			w[0] = rn(r, 300);
		return (unsigned long)t->scratch;
	}
}

static void fix_pointers(struct thr *t, unsigned long req, unsigned long arg)
{
	uint64_t *p = (uint64_t *)arg;

	if (arg != (unsigned long)t->scratch)
		return;
	/* fields the kernel would follow as user pointers */
	if (req == KVM_GET_DIRTY_LOG || req == KVM_GET_ONE_REG ||
	    req == KVM_SET_ONE_REG)
		p[1] = chance(&t->rng, 50) ? (uint64_t)(uintptr_t)(t->scratch + 8192) :
					     (uint64_t)(uintptr_t)guard_page;
}

void op_ioctl(struct thr *t)
{
	struct rng *r = &t->rng;
	unsigned long req, arg;
	const char *name = "random";
	enum kind k;
	int i, fd;
	long ret;

	if (chance(r, 80)) {
		const struct ioc *c = &iocs[rn(r, NR_IOCS)];

		req = c->req;
		name = c->name;
	} else if (chance(r, 70)) {
		/* unknown numbers in KVM's and hvmod's spaces */
		req = _IOC(rn(r, 4), chance(r, 50) ? KVMIO : HVMOD_IOCTL_MAGIC,
			   rn(r, 256), rn(r, 1 << 10));
	} else {
		req = (uint32_t)rnd(r);
	}
	if (req == KVM_SET_USER_MEMORY_REGION) {
		i = obj_get(t, 1 << K_VM);
		if (i >= 0) {
			op_slot(t, i);
			obj_put(i);
		}
		return;
	}
	i = obj_get(t, (1 << K_SYS) | (1 << K_VM) | (1 << K_VCPU) | (1 << K_DEAD));
	if (i < 0)
		return;
	fd = objs[i].fd;
	/*
	 * Its kind when the call starts: if another thread closes it during
	 * the call (K_DEAD after), an fd the call made must still be kept.
	 */
	k = objs[i].kind;
	arg = rand_arg(t, _IOC_SIZE(req));
	fix_pointers(t, req, arg);
	if (req == KVM_RUN) {
		ret = run_once(t, fd, NULL);	/* arg is ignored: always 0 */
	} else if ((req == KVM_CREATE_VM && count_kind(K_VM) >= MAX_OUR_VMS + 2) ||
		   (req == KVM_CREATE_VCPU && count_kind(K_VCPU) >= 20)) {
		obj_put(i);
		return;
	} else {
		ret = xioctl(t, fd, req, arg);
	}
	note(t, "ioctl %s (0x%lx) on %s fd %d arg 0x%lx -> %ld %s", name, req,
	     kind_name[objs[i].kind], fd, arg, ret,
	     ret < 0 ? hv_errname(errno) : "");
	/* calls that hand out a new fd: keep it in the table */
	if (ret >= 0 && k != K_DEAD) {
		if (req == KVM_CREATE_VM && k == K_SYS)
			add_vm(ret);
		else if (req == KVM_CREATE_VCPU && k == K_VM)
			obj_add(K_VCPU, ret, objs[i].vm_serial);
		else if (req == KVM_GET_STATS_FD)
			obj_add(K_SYS, ret, 0);
	}
	obj_put(i);
}

/* Well-formed register state with random contents. */
void op_regs(struct thr *t)
{
	struct rng *r = &t->rng;
	int i = obj_get(t, 1 << K_VCPU), k;
	uint64_t *w = (uint64_t *)t->scratch;
	struct kvm_msrs *msrs = (void *)t->scratch;
	static const uint32_t msr_idx[] = {
		0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
		0xc0000100, 0xc0000101, 0xc0000102, 0x10, 0x1b, 0x174, 0x175,
		0x176, 0x1a0, 0x277, 0x0, 0xffffffff, 0x40000000, 0xc0010000,
		0x3a, 0x48, 0xc0010117,
	};
	unsigned long req;

	if (i < 0)
		return;
	switch (rn(r, 6)) {
	case 0:
		for (k = 0; k < 18; k++)
			w[k] = rval(r);
		req = KVM_SET_REGS;
		break;
	case 1:
		xioctl(t, objs[i].fd, KVM_GET_SREGS, (unsigned long)t->scratch);
		gen_sregs(r, (void *)t->scratch, rn(r, 4), rval(r) & ~0xfffULL);
		req = KVM_SET_SREGS;
		break;
	case 2:
		msrs->nmsrs = 1 + rn(r, 8);
		msrs->pad = 0;
		for (k = 0; k < (int)msrs->nmsrs; k++) {
			msrs->entries[k].index = chance(r, 80) ?
				msr_idx[rn(r, sizeof(msr_idx) / 4)] : (uint32_t)rval(r);
			msrs->entries[k].reserved = 0;
			msrs->entries[k].data = rval(r);
		}
		req = chance(r, 50) ? KVM_SET_MSRS : KVM_GET_MSRS;
		break;
	case 3: {
		struct kvm_cpuid2 *c = (void *)t->scratch;

		c->nent = rn(r, 40);
		c->padding = 0;
		for (k = 0; k < (int)c->nent; k++) {
			memset(&c->entries[k], 0, sizeof(c->entries[k]));
			c->entries[k].function = chance(r, 70) ? rn(r, 16) :
						 0x80000000 + rn(r, 16);
			c->entries[k].index = rn(r, 4);
			c->entries[k].flags = rn(r, 8);
			c->entries[k].eax = rval(r);
			c->entries[k].ebx = rval(r);
			c->entries[k].ecx = rval(r);
			c->entries[k].edx = rval(r);
		}
		req = chance(r, 70) ? KVM_SET_CPUID2 : KVM_GET_CPUID2;
		break;
	}
	case 4:
		for (k = 0; k < (int)(sizeof(struct kvm_fpu) / 8); k++)
			w[k] = chance(r, 50) ? 0 : rval(r);
		req = KVM_SET_FPU;
		break;
	default: {
		struct kvm_interrupt *irq = (void *)t->scratch;

		irq->irq = chance(r, 80) ? rn(r, 256) : (uint32_t)rval(r);
		req = KVM_INTERRUPT;
		break;
	}
	}
	xioctl(t, objs[i].fd, req, (unsigned long)t->scratch);
	obj_put(i);
}

/* mmap of any fd with odd lengths/offsets; the run area gets scribbled on. */
void op_mmap(struct thr *t)
{
	struct rng *r = &t->rng;
	int i = obj_get(t, (1 << K_SYS) | (1 << K_VM) | (1 << K_VCPU) | (1 << K_DEAD));
	size_t len = (1 + rn(r, 4)) * PAGE;
	off_t off = chance(r, 70) ? rn(r, 4) * PAGE : (off_t)rval(r) & ~(PAGE - 1);
	int prot = chance(r, 80) ? PROT_READ | PROT_WRITE : PROT_READ;
	int flags = chance(r, 80) ? MAP_SHARED : MAP_PRIVATE;
	struct kvm_run *run;
	void *p;

	if (i < 0)
		return;
	run = objs[i].run;
	if (run && chance(r, 40)) {
		/* userspace owns the run area: the kernel must not trust it */
		uint64_t *w = (uint64_t *)run;
		int k;

		for (k = 0; k < 1 + (int)rn(r, 8); k++)
			w[rn(r, 64)] = rval(r);
		run->immediate_exit = chance(r, 10);
	} else {
		call_begin(t, "mmap", objs[i].fd, 0);
		p = mmap(NULL, len, prot, flags, objs[i].fd, off);
		call_end(t, p == MAP_FAILED ? -1 : 0);
		note(t, "mmap %s fd %d len 0x%zx off 0x%llx -> %s",
		     kind_name[objs[i].kind], objs[i].fd, len,
		     (unsigned long long)off, p == MAP_FAILED ? hv_errname(errno) : "ok");
		if (p != MAP_FAILED)
			munmap(p, len);
	}
	obj_put(i);
}

void op_munmap_run(struct thr *t)
{
	int i;

	pthread_mutex_lock(&objs_lock);
	i = rn(&t->rng, MAX_OBJS);
	if (objs[i].run && !objs[i].users) {
		munmap(objs[i].run, HV_RUN_SIZE);
		objs[i].run = NULL;
	}
	pthread_mutex_unlock(&objs_lock);
}

