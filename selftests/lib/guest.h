/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 guests for the hvmod selftests: a VM with guest RAM at GPA 0, vCPUs
 * put in real, protected or long mode with descriptor and page tables
 * built here, payloads embedded at build time (guests/x86_*.S), and
 * checks of the exits reported in struct kvm_run.
 *
 * Setup steps that are not under test bail out (TAP "Bail out!") with the
 * failing call and errno; every check that is a test prints one TAP line.
 */
#ifndef HVMOD_SELFTEST_GUEST_H
#define HVMOD_SELFTEST_GUEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "guest_layout.h"
#include "hvmod_util.h"

/*
 * HV_GUEST_BLOB(x86_foo) embeds guests/x86_foo.bin (built from
 * guests/x86_foo.S) as x86_foo_bin[] .. x86_foo_bin_end[].  The symbols of
 * the payload are GUEST_<label> in guests/x86_foo.sym.h.
 */
#define HV_GUEST_BLOB(name)						\
	extern const unsigned char name##_bin[], name##_bin_end[];	\
	__asm__(".pushsection .rodata\n"				\
		".balign 16\n"						\
		#name "_bin:\n"						\
		".incbin \"guests/" #name ".bin\"\n"			\
		#name "_bin_end:\n"					\
		".popsection\n")

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define HV_RUN_TIMEOUT	30	/* seconds before hv_run() gives up on a guest */

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103
#define MSR_TSC			0x10
#define MSR_TSC_ADJUST		0x3b
#define MSR_APIC_BASE		0x1b
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_MISC_ENABLE		0x1a0
#define MSR_KVM_WALL_CLOCK	0x11
#define MSR_KVM_SYSTEM_TIME	0x12
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MCG_CTL		0x17b
#define MSR_MC0_CTL		0x400
#define MSR_MC0_STATUS		0x401
#define MSR_MTRR_CAP		0xfe
#define MSR_MTRR_BASE0		0x200
#define MSR_MTRR_MASK0		0x201
#define MSR_MTRR_FIX64K		0x250
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_PAT			0x277

#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NX		(1ULL << 11)
#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_NW		(1ULL << 29)
#define CR0_CD		(1ULL << 30)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define RFLAGS_FIXED	(1ULL << 1)
#define RFLAGS_IF	(1ULL << 9)

enum hv_mode { HV_REAL, HV_PROT32, HV_LONG64 };

struct hv_vm {
	int sys;		/* /dev/hvmod (not owned) */
	int fd;
	uint8_t *mem;		/* guest RAM at GPA 0, slot 0 */
	size_t size;
};

struct hv_vcpu {
	int fd;
	unsigned int id;
	struct kvm_run *run;
};

/*
 * Opens /dev/hvmod for a test that runs guests.  Skips the whole program
 * (exit 4) if there is no device; bails out (a failure) if
 * KVM_CAP_IMMEDIATE_EXIT is 0: both x86 backends must run guests.  Installs
 * a no-op SIGALRM handler without SA_RESTART (the hv_run() watchdog).
 */
int hv_x86_open(void);

/* VM with size bytes of RAM at GPA 0 (slot 0) and the tables of guest_layout.h. */
void hv_vm_new(struct hv_vm *vm, int sys, size_t size);
void hv_vm_free(struct hv_vm *vm);
/* Extra slot backed by mem (not owned). */
void hv_vm_add_slot(struct hv_vm *vm, uint32_t slot, uint64_t gpa,
		    void *mem, size_t size);
/* Copies a payload to G_CODE. */
void hv_vm_load(struct hv_vm *vm, const unsigned char *start,
		const unsigned char *end);
/* Interrupt gate for vector vec (IVT entry in real mode). */
void hv_vm_set_gate(struct hv_vm *vm, enum hv_mode mode, unsigned int vec,
		    uint64_t handler);

/* vCPU with its run area mapped and KVM_GET_SUPPORTED_CPUID as its CPUID. */
void hv_vcpu_new(struct hv_vm *vm, struct hv_vcpu *v, unsigned int id);
void hv_vcpu_free(struct hv_vcpu *v);
/* Segments/control registers of mode, RIP rip, RSP G_STACK_TOP, RFLAGS 2. */
void hv_vcpu_mode(struct hv_vcpu *v, enum hv_mode mode, uint64_t rip);
/* The sregs hv_vcpu_mode() would set. */
void hv_mode_sregs(struct kvm_sregs *s, enum hv_mode mode);
void hv_get_regs(struct hv_vcpu *v, struct kvm_regs *r);
void hv_set_regs(struct hv_vcpu *v, const struct kvm_regs *r);
void hv_get_sregs(struct hv_vcpu *v, struct kvm_sregs *s);
uint64_t hv_rip(struct hv_vcpu *v);

/* MSR value via KVM_GET_MSRS / KVM_SET_MSRS of one entry; 0 if processed. */
int hv_get_msr(struct hv_vcpu *v, uint32_t index, uint64_t *val);
int hv_set_msr(struct hv_vcpu *v, uint32_t index, uint64_t val);

/* Set by hv_x86_open()'s SIGALRM handler (guest.c). */
extern volatile sig_atomic_t hv_alarm_fired;

/* KVM_RUN with a watchdog of secs seconds; 0 or the errno. */
int hv_run_for(struct hv_vcpu *v, unsigned int secs);
static inline int hv_run(struct hv_vcpu *v)
{
	return hv_run_for(v, HV_RUN_TIMEOUT);
}

const char *hv_exit_name(uint32_t reason);
/* Diagnoses the exit in v->run (reason, its fields, RIP). */
void hv_diag_exit(struct hv_vcpu *v);

/*
 * Runs v and checks the exit, diagnosing what differs; no TAP line.
 * hv_run_io() also checks io.count == 1 and io.data_offset; for an OUT,
 * *data gets the value written.
 */
bool hv_run_exit(struct hv_vcpu *v, uint32_t reason);
bool hv_run_io(struct hv_vcpu *v, uint8_t dir, uint8_t size, uint16_t port,
	       uint32_t *data);
/* The same checks on the exit already in v->run. */
bool hv_is_io(struct hv_vcpu *v, uint8_t dir, uint8_t size, uint16_t port,
	      uint32_t *data);
/* Value of the data of the last IO exit (size bytes). */
uint32_t hv_io_data(struct hv_vcpu *v);
/* Data for the IN of the last exit, read by the guest on the next KVM_RUN. */
void hv_io_reply(struct hv_vcpu *v, uint32_t val);

/* TAP: KVM_RUN exits with reason. */
__attribute__((format(printf, 3, 4)))
bool hv_expect_exit(struct hv_vcpu *v, uint32_t reason, const char *fmt, ...);
/* TAP: KVM_RUN exits with an OUT of size bytes of want to port. */
__attribute__((format(printf, 5, 6)))
bool hv_expect_out(struct hv_vcpu *v, uint16_t port, uint8_t size,
		   uint32_t want, const char *fmt, ...);
/* TAP: ok && got == want, with "expected 0x.., got 0x.." when ok. */
__attribute__((format(printf, 4, 5)))
bool hv_expect_hex(bool ok, uint64_t got, uint64_t want, const char *fmt, ...);

#endif /* HVMOD_SELFTEST_GUEST_H */
