/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmod's VMCB accessors and policy, on top of the layout and encodings
 * in <asm/svm.h>.
 */
#ifndef HVMOD_VMCB_H
#define HVMOD_VMCB_H

#include <linux/bitops.h>
#include <asm/svm.h>
#include <uapi/linux/kvm.h>

/* VMCB segment attributes: type:4 S DPL:2 P AVL L DB G */
static inline u16 vmcb_seg_attrib(const struct kvm_segment *s)
{
	if (s->unusable)
		return 0;
	return (s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 8 | (s->l & 1) << 9 |
	       (s->db & 1) << 10 | (s->g & 1) << 11;
}

static inline void vmcb_set_seg(struct vmcb_seg *v, const struct kvm_segment *s)
{
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = vmcb_seg_attrib(s);
}

static inline void vmcb_get_seg(const struct vmcb_seg *v, struct kvm_segment *s)
{
	u16 a = v->attrib;

	s->selector = v->selector;
	s->base = v->base;
	s->limit = v->limit;
	s->type = a & 0xf;
	s->s = (a >> 4) & 1;
	s->dpl = (a >> 5) & 3;
	s->present = (a >> 7) & 1;
	s->avl = (a >> 8) & 1;
	s->l = (a >> 9) & 1;
	s->db = (a >> 10) & 1;
	s->g = (a >> 11) & 1;
	s->unusable = !s->present;
	s->padding = 0;
}

static inline void vmcb_set_intercept(struct vmcb_control_area *c, u32 bit)
{
	__set_bit(bit, (unsigned long *)c->intercepts);
}

static inline void vmcb_clr_intercept(struct vmcb_control_area *c, u32 bit)
{
	__clear_bit(bit, (unsigned long *)c->intercepts);
}

#endif /* HVMOD_VMCB_H */
