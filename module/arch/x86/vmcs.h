/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmod's VMCS accessors, on top of the field encodings and control bits
 * in <asm/vmx.h>.  Every VMX instruction here checks its outcome: a
 * VMfail (CF or ZF set) or a fault (not in VMX operation) is reported
 * once with WARN and returned as an error, never a crash.
 */
#ifndef HVMOD_VMCS_H
#define HVMOD_VMCS_H

#include <linux/bug.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/vmx.h>

/* vmx_vcpu.c: the one place failures are reported (WARN_ONCE). */
void vmcs_fail(const char *insn, unsigned long field, u64 val);

/* The VM-instruction error of the current VMCS; 0 if it cannot be read. */
static inline u32 vmcs_insn_error(void)
{
	unsigned long v = 0;

	asm volatile("1: vmread %[f], %[v]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [v] "+r" (v)
		     : [f] "r" ((unsigned long)VM_INSTRUCTION_ERROR)
		     : "cc");
	return v;
}

static __always_inline u64 vmcs_read(unsigned long field)
{
	unsigned long v = 0;
	u8 fail;

	asm volatile("1: vmread %[f], %[v]\n\t"
		     "setna %[fail]\n\t"
		     "jmp 3f\n\t"
		     "2: movb $1, %[fail]\n\t"
		     "3:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [v] "+r" (v), [fail] "=q" (fail)
		     : [f] "r" (field)
		     : "cc");
	if (unlikely(fail))
		vmcs_fail("vmread", field, 0);
	return v;
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	return vmcs_read(field);
}

static __always_inline int vmcs_write(unsigned long field, u64 val)
{
	asm goto("1: vmwrite %[v], %[f]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [f] "r" (field), [v] "rm" (val)
		 : "cc" : fail);
	return 0;
fail:
	vmcs_fail("vmwrite", field, val);
	return -EIO;
}

/* Make the VMCS at pa current (and active) on this CPU. */
static inline int vmcs_load(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	vmcs_fail("vmptrld", 0, pa);
	return -EIO;
}

/* Write the VMCS at pa back to memory: inactive, not current, clear. */
static inline int vmcs_clear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	vmcs_fail("vmclear", 0, pa);
	return -EIO;
}

#endif /* HVMOD_VMCS_H */
