/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-physical layout of the arm64 selftest guests, shared by the
 * guest payload (guests/a64_guest.S) and the test programs.
 */
#ifndef HVMOD_A64_LAYOUT_H
#define HVMOD_A64_LAYOUT_H

#define G_RAM		0x40000000	/* guest RAM: code at its start */
#define G_RAM_SIZE	0x00400000	/* 4 MiB */
#define G_DATA		0x40100000	/* scratch pages the guests touch */
#define G_STACK_TOP	(G_RAM + G_RAM_SIZE)
#define G_MMIO		0x10000000	/* no RAM here: MMIO exits */
#define G_MMIO_FETCH	0x10001000	/* an instruction fetch outside RAM */
#define G_SLOT2		0x50000000	/* a second slot, remapped by tests */

/* SMCCC / PSCI function ids the guests use */
#define G_PSCI_VERSION		0x84000000
#define G_PSCI_CPU_OFF		0x84000002
#define G_PSCI_CPU_ON		0xc4000003
#define G_PSCI_AFFINITY_INFO	0xc4000004
#define G_PSCI_SYSTEM_OFF		0x84000008
#define G_PSCI_SYSTEM_RESET	0x84000009
#define G_PSCI_FEATURES		0x8400000a
#define G_SMCCC_VERSION		0x80000000

#endif
