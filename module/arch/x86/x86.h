/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the VMX and SVM backends share: the vCPU state both keep, the
 * KVM x86 register ABI, CPUID and MSR policy, guest FPU handling.
 */
#ifndef HVMOD_X86_H
#define HVMOD_X86_H

#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/reboot.h>
#include <uapi/linux/kvm.h>
#include "hvmod.h"

/* GPR indexes in x86 encoding order (ModRM reg/rm numbers). */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

#define X86_MAX_CPUID_ENTRIES	256	/* KVM_MAX_CPUID_ENTRIES */
#define X86_7_EBX_TSC_ADJUST	BIT(1)	/* CPUID.7.0:EBX, see x86_msr.c */
/* Debug register bits (as KVM's): DR6's writable bits, DR7's. */
#define X86_DR6_INIT		0xffff0ff0ull
#define X86_DR6_VOLATILE	0x0001e80full
#define X86_DR7_INIT		0x400ull
#define X86_DR7_VOLATILE	0xffff2bffull

#define X86_MAX_IO_MSRS		1000	/* as KVM: per GET/SET_MSRS call */

/* XCR0 components a guest may enable, where the host has them (x86_xsave.c) */
#define X86_XCR0_OFFERED	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
				 XFEATURE_MASK_YMM)

/* Must be the first member of a backend's vCPU (vcpu->arch points to it). */
#define X86_MTRR_VAR	8		/* variable ranges (MTRRcap VCNT) */
#define X86_MTRR_FIXED	11		/* fixed-range MSRs */
#define X86_MCE_BANKS	32		/* as KVM_MAX_MCE_BANKS */

struct x86_lapic;

struct x86_vcpu {
	unsigned long gpr[X86_NR_GPRS];	/* all 16, synced with VMCB/VMCS */
	struct fpu_guest fpu;
	struct kvm_cpuid_entry2 *cpuid;
	u32 cpuid_nent;
	u64 apic_base;
	u64 misc_enable;
	u64 tsc_aux;			/* the guest's, for RDTSCP */
	u64 tsc_adjust;			/* IA32_TSC_ADJUST, see x86_msr.c */
	u64 kvm_system_time;		/* MSR_KVM_SYSTEM_TIME, never enabled */
	/* x86_mtrr.c: MTRRdefType, fixed ranges, PhysBase/PhysMask pairs */
	u64 mtrr_def, mtrr_fixed[X86_MTRR_FIXED], mtrr_var[2 * X86_MTRR_VAR];
	/* x86_mce.c: MCG_STATUS, MCG_CTL, MCi_CTL/STATUS/ADDR/MISC */
	u64 mcg_status, mcg_ctl, mce_banks[4 * X86_MCE_BANKS];
	u64 xcr0;			/* the guest's, loaded around entries */
	/*
	 * Debug registers as the guest sees them.  MOV DR always exits and
	 * is emulated on these copies: the hardware's DR0-3 stay the host's
	 * and DR7 arms nothing in the guest (no guest hardware breakpoints).
	 */
	u64 db[4], dr6, dr7;
	/* an IN completed by userspace, copied into RAX on the next run */
	u8 pio_in_size;
	bool entered;			/* has entered the guest once (KVM_SET_CPUID2) */
	/* KVM_INTERRUPT vector waiting for the guest to accept it, or -1 */
	int pending_irq;
	/*
	 * KVM_NMI: NMIs not yet injected.  At most 2 (one to deliver, one
	 * latched behind it), and 1 while the guest blocks NMIs: as on
	 * hardware, NMIs raised while one is handled collapse into one.
	 */
	u8 nmi_pending;
	u32 sipi_vector;		/* KVM_SET_VCPU_EVENTS, kept for GET */
	/* the in-kernel local APIC (KVM_CREATE_IRQCHIP), else NULL */
	struct x86_lapic *apic;
	/* an MMIO read finished on the next run (x86_emulate.c) */
	struct {
		bool pending, rex, to_mem;
		u8 reg, size, dsize, ext;
		u64 next_rip, mem_gpa;
	} mmio;
	/* an INS finished on the next run */
	struct {
		bool pending, rep;
		u8 size, asize;
		unsigned int count;
		u64 next_rip;
	} pio_str;
};

static inline struct x86_vcpu *to_x86(struct hvmod_vcpu *vcpu)
{
	return vcpu->arch;
}

/* What a backend provides to the shared code. */
struct x86_ops {
	u64 (*get_rip)(struct hvmod_vcpu *vcpu);
	void (*set_rip)(struct hvmod_vcpu *vcpu, u64 rip);
	u64 (*get_rflags)(struct hvmod_vcpu *vcpu);
	void (*set_rflags)(struct hvmod_vcpu *vcpu, u64 rflags);
	void (*get_sregs)(struct hvmod_vcpu *vcpu, struct kvm_sregs *s);
	void (*set_sregs)(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s);
	/* MSRs held in the VMCB/VMCS; -ENOENT if the index is not one */
	int (*get_msr)(struct hvmod_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct hvmod_vcpu *vcpu, u32 index, u64 data);
	/* the event for the next entry, X86_EVENT_* (x86_events.c) */
	void (*get_event)(struct hvmod_vcpu *vcpu, u32 *info, u32 *err);
	void (*set_event)(struct hvmod_vcpu *vcpu, u32 info, u32 err);
	/* NMIs blocked (an NMI handler runs until its IRET) */
	bool (*get_nmi_mask)(struct hvmod_vcpu *vcpu);
	void (*set_nmi_mask)(struct hvmod_vcpu *vcpu, bool masked);
	/* STI/MOV SS interrupt shadow, as KVM_X86_SHADOW_INT_* */
	u8 (*get_int_shadow)(struct hvmod_vcpu *vcpu);
	void (*set_int_shadow)(struct hvmod_vcpu *vcpu, u8 shadow);
};

/*
 * An event to inject, in the layout SVM's EVENTINJ and VMX's VM-entry
 * interruption information share: vector 7:0, type 10:8, error code
 * valid 11, valid 31 (the error code itself is separate in both).
 */
#define X86_EVENT_VECTOR	0xffu
#define X86_EVENT_TYPE_MASK	(7u << 8)
#define X86_EVENT_TYPE_INTR	(0u << 8)
#define X86_EVENT_TYPE_NMI	(2u << 8)
#define X86_EVENT_TYPE_EXCEPT	(3u << 8)
#define X86_EVENT_HAS_ERR	BIT(11)
#define X86_EVENT_VALID		BIT(31)

/* x86_virt.c */
void x86_emergency_register(cpu_emergency_virt_cb *cb);
void x86_emergency_unregister(void);

/* x86_mtrr.c, x86_mce.c: -ENOENT for other MSRs */
int x86_mtrr_get(struct x86_vcpu *x, u32 index, u64 *data);
int x86_mtrr_set(struct x86_vcpu *x, u32 index, u64 data);
void x86_mce_reset(struct x86_vcpu *x);
int x86_mce_get(struct x86_vcpu *x, u32 index, u64 *data);
int x86_mce_set(struct x86_vcpu *x, u32 index, u64 data, bool guest);

/* x86_vm.c: vm->arch of both backends */
struct x86_vm {
	u64 tss_addr;			/* KVM_SET_TSS_ADDR, unused */
	u64 identity_map_addr;		/* KVM_SET_IDENTITY_MAP_ADDR, unused */
	unsigned long nr_mmu_pages;	/* KVM_SET_NR_MMU_PAGES, 0: unset */
	/* KVM_SET_GSI_ROUTING (x86_irq_routing.c), used by x86_irq_line.c */
	struct kvm_irq_routing_entry *routes;
	u32 nr_routes;
	bool routes_set;		/* else KVM's default routing */
	/* KVM_CREATE_IRQCHIP done: every vCPU has an in-kernel LAPIC */
	bool irqchip;
	struct x86_ioapic *ioapic;
	struct x86_pic *pic;		/* x86_pic.c, with the IOAPIC */
	struct x86_pit *pit;		/* x86_pit.c: KVM_CREATE_PIT2 */
	/* every vCPU's TSC offset at creation: guest TSC 0 at VM creation */
	u64 tsc_offset;
};

#define X86_IOAPIC_PINS		24	/* KVM_IOAPIC_NUM_PINS */
#define X86_MAX_IRQ_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES */

int x86_vm_init(struct hvmod_vm *vm);
void x86_vm_stop(struct hvmod_vm *vm);
void x86_vm_destroy(struct hvmod_vm *vm);
long x86_vm_addr_ioctl(struct hvmod_vm *vm, unsigned int ioctl,
		       unsigned long arg);
long x86_set_gsi_routing(struct hvmod_vm *vm, struct kvm_irq_routing __user *argp);

/* x86_vcpu.c */
int x86_vcpu_init(struct x86_vcpu *x, struct hvmod_vcpu *vcpu);
void x86_vcpu_destroy(struct x86_vcpu *x);
void x86_vcpu_load(struct x86_vcpu *x);
void x86_vcpu_put(struct x86_vcpu *x);
void x86_cpu_enable(void);
bool x86_enter_ok(struct x86_vcpu *x);
void x86_after_exit(struct x86_vcpu *x);
long x86_vm_ioctl(struct hvmod_vm *vm, unsigned int ioctl, unsigned long arg);
int x86_check_extension(long cap);
long x86_vcpu_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		    unsigned int ioctl, unsigned long arg);
void x86_complete_pio_in(struct x86_vcpu *x, const void *data);

/* x86_events.c: KVM_NMI, KVM_GET/SET_VCPU_EVENTS; -ENOTTY for others */
long x86_events_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		      unsigned int ioctl, void __user *argp);
/* Before an entry: the NMIs a blocked guest can still see, at most one. */
static inline void x86_nmi_collapse(struct x86_vcpu *x, bool masked)
{
	if (masked && x->nmi_pending > 1)
		x->nmi_pending = 1;
}

/*
 * x86_lapic.c, x86_lapic_timer.c, x86_irqchip.c: the in-kernel local APIC
 * (KVM_CREATE_IRQCHIP), its timer, INIT/SIPI and the MP state.
 */
int x86_create_irqchip(struct hvmod_vm *vm);
int x86_lapic_create(struct hvmod_vcpu *vcpu);
void x86_lapic_destroy(struct x86_vcpu *x);
bool x86_lapic_mmio(struct hvmod_vcpu *vcpu, u64 gpa, unsigned int len,
		    bool write, u64 *data);
bool x86_lapic_irq_ready(struct x86_vcpu *x);
int x86_lapic_accept(struct x86_vcpu *x);
int x86_irqchip_before_entry(struct hvmod_vcpu *vcpu,
			     const struct x86_ops *ops);
int x86_irqchip_hlt(struct hvmod_vcpu *vcpu);
long x86_irqchip_vcpu_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			    unsigned int ioctl, void __user *argp);
int x86_lapic_deliver_irq(struct hvmod_vm *vm, struct x86_lapic *src,
			  u32 icr, u8 dest);
/* x86_ioapic.c, x86_irq_line.c */
int x86_ioapic_create(struct hvmod_vm *vm);
void x86_ioapic_destroy(struct hvmod_vm *vm);
int x86_ioapic_set_pin(struct hvmod_vm *vm, unsigned int pin, bool level);
void x86_ioapic_eoi(struct hvmod_vm *vm, u8 vector);
bool x86_ioapic_mmio(struct hvmod_vm *vm, u64 gpa, unsigned int len,
		     bool write, u64 *data);
void x86_ioapic_get(struct hvmod_vm *vm, struct kvm_ioapic_state *s);
void x86_ioapic_set(struct hvmod_vm *vm, const struct kvm_ioapic_state *s);
/* x86_pic.c: the 8259 pair; x86_pio.c: ports handled in the kernel */
int x86_pic_create(struct hvmod_vm *vm);
void x86_pic_destroy(struct hvmod_vm *vm);
int x86_pic_set_irq(struct hvmod_vm *vm, unsigned int pin, bool level);
bool x86_pic_extint_ready(struct x86_vcpu *x);
int x86_pic_read_irq(struct hvmod_vm *vm);
bool x86_pic_pio(struct hvmod_vm *vm, u16 port, u8 size, bool in, u32 *val);
void x86_pic_get(struct hvmod_vm *vm, int c, struct kvm_pic_state *s);
void x86_pic_set(struct hvmod_vm *vm, int c, const struct kvm_pic_state *s);
bool x86_pio_kernel(struct hvmod_vcpu *vcpu, u16 port, u8 size, bool in);
int x86_set_gsi(struct hvmod_vm *vm, u32 gsi, bool level);
/* x86_pit.c: the 8254 (KVM_CREATE_PIT2) */
long x86_pit_ioctl(struct hvmod_vm *vm, unsigned int ioctl, void __user *argp);
bool x86_pit_pio(struct hvmod_vm *vm, u16 port, u8 size, bool in, u32 *val);
void x86_pit_stop(struct hvmod_vm *vm);
void x86_pit_destroy(struct hvmod_vm *vm);
long x86_irq_line_ioctl(struct hvmod_vm *vm, unsigned int ioctl,
			void __user *argp);
int x86_lapic_get_msr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		      u32 index, u64 *data);
int x86_lapic_set_msr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		      u32 index, u64 data);

/* x86_mem.c: guest linear memory through the guest's page tables */
int x86_linear_to_gpa(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s,
		      u64 la, bool write, u64 *gpa);
int x86_linear_rw(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s, u64 la,
		  void *buf, size_t len, bool write);

/* x86_emulate.c: 0 with an exit for userspace, > 0 handled */
int x86_emulate_mmio(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		     u64 gpa);
int x86_emulate_string_io(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			  u16 port, u8 size, bool in, bool rep, u8 asize,
			  u64 next_rip);
int x86_complete_userspace(struct hvmod_vcpu *vcpu, const struct x86_ops *ops);
unsigned int x86_prefix_len(struct hvmod_vcpu *vcpu, const struct x86_ops *ops);
int x86_emulate_mov_dr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops);

/* x86_cpuid.c */
long x86_dev_ioctl(unsigned int ioctl, unsigned long arg);
bool x86_cpuid(const struct x86_vcpu *x, u32 fn, u32 idx, u32 out[4]);
void x86_guest_cpuid(const struct x86_vcpu *x, unsigned long cr4, u32 fn,
		     u32 idx, u32 out[4]);
bool x86_guest_has_xsave(const struct x86_vcpu *x);
int x86_set_cpuid2(struct x86_vcpu *x, unsigned long cr4,
		   struct kvm_cpuid2 __user *ucpuid);
int x86_get_cpuid2(struct x86_vcpu *x, unsigned long cr4,
		   struct kvm_cpuid2 __user *ucpuid);

/* x86_xsave.c */
void x86_xsave_cpu_enable(void);
u64 x86_supported_xcr0(void);
u32 x86_xstate_size(u64 xcr0, bool compacted);
int x86_set_xcr(struct x86_vcpu *x, u32 index, u64 xcr0);
int x86_emulate_xsetbv(struct x86_vcpu *x, unsigned int cpl);
void x86_load_guest_xcr0(struct x86_vcpu *x);
void x86_load_host_xcr0(struct x86_vcpu *x);
long x86_xsave_ioctl(struct x86_vcpu *x, unsigned int ioctl, void __user *argp);

/* x86_msr.c: 0 on success, -ENOENT for an MSR hvmod does not emulate */
int x86_get_msr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		u32 index, u64 *data);
bool x86_apic_base_valid(u64 data);
int x86_set_msr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		u32 index, u64 data);
int x86_guest_wrmsr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		    u32 index, u64 data);
long x86_msrs_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		    bool set, struct kvm_msrs __user *umsrs);
long x86_msr_index_list(struct kvm_msr_list __user *ulist);

#endif /* HVMOD_X86_H */
