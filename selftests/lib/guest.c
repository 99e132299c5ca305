// SPDX-License-Identifier: GPL-2.0
/*
 * x86 guests for the hvmod selftests; see guest.h.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

volatile sig_atomic_t hv_alarm_fired;	/* set by the SIGALRM handler */

static void hv_on_alarm(int sig)
{
	(void)sig;
	hv_alarm_fired = 1;
}

int hv_x86_open(void)
{
	struct sigaction sa = { .sa_handler = hv_on_alarm };	/* no SA_RESTART */
	struct hvmod_info info;
	int sys = hv_open_or_skip();
	long cap;

	cap = ioctl(sys, KVM_CHECK_EXTENSION, (long)KVM_CAP_IMMEDIATE_EXIT);
	if (cap <= 0) {
		if (hv_get_info(sys, &info))
			strcpy(info.backend, "?");
		tap_bail("backend %.16s cannot run guests: KVM_CHECK_EXTENSION(KVM_CAP_IMMEDIATE_EXIT) = %ld",
			 info.backend, cap);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	return sys;
}

static void hv_build_tables(struct hv_vm *vm)
{
	uint64_t *gdt = (uint64_t *)(vm->mem + G_GDT);
	uint64_t *pml4 = (uint64_t *)(vm->mem + G_PML4);
	uint64_t *pdpt = (uint64_t *)(vm->mem + G_PDPT);
	uint64_t *pd = (uint64_t *)(vm->mem + G_PD);
	int i;

	gdt[0] = 0;
	gdt[G_SEL_CODE32 / 8] = 0x00cf9b000000ffffULL;	/* 32-bit code, 4 GiB */
	gdt[G_SEL_DATA / 8] = 0x00cf93000000ffffULL;	/* data, 4 GiB */
	gdt[G_SEL_CODE64 / 8] = 0x00af9b000000ffffULL;	/* 64-bit code (L) */
	pml4[0] = G_PDPT | 3;				/* present, writable */
	pdpt[0] = G_PD | 3;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB page */
}

void hv_vm_new(struct hv_vm *vm, int sys, size_t size)
{
	memset(vm, 0, sizeof(*vm));
	vm->sys = sys;
	vm->size = size;
	vm->fd = hv_create_vm(sys);
	if (vm->fd < 0)
		tap_bail("setup: KVM_CREATE_VM: %s", hv_errname(errno));
	vm->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		tap_bail("setup: mmap of %zu bytes of guest RAM: %s", size,
			 hv_errname(errno));
	hv_vm_add_slot(vm, 0, 0, vm->mem, size);
	hv_build_tables(vm);
}

void hv_vm_free(struct hv_vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->size);
	vm->fd = -1;
	vm->mem = NULL;
}

void hv_vm_add_slot(struct hv_vm *vm, uint32_t slot, uint64_t gpa,
		    void *mem, size_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r))
		tap_bail("setup: KVM_SET_USER_MEMORY_REGION slot %u gpa 0x%llx size 0x%zx: %s",
			 slot, (unsigned long long)gpa, size, hv_errname(errno));
}

void hv_vm_load(struct hv_vm *vm, const unsigned char *start,
		const unsigned char *end)
{
	size_t len = end - start;

	if (len > G_CODE_MAX)
		tap_bail("setup: payload of %zu bytes, at most %d", len, G_CODE_MAX);
	memcpy(vm->mem + G_CODE, start, len);
}

void hv_vm_set_gate(struct hv_vm *vm, enum hv_mode mode, unsigned int vec,
		    uint64_t handler)
{
	uint32_t *g;

	switch (mode) {
	case HV_REAL:
		g = (uint32_t *)(vm->mem + G_IVT + vec * 4);
		g[0] = handler & 0xffff;	/* offset, segment 0 */
		break;
	case HV_PROT32:
		g = (uint32_t *)(vm->mem + G_IDT + vec * 8);
		g[0] = (handler & 0xffff) | G_SEL_CODE32 << 16;
		g[1] = (handler & 0xffff0000) | 0x8e00;	/* present, int gate */
		break;
	case HV_LONG64:
		g = (uint32_t *)(vm->mem + G_IDT + vec * 16);
		g[0] = (handler & 0xffff) | G_SEL_CODE64 << 16;
		g[1] = (handler & 0xffff0000) | 0x8e00;
		g[2] = handler >> 32;
		g[3] = 0;
		break;
	}
}

void hv_vcpu_new(struct hv_vm *vm, struct hv_vcpu *v, unsigned int id)
{
	static struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[256];
	} cpuid;
	static int cpuid_sys = -1;

	memset(v, 0, sizeof(*v));
	v->id = id;
	v->fd = hv_create_vcpu(vm->fd, id);
	if (v->fd < 0)
		tap_bail("setup: KVM_CREATE_VCPU(%u): %s", id, hv_errname(errno));
	v->run = hv_map_run(v->fd, HV_RUN_SIZE, 0);
	if (v->run == MAP_FAILED)
		tap_bail("setup: mmap of vCPU %u's run area: %s", id,
			 hv_errname(errno));
	if (cpuid_sys != vm->sys) {
		cpuid.c.nent = 256;
		if (ioctl(vm->sys, KVM_GET_SUPPORTED_CPUID, &cpuid))
			tap_bail("setup: KVM_GET_SUPPORTED_CPUID: %s",
				 hv_errname(errno));
		cpuid_sys = vm->sys;
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, &cpuid))
		tap_bail("setup: KVM_SET_CPUID2: %s", hv_errname(errno));
}

void hv_vcpu_free(struct hv_vcpu *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, HV_RUN_SIZE);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static void hv_seg(struct kvm_segment *s, uint16_t sel, uint32_t limit,
		   uint8_t type, bool db, bool l, bool g)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = g;
}

void hv_mode_sregs(struct kvm_sregs *s, enum hv_mode mode)
{
	struct kvm_segment data;

	switch (mode) {
	case HV_REAL:
		hv_seg(&s->cs, 0, 0xffff, 11, false, false, false);
		hv_seg(&data, 0, 0xffff, 3, false, false, false);
		s->cr0 = CR0_CD | CR0_NW | CR0_ET;	/* as at reset */
		s->cr4 = 0;
		s->efer = 0;
		s->idt.base = G_IVT;
		s->idt.limit = 0x3ff;
		break;
	case HV_PROT32:
		hv_seg(&s->cs, G_SEL_CODE32, 0xffffffff, 11, true, false, true);
		hv_seg(&data, G_SEL_DATA, 0xffffffff, 3, true, false, true);
		s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
		s->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
		s->efer = 0;
		s->idt.base = G_IDT;
		s->idt.limit = 256 * 8 - 1;
		break;
	case HV_LONG64:
		hv_seg(&s->cs, G_SEL_CODE64, 0xffffffff, 11, false, true, true);
		hv_seg(&data, G_SEL_DATA, 0xffffffff, 3, true, false, true);
		s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		s->cr3 = G_PML4;
		s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		s->efer = EFER_LME | EFER_LMA;
		s->idt.base = G_IDT;
		s->idt.limit = 256 * 16 - 1;
		break;
	}
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	/* a busy TSS and an LDT, as the CPU expects them to be loaded */
	hv_seg(&s->tr, 0, 0x67, 11, false, false, false);
	s->tr.s = 0;
	hv_seg(&s->ldt, 0, 0xffff, 2, false, false, false);
	s->ldt.s = 0;
	s->gdt.base = G_GDT;
	s->gdt.limit = G_GDT_LIMIT;
}

void hv_vcpu_mode(struct hv_vcpu *v, enum hv_mode mode, uint64_t rip)
{
	struct kvm_regs r = { .rip = rip, .rsp = G_STACK_TOP,
			      .rflags = RFLAGS_FIXED };
	struct kvm_sregs s;

	hv_get_sregs(v, &s);
	hv_mode_sregs(&s, mode);
	if (ioctl(v->fd, KVM_SET_SREGS, &s))
		tap_bail("setup: KVM_SET_SREGS (mode %d): %s", mode,
			 hv_errname(errno));
	hv_set_regs(v, &r);
}

void hv_get_regs(struct hv_vcpu *v, struct kvm_regs *r)
{
	if (ioctl(v->fd, KVM_GET_REGS, r))
		tap_bail("KVM_GET_REGS: %s", hv_errname(errno));
}

void hv_set_regs(struct hv_vcpu *v, const struct kvm_regs *r)
{
	if (ioctl(v->fd, KVM_SET_REGS, r))
		tap_bail("KVM_SET_REGS: %s", hv_errname(errno));
}

void hv_get_sregs(struct hv_vcpu *v, struct kvm_sregs *s)
{
	if (ioctl(v->fd, KVM_GET_SREGS, s))
		tap_bail("KVM_GET_SREGS: %s", hv_errname(errno));
}

uint64_t hv_rip(struct hv_vcpu *v)
{
	struct kvm_regs r;

	hv_get_regs(v, &r);
	return r.rip;
}

struct hv_one_msr {
	struct kvm_msrs m;
	struct kvm_msr_entry e;
};

int hv_get_msr(struct hv_vcpu *v, uint32_t index, uint64_t *val)
{
	struct hv_one_msr b = { .m.nmsrs = 1, .e.index = index };
	int r = ioctl(v->fd, KVM_GET_MSRS, &b);

	*val = b.e.data;
	return r;
}

int hv_set_msr(struct hv_vcpu *v, uint32_t index, uint64_t val)
{
	struct hv_one_msr b = { .m.nmsrs = 1, .e.index = index, .e.data = val };

	return ioctl(v->fd, KVM_SET_MSRS, &b);
}
