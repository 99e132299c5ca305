/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmod core: the objects the generic core owns and the one ops table a
 * backend implements.  The core never includes a backend's headers; a
 * backend never touches the /dev/hvmod plumbing.
 */
#ifndef HVMOD_CORE_H
#define HVMOD_CORE_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/rwsem.h>
#include <linux/signal_types.h>
#include <linux/atomic.h>
#include <uapi/linux/kvm.h>
#include <uapi/linux/hvmod.h>
#include "s2.h"

struct hvmod_vm;
struct hvmod_vcpu;

/* One guest-physical range backed by userspace memory. */
struct hvmod_slot {
	u64 gpa;		/* guest physical base, page aligned */
	u64 size;		/* bytes, page aligned; 0 = slot unused */
	u64 uaddr;		/* userspace address of the backing */
	u32 flags;		/* KVM_MEM_* (none supported yet) */
	/*
	 * Watches [uaddr, uaddr + size) of the VM's mm: munmap, mremap,
	 * madvise(DONTNEED), mprotect... of the backing unmap the slot's
	 * stage-2 entries and unpin their pages (mmu.c).
	 */
	struct mmu_interval_notifier mni;
	bool mni_live;
	struct hvmod_vm *vm;
};

struct hvmod_vm {
	struct kref ref;		/* the VM fd and every vCPU fd */
	struct mm_struct *mm;		/* the creating process' mm (mmgrab) */
	struct mutex lock;		/* vCPU table */
	/* slots and stage-2: read by running vCPUs, written by slot changes */
	struct rw_semaphore s2_sem;
	/*
	 * Orders stage-2 maps of pinned pages against MMU notifier
	 * invalidations (the mmu_interval_read_begin/retry protocol);
	 * taken outside s2.lock, never across a page pin or an allocation
	 * that may reclaim.
	 */
	struct mutex mmu_lock;
	struct hvmod_slot slots[HVMOD_MAX_SLOTS];
	struct hvmod_s2 s2;		/* empty root if the backend has none */
	atomic64_t tlb_gen;		/* bumped when stage-2 loses entries */
	u64 slot_bytes;			/* sum of slot sizes */
	struct hvmod_vcpu *vcpus[HVMOD_MAX_VCPUS];	/* index = vCPU id */
	unsigned int nr_vcpus;
	/* vCPUs created or being created (KVM's created_vcpus), vm->lock */
	unsigned int created_vcpus;
	/* vCPU ids are below this; 0 until KVM_CAP_MAX_VCPU_ID or a vCPU fixes it */
	unsigned int max_vcpu_ids;
	void *arch;			/* backend private */
};

struct hvmod_vcpu {
	struct hvmod_vm *vm;
	u32 id;
	struct mutex lock;		/* one vCPU ioctl at a time */
	struct kvm_run *run;		/* page 0 of the vCPU mmap */
	struct page *run_page;
	struct page *pio_page;		/* page KVM_PIO_PAGE_OFFSET */
	/* KVM_SET_SIGNAL_MASK: the thread's mask while in KVM_RUN */
	bool sigset_active;
	sigset_t sigset;
	void *arch;			/* backend private */
};

/*
 * The port I/O data page: x86's uapi defines its page offset; other
 * architectures have no port I/O, hvmod keeps the same vCPU mmap layout.
 */
#ifndef KVM_PIO_PAGE_OFFSET
#define KVM_PIO_PAGE_OFFSET	1
#endif

/* Number of pages userspace maps on a vCPU fd. */
#define HVMOD_VCPU_MMAP_PAGES	2

/*
 * A backend: one table chosen at load time by probing the CPU.  Optional
 * hooks may be NULL.  Per-CPU hooks run on the CPU concerned with
 * preemption disabled or from that CPU's hotplug thread.
 */
struct hvmod_backend {
	const char *name;		/* "svm", "vmx", ... */
	u32 id;				/* HVMOD_BACKEND_* */
	/* true if this CPU's vendor is the backend's (auto selection) */
	bool (*native)(void);
	/* 0 if usable; else -errno after logging one precise reason */
	int (*probe)(void);
	/* once before the first CPU is enabled / after the last is off */
	int (*global_enable)(void);
	void (*global_disable)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	int (*vm_init)(struct hvmod_vm *vm);
	/* at the VM's end, before its vCPUs are freed: stop timers into them */
	void (*vm_stop)(struct hvmod_vm *vm);
	void (*vm_destroy)(struct hvmod_vm *vm);
	int (*vcpu_init)(struct hvmod_vcpu *vcpu);
	void (*vcpu_destroy)(struct hvmod_vcpu *vcpu);
	/* KVM_RUN begin/end, and one guest entry + exit decode (run.c) */
	void (*vcpu_load)(struct hvmod_vcpu *vcpu);
	void (*vcpu_put)(struct hvmod_vcpu *vcpu);
	/*
	 * Optional, once per KVM_RUN before anything else: finish the exit
	 * userspace has just handled (IN data, an MMIO read), as KVM's
	 * complete_userspace_io; 0, or an error for the ioctl.
	 */
	int (*vcpu_complete)(struct hvmod_vcpu *vcpu);
	int (*vcpu_run)(struct hvmod_vcpu *vcpu);
	/* arch ioctls on the vCPU fd (registers...), the VM fd and the system fd */
	long (*vcpu_ioctl)(struct hvmod_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg);
	long (*vm_ioctl)(struct hvmod_vm *vm, unsigned int ioctl,
			 unsigned long arg);
	long (*dev_ioctl)(unsigned int ioctl, unsigned long arg);
	const struct hvmod_s2_format *s2;
	/* arch capabilities; return -1 for "not mine, ask the core" */
	int (*check_extension)(long cap);
	/* HVMOD_FEAT_* this backend offers on this CPU, set by probe() */
	u64 features;
};

/* main.c */
extern const struct hvmod_backend *hvmod_be;
extern unsigned int hvmod_verbose;

/* One-line reason for a rejected input, ratelimited, muted by verbose=0. */
#define hvmod_reject(fmt, ...)						\
	do {								\
		if (hvmod_verbose)					\
			pr_info_ratelimited(fmt "\n", ##__VA_ARGS__);	\
	} while (0)

/* account.c: what hvmod holds, reported by HVMOD_GET_INFO */
enum hvmod_count {
	HVMOD_CNT_VMS,
	HVMOD_CNT_VCPUS,
	HVMOD_CNT_PINNED,
	HVMOD_CNT_S2,
	HVMOD_CNT_CTL,
	HVMOD_CNT_CPUS,
	HVMOD_CNT_NR
};

void hvmod_count_add(enum hvmod_count c, long n);
void hvmod_counts_read(struct hvmod_counts *out);
struct page *hvmod_ctl_page_alloc(int node);
void hvmod_ctl_page_free(struct page *page);
int hvmod_percpu_pages_alloc(struct page * __percpu *pages);
void hvmod_percpu_pages_free(struct page * __percpu *pages);

/* cpu.c: lazy per-CPU enable, reboot safety */
int hvmod_virt_get(void);
bool hvmod_cpu_virt_on(void);
void hvmod_virt_put(void);
int hvmod_cpu_init(void);
void hvmod_cpu_exit(void);

/* caps.c */
long hvmod_check_extension(long cap);

/* vm.c */
int hvmod_create_vm(unsigned long type);
void hvmod_vm_put(struct hvmod_vm *vm);
bool hvmod_vm_foreign(struct hvmod_vm *vm);

/* memslot.c */
int hvmod_set_memory_region(struct hvmod_vm *vm,
			    const struct kvm_userspace_memory_region *mem);

/* mmu.c: guest RAM through stage-2 */
int hvmod_s2_fault(struct hvmod_vm *vm, u64 gpa, bool write, bool present);
bool hvmod_gpa_is_ram(struct hvmod_vm *vm, u64 gpa);
int hvmod_guest_rw(struct hvmod_vm *vm, u64 gpa, void *buf, size_t len,
		   bool write);
void hvmod_s2_zap(struct hvmod_vm *vm, u64 gpa, u64 size);
void hvmod_s2_release_pinned(phys_addr_t pa, unsigned int level,
			     unsigned int prot);
int hvmod_slot_watch(struct hvmod_vm *vm, struct hvmod_slot *slot);
void hvmod_slot_unwatch(struct hvmod_slot *slot);

/* run.c */
long hvmod_vcpu_run(struct hvmod_vcpu *vcpu);
long hvmod_set_signal_mask(struct hvmod_vcpu *vcpu, void __user *argp);

/* vcpu.c */
int hvmod_create_vcpu(struct hvmod_vm *vm, unsigned long id);
void hvmod_vcpu_free(struct hvmod_vcpu *vcpu);

/* backends */
#ifdef CONFIG_X86_64
extern struct hvmod_backend hvmod_svm_backend;
extern struct hvmod_backend hvmod_vmx_backend;
#endif
#ifdef CONFIG_ARM64
extern struct hvmod_backend hvmod_arm64_backend;
#endif
#ifdef CONFIG_RISCV
extern struct hvmod_backend hvmod_riscv_backend;
#endif

#endif /* HVMOD_CORE_H */
