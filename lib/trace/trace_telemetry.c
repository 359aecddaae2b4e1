/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The trace's telemetry commands, registered by a constructor:
 *   /iochain/trace_arm,VNIC,COUNT  {"ok": 0|1, "message"}
 *   /iochain/trace_clear           {"ok": 1, "message"}
 *   /iochain/trace                 {"armed", "vnic", "count", "left", "records"}
 *   /iochain/trace,I               record I (0-based, by time seen): "time", "lcore",
 *        "vnic", "dir", "summary", per slot step the parallel arrays "slot",
 *        "verdict", "counter", "why"; "svm" (none|allow|deny), "rtt_us", "dest"
 *        (port|flood|drop|reply|svm_deny|no_dest|loop|in_flight), "dest_port",
 *        and "lines": the record as iochainctl prints it.
 *   /iochain/explain,VNIC,in|out,PROTO,SRC[:PORT],DST[:PORT]
 *        {"ok": 0, "message"} or {"ok": 1, the fields of a record without time and
 *        lcore, "svm_rule"}: what the chain would do (ioc_explain).
 * A telemetry string holds 127 characters: longer lines are cut in pieces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "fwd.h"
#include "log.h"
#include "telemetry.h"
#include "trace.h"

static void
reply(struct rte_tel_data *d, bool ok, const char *msg)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", ok);
	rte_tel_data_add_dict_string(d, "message", msg);
}

/* "VNIC,COUNT" */
static int
trace_arm(const struct ioc_tel_view *tv, const void *arg, struct rte_tel_data *d)
{
	/* Arming allocates and synchronizes with the running datapath. */
	struct ioc_dp *dp = tv->dp;
	const char *params = arg;
	char buf[128], msg[160], *comma, *end;
	struct ioc_trace_status st;
	unsigned long count;
	int v, rc;

	if (params == NULL || strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	comma = strchr(buf, ',');
	if (comma == NULL)
		return -EINVAL;
	*comma = '\0';
	count = strtoul(comma + 1, &end, 10);
	if (comma[1] == '\0' || *end != '\0' || count == 0 || count > IOC_TRACE_MAX) {
		snprintf(msg, sizeof(msg), "COUNT must be 1 to %u, not %.20s", IOC_TRACE_MAX,
			 comma + 1);
		reply(d, false, msg);
		return 0;
	}
	v = ioc_topo_find_vnic(dp->topo, buf);
	if (v < 0) {
		snprintf(msg, sizeof(msg), "no vNIC %.64s", buf);
		reply(d, false, msg);
		return 0;
	}
	rc = ioc_trace_arm(dp, (unsigned)v, (unsigned)count);
	ioc_trace_status(&st);
	if (rc == -EBUSY)
		snprintf(msg, sizeof(msg),
			 "a trace of %.64s is armed (%u of %u packets to go): trace clear first",
			 dp->ports[st.vnic].name, st.left, st.count);
	else if (rc != 0)
		snprintf(msg, sizeof(msg), "arming the trace: %s", strerror(-rc));
	else
		snprintf(msg, sizeof(msg), "tracing the next %lu packets of %.64s", count, buf);
	reply(d, rc == 0, msg);
	return 0;
}

static int
trace_clear(const struct ioc_tel_view *tv, const void *arg, struct rte_tel_data *d)
{
	if (!ioc_telemetry_no_params(arg))
		return -EINVAL;
	ioc_trace_clear(tv->dp);
	reply(d, true, "trace cleared");
	return 0;
}

static const char *const dest_names[] = {
	[IOC_TD_NONE] = "in_flight",  [IOC_TD_PORT] = "port",	[IOC_TD_FLOOD] = "flood",
	[IOC_TD_DROP] = "drop",	      [IOC_TD_REPLY] = "reply", [IOC_TD_SVM_DENY] = "svm_deny",
	[IOC_TD_NO_DEST] = "no_dest", [IOC_TD_LOOP] = "loop",
};

static const char *const verdict_names[] = {
	[IOC_SV_PASS] = "pass",
	[IOC_SV_DROP] = "drop",
	[IOC_SV_HELD] = "held",
	[IOC_SV_REPLY] = "reply",
};

/* emit() of ioc_trace_format: each line into a string array, cut at 127 characters. */
static void
add_line(void *arg, const char *line)
{
	struct rte_tel_data *a = arg;
	char part[RTE_TEL_MAX_STRING_LEN];
	size_t n = strlen(line), step = sizeof(part) - 1;

	for (size_t off = 0; off == 0 || off < n; off += step) {
		snprintf(part, sizeof(part), "%s", line + off);
		rte_tel_data_add_array_string(a, part);
	}
}

static int
add_array(struct rte_tel_data *d, const char *key, struct rte_tel_data *a)
{
	if (rte_tel_data_add_dict_container(d, key, a, 0) != 0) {
		rte_tel_data_free(a);
		return -ENOMEM;
	}
	return 0;
}

/* r's slot steps as the parallel arrays "slot", "verdict", "counter", "why" (a[0..3]). */
static void
record_steps(const struct ioc_dp *dp, const struct ioc_trace_rec *r, struct rte_tel_data *a[4])
{
	const struct ioc_chain *c = &dp->vnics[r->vnic].chain;

	rte_tel_data_start_array(a[0], RTE_TEL_U64_VAL);
	rte_tel_data_start_array(a[1], RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(a[2], RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(a[3], RTE_TEL_STRING_VAL);
	for (unsigned i = 0; i < r->n_steps; i++) {
		const struct ioc_trace_step *s = &r->step[i];
		const struct ioc_slot_inst *si = &c->slot[s->pos];
		char buf[192] = "";

		rte_tel_data_add_array_u64(a[0], si->ops->slot);
		rte_tel_data_add_array_string(a[1], verdict_names[s->verdict & 3]);
		if (s->counter >= 0)
			ioc_chain_counter_name(
				c, si->cnt_off + IOC_SLOT_REASONS + (unsigned)s->counter, buf,
				sizeof(buf));
		rte_tel_data_add_array_string(a[2], buf);
		buf[0] = '\0';
		if (si->ops->why != NULL)
			si->ops->why(dp->topo, s->note, buf, sizeof(buf));
		buf[RTE_TEL_MAX_STRING_LEN - 1] = '\0';
		rte_tel_data_add_array_string(a[3], buf);
	}
}

static int
record_dict(const struct ioc_dp *dp, const struct ioc_trace_rec *r,
	    const struct ioc_trace_status *st, struct rte_tel_data *d)
{
	struct rte_tel_data *a[5];
	char sum[160];
	int rc = 0;

	for (unsigned i = 0; i < RTE_DIM(a); i++)
		a[i] = rte_tel_data_alloc();
	for (unsigned i = 0; i < RTE_DIM(a); i++)
		if (a[i] == NULL)
			rc = -ENOMEM;
	if (rc != 0) {
		for (unsigned i = 0; i < RTE_DIM(a); i++)
			rte_tel_data_free(a[i]);
		return rc;
	}
	rte_tel_data_start_dict(d);
	if (r->explained) {
		rte_tel_data_add_dict_int(d, "ok", 1);
		rte_tel_data_add_dict_string(
			d, "svm_rule",
			r->svm_rule >= 0 ? dp->topo->svm_rules[r->svm_rule].name : "");
	}
	if (!r->explained) {
		rte_tel_data_add_dict_u64(d, "tsc_ns",
					  st->arm_ns + (uint64_t)((double)(r->tsc - st->arm_tsc) *
								  1e9 / (double)rte_get_tsc_hz()));
		rte_tel_data_add_dict_u64(d, "lcore", r->lcore);
		ioc_trace_summary(r->hdr, r->hdr_len, r->pkt_len, sum, sizeof(sum));
		sum[RTE_TEL_MAX_STRING_LEN - 1] = '\0';
		rte_tel_data_add_dict_string(d, "summary", sum);
	}
	rte_tel_data_add_dict_string(d, "vnic", dp->ports[r->vnic].name);
	rte_tel_data_add_dict_string(d, "dir", r->dir == IOC_DIR_OUT ? "out" : "in");
	record_steps(dp, r, a);
	rte_tel_data_start_array(a[4], RTE_TEL_STRING_VAL);
	rte_tel_data_add_dict_string(d, "svm",
				     r->svm == 1   ? "allow"
				     : r->svm == 2 ? "deny"
						   : "none");
	rte_tel_data_add_dict_u64(d, "rtt_us",
				  (uint64_t)((double)r->rtt_tsc * 1e6 / (double)rte_get_tsc_hz()));
	rte_tel_data_add_dict_string(d, "dest",
				     r->dest < RTE_DIM(dest_names) ? dest_names[r->dest] : "?");
	rte_tel_data_add_dict_string(d, "dest_port",
				     r->dest == IOC_TD_PORT || r->dest == IOC_TD_REPLY
					     ? dp->ports[r->dest_port].name
					     : "");
	if (r->explained)
		ioc_explain_format(dp, r, add_line, a[4]);
	else
		ioc_trace_format(dp, r, st, add_line, a[4]);
	rc |= add_array(d, "slot", a[0]);
	rc |= add_array(d, "verdict", a[1]);
	rc |= add_array(d, "counter", a[2]);
	rc |= add_array(d, "why", a[3]);
	rc |= add_array(d, "lines", a[4]);
	return rc;
}

/* "" or "I" */
static int
trace_show(const struct ioc_tel_view *tv, const void *arg, struct rte_tel_data *d)
{
	const struct ioc_dp *dp = tv->dp;
	const char *params = arg;
	struct ioc_trace_rec *recs = malloc(sizeof(*recs) * IOC_TRACE_MAX);
	struct ioc_trace_status st;
	unsigned n;
	int rc = 0;

	if (recs == NULL)
		return -ENOMEM;
	ioc_trace_status(&st);
	n = ioc_trace_records(recs, IOC_TRACE_MAX);
	if (params == NULL || *params == '\0') {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_int(d, "armed", st.armed);
		rte_tel_data_add_dict_string(d, "vnic",
					     st.vnic >= 0 ? dp->ports[st.vnic].name : "");
		rte_tel_data_add_dict_u64(d, "count", st.count);
		rte_tel_data_add_dict_u64(d, "left", st.left);
		rte_tel_data_add_dict_u64(d, "records", n);
	} else {
		char *end;
		unsigned long i = strtoul(params, &end, 10);

		if (*end != '\0' || i >= n)
			rc = -EINVAL;
		else
			rc = record_dict(dp, &recs[i], &st, d);
	}
	free(recs);
	return rc;
}

/* "VNIC,in|out,PROTO,SRC[:PORT],DST[:PORT]" */
static int
explain(const struct ioc_tel_view *tv, const void *arg, struct rte_tel_data *d)
{
	const struct ioc_dp *dp = tv->dp;
	const char *params = arg;
	char buf[256], msg[160], *f[5], *save = NULL;
	struct ioc_trace_status st = { 0 };
	struct ioc_slot_query q;
	struct ioc_trace_rec r;
	unsigned n = 0;
	int v, rc;

	if (params == NULL || strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL && n < 5;
	     tok = strtok_r(NULL, ",", &save))
		f[n++] = tok;
	if (n != 5 || strtok_r(NULL, ",", &save) != NULL)
		return -EINVAL;
	v = ioc_topo_find_vnic(dp->topo, f[0]);
	if (v < 0) {
		snprintf(msg, sizeof(msg), "no vNIC %.64s", f[0]);
		reply(d, false, msg);
		return 0;
	}
	if (ioc_explain_parse(f[1], f[2], f[3], f[4], &q, msg, sizeof(msg)) < 0) {
		reply(d, false, msg);
		return 0;
	}
	rc = ioc_explain(dp, (unsigned)v, &q, &r);
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "cannot explain: %s", strerror(-rc));
		reply(d, false, msg);
		return 0;
	}
	return record_dict(dp, &r, &st, d);
}

RTE_INIT(trace_telemetry_init)
{
	static const struct ioc_tel_cmd cmds[] = {
		{ "/iochain/trace_arm", trace_arm,
		  "Trace the next COUNT packets of a vNIC, both ways. Params: VNIC,COUNT", NULL,
		  true },
		{ "/iochain/trace_clear", trace_clear, "Disarm the trace and forget its records",
		  NULL, true },
		{ "/iochain/trace", trace_show,
		  "The trace: its state, or record I (by time seen). Params: [I]" },
		{ "/iochain/explain", explain,
		  "What the chain would do. Params: VNIC,in|out,PROTO,SRC[:PORT],DST[:PORT]" },
	};

	ioc_telemetry_register(cmds, RTE_DIM(cmds));
}
