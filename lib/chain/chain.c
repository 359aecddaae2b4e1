/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <rte_cycles.h>

#include "chain.h"

/* Filled by constructors before main(), read-only afterwards. */
static TAILQ_HEAD(, ioc_slot_ops) slot_registry = TAILQ_HEAD_INITIALIZER(slot_registry);

void
ioc_slot_register(struct ioc_slot_ops *ops)
{
	struct ioc_slot_ops *o;

	TAILQ_FOREACH(o, &slot_registry, next) {
		if (o->slot > ops->slot) {
			TAILQ_INSERT_BEFORE(o, ops, next);
			return;
		}
	}
	TAILQ_INSERT_TAIL(&slot_registry, ops, next);
}

const struct ioc_slot_ops *
ioc_slot_first(void)
{
	return TAILQ_FIRST(&slot_registry);
}

const struct ioc_slot_ops *
ioc_slot_next(const struct ioc_slot_ops *ops)
{
	return TAILQ_NEXT(ops, next);
}

int
ioc_chain_build(struct ioc_chain *c, const struct ioc_topology *t, unsigned vnic)
{
	const struct ioc_slot_ops *ops;

	memset(c, 0, sizeof(*c));
	for (ops = ioc_slot_first(); ops != NULL; ops = ioc_slot_next(ops)) {
		void *priv = NULL;
		int rc;

		if (c->n_slots == IOC_MAX_SLOTS) {
			ioc_chain_free(c);
			return -E2BIG;
		}
		rc = ops->attach(t, vnic, &priv);
		if (rc < 0) {
			ioc_chain_free(c);
			return rc;
		}
		if (rc == 0)
			continue;
		c->slot[c->n_slots] = (struct ioc_slot_inst){
			.ops = ops,
			.priv = priv,
			.cnt_off = c->n_counters,
		};
		c->n_slots++;
		c->n_counters += IOC_SLOT_REASONS + ops->n_reasons + ops->n_infos;
	}
	return 0;
}

void
ioc_chain_free(struct ioc_chain *c)
{
	for (unsigned i = 0; i < c->n_slots; i++) {
		if (c->slot[i].ops->detach != NULL)
			c->slot[i].ops->detach(c->slot[i].priv);
	}
	memset(c, 0, sizeof(*c));
}

void
ioc_chain_counter_name(const struct ioc_chain *c, unsigned i, char *buf, size_t len)
{
	for (unsigned s = 0; s < c->n_slots; s++) {
		const struct ioc_slot_inst *si = &c->slot[s];
		unsigned rel = i - si->cnt_off;

		unsigned n_reasons = si->ops->n_reasons;

		if (i < si->cnt_off || rel >= IOC_SLOT_REASONS + n_reasons + si->ops->n_infos)
			continue;
		if (rel == IOC_SLOT_IN)
			snprintf(buf, len, "%s_in", si->ops->name);
		else if (rel == IOC_SLOT_PASS)
			snprintf(buf, len, "%s_pass", si->ops->name);
		else if (rel < IOC_SLOT_REASONS + n_reasons)
			snprintf(buf, len, "%s_%s", si->ops->name,
				 si->ops->reasons[rel - IOC_SLOT_REASONS]);
		else
			snprintf(buf, len, "%s_%s", si->ops->name,
				 si->ops->infos[rel - IOC_SLOT_REASONS - n_reasons]);
		return;
	}
	snprintf(buf, len, "unknown_%u", i);
}

void
ioc_slot_describe(struct ioc_slot_desc *d, const struct ioc_topology *t, unsigned vnic,
		  unsigned slot, const char *agent, const char *vm_state,
		  const char *failure_policy, const char *slow_path_id, const char *filter_source)
{
	const struct ioc_vnic *v = &t->vnics[vnic];

	d->slot = slot;
	snprintf(d->name, sizeof(d->name), "nic-%u-eth%u-%s.%u", t->vms[v->vm].world, v->eth, agent,
		 slot);
	snprintf(d->agent, sizeof(d->agent), "%s", agent);
	snprintf(d->state, sizeof(d->state), "IOChain Attached");
	snprintf(d->vm_state, sizeof(d->vm_state), "%s", vm_state);
	snprintf(d->failure_policy, sizeof(d->failure_policy), "%s", failure_policy);
	snprintf(d->slow_path_id, sizeof(d->slow_path_id), "%s", slow_path_id);
	snprintf(d->filter_source, sizeof(d->filter_source), "%s", filter_source);
}

void
ioc_idle_thread_init(void)
{
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
}
