// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8254 PIT of KVM_CREATE_PIT2, as KVM models it: three
 * channels at 0x40-0x42, the control word at 0x43 (counter latch,
 * read-back, LSB/MSB/word access, modes 0-5, BCD ignored as in KVM),
 * counts derived from the time since the count was loaded at 1.193182
 * MHz; channel 0 on an hrtimer that pulses GSI 0 (high, then low) through
 * the VM's routing from a work item (the IOAPIC and PIC locks are not
 * taken in hard IRQ).  With KVM_PIT_SPEAKER_DUMMY, port 0x61 too: channel
 * 2's gate (bit 0), the speaker bit (1), its output (5) and the refresh
 * toggle (4), what Linux polls to calibrate the TSC; without it QEMU
 * serves 0x61 through KVM_GET/SET_PIT2, as with KVM.
 * Lost ticks are discarded (KVM_REINJECT_CONTROL with pit_reinject 0);
 * KVM's default re-injection of lost ticks is not modelled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include "x86.h"

#define X86_PIT_FREQ		1193182u
#define X86_PIT_MIN_PERIOD_NS	200000ll	/* KVM's min_timer_period_us */

/* read_state / write_state / count_latched, as KVM's */
#define RW_LSB			1
#define RW_MSB			2
#define RW_WORD0		3
#define RW_WORD1		4

struct x86_pit {
	spinlock_t lock;		/* the channels; IRQs off */
	struct kvm_pit_channel_state ch[3];
	u32 flags;			/* KVM_PIT_FLAGS_* of KVM_SET_PIT2 */
	u32 config;			/* KVM_CREATE_PIT2's flags */
	bool speaker_on;		/* port 0x61 bit 1 */
	s64 period_ns;			/* channel 0, 0 if one-shot */
	struct hrtimer timer;
	struct work_struct tick;
	struct hvmod_vm *vm;
};

static struct x86_pit *x86_pit_of(struct hvmod_vm *vm)
{
	/* pairs with x86_create_pit()'s release: the PIO path is unlocked */
	return smp_load_acquire(&((struct x86_vm *)vm->arch)->pit);
}

/* PIT clocks since the count was loaded */
static u64 x86_pit_ticks(const struct kvm_pit_channel_state *c)
{
	s64 ns = ktime_get_ns() - c->count_load_time;

	return ns > 0 ? mul_u64_u32_div(ns, X86_PIT_FREQ, NSEC_PER_SEC) : 0;
}

static u32 x86_pit_count(const struct kvm_pit_channel_state *c)
{
	u64 d = x86_pit_ticks(c);

	switch (c->mode) {
	case 2:
		return c->count - do_div(d, c->count);
	case 3:				/* counts down by two */
		d *= 2;
		return c->count - do_div(d, c->count);
	default:			/* 0, 1, 4, 5 */
		return (c->count - d) & 0xffff;
	}
}

static bool x86_pit_out(const struct kvm_pit_channel_state *c)
{
	u64 d = x86_pit_ticks(c), t = d;
	u32 rem = do_div(t, c->count);

	switch (c->mode) {
	case 1:
		return d < c->count;
	case 2:
		return rem == 0 && d;
	case 3:
		return rem < (c->count + 1) >> 1;
	case 4:
	case 5:
		return d == c->count;
	default:			/* 0: high once the count ran out */
		return d >= c->count;
	}
}

static void x86_pit_tick_work(struct work_struct *w)
{
	struct x86_pit *pit = container_of(w, struct x86_pit, tick);
	struct hvmod_vm *vm = pit->vm;

	/* an edge on GSI 0, as KVM's pit_do_work */
	mutex_lock(&vm->lock);
	x86_set_gsi(vm, 0, true);
	x86_set_gsi(vm, 0, false);
	mutex_unlock(&vm->lock);
}

static enum hrtimer_restart x86_pit_timer_fn(struct hrtimer *t)
{
	struct x86_pit *pit = container_of(t, struct x86_pit, timer);
	s64 period = READ_ONCE(pit->period_ns);

	/* still pending: the tick is lost, as KVM without reinjection */
	schedule_work(&pit->tick);
	if (!period)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(period));
	return HRTIMER_RESTART;
}

/* A count is written (or restored): restart the channel.  Locked. */
static void x86_pit_load(struct x86_pit *pit, int n, u32 val)
{
	struct kvm_pit_channel_state *c = &pit->ch[n];
	s64 ns;

	if (!val)
		val = 0x10000;
	c->count = val;
	c->count_load_time = ktime_get_ns();
	if (n)
		return;
	/* channel 0 drives IRQ0: modes 2 and 3 are periodic */
	hrtimer_cancel(&pit->timer);
	ns = mul_u64_u32_div(val, NSEC_PER_SEC, X86_PIT_FREQ);
	if (pit->flags & KVM_PIT_FLAGS_HPET_LEGACY)
		return;			/* the HPET drives IRQ0 instead */
	switch (c->mode) {
	case 2:
	case 3:
		WRITE_ONCE(pit->period_ns, max(ns, X86_PIT_MIN_PERIOD_NS));
		break;
	case 5:
		return;		/* a gate trigger, never on channel 0: as KVM */
	default:		/* 0, 1, 4: once */
		WRITE_ONCE(pit->period_ns, 0);
	}
	hrtimer_start(&pit->timer, ns_to_ktime(ns), HRTIMER_MODE_REL);
}

static void x86_pit_set_gate(struct x86_pit *pit, int n, bool gate)
{
	struct kvm_pit_channel_state *c = &pit->ch[n];

	/* modes 1, 2, 3, 5 restart on the gate's rising edge */
	if (c->mode != 0 && c->mode != 4 && gate && !c->gate)
		c->count_load_time = ktime_get_ns();
	c->gate = gate;
}

static void x86_pit_latch_count(struct kvm_pit_channel_state *c)
{
	if (c->count_latched)
		return;
	c->latched_count = x86_pit_count(c);
	c->count_latched = c->rw_mode;
}

static void x86_pit_latch_status(struct kvm_pit_channel_state *c)
{
	if (c->status_latched)
		return;
	c->status = x86_pit_out(c) << 7 | c->rw_mode << 4 | c->mode << 1 |
		    c->bcd;
	c->status_latched = 1;
}

static void x86_pit_write(struct x86_pit *pit, unsigned int port, u8 v)
{
	struct kvm_pit_channel_state *c;
	int n = v >> 6, access;

	if (port < 3) {
		c = &pit->ch[port];
		switch (c->write_state) {
		case RW_MSB:
			x86_pit_load(pit, port, v << 8);
			break;
		case RW_WORD0:
			c->write_latch = v;
			c->write_state = RW_WORD1;
			break;
		case RW_WORD1:
			x86_pit_load(pit, port, c->write_latch | v << 8);
			c->write_state = RW_WORD0;
			break;
		default:		/* RW_LSB */
			x86_pit_load(pit, port, v);
		}
		return;
	}
	if (n == 3) {			/* read-back: bits 1-3 pick channels */
		for (n = 0; n < 3; n++) {
			if (!(v & (2 << n)))
				continue;
			if (!(v & 0x20))
				x86_pit_latch_count(&pit->ch[n]);
			if (!(v & 0x10))
				x86_pit_latch_status(&pit->ch[n]);
		}
		return;
	}
	c = &pit->ch[n];
	access = (v >> 4) & 3;
	if (!access) {
		x86_pit_latch_count(c);
		return;
	}
	c->rw_mode = access;
	c->read_state = access;
	c->write_state = access;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6, 7 are 2, 3 */
	c->bcd = v & 1;
}

static u8 x86_pit_read(struct x86_pit *pit, unsigned int port)
{
	struct kvm_pit_channel_state *c;
	u32 count;

	if (port == 3)
		return 0;		/* the control word is write-only */
	c = &pit->ch[port];
	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	switch (c->count_latched) {
	case 0:
		break;
	case RW_MSB:
		c->count_latched = 0;
		return c->latched_count >> 8;
	case RW_WORD0:
		c->count_latched = RW_MSB;
		return c->latched_count;
	default:			/* RW_LSB */
		c->count_latched = 0;
		return c->latched_count;
	}
	count = x86_pit_count(c);
	switch (c->read_state) {
	case RW_MSB:
		return count >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return count;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return count >> 8;
	default:			/* RW_LSB */
		return count;
	}
}

/* 0x40-0x43 (byte accesses, as KVM), 0x61 with KVM_PIT_SPEAKER_DUMMY */
bool x86_pit_pio(struct hvmod_vm *vm, u16 port, u8 size, bool in, u32 *val)
{
	struct x86_pit *pit = x86_pit_of(vm);
	struct kvm_pit_channel_state *c2;
	unsigned long flags;

	if (!pit)
		return false;
	if (port == 0x61 && (pit->config & KVM_PIT_SPEAKER_DUMMY)) {
		spin_lock_irqsave(&pit->lock, flags);
		c2 = &pit->ch[2];
		if (in) {
			/* bit 4: the DRAM refresh toggle, every 15 us or so */
			*val = pit->speaker_on << 1 | c2->gate |
			       x86_pit_out(c2) << 5 |
			       ((ktime_get_ns() >> 14) & 1) << 4;
		} else {
			pit->speaker_on = (*val >> 1) & 1;
			x86_pit_set_gate(pit, 2, *val & 1);
		}
		spin_unlock_irqrestore(&pit->lock, flags);
		return true;
	}
	if (port < 0x40 || port > 0x43)
		return false;
	if (size != 1) {
		hvmod_reject("8254: %u-byte access to port 0x%x ignored", size,
			     port);
		if (in)
			*val = ~0u;
		return true;
	}
	spin_lock_irqsave(&pit->lock, flags);
	if (in)
		*val = x86_pit_read(pit, port - 0x40);
	else
		x86_pit_write(pit, port - 0x40, *val);
	spin_unlock_irqrestore(&pit->lock, flags);
	return true;
}

/*
 * Power-on, as KVM's kvm_pit_reset: every count 0x10000, gates high but
 * channel 2's, no timer until the guest programs channel 0.
 */
static void x86_pit_reset(struct x86_pit *pit)
{
	int i;

	for (i = 0; i < 3; i++) {
		pit->ch[i].count = 0x10000;
		pit->ch[i].count_load_time = ktime_get_ns();
		pit->ch[i].gate = i != 2;
	}
}

/* KVM_CREATE_PIT2 (cfg from userspace), KVM_CREATE_PIT (the speaker too) */
static long x86_create_pit(struct hvmod_vm *vm, struct kvm_pit_config __user *u)
{
	struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct x86_vm *xvm = vm->arch;
	struct x86_pit *pit;
	long r = 0;

	if (u && copy_from_user(&cfg, u, sizeof(cfg)))
		return -EFAULT;
	if (cfg.flags & ~KVM_PIT_SPEAKER_DUMMY) {
		hvmod_reject("KVM_CREATE_PIT2: flags 0x%x (only KVM_PIT_SPEAKER_DUMMY)",
			     cfg.flags);
		return -EINVAL;
	}
	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		return -ENOMEM;
	spin_lock_init(&pit->lock);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	pit->timer.function = x86_pit_timer_fn;
	INIT_WORK(&pit->tick, x86_pit_tick_work);
	pit->vm = vm;
	pit->config = cfg.flags;
	x86_pit_reset(pit);

	/* as KVM: EEXIST before the irqchip check (ENOENT) */
	mutex_lock(&vm->lock);
	if (xvm->pit)
		r = -EEXIST;
	else if (!xvm->pic)
		r = -ENOENT;
	else
		smp_store_release(&xvm->pit, pit);	/* see x86_pit_of() */
	mutex_unlock(&vm->lock);
	if (r) {
		hvmod_reject("KVM_CREATE_PIT2: %s", r == -EEXIST ?
			     "the VM has a PIT already" :
			     "no in-kernel PIC (KVM_CREATE_IRQCHIP first)");
		kfree(pit);
	}
	return r;
}

/* Before the vCPUs are freed: no tick may reach their LAPICs after. */
void x86_pit_stop(struct hvmod_vm *vm)
{
	struct x86_pit *pit = x86_pit_of(vm);

	if (!pit)
		return;
	hrtimer_cancel(&pit->timer);
	cancel_work_sync(&pit->tick);
}

void x86_pit_destroy(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = vm->arch;

	x86_pit_stop(vm);
	kfree(xvm->pit);
	xvm->pit = NULL;
}

static void x86_pit_get(struct x86_pit *pit, struct kvm_pit_state2 *s)
{
	unsigned long flags;

	memset(s, 0, sizeof(*s));
	spin_lock_irqsave(&pit->lock, flags);
	memcpy(s->channels, pit->ch, sizeof(s->channels));
	s->flags = pit->flags;
	spin_unlock_irqrestore(&pit->lock, flags);
}

/* as KVM's kvm_vm_ioctl_set_pit2: the channels, then reload the counts */
static void x86_pit_set(struct x86_pit *pit, const struct kvm_pit_state2 *s)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&pit->lock, flags);
	memcpy(pit->ch, s->channels, sizeof(pit->ch));
	pit->flags = s->flags;
	for (i = 0; i < 3; i++) {
		/* values the model cannot take are clamped, not trusted */
		pit->ch[i].mode = min_t(u8, pit->ch[i].mode, 5);
		pit->ch[i].rw_mode &= 3;
		pit->ch[i].gate &= 1;
		x86_pit_load(pit, i, min(pit->ch[i].count, 0x10000u) & 0xffff);
	}
	spin_unlock_irqrestore(&pit->lock, flags);
}

static long x86_reinject_control(struct x86_pit *pit,
				 struct kvm_reinject_control __user *u)
{
	struct kvm_reinject_control rc;

	if (copy_from_user(&rc, u, sizeof(rc)))
		return -EFAULT;
	if (rc.pit_reinject) {
		hvmod_reject("KVM_REINJECT_CONTROL: pit_reinject 0 only (lost ticks dropped)");
		return -EINVAL;
	}
	return 0;
}

/* KVM_CREATE_PIT(2), KVM_GET/SET_PIT(2), KVM_REINJECT_CONTROL; else -ENOTTY */
long x86_pit_ioctl(struct hvmod_vm *vm, unsigned int ioctl, void __user *argp)
{
	struct x86_pit *pit;
	union {
		struct kvm_pit_state2 s2;
		struct kvm_pit_state s;
	} u;

	switch (ioctl) {
	case KVM_CREATE_PIT2:
		if (!argp)
			return -EFAULT;
		return x86_create_pit(vm, argp);
	case KVM_CREATE_PIT:
		return x86_create_pit(vm, NULL);
	case KVM_GET_PIT:
	case KVM_SET_PIT:
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
	case KVM_REINJECT_CONTROL:
		break;
	default:
		return -ENOTTY;
	}
	pit = x86_pit_of(vm);
	if (!pit) {
		hvmod_reject("PIT ioctl 0x%x: no KVM_CREATE_PIT2", ioctl);
		return -ENXIO;
	}
	switch (ioctl) {
	case KVM_GET_PIT:
		x86_pit_get(pit, &u.s2);
		return copy_to_user(argp, u.s2.channels, sizeof(u.s)) ?
		       -EFAULT : 0;
	case KVM_GET_PIT2:
		x86_pit_get(pit, &u.s2);
		return copy_to_user(argp, &u.s2, sizeof(u.s2)) ? -EFAULT : 0;
	case KVM_SET_PIT:
		/* the flags stay: KVM_SET_PIT has none */
		x86_pit_get(pit, &u.s2);
		if (copy_from_user(u.s2.channels, argp, sizeof(u.s)))
			return -EFAULT;
		x86_pit_set(pit, &u.s2);
		return 0;
	case KVM_SET_PIT2:
		if (copy_from_user(&u.s2, argp, sizeof(u.s2)))
			return -EFAULT;
		x86_pit_set(pit, &u.s2);
		return 0;
	default:
		return x86_reinject_control(pit, argp);
	}
}
