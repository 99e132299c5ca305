// SPDX-License-Identifier: GPL-2.0
/*
 * Guest linear addresses for the emulation paths (MMIO decode, string
 * IO): translated through the guest's own page tables (none, 32-bit,
 * PAE or 4-level long mode), then copied through guest RAM.
 */
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "x86.h"

#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

static int x86_pte(struct hvmod_vm *vm, u64 gpa, bool wide, u64 *pte)
{
	u32 p32;

	if (wide)
		return hvmod_guest_rw(vm, gpa, pte, 8, false);
	if (hvmod_guest_rw(vm, gpa, &p32, 4, false))
		return -EFAULT;
	*pte = p32;
	return 0;
}

int x86_linear_to_gpa(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s,
		      u64 la, bool write, u64 *gpa)
{
	struct hvmod_vm *vm = vcpu->vm;
	bool wp = s->cr0 & X86_CR0_WP;
	int level, shift;
	u64 table, pte;
	bool wide;

	if (!(s->cr0 & X86_CR0_PG)) {
		*gpa = la & 0xffffffff;
		return 0;
	}
	if (s->efer & EFER_LMA) {
		level = 4;
		wide = true;
		table = s->cr3 & PTE_ADDR;
	} else if (s->cr4 & X86_CR4_PAE) {
		la &= 0xffffffff;
		if (x86_pte(vm, (s->cr3 & ~0x1fULL) + ((la >> 30) & 3) * 8,
			    true, &pte) || !(pte & PTE_P))
			return -EFAULT;
		level = 2;
		wide = true;
		table = pte & PTE_ADDR;
	} else {
		la &= 0xffffffff;
		level = 2;
		wide = false;
		table = s->cr3 & 0xfffff000;
	}

	for (; level > 0; level--) {
		shift = wide ? 12 + 9 * (level - 1) : 12 + 10 * (level - 1);
		if (x86_pte(vm, table + ((la >> shift) & (wide ? 511 : 1023)) *
			    (wide ? 8 : 4), wide, &pte) || !(pte & PTE_P))
			return -EFAULT;
		if (write && wp && !(pte & PTE_W))
			return -EFAULT;
		if (level > 1 && (pte & PTE_PS) &&
		    (wide || (s->cr4 & X86_CR4_PSE))) {
			/* a large leaf: 1 GiB, 2 MiB or (32-bit) 4 MiB */
			u64 base = wide ? pte & PTE_ADDR :
					  (pte & 0xffc00000) |
					  ((pte & 0x1fe000) << 19);

			*gpa = (base & ~((1ULL << shift) - 1)) |
			       (la & ((1ULL << shift) - 1));
			return 0;
		}
		table = wide ? pte & PTE_ADDR : pte & 0xfffff000;
	}
	*gpa = table | (la & 0xfff);
	return 0;
}

/* Copy to or from guest linear memory, page by page. */
int x86_linear_rw(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s, u64 la,
		  void *buf, size_t len, bool write)
{
	size_t n;
	u64 gpa;

	while (len) {
		n = min_t(size_t, len, PAGE_SIZE - (la & ~PAGE_MASK));
		if (x86_linear_to_gpa(vcpu, s, la, write, &gpa) ||
		    hvmod_guest_rw(vcpu->vm, gpa, buf, n, write))
			return -EFAULT;
		la += n;
		buf += n;
		len -= n;
	}
	return 0;
}
