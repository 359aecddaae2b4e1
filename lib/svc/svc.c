/* SPDX-License-Identifier: BSD-3-Clause */
/* Service instances: building the workers and their rings, and the worker loop. */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "log.h"
#include "meta.h"
#include "svc.h"
#include "svm_ext.h"

IOC_LOG_TYPE(svc);

const char *const ioc_svm_counter_names[IOC_SVM_MAX] = {
	[IOC_SVM_IN] = "in",
	[IOC_SVM_ALLOW] = "allow",
	[IOC_SVM_ALLOW_CONN] = "allow_conn",
	[IOC_SVM_DROP_RULE] = "drop_rule",
	[IOC_SVM_DROP_DEFAULT] = "drop_default",
	[IOC_SVM_CONN_FULL] = "conn_full",
	[IOC_SVM_BACK_FULL] = "back_full",
	[IOC_SVM_BUSY_CYCLES] = "busy_cycles",
	[IOC_SVM_FENCED_DROP] = "fenced_drop",
};

const char *
ioc_svm_state_name(enum ioc_svm_state s)
{
	switch (s) {
	case IOC_SVM_IDLE:
		return "idle";
	case IOC_SVM_UP:
		return "up";
	case IOC_SVM_DOWN:
		return "down";
	case IOC_SVM_RECOVERING:
		return "recovering";
	}
	return "?";
}

/* Control plane only: set by the first slot-4 attach, cleared by the last detach. */
static struct ioc_svc *svc_current;
static unsigned ring_seq;

struct ioc_svc *
ioc_svc_get(void)
{
	return svc_current;
}

static void
worker_free(struct ioc_svm_worker *w)
{
	if (w == NULL)
		return;
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		rte_ring_free(w->to[l]);
		rte_ring_free(w->back[l]);
	}
	if (w->behaviour != NULL)
		w->ops->fini(w->behaviour);
	ioc_svm_ext_free(w->ext);
	rte_free(w->fenced_by_port);
	rte_free(w);
}

static struct ioc_svm_worker *
worker_create(const struct ioc_topology *t, const struct ioc_svc_profile *profiles, unsigned inst,
	      unsigned index, bool standby, const bool *fwd)
{
	const struct ioc_service_instance *si = &t->instances[inst];
	unsigned lcore = standby ? si->standby_lcores.id[index] : si->lcores.id[index];
	struct ioc_svm_worker *w;
	char name[RTE_RING_NAMESIZE];

	w = rte_zmalloc_socket("ioc_svm_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       (int)rte_lcore_to_socket_id(lcore));
	if (w == NULL)
		return NULL;
	snprintf(w->name, sizeof(w->name), standby ? "%s.s%u" : "%s.%u", si->name, index);
	w->instance = inst;
	w->index = index;
	w->lcore_id = lcore;
	w->standby = standby;
	w->profiles = profiles;
	w->standby_for = -1;
	w->idle_sleep_us = t->host.idle_sleep_us;
	w->state = standby ? IOC_SVM_IDLE : IOC_SVM_UP;
	w->last_move = rte_get_tsc_cycles();
	w->still_from = w->last_move;
	w->fenced_by_port = rte_zmalloc("ioc_svm_fenced",
					sizeof(uint64_t) * (t->n_vnics + t->n_uplinks + 1), 0);
	if (w->fenced_by_port == NULL) {
		rte_free(w);
		return NULL;
	}
	w->ops = &ioc_svm_rules_ops;
	for (unsigned l = 0; l < IOC_MAX_LCORES && l < RTE_MAX_LCORE; l++) {
		if (!fwd[l])
			continue;
		snprintf(name, sizeof(name), "ioc_to_%u_%u", ring_seq, l);
		/*
		 * Multi-consumer: the forwarding lcore takes back what a dead
		 * worker left, and a hung worker may wake up and dequeue too.
		 */
		w->to[l] = rte_ring_create_elem(name, sizeof(struct ioc_svm_pkt), IOC_SVC_RING_SIZE,
						SOCKET_ID_ANY, RING_F_SP_ENQ);
		snprintf(name, sizeof(name), "ioc_bk_%u_%u", ring_seq, l);
		w->back[l] = rte_ring_create(name, IOC_SVC_RING_SIZE, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->to[l] == NULL || w->back[l] == NULL)
			goto fail;
		w->fwd_lcores[w->n_fwd++] = (uint16_t)l;
	}
	ring_seq++;
	if (w->ops->init(t, inst, index, &w->behaviour) != 0)
		goto fail;
	int ext = ioc_topo_find_svm_by_lcore(t, lcore);
	if (ext >= 0) {
		w->ext = ioc_svm_ext_create(t, (unsigned)ext, inst, t->n_vnics + t->n_uplinks);
		if (w->ext == NULL)
			goto fail;
	}
	return w;
fail:
	ring_seq++;
	worker_free(w);
	return NULL;
}

static void
svc_free(struct ioc_svc *svc)
{
	if (svc == NULL)
		return;
	for (unsigned i = 0; i < svc->n_workers; i++)
		worker_free(svc->workers[i]);
	rte_free(svc->workers);
	rte_free(svc->instances);
	rte_free(svc->profiles);
	rte_free(svc);
}

struct ioc_svc *
ioc_svc_acquire(const struct ioc_topology *t)
{
	bool fwd[IOC_MAX_LCORES];
	struct ioc_svc *svc;
	unsigned total = 0;

	if (svc_current != NULL) {
		if (svc_current->topo != t)
			return NULL;
		svc_current->refs++;
		return svc_current;
	}
	svc = rte_zmalloc("ioc_svc", sizeof(*svc), 0);
	if (svc == NULL)
		return NULL;
	svc->topo = t;
	svc->n_instances = t->n_instances;
	svc->instances =
		rte_zmalloc("ioc_svc_inst", sizeof(*svc->instances) * (t->n_instances + 1), 0);
	for (unsigned i = 0; i < t->n_instances; i++)
		total += t->instances[i].lcores.n + t->instances[i].standby_lcores.n;
	svc->workers = rte_zmalloc("ioc_svc_workers", sizeof(*svc->workers) * (total + 1), 0);
	svc->n_profiles = t->n_profiles;
	svc->profiles =
		rte_zmalloc("ioc_svc_prof", sizeof(*svc->profiles) * (t->n_profiles + 1), 0);
	if (svc->instances == NULL || svc->workers == NULL || svc->profiles == NULL)
		goto fail;
	for (unsigned p = 0; p < t->n_profiles; p++) {
		svc->profiles[p].instance = (unsigned)t->profiles[p].instance;
		svc->profiles[p].fail_open = t->profiles[p].fail_open;
		svc->profiles[p].scope_vnic = t->profiles[p].fail_closed_scope == IOC_SCOPE_VNIC;
	}

	ioc_topo_forwarding_lcores(t, fwd);
	for (unsigned i = 0; i < t->n_instances; i++) {
		const struct ioc_service_instance *si = &t->instances[i];
		struct ioc_svc_instance *inst = &svc->instances[i];

		snprintf(inst->name, sizeof(inst->name), "%s", si->name);
		inst->timeout_tsc = rte_get_tsc_hz() * si->heartbeat_timeout_ms / 1000;
		inst->max_preempt_tsc = rte_get_tsc_hz() *
					RTE_MAX(si->max_preempt_ms, si->heartbeat_timeout_ms) /
					1000;
		inst->auto_recover = si->auto_recover;
		for (unsigned k = 0; k < si->lcores.n + si->standby_lcores.n; k++) {
			bool standby = k >= si->lcores.n;
			unsigned idx = standby ? k - si->lcores.n : k;
			struct ioc_svm_worker *w;

			if (idx >= IOC_SVC_MAX_WORKERS)
				continue;
			w = worker_create(t, svc->profiles, i, idx, standby, fwd);
			if (w == NULL) {
				IOC_LOG(ERR, svc, "service_instance %s: cannot create worker %u",
					si->name, k);
				goto fail;
			}
			if (standby) {
				inst->standby[inst->n_standby++] = w;
			} else {
				inst->share[inst->n_workers] = w;
				inst->workers[inst->n_workers++] = w;
			}
			svc->workers[svc->n_workers++] = w;
		}
	}
	svc->refs = 1;
	svc_current = svc;
	return svc;
fail:
	svc_free(svc);
	return NULL;
}

void
ioc_svc_release(void)
{
	if (svc_current == NULL || --svc_current->refs > 0)
		return;
	ioc_svc_drain(svc_current);
	svc_free(svc_current);
	svc_current = NULL;
}

static_assert(sizeof(struct ioc_svm_pkt) == 32, "a `to` ring element is half a cache line");

/* The verdict rides in the low bit of the returned pointer (mbufs are cache-line aligned). */
static inline struct rte_mbuf *
verdict_tag(const struct ioc_svm_pkt *p)
{
	return (struct rte_mbuf *)((uintptr_t)p->m | !!(p->md.flags & IOC_F_SVM_DENY));
}

static inline struct rte_mbuf *
verdict_untag(struct rte_mbuf *t, bool *deny)
{
	*deny = (uintptr_t)t & 1;
	return (struct rte_mbuf *)((uintptr_t)t & ~(uintptr_t)1);
}

/*
 * What a fenced worker held when it stalled: it inspected those packets
 * before the failure but its share has moved on. Under failOpen they are
 * returned (true): the policy loses none. Under failClosed (false) the caller
 * frees them; they are counted by the port each came in on (its ledger shows
 * them as drop_fenced): nothing passes after the failure.
 */
static bool
fence_keeps(struct ioc_svm_worker *w, const struct ioc_meta *md)
{
	if (md->profile != 0 &&
	    __atomic_load_n(&w->profiles[md->profile - 1].fail_open, __ATOMIC_ACQUIRE))
		return true;
	w->fenced_by_port[md->rx_port]++;
	w->cnt[IOC_SVM_FENCED_DROP]++;
	return false;
}

bool
ioc_svm_fence_keeps(struct ioc_svm_worker *w, const struct ioc_meta *md)
{
	return fence_keeps(w, md);
}

/* What it holds for forwarding lcore l, onto l's return ring as far as it has room. */
static unsigned
hand_back(struct ioc_svm_worker *w, unsigned l)
{
	struct rte_mbuf **pend = w->pending[l];
	uint16_t np = w->n_pending[l];
	unsigned sent = rte_ring_sp_enqueue_burst(w->back[l], (void **)pend, np, NULL);

	if (sent < np)
		memmove(pend, pend + sent, sizeof(*pend) * (np - sent));
	w->n_pending[l] = (uint16_t)(np - sent);
	return sent;
}

static unsigned
flush_pending(struct ioc_svm_worker *w)
{
	unsigned sent = 0;

	for (unsigned i = 0; i < w->n_fwd; i++) {
		if (w->n_pending[w->fwd_lcores[i]] > 0)
			sent += hand_back(w, w->fwd_lcores[i]);
	}
	return sent;
}

/*
 * Hand back what is waiting, then take new packets only when nothing is
 * waiting, and only while `serving`.
 */
static unsigned
serve(struct ioc_svm_worker *w, unsigned l, uint64_t now, bool serving)
{
	struct rte_mbuf **pend = w->pending[l];
	struct ioc_svm_pkt in[IOC_BURST];

	if (w->n_pending[l] > 0)
		return hand_back(w, l);
	if (!serving)
		return 0;
	unsigned n = rte_ring_mc_dequeue_burst_elem(w->to[l], in, sizeof(in[0]), IOC_BURST, NULL);
	if (n == 0)
		return 0;
	w->cnt[IOC_SVM_IN] += n;
	w->ops->process(w->behaviour, now, in, (uint16_t)n, w->cnt);
	/* Fenced meanwhile: its share went elsewhere, it may return nothing. */
	bool fenced = __atomic_load_n(&w->fence_gen, __ATOMIC_ACQUIRE) != w->run_gen;
	unsigned handled = n, k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (likely(!fenced) || fence_keeps(w, &in[i].md))
			pend[k++] = verdict_tag(&in[i]);
		else
			rte_pktmbuf_free(in[i].m);
	}
	n = k;
	unsigned sent = rte_ring_sp_enqueue_burst(w->back[l], (void **)pend, n, NULL);
	if (unlikely(sent < n)) {
		w->cnt[IOC_SVM_BACK_FULL] += n - sent;
		memmove(pend, pend + sent, sizeof(*pend) * (n - sent));
		w->n_pending[l] = (uint16_t)(n - sent);
	}
	return handled;
}

/* A fenced worker settles what it held, then serves again under the new generation. */
static void
acknowledge_fence(struct ioc_svm_worker *w, uint32_t gen)
{
	if (w->ext != NULL)
		ioc_svm_ext_fence(w);
	for (unsigned i = 0; i < w->n_fwd; i++) {
		unsigned l = w->fwd_lcores[i];
		struct rte_mbuf **pend = w->pending[l];
		uint16_t kept = 0;

		for (uint16_t p = 0; p < w->n_pending[l]; p++) {
			bool deny;
			struct rte_mbuf *m = verdict_untag(pend[p], &deny);

			/* Rare: the one place a worker reads an mbuf's metadata. */
			if (fence_keeps(w, ioc_meta(m)))
				pend[kept++] = pend[p];
			else
				rte_pktmbuf_free(m);
		}
		w->n_pending[l] = kept;
	}
	w->run_gen = gen;
}

unsigned
ioc_svm_worker_poll(struct ioc_svm_worker *w)
{
	return ioc_svm_worker_poll_at(w, rte_get_tsc_cycles());
}

unsigned
ioc_svm_worker_poll_at(struct ioc_svm_worker *w, uint64_t now)
{
	uint32_t gen = __atomic_load_n(&w->fence_gen, __ATOMIC_ACQUIRE);
	unsigned total = 0;

	if (unlikely(gen != w->run_gen))
		acknowledge_fence(w, gen);
	__atomic_store_n(&w->heartbeat, w->heartbeat + 1, __ATOMIC_RELEASE);
	/*
	 * Only a worker the watchdog holds up takes packets: what waits in the
	 * rings of one that is down, recovering or idle is reclaimed by the
	 * forwarding lcores (a fenced worker that wakes up would otherwise
	 * return it while its instance is down). It keeps beating meanwhile.
	 */
	bool serving = __atomic_load_n(&w->state, __ATOMIC_ACQUIRE) == IOC_SVM_UP;
	if (w->ext != NULL)
		total = ioc_svm_ext_poll(w, now);
	for (unsigned i = 0; w->ext == NULL && i < w->n_fwd; i++)
		total += serve(w, w->fwd_lcores[i], now, serving);
	if (total > 0)
		w->cnt[IOC_SVM_BUSY_CYCLES] += rte_get_tsc_cycles() - now;
	return total;
}

int
ioc_svm_worker_main(void *arg)
{
	struct ioc_svm_worker *w = arg;

	unsigned idle = 0;

	/* EAL shows this lcore RUNNING now: it no longer needs the launcher's word for it. */
	__atomic_store_n(&w->starting, false, __ATOMIC_RELEASE);
	ioc_idle_thread_init();
	/* The watchdog reads how much CPU this thread got (EAL's lcore thread: it outlives us). */
	if (pthread_getcpuclockid(pthread_self(), &w->cpu_clock) == 0)
		__atomic_store_n(&w->cpu_clock_ok, true, __ATOMIC_RELEASE);
	IOC_LOG(INFO, svc, "worker %s running on lcore %u", w->name, rte_lcore_id());
	if (w->ext != NULL)
		ioc_svm_ext_start(w, rte_get_tsc_cycles());
	while (!__atomic_load_n(&w->quit, __ATOMIC_RELAXED)) {
		int fault = __atomic_load_n(&w->fault, __ATOMIC_ACQUIRE);

		if (unlikely(fault != IOC_FAULT_NONE)) {
			if (fault == IOC_FAULT_STALL) {
				rte_pause(); /* hung: no heartbeat, no dequeue */
				continue;
			}
			if (fault == IOC_FAULT_STARVE) {
				/*
				 * Off the CPU, as if preempted. Long sleeps: every
				 * wake-up costs CPU time, and a second of 2 ms sleeps
				 * adds up to a hang's millisecond at a 10 ms timeout.
				 */
				rte_delay_us_sleep(100 * 1000);
				continue;
			}
			if (fault == IOC_FAULT_CRASH) {
				IOC_LOG(WARNING, svc, "worker %s crashed (drill)", w->name);
				if (w->ext != NULL)
					ioc_svm_ext_stop(w);
				return -1;
			}
			rte_delay_us_block(__atomic_load_n(&w->fault_us, __ATOMIC_RELAXED));
		}
		ioc_idle_backoff(&idle, ioc_svm_worker_poll(w), w->idle_sleep_us, w->yield);
	}
	/* Told to stop (a standby back to the bench): hand back what it still holds. */
	flush_pending(w);
	if (w->ext != NULL)
		ioc_svm_ext_stop(w);
	return 0;
}

unsigned
ioc_svm_worker_adopt(struct ioc_svm_worker *w)
{
	uint32_t gen = __atomic_load_n(&w->fence_gen, __ATOMIC_ACQUIRE);

	if (gen != w->run_gen)
		acknowledge_fence(w, gen);
	return flush_pending(w);
}

/* Where this call starts among n workers, and the next call one further (round robin). */
static inline unsigned
rotate(unsigned *start, unsigned n)
{
	unsigned first = *start < n ? *start : 0;

	*start = first + 1 < n ? first + 1 : 0;
	return first;
}

/* The k-th worker of the round that starts at `first` (wrapping around). */
static inline struct ioc_svm_worker *
rr_worker(const struct ioc_svc *svc, unsigned first, unsigned k)
{
	unsigned i = first + k;

	return svc->workers[i < svc->n_workers ? i : i - svc->n_workers];
}

uint16_t
ioc_svc_collect(struct ioc_svc *svc, unsigned lcore_id, unsigned *start, struct rte_mbuf **pkts,
		uint16_t n)
{
	unsigned nw = svc->n_workers, first = rotate(start, nw);
	uint16_t got = 0;

	for (unsigned k = 0; k < nw && got < n; k++) {
		struct rte_ring *r = rr_worker(svc, first, k)->back[lcore_id];

		if (r != NULL)
			got += (uint16_t)rte_ring_sc_dequeue_burst(r, (void **)(pkts + got),
								   n - got, NULL);
	}
	for (uint16_t i = 0; i < got; i++) {
		bool deny;

		pkts[i] = verdict_untag(pkts[i], &deny);
		if (deny)
			ioc_meta(pkts[i])->flags |= IOC_F_SVM_DENY;
	}
	return got;
}

uint16_t
ioc_svc_reclaim(struct ioc_svc *svc, unsigned lcore_id, unsigned *start, struct rte_mbuf **pkts,
		uint16_t n)
{
	unsigned nw = svc->n_workers, first = rotate(start, nw);
	uint16_t got = 0;

	for (unsigned k = 0; k < nw && got < n; k++) {
		struct ioc_svm_worker *w = rr_worker(svc, first, k);
		struct rte_ring *r = w->to[lcore_id];
		struct ioc_svm_pkt e[IOC_BURST];

		if (r == NULL || __atomic_load_n(&w->state, __ATOMIC_RELAXED) == IOC_SVM_UP)
			continue;
		unsigned got_w = rte_ring_mc_dequeue_burst_elem(r, e, sizeof(e[0]),
								RTE_MIN(n - got, IOC_BURST), NULL);
		for (unsigned j = 0; j < got_w; j++)
			pkts[got++] = e[j].m;
	}
	return got;
}

struct ioc_svm_worker *
ioc_svc_find_worker(struct ioc_svc *svc, const char *name)
{
	for (unsigned i = 0; svc != NULL && i < svc->n_workers; i++) {
		if (strcmp(svc->workers[i]->name, name) == 0)
			return svc->workers[i];
	}
	return NULL;
}

int
ioc_svc_fault(struct ioc_svc *svc, const char *name, enum ioc_svm_fault fault, uint32_t us)
{
	struct ioc_svm_worker *w = ioc_svc_find_worker(svc, name);

	if (w == NULL)
		return -ENOENT;
	__atomic_store_n(&w->fault_us, us, __ATOMIC_RELAXED);
	__atomic_store_n(&w->fault, (int)fault, __ATOMIC_RELEASE);
	return 0;
}

int
ioc_svc_profile_set(struct ioc_svc *svc, const char *profile, bool fail_open)
{
	int p = ioc_topo_find_profile(svc->topo, profile);

	if (p < 0)
		return -ENOENT;
	__atomic_store_n(&svc->profiles[p].fail_open, fail_open, __ATOMIC_RELEASE);
	return 0;
}

unsigned
ioc_svm_worker_ring_count(const struct ioc_svm_worker *w)
{
	unsigned n = 0;

	for (unsigned i = 0; i < w->n_fwd; i++) {
		unsigned l = w->fwd_lcores[i];

		n += rte_ring_count(w->to[l]) + rte_ring_count(w->back[l]) + w->n_pending[l];
	}
	return n;
}

unsigned
ioc_svc_drain(struct ioc_svc *svc)
{
	struct ioc_svm_pkt e;
	struct rte_mbuf *m;
	unsigned n = 0;
	bool deny;

	for (unsigned i = 0; i < svc->n_workers; i++) {
		struct ioc_svm_worker *w = svc->workers[i];

		for (unsigned k = 0; k < w->n_fwd; k++) {
			unsigned l = w->fwd_lcores[k];

			for (; rte_ring_mc_dequeue_elem(w->to[l], &e, sizeof(e)) == 0; n++)
				rte_pktmbuf_free(e.m);
			for (; rte_ring_dequeue(w->back[l], (void **)&m) == 0; n++)
				rte_pktmbuf_free(verdict_untag(m, &deny));
			for (uint16_t p = 0; p < w->n_pending[l]; p++)
				rte_pktmbuf_free(verdict_untag(w->pending[l][p], &deny));
			n += w->n_pending[l];
			w->n_pending[l] = 0;
		}
		for (unsigned a = 0; w->ext != NULL && a < 2; a++) {
			rte_pktmbuf_free_bulk(w->ext->txq[a], w->ext->n_txq[a]);
			n += w->ext->n_txq[a];
			w->ext->n_txq[a] = 0;
		}
	}
	return n;
}
