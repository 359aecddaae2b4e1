/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config loader and topology tests (no EAL): every value parser with its
 * valid and malformed forms, the DESIGN.md §3 example, defaults and
 * membership, and every kind of error with its exact line, section and key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "config.h"
#include "tests.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* ---------------------------------------------------------------------------------------------- */
/* Value parsers */

static void
test_parse_ipv4(void)
{
	static const char *const bad[] = {
		"256.0.0.1",  "1.2.3",	  "1.2.3.4.5", "1.2.3.4x", " ",	       "",
		"1..2.3",     "01.2.3.4", "1.2.3.-4",  " 1.2.3.4", "1.2.3.4 ", "a.b.c.d",
		"1.2.3.1000", "1.2.3.4/", ".1.2.3",    "1.2.3.",   "1,2,3,4",  "0x1.2.3.4",
	};
	const char *why;
	uint32_t a;
	unsigned i;

	CU_ASSERT_EQUAL(ioc_parse_ipv4("10.0.0.11", &a, NULL), 0);
	CU_ASSERT_EQUAL(a, IP(10, 0, 0, 11));
	CU_ASSERT_EQUAL(ioc_parse_ipv4("0.0.0.0", &a, NULL), 0);
	CU_ASSERT_EQUAL(a, 0);
	CU_ASSERT_EQUAL(ioc_parse_ipv4("255.255.255.255", &a, NULL), 0);
	CU_ASSERT_EQUAL(a, UINT32_MAX);
	CU_ASSERT_EQUAL(ioc_parse_ipv4("192.168.100.1", &a, NULL), 0);
	CU_ASSERT_EQUAL(a, IP(192, 168, 100, 1));

	for (i = 0; i < DIM(bad); i++) {
		a = 0x12345678;
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_ipv4(bad[i], &a, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(a, 0x12345678); /* untouched on error */
		if (ioc_parse_ipv4(bad[i], &a, NULL) != -EINVAL)
			fprintf(stderr, "\n  ipv4 \"%s\" accepted\n", bad[i]);
	}
	CU_ASSERT_EQUAL(ioc_parse_ipv4("256.0.0.1", &a, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "octet out of range (0..255)");
	CU_ASSERT_EQUAL(ioc_parse_ipv4("1.2.3", &a, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "expected 4 octets");
	CU_ASSERT_EQUAL(ioc_parse_ipv4("1.2.3.4.5", &a, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "expected 4 octets");
	CU_ASSERT_EQUAL(ioc_parse_ipv4("1.2.3.4x", &a, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "trailing characters");
	CU_ASSERT_EQUAL(ioc_parse_ipv4("01.2.3.4", &a, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "leading zero in octet");
	CU_ASSERT_EQUAL(ioc_parse_ipv4(NULL, &a, &why), -EINVAL);
}

static void
test_parse_cidr(void)
{
	static const char *const bad[] = {
		"10.0.0.0/33",
		"10.0.0.1/24",
		"10.0.0.0/",
		"10.0.0.0/x",
		"10.0.0.0/08",
		"10.0.0/8",
		"10.0.0.0/8/8",
		"300.0.0.0/8",
		"",
		" ",
		"/8",
		"10.0.0.0/-1",
		"10.0.0.0 /8",
		"10.0.0.0/8 ",
		"1.2.3.4.5.6.7.8.9/32",
		"2001:db8::/129",
		"2001:db8::1/64",
		"2001:db8::/",
		"2001:db8::/064",
		"2001:db8:::/32",
		"fe80::1%eth0/64",
		"::/0/0",
	};
	static const uint8_t db8_32[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct ioc_cidr c;
	const char *why;
	unsigned i;

	CU_ASSERT_EQUAL(ioc_parse_cidr("10.0.0.0/8", &c, NULL), 0);
	CU_ASSERT_EQUAL(c.addr, IP(10, 0, 0, 0));
	CU_ASSERT_EQUAL(c.len, 8);
	CU_ASSERT_EQUAL(ioc_parse_cidr("10.0.0.11", &c, NULL), 0);
	CU_ASSERT_EQUAL(c.addr, IP(10, 0, 0, 11));
	CU_ASSERT_EQUAL(c.len, 32);
	CU_ASSERT_EQUAL(ioc_parse_cidr("10.0.0.11/32", &c, NULL), 0);
	CU_ASSERT_EQUAL(c.len, 32);
	CU_ASSERT_EQUAL(ioc_parse_cidr("0.0.0.0/0", &c, NULL), 0);
	CU_ASSERT_EQUAL(c.addr, 0);
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_EQUAL(ioc_parse_cidr("192.168.1.128/25", &c, NULL), 0);
	CU_ASSERT_EQUAL(c.addr, IP(192, 168, 1, 128));
	CU_ASSERT_EQUAL(c.len, 25);
	CU_ASSERT_FALSE(c.v6);
	/* IPv6 prefixes (rules, ipsets, groups). */
	CU_ASSERT_EQUAL(ioc_parse_cidr("2001:db8::/32", &c, NULL), 0);
	CU_ASSERT_TRUE(c.v6);
	CU_ASSERT_EQUAL(c.len, 32);
	CU_ASSERT_EQUAL(memcmp(c.addr6, db8_32, 16), 0);
	CU_ASSERT_EQUAL(ioc_parse_cidr("2001:db8::11", &c, NULL), 0);
	CU_ASSERT_EQUAL(c.len, 128);
	CU_ASSERT_EQUAL(c.addr6[15], 0x11);
	CU_ASSERT_EQUAL(ioc_parse_cidr("::/0", &c, NULL), 0);
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_EQUAL(ioc_parse_cidr("2001:db8:8000::/33", &c, NULL), 0);
	CU_ASSERT_EQUAL(ioc_parse_cidr("2001:db8:4000::/33", &c, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "host bits set");
	CU_ASSERT_EQUAL(ioc_parse_cidr("2001:db8::/129", &c, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "prefix length out of range (0..128)");

	for (i = 0; i < DIM(bad); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_cidr(bad[i], &c, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		if (ioc_parse_cidr(bad[i], &c, NULL) != -EINVAL)
			fprintf(stderr, "\n  cidr \"%s\" accepted\n", bad[i]);
	}
	CU_ASSERT_EQUAL(ioc_parse_cidr("10.0.0.1/24", &c, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "host bits set");
	CU_ASSERT_EQUAL(ioc_parse_cidr("10.0.0.0/33", &c, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "prefix length out of range (0..32)");
	CU_ASSERT_EQUAL(ioc_parse_cidr("0.0.0.1/0", &c, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "host bits set");
}

static void
test_parse_mac(void)
{
	static const char *const bad[] = {
		"02:00:00:00:01",
		"02:00:00:00:01:0g",
		"02:00:00:00:01:01:02",
		"2:00:00:00:01:01",
		"02-00-00-00-01-01",
		"02:00:00:00:01:01x",
		"",
		"020000000101",
		"02:00:zz:00:01:01",
		"02:00:00:00:01:",
		" 02:00:00:00:01:01",
		"02:00:00:00:01:1",
		"02::00:00:00:01:01",
	};
	uint8_t m[6];
	const char *why;
	unsigned i;

	CU_ASSERT_EQUAL(ioc_parse_mac("02:00:00:00:01:01", m, NULL), 0);
	CU_ASSERT(memcmp(m, "\x02\x00\x00\x00\x01\x01", 6) == 0);
	CU_ASSERT_EQUAL(ioc_parse_mac("AA:bb:Cc:dD:ee:FF", m, NULL), 0);
	CU_ASSERT(memcmp(m, "\xaa\xbb\xcc\xdd\xee\xff", 6) == 0);

	for (i = 0; i < DIM(bad); i++) {
		memset(m, 0x5a, sizeof(m));
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_mac(bad[i], m, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT(memcmp(m, "\x5a\x5a\x5a\x5a\x5a\x5a", 6) == 0);
		if (ioc_parse_mac(bad[i], m, NULL) != -EINVAL)
			fprintf(stderr, "\n  mac \"%s\" accepted\n", bad[i]);
	}
	CU_ASSERT_EQUAL(ioc_parse_mac("02:00:00:00:01:0g", m, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "bad hex digit");
	CU_ASSERT_EQUAL(ioc_parse_mac("02:00:00:00:01", m, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "expected 6 groups of 2 hex digits separated by ':'");
}

static void
test_parse_bool(void)
{
	static const char *const yes[] = { "true", "TRUE", "True", "yes", "YES", "on", "On", "1" };
	static const char *const no[] = { "false", "FALSE", "no", "No", "off", "OFF", "0" };
	static const char *const bad[] = {
		"maybe", "", "tru", "2", " true", "true ", "yes!", "00"
	};
	const char *why;
	unsigned i;
	bool b;

	for (i = 0; i < DIM(yes); i++) {
		b = false;
		CU_ASSERT_EQUAL(ioc_parse_bool(yes[i], &b, NULL), 0);
		CU_ASSERT_TRUE(b);
	}
	for (i = 0; i < DIM(no); i++) {
		b = true;
		CU_ASSERT_EQUAL(ioc_parse_bool(no[i], &b, NULL), 0);
		CU_ASSERT_FALSE(b);
	}
	for (i = 0; i < DIM(bad); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_bool(bad[i], &b, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
	}
}

static void
test_parse_u32(void)
{
	static const char *const bad[] = { "4294967296", "-1",	"+1",
					   "0x10",	 " 1",	"1 ",
					   "",		 "1e3", "99999999999999999999",
					   "1.0" };
	const char *why;
	uint32_t v;
	unsigned i;

	CU_ASSERT_EQUAL(ioc_parse_u32("0", 0, UINT32_MAX, &v, NULL), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(ioc_parse_u32("4294967295", 0, UINT32_MAX, &v, NULL), 0);
	CU_ASSERT_EQUAL(v, UINT32_MAX);
	CU_ASSERT_EQUAL(ioc_parse_u32("33554461", 0, UINT32_MAX, &v, NULL), 0);
	CU_ASSERT_EQUAL(v, 33554461);
	CU_ASSERT_EQUAL(ioc_parse_u32("007", 0, 10, &v, NULL), 0);
	CU_ASSERT_EQUAL(v, 7);
	for (i = 0; i < DIM(bad); i++) {
		v = 42;
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_u32(bad[i], 0, UINT32_MAX, &v, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(v, 42);
	}
	/* Range bounds are inclusive. */
	CU_ASSERT_EQUAL(ioc_parse_u32("1", 1, 60000, &v, NULL), 0);
	CU_ASSERT_EQUAL(ioc_parse_u32("60000", 1, 60000, &v, NULL), 0);
	CU_ASSERT_EQUAL(ioc_parse_u32("0", 1, 60000, &v, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "out of range");
	CU_ASSERT_EQUAL(ioc_parse_u32("60001", 1, 60000, &v, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "out of range");
	CU_ASSERT_EQUAL(ioc_parse_u32("0x10", 0, 100, &v, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "not a decimal number");
}

static void
test_parse_port_range(void)
{
	static const char *const bad[] = { "80-70", "65536",   "-80",	     "80-",
					   "a",	    "1-2-3",   "",	     " 80",
					   "80 ",   "0-65536", "99999999999" };
	uint16_t lo, hi;
	const char *why;
	unsigned i;

	CU_ASSERT_EQUAL(ioc_parse_port_range("80", &lo, &hi, NULL), 0);
	CU_ASSERT_EQUAL(lo, 80);
	CU_ASSERT_EQUAL(hi, 80);
	CU_ASSERT_EQUAL(ioc_parse_port_range("1000-2000", &lo, &hi, NULL), 0);
	CU_ASSERT_EQUAL(lo, 1000);
	CU_ASSERT_EQUAL(hi, 2000);
	CU_ASSERT_EQUAL(ioc_parse_port_range("0-65535", &lo, &hi, NULL), 0);
	CU_ASSERT_EQUAL(lo, 0);
	CU_ASSERT_EQUAL(hi, 65535);
	CU_ASSERT_EQUAL(ioc_parse_port_range("443-443", &lo, &hi, NULL), 0);
	CU_ASSERT_EQUAL(lo, 443);
	CU_ASSERT_EQUAL(hi, 443);
	for (i = 0; i < DIM(bad); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_port_range(bad[i], &lo, &hi, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
	}
	CU_ASSERT_EQUAL(ioc_parse_port_range("80-70", &lo, &hi, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "low port above high port");
	CU_ASSERT_EQUAL(ioc_parse_port_range("65536", &lo, &hi, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "port out of range (0..65535)");
}

static void
test_parse_l4(void)
{
	static const char *const bad[] = {
		"tcp/",	     "icmp/80", "256",	  "foo",    "tcp/80-70",
		"tcp/65536", "47/80",	"any/80", "",	    "tcp/x",
		"tcp80",     "tcp/80/", " tcp",	  "udp/-1", "tcp/1-2-3"
	};
	struct ioc_l4_match m;
	const char *why;
	unsigned i;

	CU_ASSERT_EQUAL(ioc_parse_l4("any", &m, NULL), 0);
	CU_ASSERT_TRUE(m.any);
	CU_ASSERT_EQUAL(ioc_parse_l4("icmp", &m, NULL), 0);
	CU_ASSERT_FALSE(m.any);
	CU_ASSERT_EQUAL(m.proto, 1);
	CU_ASSERT_EQUAL(ioc_parse_l4("icmpv6", &m, NULL), 0);
	CU_ASSERT_EQUAL(m.proto, 58);
	CU_ASSERT_NOT_EQUAL(ioc_parse_l4("icmpv6/1", &m, NULL), 0);
	CU_ASSERT_EQUAL(ioc_parse_l4("tcp", &m, NULL), 0);
	CU_ASSERT_EQUAL(m.proto, 6);
	CU_ASSERT_EQUAL(m.port_lo, 0);
	CU_ASSERT_EQUAL(m.port_hi, 65535);
	CU_ASSERT_EQUAL(ioc_parse_l4("udp", &m, NULL), 0);
	CU_ASSERT_EQUAL(m.proto, 17);
	CU_ASSERT_EQUAL(m.port_lo, 0);
	CU_ASSERT_EQUAL(m.port_hi, 65535);
	CU_ASSERT_EQUAL(ioc_parse_l4("tcp/80", &m, NULL), 0);
	CU_ASSERT_FALSE(m.any);
	CU_ASSERT_EQUAL(m.proto, 6);
	CU_ASSERT_EQUAL(m.port_lo, 80);
	CU_ASSERT_EQUAL(m.port_hi, 80);
	CU_ASSERT_EQUAL(ioc_parse_l4("udp/1000-2000", &m, NULL), 0);
	CU_ASSERT_EQUAL(m.proto, 17);
	CU_ASSERT_EQUAL(m.port_lo, 1000);
	CU_ASSERT_EQUAL(m.port_hi, 2000);
	CU_ASSERT_EQUAL(ioc_parse_l4("47", &m, NULL), 0);
	CU_ASSERT_FALSE(m.any);
	CU_ASSERT_EQUAL(m.proto, 47);
	CU_ASSERT_EQUAL(ioc_parse_l4("0", &m, NULL), 0);
	CU_ASSERT_EQUAL(m.proto, 0);
	CU_ASSERT_EQUAL(ioc_parse_l4("255", &m, NULL), 0);
	CU_ASSERT_EQUAL(m.proto, 255);
	CU_ASSERT_EQUAL(ioc_parse_l4("TCP/443", &m, NULL), 0);
	CU_ASSERT_EQUAL(m.proto, 6);
	CU_ASSERT_EQUAL(m.port_lo, 443);

	for (i = 0; i < DIM(bad); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_l4(bad[i], &m, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		if (ioc_parse_l4(bad[i], &m, NULL) != -EINVAL)
			fprintf(stderr, "\n  l4 \"%s\" accepted\n", bad[i]);
	}
	CU_ASSERT_EQUAL(ioc_parse_l4("tcp/", &m, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "missing port");
	CU_ASSERT_EQUAL(ioc_parse_l4("icmp/80", &m, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "ports only allowed for tcp and udp");
	CU_ASSERT_EQUAL(ioc_parse_l4("256", &m, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "protocol number out of range (0..255)");
}

static void
test_parse_lcore_list(void)
{
	static const char *const bad[] = { "3-1", "1,1", "1,0-2", "0-16", "128",   "",	"1,",
					   ",1",  "a",	 "1-",	  "-1",	  "1-2-3", " ", "0-127" };
	struct ioc_lcore_list l;
	const char *why;
	unsigned i;

	CU_ASSERT_EQUAL(ioc_parse_lcore_list("1", &l, NULL), 0);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(l.id[0], 1);
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("1,2", &l, NULL), 0);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_EQUAL(l.id[0], 1);
	CU_ASSERT_EQUAL(l.id[1], 2);
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("2-4", &l, NULL), 0);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT_EQUAL(l.id[0], 2);
	CU_ASSERT_EQUAL(l.id[2], 4);
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("1,3-5", &l, NULL), 0);
	CU_ASSERT_EQUAL(l.n, 4);
	CU_ASSERT_EQUAL(l.id[0], 1);
	CU_ASSERT_EQUAL(l.id[1], 3);
	CU_ASSERT_EQUAL(l.id[3], 5);
	/* Order as given; spaces around elements are fine. */
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("7, 5 ,6", &l, NULL), 0);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT_EQUAL(l.id[0], 7);
	CU_ASSERT_EQUAL(l.id[1], 5);
	CU_ASSERT_EQUAL(l.id[2], 6);
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("127", &l, NULL), 0);
	CU_ASSERT_EQUAL(l.id[0], 127);
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("0-15", &l, NULL), 0); /* IOC_MAX_PORT_LCORES */
	CU_ASSERT_EQUAL(l.n, IOC_MAX_PORT_LCORES);

	for (i = 0; i < DIM(bad); i++) {
		l.n = 99;
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_lcore_list(bad[i], &l, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(l.n, 99);
		if (ioc_parse_lcore_list(bad[i], &l, NULL) != -EINVAL)
			fprintf(stderr, "\n  lcore list \"%s\" accepted\n", bad[i]);
	}
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("3-1", &l, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "reversed range");
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("1,1", &l, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "duplicate lcore");
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("1,0-2", &l, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "duplicate lcore");
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("0-16", &l, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "too many lcores (at most 16)");
	CU_ASSERT_EQUAL(ioc_parse_lcore_list("128", &l, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "lcore id out of range (0..127)");
}

static void
test_parse_direction(void)
{
	static const char *const bad[] = { "both", "", "i", "inn", "in out", "outin" };
	const char *why;
	unsigned d, i;

	CU_ASSERT_EQUAL(ioc_parse_direction("in", &d, NULL), 0);
	CU_ASSERT_EQUAL(d, IOC_DIR_IN);
	CU_ASSERT_EQUAL(ioc_parse_direction("out", &d, NULL), 0);
	CU_ASSERT_EQUAL(d, IOC_DIR_OUT);
	CU_ASSERT_EQUAL(ioc_parse_direction("inout", &d, NULL), 0);
	CU_ASSERT_EQUAL(d, IOC_DIR_INOUT);
	for (i = 0; i < DIM(bad); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(ioc_parse_direction(bad[i], &d, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
	}
}

static void
test_error_format(void)
{
	struct ioc_error e;
	char buf[512];
	int n;

	memset(&e, 0, sizeof(e));
	strcpy(e.file, "topo.ini");
	e.line = 17;
	strcpy(e.section, "vnic VM1S1.eth0");
	strcpy(e.key, "mac");
	strcpy(e.msg, "invalid MAC address \"02:00:zz:00:01:01\": bad hex digit");
	n = ioc_error_format(&e, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "topo.ini:17: [vnic VM1S1.eth0] mac: invalid MAC address "
				    "\"02:00:zz:00:01:01\": bad hex digit");
	CU_ASSERT_EQUAL(n, (int)strlen(buf));

	e.key[0] = '\0';
	ioc_error_format(&e, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "topo.ini:17: [vnic VM1S1.eth0] invalid MAC address "
				    "\"02:00:zz:00:01:01\": bad hex digit");
	e.line = 0;
	e.section[0] = '\0';
	strcpy(e.msg, "missing required section [host]");
	ioc_error_format(&e, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "topo.ini: missing required section [host]");

	/* Truncates safely. */
	n = ioc_error_format(&e, buf, 10);
	CU_ASSERT_STRING_EQUAL(buf, "topo.ini:");
	CU_ASSERT(n > 10);
}

/* ---------------------------------------------------------------------------------------------- */
/* Loading valid files */

/* DESIGN.md §3, verbatim. */
static const char design_example[] =
	"[host]\n"
	"name = host-10\n"
	"watchdog_lcore = 0            ; default: the main lcore\n"
	"heartbeat_timeout_ms = 10     ; default for every service instance\n"
	"\n"
	"[uplink uplink0]\n"
	"device = net_tap1,iface=uplink0\n"
	"lcore = 1                     ; several lcores: one RX queue each, symmetric RSS\n"
	"\n"
	"[vm VM1S1]\n"
	"world = 168252\n"
	"vc_uuid = 50 2d ab 38 d6 2e 97 47-70 5b 29 23 9b 01 ec cb\n"
	"\n"
	"[vnic VM1S1.eth0]               ; VM.ethN: VM names a [vm] section\n"
	"device = net_tap0,iface=vm1s1\n"
	"switch_port = 33554461\n"
	"mac = 02:00:00:00:01:01\n"
	"ip = 10.0.0.11                ; spoofguard binding(s), comma-separated\n"
	"uplink = uplink0\n"
	"lcore = 1\n"
	"\n"
	"[ipset ipset-vm1s1]\n"
	"addresses = 10.0.0.11\n"
	"\n"
	"[group sg-fortigate]\n"
	"members = ipset:ipset-vm1s1   ; vm:NAME, vnic:NAME, ipset:NAME, group:NAME, CIDR\n"
	"\n"
	"[dfw]\n"
	"default_action = allow        ; allow | drop\n"
	"stateful = true\n"
	"\n"
	"[dfw_rule web-in]\n"
	"priority = 100                ; lower first; ties keep file order\n"
	"source = any                  ; any | CIDR | ipset:NAME | group:NAME, comma-separated\n"
	"destination = group:sg-fortigate\n"
	"service = tcp/80              ; any | icmp | tcp/PORT[-PORT] | udp/PORT[-PORT] | "
	"PROTO-NUMBER\n"
	"direction = in                ; in | out | inout\n"
	"applied_to = any              ; any | vnic:NAME | group:NAME\n"
	"action = allow                ; allow | drop | reject\n"
	"\n"
	"[service fortigate]\n"
	"vendor = Fortinet\n"
	"\n"
	"[service_instance fortigate-host-10]\n"
	"service = fortigate\n"
	"lcores = 2                    ; active SVM worker lcores\n"
	"standby_lcores = 3            ; optional spares for failover\n"
	"heartbeat_timeout_ms = 10\n"
	"auto_recover = true\n"
	"slow_path_id = 18020\n"
	"\n"
	"[service_profile fortigate-secure]\n"
	"instance = fortigate-host-10\n"
	"fail_open = false\n"
	"fail_closed_scope = vnic      ; vnic | redirected\n"
	"\n"
	"[redirect_rule vm1s1-all]\n"
	"group = sg-fortigate          ; whose vnics the rule applies to\n"
	"direction = inout\n"
	"source = any\n"
	"destination = any\n"
	"service = any\n"
	"action = redirect             ; redirect | no_redirect\n"
	"profile = fortigate-secure\n"
	"\n"
	"[svm_rule fgt-allow-vm1s1]\n"
	"instance = fortigate-host-10\n"
	"priority = 10\n"
	"source = any\n"
	"destination = ipset:ipset-vm1s1\n"
	"service = any\n"
	"direction = inout\n"
	"action = allow                ; the SVM's default is drop\n";

static void
test_load_design_example(void)
{
	struct ioc_topology t;
	struct ioc_error e;
	char buf[512];
	int rc;

	rc = ioc_config_load_string(design_example, "design.ini", &t, &e);
	if (rc != 0) {
		ioc_error_format(&e, buf, sizeof(buf));
		fprintf(stderr, "\n  %s\n", buf);
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(t.file, "design.ini");

	CU_ASSERT_STRING_EQUAL(t.host.name, "host-10");
	CU_ASSERT_EQUAL(t.host.watchdog_lcore, 0);
	CU_ASSERT_EQUAL(t.host.heartbeat_timeout_ms, 10);

	CU_ASSERT_EQUAL_FATAL(t.n_uplinks, 1);
	CU_ASSERT_STRING_EQUAL(t.uplinks[0].name, "uplink0");
	CU_ASSERT_STRING_EQUAL(t.uplinks[0].device, "net_tap1,iface=uplink0");
	CU_ASSERT_EQUAL(t.uplinks[0].lcores.n, 1);
	CU_ASSERT_EQUAL(t.uplinks[0].lcores.id[0], 1);
	CU_ASSERT_EQUAL(t.uplinks[0].line, 6);

	CU_ASSERT_EQUAL_FATAL(t.n_vms, 1);
	CU_ASSERT_STRING_EQUAL(t.vms[0].name, "VM1S1");
	CU_ASSERT_EQUAL(t.vms[0].world, 168252);
	CU_ASSERT_STRING_EQUAL(t.vms[0].vc_uuid, "50 2d ab 38 d6 2e 97 47-70 5b 29 23 9b 01 ec cb");

	CU_ASSERT_EQUAL_FATAL(t.n_vnics, 1);
	CU_ASSERT_STRING_EQUAL(t.vnics[0].name, "VM1S1.eth0");
	CU_ASSERT_EQUAL(t.vnics[0].vm, 0);
	CU_ASSERT_EQUAL(t.vnics[0].eth, 0);
	CU_ASSERT_STRING_EQUAL(t.vnics[0].device, "net_tap0,iface=vm1s1");
	CU_ASSERT_EQUAL(t.vnics[0].switch_port, 33554461);
	CU_ASSERT(memcmp(t.vnics[0].mac, "\x02\x00\x00\x00\x01\x01", 6) == 0);
	CU_ASSERT_EQUAL(t.vnics[0].n_ip, 1);
	CU_ASSERT_EQUAL(t.vnics[0].ip[0], IP(10, 0, 0, 11));
	CU_ASSERT_EQUAL(t.vnics[0].uplink, 0);
	CU_ASSERT_EQUAL(t.vnics[0].lcores.n, 1);
	CU_ASSERT_EQUAL(t.vnics[0].lcores.id[0], 1);
	CU_ASSERT_EQUAL(t.vnics[0].line, 14);

	CU_ASSERT_EQUAL_FATAL(t.n_ipsets, 1);
	CU_ASSERT_EQUAL(t.ipsets[0].n, 1);
	CU_ASSERT_EQUAL(t.ipsets[0].v[0].addr, IP(10, 0, 0, 11));
	CU_ASSERT_EQUAL(t.ipsets[0].v[0].len, 32);

	CU_ASSERT_EQUAL_FATAL(t.n_groups, 1);
	CU_ASSERT_EQUAL_FATAL(t.groups[0].members.n, 1);
	CU_ASSERT_EQUAL(t.groups[0].members.v[0].kind, IOC_REF_IPSET);
	CU_ASSERT_EQUAL(t.groups[0].members.v[0].index, 0);
	/* The vnic is in the group through the ipset holding its IP. */
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, 0, 0));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, 1, 0)); /* out of range */
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, 0, 1));

	CU_ASSERT_TRUE(t.dfw.default_allow);
	CU_ASSERT_TRUE(t.dfw.stateful);

	CU_ASSERT_EQUAL_FATAL(t.n_dfw_rules, 1);
	CU_ASSERT_STRING_EQUAL(t.dfw_rules[0].name, "web-in");
	CU_ASSERT_EQUAL(t.dfw_rules[0].priority, 100);
	CU_ASSERT_EQUAL(t.dfw_rules[0].order, 0);
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[0].src.n, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].src.v[0].kind, IOC_REF_ANY);
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[0].dst.n, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].dst.v[0].kind, IOC_REF_GROUP);
	CU_ASSERT_EQUAL(t.dfw_rules[0].dst.v[0].index, 0);
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[0].service.n, 1);
	CU_ASSERT_FALSE(t.dfw_rules[0].service.v[0].any);
	CU_ASSERT_EQUAL(t.dfw_rules[0].service.v[0].proto, 6);
	CU_ASSERT_EQUAL(t.dfw_rules[0].service.v[0].port_lo, 80);
	CU_ASSERT_EQUAL(t.dfw_rules[0].service.v[0].port_hi, 80);
	CU_ASSERT_EQUAL(t.dfw_rules[0].direction, IOC_DIR_IN);
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[0].applied_to.n, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].applied_to.v[0].kind, IOC_REF_ANY);
	CU_ASSERT_EQUAL(t.dfw_rules[0].action, IOC_ACT_ALLOW);

	CU_ASSERT_EQUAL_FATAL(t.n_services, 1);
	CU_ASSERT_STRING_EQUAL(t.services[0].vendor, "Fortinet");

	CU_ASSERT_EQUAL_FATAL(t.n_instances, 1);
	CU_ASSERT_STRING_EQUAL(t.instances[0].name, "fortigate-host-10");
	CU_ASSERT_EQUAL(t.instances[0].service, 0);
	CU_ASSERT_EQUAL(t.instances[0].lcores.n, 1);
	CU_ASSERT_EQUAL(t.instances[0].lcores.id[0], 2);
	CU_ASSERT_EQUAL(t.instances[0].standby_lcores.n, 1);
	CU_ASSERT_EQUAL(t.instances[0].standby_lcores.id[0], 3);
	CU_ASSERT_EQUAL(t.instances[0].heartbeat_timeout_ms, 10);
	CU_ASSERT_TRUE(t.instances[0].auto_recover);
	CU_ASSERT_EQUAL(t.instances[0].slow_path_id, 18020);
	CU_ASSERT_EQUAL(t.instances[0].id, 4);

	CU_ASSERT_EQUAL_FATAL(t.n_profiles, 1);
	CU_ASSERT_EQUAL(t.profiles[0].instance, 0);
	CU_ASSERT_FALSE(t.profiles[0].fail_open);
	CU_ASSERT_EQUAL(t.profiles[0].fail_closed_scope, IOC_SCOPE_VNIC);

	CU_ASSERT_EQUAL_FATAL(t.n_redirect_rules, 1);
	CU_ASSERT_EQUAL(t.redirect_rules[0].group, 0);
	CU_ASSERT_EQUAL(t.redirect_rules[0].direction, IOC_DIR_INOUT);
	CU_ASSERT_EQUAL(t.redirect_rules[0].action, IOC_ACT_REDIRECT);
	CU_ASSERT_EQUAL(t.redirect_rules[0].profile, 0);
	CU_ASSERT_EQUAL_FATAL(t.redirect_rules[0].src.n, 1);
	CU_ASSERT_EQUAL(t.redirect_rules[0].src.v[0].kind, IOC_REF_ANY);
	CU_ASSERT_EQUAL_FATAL(t.redirect_rules[0].service.n, 1);
	CU_ASSERT_TRUE(t.redirect_rules[0].service.v[0].any);

	CU_ASSERT_EQUAL_FATAL(t.n_svm_rules, 1);
	CU_ASSERT_EQUAL(t.svm_rules[0].instance, 0);
	CU_ASSERT_EQUAL(t.svm_rules[0].priority, 10);
	CU_ASSERT_EQUAL_FATAL(t.svm_rules[0].dst.n, 1);
	CU_ASSERT_EQUAL(t.svm_rules[0].dst.v[0].kind, IOC_REF_IPSET);
	CU_ASSERT_EQUAL(t.svm_rules[0].dst.v[0].index, 0);
	CU_ASSERT_EQUAL(t.svm_rules[0].action, IOC_ACT_ALLOW);

	CU_ASSERT_EQUAL(ioc_topo_find_vm(&t, "VM1S1"), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_vnic(&t, "VM1S1.eth0"), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_uplink(&t, "uplink0"), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_ipset(&t, "ipset-vm1s1"), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_group(&t, "sg-fortigate"), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_instance(&t, "fortigate-host-10"), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_profile(&t, "fortigate-secure"), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_vm(&t, "VM1S2"), -1);
	CU_ASSERT_EQUAL(ioc_topo_find_profile(&t, "fortigate"), -1);

	ioc_topo_free(&t);
	CU_ASSERT_EQUAL(t.n_vnics, 0);
	CU_ASSERT_PTR_NULL(t.vnics);
}

/*
 * Order-independent references, defaults, inheritance, several objects of a
 * kind: [host] last, references to sections further down, no [dfw].
 */
static const char rich[] = "# lab with two VMs\n"			  /* 1 */
			   "[service_instance fgt-a]\n"			  /* 2 */
			   "service = fgt\n"				  /* 3 */
			   "lcores = 4,5\n"				  /* 4 */
			   "slow_path_id = 1\n"				  /* 5 */
			   "[service_instance fgt-b]\n"			  /* 6 */
			   "service = fgt\n"				  /* 7 */
			   "lcores = 6\n"				  /* 8 */
			   "standby_lcores = 7-8\n"			  /* 9 */
			   "heartbeat_timeout_ms = 50\n"		  /* 10 */
			   "auto_recover = no\n"			  /* 11 */
			   "slow_path_id = 2\n"				  /* 12 */
			   "[service fgt]\n"				  /* 13 */
			   "vendor = Palo Alto Networks\n"		  /* 14 */
			   "[vnic VM1.eth0]\n"				  /* 15 */
			   "device = net_ring0\n"			  /* 16 */
			   "switch_port = 10\n"				  /* 17 */
			   "mac = 02:00:00:00:00:01\n"			  /* 18 */
			   "ip = 10.0.0.1, 10.0.1.1\n"			  /* 19 */
			   "lcore = 1\n"				  /* 20 */
			   "[vnic VM2.eth3]\n"				  /* 21 */
			   "device = net_ring1\n"			  /* 22 */
			   "switch_port = 11\n"				  /* 23 */
			   "mac = 02:00:00:00:00:02\n"			  /* 24 */
			   "ip = 192.168.7.9\n"				  /* 25 */
			   "uplink = up0\n"				  /* 26 */
			   "lcore = 2-3\n"				  /* 27 */
			   "[vnic VM2.eth1]\n"				  /* 28 */
			   "device = net_ring2\n"			  /* 29 */
			   "switch_port = 12\n"				  /* 30 */
			   "mac = 02:00:00:00:00:03\n"			  /* 31 */
			   "ip = 172.16.0.1\n"				  /* 32 */
			   "lcore = 1\n"				  /* 33 */
			   "[uplink up0]\n"				  /* 34 */
			   "device = net_ring3\n"			  /* 35 */
			   "lcore = 1,2\n"				  /* 36 */
			   "[vm VM2]\n"					  /* 37 */
			   "world = 2\n"				  /* 38 */
			   "vc_uuid = 42\n"				  /* 39 */
			   "[vm VM1]\n"					  /* 40 */
			   "world = 1\n"				  /* 41 */
			   "vc_uuid = 41\n"				  /* 42 */
			   "[group by-vm]\n"				  /* 43 */
			   "members = vm:VM2\n"				  /* 44 */
			   "[group by-vnic]\n"				  /* 45 */
			   "members = vnic:VM1.eth0\n"			  /* 46 */
			   "[group by-cidr]\n"				  /* 47 */
			   "members = 10.0.1.0/24\n"			  /* 48 */
			   "[group by-ipset]\n"				  /* 49 */
			   "members = ipset:nets\n"			  /* 50 */
			   "[group nested]\n"				  /* 51 */
			   "members = group:mid, 203.0.113.0/24\n"	  /* 52 */
			   "[group mid]\n"				  /* 53 */
			   "members = group:by-ipset\n"			  /* 54 */
			   "[ipset nets]\n"				  /* 55 */
			   "addresses = 172.16.0.0/12, 198.51.100.7\n"	  /* 56 */
			   "[dfw_rule r1]\n"				  /* 57 */
			   "priority = 5\n"				  /* 58 */
			   "action = drop\n"				  /* 59 */
			   "[dfw_rule r2]\n"				  /* 60 */
			   "priority = 5\n"				  /* 61 */
			   "source = 10.0.0.0/8, ipset:nets, group:mid\n" /* 62 */
			   "service = tcp/22, udp/53, icmp, 47\n"	  /* 63 */
			   "applied_to = vnic:VM2.eth1, group:by-vm\n"	  /* 64 */
			   "action = reject\n"				  /* 65 */
			   "[service_profile open]\n"			  /* 66 */
			   "instance = fgt-b\n"				  /* 67 */
			   "fail_open = yes\n"				  /* 68 */
			   "fail_closed_scope = redirected\n"		  /* 69 */
			   "[redirect_rule skip]\n"			  /* 70 */
			   "group = by-vm\n"				  /* 71 */
			   "direction = out\n"				  /* 72 */
			   "action = no_redirect\n"			  /* 73 */
			   "[redirect_rule skip-with-profile]\n"	  /* 74 */
			   "group = by-vm\n"				  /* 75 */
			   "action = no_redirect\n"			  /* 76 */
			   "profile = open\n"				  /* 77 */
			   "[redirect_rule send]\n"			  /* 78 */
			   "group = nested\n"				  /* 79 */
			   "action = redirect\n"			  /* 80 */
			   "profile = open\n"				  /* 81 */
			   "[svm_rule s1]\n"				  /* 82 */
			   "instance = fgt-b\n"				  /* 83 */
			   "priority = 1\n"				  /* 84 */
			   "action = drop\n"				  /* 85 */
			   "[host]\n"					  /* 86 */
			   "name = h\n"					  /* 87 */
			   "heartbeat_timeout_ms = 25\n";		  /* 88 */

static void
test_load_references_and_defaults(void)
{
	struct ioc_topology t;
	struct ioc_error e;
	bool fwd[IOC_MAX_LCORES];
	char buf[512];
	int vm1eth0, vm2eth3, vm2eth1, g;
	unsigned i;
	int rc;

	rc = ioc_config_load_string(rich, "rich.ini", &t, &e);
	if (rc != 0) {
		ioc_error_format(&e, buf, sizeof(buf));
		fprintf(stderr, "\n  %s\n", buf);
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);

	/* Host defaults and inheritance: [host] comes last. */
	CU_ASSERT_EQUAL(t.host.watchdog_lcore, -1);
	CU_ASSERT_EQUAL(t.host.heartbeat_timeout_ms, 25);
	CU_ASSERT_EQUAL(t.host.watchdog_rt_priority, 1);
	CU_ASSERT_EQUAL(t.host.idle_sleep_us, 20);
	CU_ASSERT_EQUAL_FATAL(t.n_instances, 2);
	CU_ASSERT_EQUAL(t.instances[0].heartbeat_timeout_ms, 25); /* inherited */
	CU_ASSERT_EQUAL(t.instances[0].max_preempt_ms, 125);	  /* 5 x its timeout */
	CU_ASSERT_TRUE(t.instances[0].auto_recover);		  /* default */
	CU_ASSERT_EQUAL(t.instances[0].standby_lcores.n, 0);
	CU_ASSERT_EQUAL(t.instances[0].lcores.n, 2);
	CU_ASSERT_EQUAL(t.instances[0].id, 4);
	CU_ASSERT_EQUAL(t.instances[0].service, 0);
	CU_ASSERT_EQUAL(t.instances[1].heartbeat_timeout_ms, 50); /* own */
	CU_ASSERT_EQUAL(t.instances[1].max_preempt_ms, 250);
	CU_ASSERT_FALSE(t.instances[1].auto_recover);
	CU_ASSERT_EQUAL(t.instances[1].standby_lcores.n, 2);
	CU_ASSERT_EQUAL(t.instances[1].standby_lcores.id[1], 8);
	CU_ASSERT_EQUAL(t.instances[1].id, 5);
	CU_ASSERT_EQUAL_FATAL(t.n_services, 1);
	CU_ASSERT_STRING_EQUAL(t.services[0].vendor, "Palo Alto Networks");

	/* No [dfw]: defaults. */
	CU_ASSERT_TRUE(t.dfw.default_allow);
	CU_ASSERT_TRUE(t.dfw.stateful);

	/* vnics refer to vms and an uplink defined further down. */
	CU_ASSERT_EQUAL_FATAL(t.n_vnics, 3);
	vm1eth0 = ioc_topo_find_vnic(&t, "VM1.eth0");
	vm2eth3 = ioc_topo_find_vnic(&t, "VM2.eth3");
	vm2eth1 = ioc_topo_find_vnic(&t, "VM2.eth1");
	CU_ASSERT_EQUAL(vm1eth0, 0);
	CU_ASSERT_EQUAL(vm2eth3, 1);
	CU_ASSERT_EQUAL(vm2eth1, 2);
	CU_ASSERT_EQUAL(t.vnics[0].vm, ioc_topo_find_vm(&t, "VM1"));
	CU_ASSERT_EQUAL(t.vnics[0].vm, 1);
	CU_ASSERT_EQUAL(t.vnics[1].vm, 0);
	CU_ASSERT_EQUAL(t.vnics[1].eth, 3);
	CU_ASSERT_EQUAL(t.vnics[2].eth, 1);
	CU_ASSERT_EQUAL(t.vnics[0].uplink, -1); /* local-only */
	CU_ASSERT_EQUAL(t.vnics[1].uplink, 0);
	CU_ASSERT_EQUAL(t.vnics[0].n_ip, 2);
	CU_ASSERT_EQUAL(t.vnics[0].ip[1], IP(10, 0, 1, 1));
	CU_ASSERT_EQUAL(t.vnics[1].lcores.n, 2);

	/* Forwarding lcores: 1 (shared by ports), 2, 3; not the workers. */
	ioc_topo_forwarding_lcores(&t, fwd);
	for (i = 0; i < IOC_MAX_LCORES; i++)
		CU_ASSERT_EQUAL(fwd[i], i >= 1 && i <= 3);

	/* Group membership: by vm, by vnic, by CIDR, by ipset, nested. */
	g = ioc_topo_find_group(&t, "by-vm");
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm1eth0));
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, g, vm2eth3));
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, g, vm2eth1));
	g = ioc_topo_find_group(&t, "by-vnic");
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, g, vm1eth0));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm2eth3));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm2eth1));
	g = ioc_topo_find_group(&t, "by-cidr"); /* VM1.eth0's second IP */
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, g, vm1eth0));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm2eth3));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm2eth1));
	g = ioc_topo_find_group(&t, "by-ipset"); /* 172.16.0.0/12 holds VM2.eth1 */
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm1eth0));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm2eth3));
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, g, vm2eth1));
	g = ioc_topo_find_group(&t, "nested"); /* nested -> mid -> by-ipset */
	CU_ASSERT_FATAL(g >= 0);
	CU_ASSERT_EQUAL_FATAL(t.groups[g].members.n, 2);
	CU_ASSERT_EQUAL(t.groups[g].members.v[0].kind, IOC_REF_GROUP);
	CU_ASSERT_EQUAL(t.groups[g].members.v[0].index, ioc_topo_find_group(&t, "mid"));
	CU_ASSERT_EQUAL(t.groups[g].members.v[1].kind, IOC_REF_CIDR);
	CU_ASSERT_EQUAL(t.groups[g].members.v[1].cidr.addr, IP(203, 0, 113, 0));
	CU_ASSERT_EQUAL(t.groups[g].members.v[1].cidr.len, 24);
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm1eth0));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, vm2eth3));
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, g, vm2eth1));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, -1, vm2eth1));
	CU_ASSERT_FALSE(ioc_topo_group_has_vnic(&t, g, -1));

	/* dfw rules: defaults, order, lists. */
	CU_ASSERT_EQUAL_FATAL(t.n_dfw_rules, 2);
	CU_ASSERT_EQUAL(t.dfw_rules[0].order, 0);
	CU_ASSERT_EQUAL(t.dfw_rules[1].order, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].direction, IOC_DIR_INOUT);
	CU_ASSERT_EQUAL(t.dfw_rules[0].action, IOC_ACT_DROP);
	CU_ASSERT_EQUAL(t.dfw_rules[0].src.n, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].src.v[0].kind, IOC_REF_ANY);
	CU_ASSERT_EQUAL(t.dfw_rules[0].dst.n, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].dst.v[0].kind, IOC_REF_ANY);
	CU_ASSERT_EQUAL(t.dfw_rules[0].service.n, 1);
	CU_ASSERT_TRUE(t.dfw_rules[0].service.v[0].any);
	CU_ASSERT_EQUAL(t.dfw_rules[0].applied_to.n, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].applied_to.v[0].kind, IOC_REF_ANY);
	CU_ASSERT_EQUAL(t.dfw_rules[1].action, IOC_ACT_REJECT);
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[1].src.n, 3);
	CU_ASSERT_EQUAL(t.dfw_rules[1].src.v[0].kind, IOC_REF_CIDR);
	CU_ASSERT_EQUAL(t.dfw_rules[1].src.v[0].cidr.addr, IP(10, 0, 0, 0));
	CU_ASSERT_EQUAL(t.dfw_rules[1].src.v[0].cidr.len, 8);
	CU_ASSERT_EQUAL(t.dfw_rules[1].src.v[1].kind, IOC_REF_IPSET);
	CU_ASSERT_EQUAL(t.dfw_rules[1].src.v[1].index, ioc_topo_find_ipset(&t, "nets"));
	CU_ASSERT_EQUAL(t.dfw_rules[1].src.v[2].kind, IOC_REF_GROUP);
	CU_ASSERT_EQUAL(t.dfw_rules[1].src.v[2].index, ioc_topo_find_group(&t, "mid"));
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[1].service.n, 4);
	CU_ASSERT_EQUAL(t.dfw_rules[1].service.v[0].proto, 6);
	CU_ASSERT_EQUAL(t.dfw_rules[1].service.v[0].port_lo, 22);
	CU_ASSERT_EQUAL(t.dfw_rules[1].service.v[1].proto, 17);
	CU_ASSERT_EQUAL(t.dfw_rules[1].service.v[1].port_hi, 53);
	CU_ASSERT_EQUAL(t.dfw_rules[1].service.v[2].proto, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[1].service.v[3].proto, 47);
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[1].applied_to.n, 2);
	CU_ASSERT_EQUAL(t.dfw_rules[1].applied_to.v[0].kind, IOC_REF_VNIC);
	CU_ASSERT_EQUAL(t.dfw_rules[1].applied_to.v[0].index, vm2eth1);
	CU_ASSERT_EQUAL(t.dfw_rules[1].applied_to.v[1].kind, IOC_REF_GROUP);
	CU_ASSERT_EQUAL(t.dfw_rules[1].applied_to.v[1].index, ioc_topo_find_group(&t, "by-vm"));

	/* Profiles and redirect rules. */
	CU_ASSERT_EQUAL_FATAL(t.n_profiles, 1);
	CU_ASSERT_EQUAL(t.profiles[0].instance, 1);
	CU_ASSERT_TRUE(t.profiles[0].fail_open);
	CU_ASSERT_EQUAL(t.profiles[0].fail_closed_scope, IOC_SCOPE_REDIRECTED);
	CU_ASSERT_EQUAL_FATAL(t.n_redirect_rules, 3);
	CU_ASSERT_EQUAL(t.redirect_rules[0].action, IOC_ACT_NO_REDIRECT);
	CU_ASSERT_EQUAL(t.redirect_rules[0].profile, -1);
	CU_ASSERT_EQUAL(t.redirect_rules[0].direction, IOC_DIR_OUT);
	CU_ASSERT_EQUAL(t.redirect_rules[0].group, ioc_topo_find_group(&t, "by-vm"));
	CU_ASSERT_EQUAL(t.redirect_rules[1].profile, -1); /* no_redirect: profile checked, unused */
	CU_ASSERT_EQUAL(t.redirect_rules[2].action, IOC_ACT_REDIRECT);
	CU_ASSERT_EQUAL(t.redirect_rules[2].profile, 0);
	CU_ASSERT_EQUAL(t.redirect_rules[2].group, ioc_topo_find_group(&t, "nested"));
	CU_ASSERT_EQUAL(t.redirect_rules[2].order, 2);
	CU_ASSERT_EQUAL(t.redirect_rules[2].direction, IOC_DIR_INOUT);
	CU_ASSERT_EQUAL_FATAL(t.redirect_rules[2].dst.n, 1);
	CU_ASSERT_EQUAL(t.redirect_rules[2].dst.v[0].kind, IOC_REF_ANY);

	CU_ASSERT_EQUAL_FATAL(t.n_svm_rules, 1);
	CU_ASSERT_EQUAL_FATAL(t.svm_rules[0].service.n, 1);
	CU_ASSERT_EQUAL(t.svm_rules[0].instance, 1);
	CU_ASSERT_EQUAL(t.svm_rules[0].action, IOC_ACT_DROP);
	CU_ASSERT_EQUAL(t.svm_rules[0].direction, IOC_DIR_INOUT);
	CU_ASSERT_TRUE(t.svm_rules[0].service.v[0].any);

	ioc_topo_free(&t);
}

/* The syntax around values: comments, whitespace, CRLF, BOM, empty sections. */
static void
test_load_syntax(void)
{
	static const char text[] =
		"\xEF\xBB\xBF; a comment\r\n"
		"# another comment\r\n"
		"  [ host ]   ; trailing comment\r\n"
		"   name=h   \r\n"
		"\twatchdog_lcore = 9 ; inline\r\n"
		"[dfw]\r\n"
		"[vm V]\r\n"
		"world = 4294967295\r\n"
		"vc_uuid =  a b  c;x ; comment\r\n"
		"[uplink u]\r\n"
		"device = net_memif0,role=server,socket=/run/iochain/vm1.sock;x\r\n"
		"lcore = 0\r\n"
		"[dfw_rule r]\r\n"
		"priority = 0\r\n"
		"source = ANY\r\n"
		"action = DROP\r\n"
		"[vnic V.eth12]\r\n"
		"device = d\r\n"
		"switch_port = 0\r\n"
		"mac = 0a:0B:0c:0D:0e:0F\r\n"
		"ip = 1.1.1.1,2.2.2.2 , 3.3.3.3\r\n"
		"lcore = 0\r\n"
		"[group empty-would-be-an-error-but-members-given]\r\n"
		"members = 10.0.0.0/8\r\n"
		"[dfw]";
	struct ioc_topology t;
	struct ioc_error e;
	char buf[512];
	int rc;

	/* A trailing [dfw] duplicates the first one, even without keys and without a newline. */
	rc = ioc_config_load_string(text, "s.ini", &t, &e);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_EQUAL(e.line, 25);
	CU_ASSERT_STRING_EQUAL(e.section, "dfw");
	CU_ASSERT_STRING_EQUAL(e.msg, "duplicate section [dfw] (first at line 6)");

	/* Without it, the file loads. */
	{
		char *copy = strdup(text);

		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		*strrchr(copy, '[') = '\0';
		rc = ioc_config_load_string(copy, "s.ini", &t, &e);
		free(copy);
	}
	if (rc != 0) {
		ioc_error_format(&e, buf, sizeof(buf));
		fprintf(stderr, "\n  %s\n", buf);
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(t.host.name, "h");
	CU_ASSERT_EQUAL(t.host.watchdog_lcore, 9);
	CU_ASSERT_EQUAL_FATAL(t.n_vms, 1);
	CU_ASSERT_EQUAL_FATAL(t.n_uplinks, 1);
	CU_ASSERT_EQUAL(t.vms[0].world, UINT32_MAX);
	CU_ASSERT_STRING_EQUAL(t.vms[0].vc_uuid, "a b  c;x"); /* ';' not after whitespace */
	CU_ASSERT_STRING_EQUAL(t.uplinks[0].device,
			       "net_memif0,role=server,socket=/run/iochain/vm1.sock;x");
	CU_ASSERT_EQUAL_FATAL(t.n_dfw_rules, 1);
	CU_ASSERT_EQUAL_FATAL(t.dfw_rules[0].src.n, 1);
	CU_ASSERT_EQUAL(t.dfw_rules[0].src.v[0].kind, IOC_REF_ANY);
	CU_ASSERT_EQUAL(t.dfw_rules[0].action, IOC_ACT_DROP);
	CU_ASSERT_EQUAL_FATAL(t.n_vnics, 1);
	CU_ASSERT_EQUAL(t.vnics[0].eth, 12);
	CU_ASSERT(memcmp(t.vnics[0].mac, "\x0a\x0b\x0c\x0d\x0e\x0f", 6) == 0);
	CU_ASSERT_EQUAL(t.vnics[0].n_ip, 3);
	CU_ASSERT_EQUAL(t.vnics[0].ip[2], IP(3, 3, 3, 3));
	CU_ASSERT_EQUAL(t.vnics[0].line, 17);
	ioc_topo_free(&t);
}

/* Lines up to IOC_CONFIG_MAX_LINE characters load; devargs up to 255 characters. */
static void
test_load_long_lines(void)
{
	static const char head[] = "[host]\nname = h\n[uplink u]\nlcore = 1\ndevice = ";
	size_t n = sizeof(head) - 1;
	struct ioc_topology t;
	struct ioc_error e;
	char *text = malloc(n + 2 * IOC_CONFIG_MAX_LINE + 16);
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	/* A 255-character device, then a comment line of exactly the maximum length. */
	memcpy(text, head, n);
	memset(text + n, 'd', 255);
	p = text + n + 255;
	*p++ = '\n';
	*p++ = ';';
	memset(p, 'c', IOC_CONFIG_MAX_LINE - 1);
	p += IOC_CONFIG_MAX_LINE - 1;
	strcpy(p, "\n");
	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(text, "l.ini", &t, &e), 0);
	CU_ASSERT_EQUAL_FATAL(t.n_uplinks, 1);
	CU_ASSERT_EQUAL(strlen(t.uplinks[0].device), 255);
	ioc_topo_free(&t);

	/* One character more on the comment line: an error at that line. */
	strcpy(p, "c\n");
	CU_ASSERT_EQUAL(ioc_config_load_string(text, "l.ini", &t, &e), -EINVAL);
	CU_ASSERT_EQUAL(e.line, 6);
	CU_ASSERT_STRING_EQUAL(e.section, "uplink u");
	CU_ASSERT_STRING_EQUAL(e.msg, "line too long (1025 characters, at most 1024)");

	/* A 256-character device: a value error. */
	memset(text + n, 'd', 256);
	strcpy(text + n + 256, "\n");
	CU_ASSERT_EQUAL(ioc_config_load_string(text, "l.ini", &t, &e), -EINVAL);
	CU_ASSERT_EQUAL(e.line, 5);
	CU_ASSERT_STRING_EQUAL(e.key, "device");
	CU_ASSERT_STRING_EQUAL(e.msg, "value too long (256 characters, at most 255)");

	/* A long value is never split into a second line by inih. */
	memset(text + n, 'd', 2 * IOC_CONFIG_MAX_LINE);
	strcpy(text + n + 2 * IOC_CONFIG_MAX_LINE, "\n");
	CU_ASSERT_EQUAL(ioc_config_load_string(text, "l.ini", &t, &e), -EINVAL);
	CU_ASSERT_EQUAL(e.line, 5);
	CU_ASSERT_STRING_EQUAL(e.key, "");
	CU_ASSERT_STRING_EQUAL(e.msg, "line too long (2057 characters, at most 1024)");
	free(text);
}

static void
test_load_file(void)
{
	char path[] = "/tmp/ioc_test_config_XXXXXX";
	struct ioc_topology t;
	struct ioc_error e;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(design_example, f);
	fclose(f);

	CU_ASSERT_EQUAL_FATAL(ioc_config_load_file(path, &t, &e), 0);
	CU_ASSERT_STRING_EQUAL(t.file, path);
	CU_ASSERT_EQUAL_FATAL(t.n_vnics, 1);
	CU_ASSERT_EQUAL_FATAL(t.n_redirect_rules, 1);
	CU_ASSERT_EQUAL(t.vnics[0].uplink, 0);
	CU_ASSERT_EQUAL(t.redirect_rules[0].profile, 0);
	ioc_topo_free(&t);

	/* An error in a file names the file and the line. */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("[host]\nname = h\n\n[vm VM1]\nworld = x\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(ioc_config_load_file(path, &t, &e), -EINVAL);
	CU_ASSERT_STRING_EQUAL(e.file, path);
	CU_ASSERT_EQUAL(e.line, 5);
	CU_ASSERT_STRING_EQUAL(e.section, "vm VM1");
	CU_ASSERT_STRING_EQUAL(e.key, "world");
	CU_ASSERT_STRING_EQUAL(e.msg, "invalid number \"x\": not a decimal number");
	CU_ASSERT_EQUAL(t.n_vms, 0);
	CU_ASSERT_PTR_NULL(t.vms);

	/* A long line from a file is caught as well (not split by a fixed-size read). */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("[host]\nname = h\n;", f);
	for (fd = 0; fd < 3000; fd++)
		fputc('x', f);
	fputs("\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(ioc_config_load_file(path, &t, &e), -EINVAL);
	CU_ASSERT_EQUAL(e.line, 3);
	CU_ASSERT_STRING_EQUAL(e.section, "host");
	CU_ASSERT_STRING_EQUAL(e.msg, "line too long (3001 characters, at most 1024)");
	unlink(path);

	/* Unreadable. */
	CU_ASSERT_EQUAL(ioc_config_load_file(path, &t, &e), -ENOENT);
	CU_ASSERT_STRING_EQUAL(e.file, path);
	CU_ASSERT_EQUAL(e.line, 0);
	CU_ASSERT_STRING_EQUAL(e.msg, "cannot open: No such file or directory");
	CU_ASSERT_EQUAL(ioc_config_load_file("/", &t, &e), -ENOENT);
	CU_ASSERT_EQUAL(e.line, 0);
	CU_ASSERT_STRING_EQUAL(e.msg, "cannot read: Is a directory");
	CU_ASSERT_EQUAL(t.n_vms, 0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Errors: each with its exact line, section, key and message */

/* A valid file: fragments appended to it start at line 12. */
#define BASE BASE_HOST BASE_REST
#define BASE_HOST                                                                                  \
	"[host]\n"   /* 1 */                                                                       \
	"name = h\n" /* 2 */
#define BASE_REST                                                                                  \
	"[vm VM1]\n"		    /* 3 */                                                        \
	"world = 1\n"		    /* 4 */                                                        \
	"vc_uuid = u1\n"	    /* 5 */                                                        \
	"[vnic VM1.eth0]\n"	    /* 6 */                                                        \
	"device = net_null0\n"	    /* 7 */                                                        \
	"switch_port = 1\n"	    /* 8 */                                                        \
	"mac = 02:00:00:00:01:01\n" /* 9 */                                                        \
	"ip = 10.0.0.11\n"	    /* 10 */                                                       \
	"lcore = 1\n"		    /* 11 */

/* A service and an instance on lcore 2: lines 12-17. */
#define SVC                                                                                        \
	"[service fgt]\n"	   /* 12 */                                                        \
	"vendor = Fortinet\n"	   /* 13 */                                                        \
	"[service_instance fgt]\n" /* 14 */                                                        \
	"service = fgt\n"	   /* 15 */                                                        \
	"lcores = 2\n"		   /* 16 */                                                        \
	"slow_path_id = 1\n"	   /* 17 */

static bool
check_error(const char *text, int want_rc, int line, const char *section, const char *key,
	    const char *msg)
{
	struct ioc_topology t;
	struct ioc_error e;
	char buf[600];
	bool ok;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = ioc_config_load_string(text, "t.ini", &t, &e);
	ok = rc == want_rc && e.line == line && strcmp(e.section, section) == 0 &&
	     strcmp(e.key, key) == 0 && strcmp(e.msg, msg) == 0 && strcmp(e.file, "t.ini") == 0;
	/* Left freed. */
	ok = ok && t.n_vnics == 0 && t.vnics == NULL && t.n_groups == 0 && t.groups == NULL &&
	     t.n_dfw_rules == 0 && t.dfw_rules == NULL;
	if (!ok) {
		ioc_error_format(&e, buf, sizeof(buf));
		fprintf(stderr, "\n  expected rc %d, t.ini:%d: [%s] %s: %s\n  got      rc %d, %s\n",
			want_rc, line, section, key, msg, rc, buf);
	}
	if (rc == 0)
		ioc_topo_free(&t);
	return ok;
}

#define EXPECT_ERR(text, line, section, key, msg)                                                  \
	CU_ASSERT(check_error(text, -EINVAL, line, section, key, msg))

static void
test_base_is_valid(void)
{
	struct ioc_topology t;
	struct ioc_error e;

	CU_ASSERT_EQUAL(ioc_config_load_string(BASE, "t.ini", &t, &e), 0);
	ioc_topo_free(&t);
	CU_ASSERT_EQUAL(ioc_config_load_string(BASE SVC, "t.ini", &t, &e), 0);
	ioc_topo_free(&t);
}

/* [vnic] ip with IPv6 addresses among IPv4 ones, and ipv6_link_local. */
static void
test_load_ipv6_bindings(void)
{
	static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 0x05 };
	struct ioc_topology t;
	struct ioc_error e;

	/* BASE's ip line (10) replaced; the vNIC's last key is lcore. */
	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(BASE "[vnic VM1.eth1]\ndevice = net_null1\n"
							  "mac = 02:00:00:00:01:02\nlcore = 1\n"
							  "ip = 2001:DB8::11, 10.0.0.12, fe80::5\n"
							  "ipv6_link_local = none\n",
						     "t.ini", &t, &e),
			      0);
	CU_ASSERT_EQUAL_FATAL(t.n_vnics, 2);
	CU_ASSERT_TRUE(t.vnics[0].ipv6_link_local); /* the default: auto */
	CU_ASSERT_EQUAL(t.vnics[0].n_ip6, 0);
	CU_ASSERT_EQUAL(t.vnics[1].n_ip, 1);
	CU_ASSERT_EQUAL(t.vnics[1].ip[0], IP(10, 0, 0, 12));
	CU_ASSERT_EQUAL_FATAL(t.vnics[1].n_ip6, 2);
	CU_ASSERT(memcmp(t.vnics[1].ip6[0], a, 16) == 0);
	CU_ASSERT(memcmp(t.vnics[1].ip6[1], ll, 16) == 0);
	CU_ASSERT_FALSE(t.vnics[1].ipv6_link_local);
	ioc_topo_free(&t);
}

static void
test_err_ipv6_bindings(void)
{
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 10.0.0.1, 2001:db8::g\n", 13, "vnic VM1.eth1", "ip",
		   "invalid IPv6 address \"2001:db8::g\": not an IPv6 address (RFC 4291 text "
		   "form)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 2001:db8:::1\n", 13, "vnic VM1.eth1", "ip",
		   "invalid IPv6 address \"2001:db8:::1\": not an IPv6 address (RFC 4291 text "
		   "form)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 2001:db8::/64\n", 13, "vnic VM1.eth1", "ip",
		   "invalid IPv6 address \"2001:db8::/64\": bad character");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = fe80::1%eth0\n", 13, "vnic VM1.eth1", "ip",
		   "invalid IPv6 address \"fe80::1%eth0\": bad character");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = ::\n", 13, "vnic VM1.eth1", "ip",
		   "\"::\" cannot be bound: the unspecified address :: (spoofguard lets it out "
		   "for DAD only)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = ::1\n", 13, "vnic VM1.eth1", "ip",
		   "\"::1\" cannot be bound: the loopback address ::1");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = ff02::1\n", 13, "vnic VM1.eth1", "ip",
		   "\"ff02::1\" cannot be bound: a multicast address (ff00::/8)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 2001:db8::1, 2001:DB8:0::1\n", 13, "vnic VM1.eth1",
		   "ip", "duplicate IP address 2001:DB8:0::1");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 1::1,1::2,1::3,1::4,1::5,1::6,1::7,1::8,1::9,1::a,"
			"1::b,1::c,1::d,1::e,1::f,1::10,1::11\n",
		   13, "vnic VM1.eth1", "ip", "too many IPv6 addresses (at most 16)");
	EXPECT_ERR(BASE "ipv6_link_local = off\n", 12, "vnic VM1.eth0", "ipv6_link_local",
		   "invalid ipv6_link_local \"off\": expected auto or none");
}

/* [host] mbufs and [dfw] connections: defaults, then the values given. */
static void
test_load_sizes(void)
{
	struct ioc_topology t;
	struct ioc_error e;

	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(BASE, "t.ini", &t, &e), 0);
	CU_ASSERT_EQUAL(t.host.mbufs, 0); /* sized from the ports */
	CU_ASSERT_EQUAL(t.host.idle_sleep_us, 20);
	CU_ASSERT_STRING_EQUAL(t.host.control_group, "");
	CU_ASSERT_EQUAL(t.dfw.connections, 65536);
	CU_ASSERT_FALSE(t.dfw.tcp_pickup);
	CU_ASSERT_EQUAL(t.vnics[0].max_connections, 0);
	ioc_topo_free(&t);
	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(BASE_HOST "mbufs = 1048576\n"
							       "watchdog_rt_priority = 0\n"
							       "idle_sleep_us = 0\n"
							       "control_group = iochain-ops\n" BASE_REST
							       "max_connections = 4096\n"
							       "[dfw]\nconnections = 1000000\n"
							       "tcp_pickup = true\n",
						     "t.ini", &t, &e),
			      0);
	CU_ASSERT_EQUAL(t.host.mbufs, 1048576);
	CU_ASSERT_EQUAL(t.host.watchdog_rt_priority, 0);
	CU_ASSERT_EQUAL(t.host.idle_sleep_us, 0);
	CU_ASSERT_STRING_EQUAL(t.host.control_group, "iochain-ops");
	CU_ASSERT_EQUAL(t.dfw.connections, 1000000);
	CU_ASSERT_TRUE(t.dfw.tcp_pickup);
	CU_ASSERT_EQUAL(t.vnics[0].max_connections, 4096);
	ioc_topo_free(&t);
}

/* switch_port and slow_path_id may be left out: a port number in file order, no slow path id. */
static void
test_load_optional_ids(void)
{
	static const char text[] = BASE
		"[vm VM2]\nworld = 2\nvc_uuid = u2\n"
		"[vnic VM2.eth0]\ndevice = d2\nmac = 02:00:00:00:02:01\nip = 10.0.0.12\nlcore = 1\n"
		"[vnic VM2.eth1]\ndevice = d3\nswitch_port = 7\nmac = 02:00:00:00:02:02\n"
		"ip = 10.0.0.13\nlcore = 1\n"
		"[vnic VM2.eth2]\ndevice = d4\nmac = 02:00:00:00:02:03\nip = 10.0.0.14\nlcore = 1\n"
		"[service fgt]\nvendor = Fortinet\n"
		"[service_instance without]\nservice = fgt\nlcores = 2\n"
		"[service_instance with]\nservice = fgt\nlcores = 3\nslow_path_id = 0\n";
	struct ioc_topology t;
	struct ioc_error e;

	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(text, "t.ini", &t, &e), 0);
	CU_ASSERT_EQUAL_FATAL(t.n_vnics, 4);
	CU_ASSERT_EQUAL(t.vnics[0].switch_port, 1); /* BASE gives one */
	CU_ASSERT_EQUAL(t.vnics[1].switch_port, IOC_SWITCH_PORT_BASE + 1);
	CU_ASSERT_EQUAL(t.vnics[2].switch_port, 7);
	CU_ASSERT_EQUAL(t.vnics[3].switch_port, IOC_SWITCH_PORT_BASE + 3);
	CU_ASSERT_EQUAL_FATAL(t.n_instances, 2);
	CU_ASSERT_FALSE(t.instances[0].has_slow_path_id);
	CU_ASSERT_TRUE(t.instances[1].has_slow_path_id);
	CU_ASSERT_EQUAL(t.instances[1].slow_path_id, 0);
	ioc_topo_free(&t);
}

/* The README's key table names every key of every section, and no section the loader lacks. */
static void
test_schema_in_readme(void)
{
	FILE *f = fopen(IOC_SOURCE_ROOT "/README.md", "r");
	char line[4096], head[96];
	unsigned i, k, rows = 0, sections = 0;
	const char *name;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "| `[", 4) != 0)
			continue;
		rows++;
		for (i = 0; (name = ioc_config_section_name(i)) != NULL; i++) {
			size_t n = strlen(name);

			if (strncmp(line + 4, name, n) != 0 ||
			    (line[4 + n] != ']' && line[4 + n] != ' '))
				continue;
			sections++;
			for (k = 0; (name = ioc_config_key_name(i, k, NULL)) != NULL; k++) {
				snprintf(head, sizeof(head), "`%s`", name);
				if (strstr(line, head) == NULL)
					fprintf(stderr, "\n  README: [%s] lacks %s\n",
						ioc_config_section_name(i), head);
				CU_ASSERT_PTR_NOT_NULL(strstr(line, head));
			}
		}
	}
	fclose(f);
	for (i = 0; ioc_config_section_name(i) != NULL; i++)
		;
	CU_ASSERT_EQUAL(rows, i);
	CU_ASSERT_EQUAL(sections, i);
}

static void
test_err_syntax(void)
{
	EXPECT_ERR(BASE "oops\n", 12, "vnic VM1.eth0", "", "expected KEY = VALUE");
	EXPECT_ERR(BASE "mac: 02:00:00:00:01:02\n", 12, "vnic VM1.eth0", "",
		   "expected KEY = VALUE");
	EXPECT_ERR(BASE "= 3\n", 12, "vnic VM1.eth0", "", "missing key before '='");
	EXPECT_ERR(BASE "key ; comment = 3\n", 12, "vnic VM1.eth0", "", "expected KEY = VALUE");
	EXPECT_ERR("\n; c\nname = h\n" BASE, 3, "", "", "key outside of any section");
	EXPECT_ERR(BASE "[vm VM2\n", 12, "", "", "section header without ']'");
	EXPECT_ERR(BASE "[vm VM2] x\n", 12, "", "", "unexpected characters after section header");
	EXPECT_ERR(BASE "[ ]\n", 12, "", "", "empty section header");
	EXPECT_ERR(BASE "[vm VM2 x]\n", 12, "vm VM2 x", "",
		   "expected [vm NAME], NAME without spaces");
	EXPECT_ERR(BASE "[vm]\n", 12, "vm", "", "missing name: expected [vm NAME]");
	EXPECT_ERR(BASE "[dfw x]\n", 12, "dfw x", "", "[dfw] takes no name");
	EXPECT_ERR(BASE "[vm a/b]\n", 12, "vm a/b", "",
		   "invalid name \"a/b\": only letters, digits, '_', '.' and '-' are allowed");
	EXPECT_ERR(BASE "[vm a234567890123456789012345678901234567890123456789012345678901234]\n",
		   12, "vm a234567890123456789012345678901234567890123456789012345678901234", "",
		   "invalid name "
		   "\"a234567890123456789012345678901234567890123456789012345678901234\": "
		   "longer than 63 characters");
	EXPECT_ERR(BASE "ip2\n= 1\n", 12, "vnic VM1.eth0", "", "expected KEY = VALUE");
	EXPECT_ERR(BASE "lcore =\n", 12, "vnic VM1.eth0", "lcore",
		   "duplicate key (first at line 11)");
	EXPECT_ERR(BASE "[uplink u]\ndevice =   ; nothing\nlcore = 3\n", 13, "uplink u", "device",
		   "empty value");
}

static void
test_err_unknown_section_type(void)
{
	EXPECT_ERR(BASE "[bogus x]\nkey = 1\n", 12, "bogus x", "",
		   "unknown section type \"bogus\"");
	EXPECT_ERR(BASE "[Host]\n", 12, "Host", "", "unknown section type \"Host\"");
	EXPECT_ERR(BASE "[vnics VM1.eth1]\n", 12, "vnics VM1.eth1", "",
		   "unknown section type \"vnics\"");
}

static void
test_err_unknown_key(void)
{
	EXPECT_ERR(BASE "[vm VM2]\nworld = 2\nvc_uuid = u\ncolour = red\n", 15, "vm VM2", "colour",
		   "unknown key");
	EXPECT_ERR(BASE "name2 = x\n", 12, "vnic VM1.eth0", "name2", "unknown key");
	/* A key of another section type. */
	EXPECT_ERR(BASE "[dfw]\npriority = 1\n", 13, "dfw", "priority", "unknown key");
	EXPECT_ERR(BASE "[service_instance i]\nlcore = 1\n", 13, "service_instance i", "lcore",
		   "unknown key");
}

static void
test_err_duplicate_key(void)
{
	EXPECT_ERR(BASE "[vm VM2]\nworld = 2\n\nworld = 3\n", 15, "vm VM2", "world",
		   "duplicate key (first at line 13)");
	EXPECT_ERR(BASE "ip = 10.0.0.11\n", 12, "vnic VM1.eth0", "ip",
		   "duplicate key (first at line 10)");
	/* An indented line is a key of its own, never a continuation of the previous value. */
	EXPECT_ERR(BASE "  lcore = 2\n", 12, "vnic VM1.eth0", "lcore",
		   "duplicate key (first at line 11)");
}

static void
test_err_duplicate_section(void)
{
	EXPECT_ERR(BASE "[vm VM1]\n", 12, "vm VM1", "",
		   "duplicate section [vm VM1] (first at line 3)");
	EXPECT_ERR(BASE "[host]\n", 12, "host", "", "duplicate section [host] (first at line 1)");
	EXPECT_ERR(BASE "[dfw]\n[dfw]\n", 13, "dfw", "",
		   "duplicate section [dfw] (first at line 12)");
	EXPECT_ERR(BASE "[vnic VM1.eth0]\n", 12, "vnic VM1.eth0", "",
		   "duplicate section [vnic VM1.eth0] (first at line 6)");
	/* The same name in two section types is fine: only the missing keys fail. */
	EXPECT_ERR(BASE "[ipset VM1]\naddresses = 1.2.3.4\n[group VM1]\n", 14, "group VM1",
		   "members", "missing required key");
}

static void
test_err_missing_key(void)
{
	/* Reported at the section header, when the section ends... */
	EXPECT_ERR(BASE "[vm VM2]\nworld = 2\n[ipset s]\naddresses = 10.0.0.0/8\n", 12, "vm VM2",
		   "vc_uuid", "missing required key");
	/* ...or at the end of the file. */
	EXPECT_ERR(BASE "[uplink u]\ndevice = x\n", 12, "uplink u", "lcore",
		   "missing required key");
	EXPECT_ERR(BASE "[ipset s]\n", 12, "ipset s", "addresses", "missing required key");
	EXPECT_ERR("[host]\nwatchdog_lcore = 0\n" BASE, 1, "host", "name", "missing required key");
	EXPECT_ERR(BASE SVC "[redirect_rule r]\ngroup = g\naction = redirect\n[group g]\n"
			    "members = vm:VM1\n",
		   18, "redirect_rule r", "profile", "missing required key (action = redirect)");
	EXPECT_ERR(BASE "[dfw_rule r]\npriority = 1\n", 12, "dfw_rule r", "action",
		   "missing required key");
	EXPECT_ERR(BASE "[svm_rule r]\ninstance = i\npriority = 1\n", 12, "svm_rule r", "action",
		   "missing required key");
	/* Missing sections. */
	EXPECT_ERR("[vm VM1]\nworld = 1\nvc_uuid = u\n", 0, "", "",
		   "missing required section [host]");
	EXPECT_ERR("[host]\nname = h\n", 0, "", "",
		   "no port: at least one [uplink] or [vnic] section is required");
	EXPECT_ERR("", 0, "", "", "missing required section [host]");
}

static void
test_err_bad_value(void)
{
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nmac = 02:00:zz:00:01:01\n", 13, "vnic VM1.eth1", "mac",
		   "invalid MAC address \"02:00:zz:00:01:01\": bad hex digit");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nmac = 03:00:00:00:01:01\n", 13, "vnic VM1.eth1", "mac",
		   "invalid MAC address \"03:00:00:00:01:01\": not unicast (multicast bit set)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nmac = ff:ff:ff:ff:ff:ff\n", 13, "vnic VM1.eth1", "mac",
		   "invalid MAC address \"ff:ff:ff:ff:ff:ff\": not unicast (multicast bit set)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nmac = 00:00:00:00:00:00\n", 13, "vnic VM1.eth1", "mac",
		   "invalid MAC address \"00:00:00:00:00:00\": all zeros");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 10.0.0.1, 10.0.0.256\n", 13, "vnic VM1.eth1", "ip",
		   "invalid IPv4 address \"10.0.0.256\": octet out of range (0..255)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 10.0.0.1,,10.0.0.2\n", 13, "vnic VM1.eth1", "ip",
		   "empty element in \"10.0.0.1,,10.0.0.2\"");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 10.0.0.1, 10.0.0.1\n", 13, "vnic VM1.eth1", "ip",
		   "duplicate IP address 10.0.0.1");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nip = 1.0.0.1,1.0.0.2,1.0.0.3,1.0.0.4,1.0.0.5,1.0.0.6,"
			"1.0.0.7,1.0.0.8,1.0.0.9,1.0.0.10,1.0.0.11,1.0.0.12,1.0.0.13,1.0.0.14,"
			"1.0.0.15,1.0.0.16,1.0.0.17\n",
		   13, "vnic VM1.eth1", "ip", "too many IP addresses (at most 16)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nallow_ethertypes = 0x88cc, 88cc\n", 13, "vnic VM1.eth1",
		   "allow_ethertypes",
		   "invalid ethertype \"88cc\": expected 0x0600-0xffff in hexadecimal");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nallow_ethertypes = 0x05dc\n", 13, "vnic VM1.eth1",
		   "allow_ethertypes",
		   "invalid ethertype \"0x05dc\": expected 0x0600-0xffff in hexadecimal");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nallow_ethertypes = 0x10000\n", 13, "vnic VM1.eth1",
		   "allow_ethertypes",
		   "invalid ethertype \"0x10000\": expected 0x0600-0xffff in hexadecimal");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nallow_ethertypes = 0x88cc,0x88CC\n", 13, "vnic VM1.eth1",
		   "allow_ethertypes", "duplicate ethertype 0x88CC");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nvlan = 4095\n", 13, "vnic VM1.eth1", "vlan",
		   "invalid vlan \"4095\": expected none, trunk or a VLAN ID 1-4094");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nvlan = access\n", 13, "vnic VM1.eth1", "vlan",
		   "invalid vlan \"access\": expected none, trunk or a VLAN ID 1-4094");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nswitch_port = -1\n", 13, "vnic VM1.eth1", "switch_port",
		   "invalid number \"-1\": not a decimal number");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nlcore = 3-1\n", 13, "vnic VM1.eth1", "lcore",
		   "invalid lcore list \"3-1\": reversed range");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nlcore = 1,2,1\n", 13, "vnic VM1.eth1", "lcore",
		   "invalid lcore list \"1,2,1\": duplicate lcore");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nlcore = 0-16\n", 13, "vnic VM1.eth1", "lcore",
		   "invalid lcore list \"0-16\": too many lcores (at most 16)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nlcore = 128\n", 13, "vnic VM1.eth1", "lcore",
		   "invalid lcore list \"128\": lcore id out of range (0..127)");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\nuplink = up/0\n", 13, "vnic VM1.eth1", "uplink",
		   "invalid name \"up/0\": only letters, digits, '_', '.' and '-' are allowed");
	EXPECT_ERR(BASE SVC "heartbeat_timeout_ms = 20\nmax_preempt_ms = 19\n", 19,
		   "service_instance fgt", "max_preempt_ms",
		   "19 is shorter than heartbeat_timeout_ms (20)");
	/* An idle worker sleeps idle_sleep_us between beats: the timeout must cover five. */
	EXPECT_ERR("[host]\nname = h\nidle_sleep_us = 1000\n" BASE_REST SVC
		   "heartbeat_timeout_ms = 4\n",
		   19, "service_instance fgt", "heartbeat_timeout_ms",
		   "4 ms is shorter than 5 x [host] idle_sleep_us (1000 us): an idle worker "
		   "sleeping between polls would be declared down");
	EXPECT_ERR(BASE SVC "max_preempt_ms = 600001\n", 18, "service_instance fgt",
		   "max_preempt_ms", "invalid number \"600001\": out of range (1..600000)");
	EXPECT_ERR("[host]\nname = h\nheartbeat_timeout_ms = 0\n" BASE, 3, "host",
		   "heartbeat_timeout_ms", "invalid number \"0\": out of range (1..60000)");
	EXPECT_ERR("[host]\nname = h\nheartbeat_timeout_ms = 60001\n" BASE, 3, "host",
		   "heartbeat_timeout_ms", "invalid number \"60001\": out of range (1..60000)");
	EXPECT_ERR("[host]\nname = h\nwatchdog_rt_priority = 100\n" BASE, 3, "host",
		   "watchdog_rt_priority", "invalid number \"100\": out of range (0..99)");
	EXPECT_ERR("[host]\nname = h\nidle_sleep_us = 1001\n" BASE, 3, "host", "idle_sleep_us",
		   "invalid number \"1001\": out of range (0..1000)");
	EXPECT_ERR("[host]\nname = h\nmbufs = 1023\n" BASE, 3, "host", "mbufs",
		   "invalid number \"1023\": out of range (1024..16777216)");
	EXPECT_ERR("[host]\nname = h\nmbufs = 16777217\n" BASE, 3, "host", "mbufs",
		   "invalid number \"16777217\": out of range (1024..16777216)");
	EXPECT_ERR(BASE "[dfw]\nconnections = 15\n", 13, "dfw", "connections",
		   "invalid number \"15\": out of range (16..16777216)");
	EXPECT_ERR(BASE "[dfw]\nconnections = 1M\n", 13, "dfw", "connections",
		   "invalid number \"1M\": not a decimal number");
	EXPECT_ERR(BASE "max_connections = 16777217\n", 12, "vnic VM1.eth0", "max_connections",
		   "invalid number \"16777217\": out of range (0..16777216)");
	EXPECT_ERR("[host]\nname = h\nwatchdog_lcore = 128\n" BASE, 3, "host", "watchdog_lcore",
		   "invalid number \"128\": out of range (0..127)");
	EXPECT_ERR("[host]\nname = h\nwatchdog_lcore = -2\n" BASE, 3, "host", "watchdog_lcore",
		   "invalid number \"-2\": not a decimal number");
	EXPECT_ERR("[host]\nname = host 10\n" BASE, 2, "host", "name",
		   "invalid name \"host 10\": only letters, digits, '_', '.' and '-' are allowed");
	EXPECT_ERR(BASE "[vm VM2]\nvc_uuid = 0123456789012345678901234567890123456789012345678901"
			"234567890123\n",
		   13, "vm VM2", "vc_uuid", "value too long (64 characters, at most 63)");
	EXPECT_ERR(BASE "[ipset s]\naddresses = 10.0.0.0/8, 10.0.0.1/24\n", 13, "ipset s",
		   "addresses", "invalid CIDR \"10.0.0.1/24\": host bits set");
	EXPECT_ERR(BASE "[ipset s]\naddresses = 10.0.0.0/33\n", 13, "ipset s", "addresses",
		   "invalid CIDR \"10.0.0.0/33\": prefix length out of range (0..32)");
	EXPECT_ERR(BASE "[ipset s]\naddresses = 10.0.0.0/8,\n", 13, "ipset s", "addresses",
		   "empty element in \"10.0.0.0/8,\"");
	EXPECT_ERR(BASE "[group g]\nmembers = any\n", 13, "group g", "members",
		   "invalid members \"any\": expected CIDR, vm:NAME, vnic:NAME, ipset:NAME or "
		   "group:NAME");
	EXPECT_ERR(BASE "[group g]\nmembers = host:h\n", 13, "group g", "members",
		   "invalid members \"host:h\": expected CIDR, vm:NAME, vnic:NAME, ipset:NAME or "
		   "group:NAME");
	EXPECT_ERR(BASE "[group g]\nmembers = vm:\n", 13, "group g", "members",
		   "invalid name \"\": empty name");
	EXPECT_ERR(BASE "[dfw]\ndefault_action = reject\n", 13, "dfw", "default_action",
		   "invalid action \"reject\": expected allow or drop");
	EXPECT_ERR(BASE "[dfw]\nstateful = maybe\n", 13, "dfw", "stateful",
		   "invalid boolean \"maybe\": expected true/false, yes/no, on/off or 1/0");
	EXPECT_ERR(BASE "[dfw_rule r]\nsource = any, 10.0.0.0/8\n", 13, "dfw_rule r", "source",
		   "\"any\" cannot be combined with other entries");
	EXPECT_ERR(BASE "[dfw_rule r]\ndestination = vm:VM1\n", 13, "dfw_rule r", "destination",
		   "invalid destination \"vm:VM1\": expected any, CIDR, ipset:NAME or group:NAME");
	EXPECT_ERR(BASE "[dfw_rule r]\ndestination = web\n", 13, "dfw_rule r", "destination",
		   "invalid destination \"web\": expected any, CIDR, ipset:NAME or group:NAME");
	EXPECT_ERR(BASE "[dfw_rule r]\napplied_to = 10.0.0.0/8\n", 13, "dfw_rule r", "applied_to",
		   "invalid applied_to \"10.0.0.0/8\": expected any, vnic:NAME or group:NAME");
	EXPECT_ERR(BASE "[dfw_rule r]\nservice = tcp/80, icmp/80\n", 13, "dfw_rule r", "service",
		   "invalid service \"icmp/80\": ports only allowed for tcp and udp");
	EXPECT_ERR(BASE "[dfw_rule r]\nservice = tcp/\n", 13, "dfw_rule r", "service",
		   "invalid service \"tcp/\": missing port");
	EXPECT_ERR(BASE "[dfw_rule r]\nservice = any,tcp\n", 13, "dfw_rule r", "service",
		   "\"any\" cannot be combined with other entries");
	EXPECT_ERR(BASE "[dfw_rule r]\ndirection = both\n", 13, "dfw_rule r", "direction",
		   "invalid direction \"both\": expected in, out or inout");
	EXPECT_ERR(BASE "[dfw_rule r]\naction = redirect\n", 13, "dfw_rule r", "action",
		   "invalid action \"redirect\": expected allow, drop or reject");
	EXPECT_ERR(BASE "[dfw_rule r]\npriority = 4294967296\n", 13, "dfw_rule r", "priority",
		   "invalid number \"4294967296\": out of range (0..4294967295)");
	EXPECT_ERR(BASE "[service_instance i]\nauto_recover = maybe\n", 13, "service_instance i",
		   "auto_recover",
		   "invalid boolean \"maybe\": expected true/false, yes/no, on/off or 1/0");
	EXPECT_ERR(BASE "[service_instance i]\nstandby_lcores = 1,\n", 13, "service_instance i",
		   "standby_lcores", "invalid lcore list \"1,\": empty element");
	EXPECT_ERR(BASE "[service_profile p]\nfail_closed_scope = all\n", 13, "service_profile p",
		   "fail_closed_scope", "invalid scope \"all\": expected vnic or redirected");
	EXPECT_ERR(BASE "[redirect_rule r]\naction = allow\n", 13, "redirect_rule r", "action",
		   "invalid action \"allow\": expected redirect or no_redirect");
	EXPECT_ERR(BASE "[svm_rule r]\naction = reject\n", 13, "svm_rule r", "action",
		   "invalid action \"reject\": expected allow or drop");
	EXPECT_ERR(BASE "[uplink u]\ndevice = net_null0\n", 13, "uplink u", "device",
		   "device \"net_null0\" already used by vnic VM1.eth0 at line 7");
}

static void
test_err_unknown_reference(void)
{
	/* vm of a vnic: at the vnic's header. */
	EXPECT_ERR(BASE "[vnic VM9.eth0]\ndevice = d9\nswitch_port = 9\nmac = 02:00:00:00:09:01\n"
			"ip = 10.0.0.9\nlcore = 1\n",
		   12, "vnic VM9.eth0", "", "unknown vm \"VM9\"");
	EXPECT_ERR(BASE "[vnic VM1.eth1]\ndevice = d2\nswitch_port = 2\nmac = 02:00:00:00:01:02\n"
			"ip = 10.0.0.12\nuplink = up0\nlcore = 1\n",
		   17, "vnic VM1.eth1", "uplink", "unknown uplink \"up0\"");
	EXPECT_ERR(BASE "[group g]\nmembers = 10.0.0.0/8, ipset:nope\n", 13, "group g", "members",
		   "unknown ipset \"nope\"");
	EXPECT_ERR(BASE "[group g]\nmembers = group:nope\n", 13, "group g", "members",
		   "unknown group \"nope\"");
	EXPECT_ERR(BASE "[group g]\nmembers = vm:VM2\n", 13, "group g", "members",
		   "unknown vm \"VM2\"");
	EXPECT_ERR(BASE "[group g]\nmembers = vnic:VM1.eth1\n", 13, "group g", "members",
		   "unknown vnic \"VM1.eth1\"");
	EXPECT_ERR(BASE "[dfw_rule r]\npriority = 1\nsource = group:g\naction = allow\n", 14,
		   "dfw_rule r", "source", "unknown group \"g\"");
	EXPECT_ERR(BASE "[dfw_rule r]\npriority = 1\napplied_to = vnic:VM1.eth7\naction = allow\n",
		   14, "dfw_rule r", "applied_to", "unknown vnic \"VM1.eth7\"");
	EXPECT_ERR(BASE "[service_instance i]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n", 13,
		   "service_instance i", "service", "unknown service \"fgt\"");
	EXPECT_ERR(BASE SVC "[service_profile p]\ninstance = fgt2\n", 19, "service_profile p",
		   "instance", "unknown service_instance \"fgt2\"");
	EXPECT_ERR(BASE SVC "[svm_rule s]\ninstance = fgt2\npriority = 1\naction = allow\n", 19,
		   "svm_rule s", "instance", "unknown service_instance \"fgt2\"");
	EXPECT_ERR(BASE SVC "[svm_rule s]\ninstance = fgt\npriority = 1\ndestination = ipset:x\n"
			    "action = allow\n",
		   21, "svm_rule s", "destination", "unknown ipset \"x\"");
	EXPECT_ERR(BASE SVC "[redirect_rule r]\ngroup = g\naction = redirect\nprofile = p\n", 19,
		   "redirect_rule r", "group", "unknown group \"g\"");
	EXPECT_ERR(BASE SVC "[group g]\nmembers = vm:VM1\n[redirect_rule r]\ngroup = g\n"
			    "action = redirect\nprofile = p\n",
		   23, "redirect_rule r", "profile", "unknown service_profile \"p\"");
	/* With no_redirect, a profile is optional but must exist when given. */
	EXPECT_ERR(BASE SVC "[group g]\nmembers = vm:VM1\n[redirect_rule r]\ngroup = g\n"
			    "action = no_redirect\nprofile = p\n",
		   23, "redirect_rule r", "profile", "unknown service_profile \"p\"");
	/* Names are case-sensitive. */
	EXPECT_ERR(BASE "[group g]\nmembers = vm:vm1\n", 13, "group g", "members",
		   "unknown vm \"vm1\"");
}

static void
test_err_duplicate_mac(void)
{
	EXPECT_ERR(BASE "[vnic VM1.eth1]\ndevice = d2\nswitch_port = 2\nmac = 02:00:00:00:01:01\n",
		   15, "vnic VM1.eth1", "mac",
		   "duplicate MAC 02:00:00:00:01:01 (also vnic VM1.eth0 at line 9)");
	/* Case does not hide a duplicate. */
	EXPECT_ERR(BASE "[vnic VM1.eth1]\ndevice = d1\nswitch_port = 2\nmac = 0A:00:00:00:01:01\n"
			"ip = 10.0.0.2\nlcore = 1\n[vnic VM1.eth2]\nmac = 0a:00:00:00:01:01\n",
		   19, "vnic VM1.eth2", "mac",
		   "duplicate MAC 0a:00:00:00:01:01 (also vnic VM1.eth1 at line 15)");
}

static void
test_err_lcore_roles(void)
{
	/* Forwarding (the vnic, lcore 1) then worker. */
	EXPECT_ERR(BASE "[service fgt]\nvendor = F\n[service_instance fgt]\nservice = fgt\n"
			"lcores = 2, 1\nslow_path_id = 1\n",
		   16, "service_instance fgt", "lcores",
		   "lcore 1 is both a forwarding lcore and a worker of service_instance fgt");
	/* Worker then forwarding: reported at the later key. */
	EXPECT_ERR(SVC "[host]\nname = h\n[vm VM1]\nworld = 1\nvc_uuid = u\n[uplink u]\n"
		       "device = d\nlcore = 2\n",
		   14, "uplink u", "lcore",
		   "lcore 2 is both a worker of service_instance fgt and a forwarding lcore");
	/* Worker and standby of the same instance. */
	EXPECT_ERR(BASE SVC "standby_lcores = 2\n", 18, "service_instance fgt", "standby_lcores",
		   "lcore 2 is both a worker of service_instance fgt and a standby lcore of "
		   "service_instance fgt");
	/* Workers of two instances. */
	EXPECT_ERR(BASE SVC "[service_instance fgt2]\nservice = fgt\nlcores = 3,2\n"
			    "slow_path_id = 2\n",
		   20, "service_instance fgt2", "lcores",
		   "lcore 2 is both a worker of service_instance fgt and a worker of "
		   "service_instance fgt2");
	/* One standby for two instances. */
	EXPECT_ERR(BASE SVC "standby_lcores = 5\n[service_instance fgt2]\nservice = fgt\n"
			    "lcores = 3\nstandby_lcores = 5\nslow_path_id = 2\n",
		   22, "service_instance fgt2", "standby_lcores",
		   "lcore 5 is both a standby lcore of service_instance fgt and a standby lcore of "
		   "service_instance fgt2");
	/* Watchdog: on a forwarding lcore, on a worker. */
	EXPECT_ERR("[host]\nname = h\nwatchdog_lcore = 1\n" BASE_REST, 12, "vnic VM1.eth0", "lcore",
		   "lcore 1 is both the watchdog lcore and a forwarding lcore");
	EXPECT_ERR(SVC "[host]\nname = h\nwatchdog_lcore = 2\n[vm VM1]\nworld = 1\nvc_uuid = u\n"
		       "[uplink u]\ndevice = d\nlcore = 1\n",
		   9, "host", "watchdog_lcore",
		   "lcore 2 is both a worker of service_instance fgt and the watchdog lcore");
}

static void
test_lcore_roles_valid(void)
{
	/* Ports share forwarding lcores; watchdog, worker and standby lcores are all distinct. */
	static const char text[] =
		"[host]\nname = h\nwatchdog_lcore = 0\n"
		"[uplink u]\ndevice = du\nlcore = 1,4\n"
		"[vm V]\nworld = 1\nvc_uuid = x\n"
		"[vnic V.eth0]\ndevice = dv\nswitch_port = 1\n"
		"mac = 02:00:00:00:00:01\nip = 10.0.0.1\nuplink = u\nlcore = 4,1\n" SVC
		"standby_lcores = 3\n";
	struct ioc_topology t;
	struct ioc_error e;
	bool fwd[IOC_MAX_LCORES];

	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(text, "t.ini", &t, &e), 0);
	ioc_topo_forwarding_lcores(&t, fwd);
	CU_ASSERT_FALSE(fwd[0]);
	CU_ASSERT_TRUE(fwd[1]);
	CU_ASSERT_FALSE(fwd[2]);
	CU_ASSERT_FALSE(fwd[3]);
	CU_ASSERT_TRUE(fwd[4]);
	CU_ASSERT_EQUAL(t.instances[0].standby_lcores.id[0], 3);
	ioc_topo_free(&t);
}

static void
test_err_group_cycle(void)
{
	EXPECT_ERR(BASE "[group a]\nmembers = group:b\n[group b]\nmembers = group:a\n", 15,
		   "group b", "members", "group cycle: a -> b -> a");
	EXPECT_ERR(BASE "[group a]\nmembers = 10.0.0.0/8, group:a\n", 13, "group a", "members",
		   "group cycle: a -> a");
	EXPECT_ERR(BASE "[group a]\nmembers = group:b\n[group b]\nmembers = vm:VM1, group:c\n"
			"[group c]\nmembers = group:b\n",
		   17, "group c", "members", "group cycle: b -> c -> b");
}

static void
test_group_diamond_is_not_a_cycle(void)
{
	static const char text[] = BASE "[group top]\nmembers = group:l, group:r\n"
					"[group l]\nmembers = group:leaf\n"
					"[group r]\nmembers = group:leaf\n"
					"[group leaf]\nmembers = vnic:VM1.eth0\n";
	struct ioc_topology t;
	struct ioc_error e;

	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(text, "t.ini", &t, &e), 0);
	CU_ASSERT_TRUE(ioc_topo_group_has_vnic(&t, ioc_topo_find_group(&t, "top"), 0));
	ioc_topo_free(&t);
}

static void
test_err_vnic_name(void)
{
	EXPECT_ERR(BASE "[vnic VM1-eth1]\n", 12, "vnic VM1-eth1", "",
		   "invalid vnic name \"VM1-eth1\": expected VM.ethN");
	EXPECT_ERR(BASE "[vnic VM1.eth]\n", 12, "vnic VM1.eth", "",
		   "invalid vnic name \"VM1.eth\": expected VM.ethN, N a decimal number");
	EXPECT_ERR(BASE "[vnic VM1.ethx]\n", 12, "vnic VM1.ethx", "",
		   "invalid vnic name \"VM1.ethx\": expected VM.ethN, N a decimal number");
	EXPECT_ERR(BASE "[vnic VM1.eth01]\n", 12, "vnic VM1.eth01", "",
		   "invalid vnic name \"VM1.eth01\": expected VM.ethN, N without leading zeros");
	EXPECT_ERR(BASE "[vnic .eth0]\n", 12, "vnic .eth0", "",
		   "invalid vnic name \".eth0\": expected VM.ethN");
	EXPECT_ERR(BASE "[vnic VM1.nic0]\n", 12, "vnic VM1.nic0", "",
		   "invalid vnic name \"VM1.nic0\": expected VM.ethN");
	EXPECT_ERR(BASE "[vnic VM1]\n", 12, "vnic VM1", "",
		   "invalid vnic name \"VM1\": expected VM.ethN");
}

static void
test_err_long_line_and_nul(void)
{
	char text[sizeof(BASE) + 2100];
	size_t n = sizeof(BASE) - 1;

	memcpy(text, BASE, n);
	text[n] = '#';
	memset(text + n + 1, 'x', 2000);
	strcpy(text + n + 2001, "\n[vm VM2]\n");
	EXPECT_ERR(text, 12, "vnic VM1.eth0", "", "line too long (2001 characters, at most 1024)");
}

static void
test_err_null_and_reuse(void)
{
	struct ioc_topology t;
	struct ioc_error e;

	/* A NUL inside a file line. */
	{
		char path[] = "/tmp/ioc_test_config_XXXXXX";
		int fd = mkstemp(path);
		static const char bytes[] = "[host]\nname = h\x00x\n";

		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(write(fd, bytes, sizeof(bytes) - 1), (ssize_t)(sizeof(bytes) - 1));
		close(fd);
		CU_ASSERT_EQUAL(ioc_config_load_file(path, &t, &e), -EINVAL);
		CU_ASSERT_EQUAL(e.line, 2);
		CU_ASSERT_STRING_EQUAL(e.msg, "NUL character in line");
		unlink(path);
	}
	/* The error struct is optional; a failed topology can be reused. */
	CU_ASSERT_EQUAL(ioc_config_load_string(BASE "[x]\n", NULL, &t, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ioc_config_load_string(BASE, NULL, &t, &e), 0);
	CU_ASSERT_STRING_EQUAL(t.file, "<embedded>");
	CU_ASSERT_EQUAL(t.n_vnics, 1);
	ioc_topo_free(&t);
	CU_ASSERT_EQUAL(ioc_config_load_string(NULL, "n.ini", &t, &e), -EINVAL);
	CU_ASSERT_STRING_EQUAL(e.msg, "missing required section [host]");
}

/* [svm]: an appliance behind lcore 2 of instance fgt, lines 18-22, then optional keys. */
#define EXT                                                                                        \
	"[svm fgt-a]\n"				      /* 18 */                                     \
	"instance = fgt\n"			      /* 19 */                                     \
	"lcore = 2\n"				      /* 20 */                                     \
	"device_in = net_memif10,role=server\n"	      /* 21 */                                     \
	"device_out = net_memif11,role=server,id=1\n" /* 22 */

static void
test_load_svm(void)
{
	struct ioc_topology t;
	struct ioc_error e;

	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(BASE SVC EXT, "t.ini", &t, &e), 0);
	CU_ASSERT_EQUAL_FATAL(t.n_svms, 1);
	CU_ASSERT_STRING_EQUAL(t.svms[0].name, "fgt-a");
	CU_ASSERT_EQUAL(t.svms[0].instance, 0);
	CU_ASSERT_EQUAL(t.svms[0].lcore, 2);
	CU_ASSERT_STRING_EQUAL(t.svms[0].device_out, "net_memif11,role=server,id=1");
	/* Defaults. */
	CU_ASSERT_EQUAL(t.svms[0].probe, IOC_PROBE_L2);
	CU_ASSERT_EQUAL(t.svms[0].probe_interval_ms, 1);
	CU_ASSERT_STRING_EQUAL(t.svms[0].restart, "");
	CU_ASSERT_EQUAL(t.svms[0].restart_after_ms, 1000);
	CU_ASSERT_EQUAL(ioc_topo_find_svm_by_lcore(&t, 2), 0);
	CU_ASSERT_EQUAL(ioc_topo_find_svm_by_lcore(&t, 1), -1);
	ioc_topo_free(&t);
	CU_ASSERT_EQUAL_FATAL(ioc_config_load_string(BASE SVC EXT "probe = icmp\n"
								  "probe_interval_ms = 5\n"
								  "restart = /bin/true fgt-a\n"
								  "restart_after_ms = 0\n",
						     "t.ini", &t, &e),
			      0);
	CU_ASSERT_EQUAL(t.svms[0].probe, IOC_PROBE_ICMP);
	CU_ASSERT_EQUAL(t.svms[0].probe_interval_ms, 5);
	CU_ASSERT_STRING_EQUAL(t.svms[0].restart, "/bin/true fgt-a");
	CU_ASSERT_EQUAL(t.svms[0].restart_after_ms, 0);
	ioc_topo_free(&t);
}

static void
test_err_svm(void)
{
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = nope\nlcore = 2\ndevice_in = x\ndevice_out = y\n",
		   19, "svm a", "instance", "unknown service_instance \"nope\"");
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 1\ndevice_in = x\ndevice_out = y\n",
		   20, "svm a", "lcore",
		   "lcore 1 is not one of service_instance fgt's lcores or standby_lcores");
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 2\ndevice_in = x\n", 18, "svm a",
		   "device_out", "missing required key");
	/* An arm twice: in one section, between appliances, or a port's device. */
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 2\ndevice_in = net_memif1,id=0\n"
			    "device_out = net_memif1,id=1\n",
		   22, "svm a", "device_out",
		   "device net_memif1 already used by [svm a] device_in at line 21");
	/* Distinct devices on one socket or interface. */
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 2\ndevice_in = net_vhost1,iface=/s\n"
			    "device_out = net_vhost2,queues=1,iface=/s\n",
		   22, "svm a", "device_out",
		   "device net_vhost2: vhost-user socket /s already used by [svm a] device_in at "
		   "line 21");
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 2\ndevice_in = net_memif1\n"
			    "device_out = net_memif2,role=server,id=0\n",
		   22, "svm a", "device_out",
		   "device net_memif2: memif socket /run/memif.sock id 0 already used by [svm a] "
		   "device_in at line 21");
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 2\ndevice_in = net_tap7,iface=t\n"
			    "device_out = net_tap8,iface=t\n",
		   22, "svm a", "device_out",
		   "device net_tap8: interface t already used by [svm a] device_in at line 21");
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 2\ndevice_in = net_null0\n"
			    "device_out = y\n",
		   21, "svm a", "device_in",
		   "device net_null0 already used by [vnic VM1.eth0] device at line 7");
	EXPECT_ERR(BASE SVC "[svm a]\ninstance = fgt\nlcore = 2\ndevice_in = x\ndevice_out = y\n"
			    "[svm b]\ninstance = fgt\nlcore = 2\ndevice_in = z\ndevice_out = w\n",
		   25, "svm b", "lcore", "lcore 2 already drives [svm a] (line 18)");
	EXPECT_ERR(BASE SVC "standby_lcores = 3\n[svm a]\ninstance = fgt\nlcore = 2\n"
			    "device_in = net_memif1\ndevice_out = y\n"
			    "[svm b]\ninstance = fgt\nlcore = 3\ndevice_in = z\n"
			    "device_out = net_memif1,id=3\n",
		   28, "svm b", "device_out",
		   "device net_memif1 already used by [svm a] device_in at line 22");
	EXPECT_ERR(BASE SVC EXT "probe = arp\n", 23, "svm fgt-a", "probe",
		   "invalid probe \"arp\": expected l2, icmp or none");
	EXPECT_ERR(BASE SVC EXT "probe_interval_ms = 0\n", 23, "svm fgt-a", "probe_interval_ms",
		   "invalid number \"0\": out of range (1..60000)");
}

/* ---------------------------------------------------------------------------------------------- */

struct test_def {
	const char *name;
	CU_TestFunc fn;
};

static const struct test_def parser_tests[] = {
	{ "ipv4", test_parse_ipv4 },
	{ "cidr", test_parse_cidr },
	{ "mac", test_parse_mac },
	{ "bool", test_parse_bool },
	{ "u32", test_parse_u32 },
	{ "port range", test_parse_port_range },
	{ "l4", test_parse_l4 },
	{ "lcore list", test_parse_lcore_list },
	{ "direction", test_parse_direction },
	{ "error format", test_error_format },
};

static const struct test_def load_tests[] = {
	{ "DESIGN.md example", test_load_design_example },
	{ "references, defaults, membership", test_load_references_and_defaults },
	{ "comments, whitespace, CRLF, BOM", test_load_syntax },
	{ "long lines", test_load_long_lines },
	{ "load from a file", test_load_file },
	{ "base fixture is valid", test_base_is_valid },
	{ "mbufs, connections, tcp_pickup, max_connections", test_load_sizes },
	{ "IPv6 bindings, ipv6_link_local", test_load_ipv6_bindings },
	{ "switch_port and slow_path_id optional", test_load_optional_ids },
	{ "README key table matches the schema", test_schema_in_readme },
	{ "lcore roles, valid sharing", test_lcore_roles_valid },
	{ "group diamond is not a cycle", test_group_diamond_is_not_a_cycle },
	{ "svm sections", test_load_svm },
};

static const struct test_def error_tests[] = {
	{ "syntax", test_err_syntax },
	{ "unknown section type", test_err_unknown_section_type },
	{ "unknown key", test_err_unknown_key },
	{ "duplicate key", test_err_duplicate_key },
	{ "duplicate section", test_err_duplicate_section },
	{ "missing required key or section", test_err_missing_key },
	{ "bad values", test_err_bad_value },
	{ "bad IPv6 bindings", test_err_ipv6_bindings },
	{ "unknown references", test_err_unknown_reference },
	{ "duplicate MAC", test_err_duplicate_mac },
	{ "lcore with two roles", test_err_lcore_roles },
	{ "group cycle", test_err_group_cycle },
	{ "vnic name", test_err_vnic_name },
	{ "overlong line", test_err_long_line_and_nul },
	{ "NUL byte, NULL error, reuse", test_err_null_and_reuse },
	{ "svm sections", test_err_svm },
};

static void
add_suite(const char *name, const struct test_def *tests, unsigned n)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
}

static void
test_config_register(void)
{
	add_suite("config: value parsers", parser_tests, DIM(parser_tests));
	add_suite("config: loading", load_tests, DIM(load_tests));
	add_suite("config: errors", error_tests, DIM(error_tests));
}

UNIT_SUITES(test_config_register)
