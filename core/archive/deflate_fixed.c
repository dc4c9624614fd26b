#include "core/archive/deflate_fixed.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* A position in the hash table, plus one (0: none). Inputs are at most
 * 65,535 bytes, so it fits 16 bits. 4,096 of them: 8 kB to clear per
 * input, and on inputs of a few kB hardly fewer matches than a larger
 * table finds. */
#define HASH_BITS 12
#define MIN_MATCH 4
#define MAX_MATCH 258
#define MAX_DISTANCE 32768

typedef struct code {
	uint32_t bits; /* in the order they are written: least first */
	uint8_t len;
} code;

/* RFC 1951 §3.2.6: the fixed literal codes and, per match length, its
 * length code followed by its extra bits. */
static code literal[256];
static code length[MAX_MATCH + 1];
static code end_of_block;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Huffman codes are defined most significant bit first, and DEFLATE
 * writes every value least significant bit first. */
static uint32_t reversed(uint32_t c, unsigned n)
{
	uint32_t r = 0;
	for (unsigned i = 0; i < n; i++, c >>= 1)
		r = (r << 1) | (c & 1);
	return r;
}

/* The fixed code of a literal/length symbol (0 to 287). */
static code symbol_code(unsigned s)
{
	if (s < 144)
		return (code){reversed(0x30 + s, 8), 8};
	if (s < 256)
		return (code){reversed(0x190 + s - 144, 9), 9};
	if (s < 280)
		return (code){reversed(s - 256, 7), 7};
	return (code){reversed(0xC0 + s - 280, 8), 8};
}

static void make_tables(void)
{
	static const uint16_t base[29] = {
		3,  4,	5,  6,	7,  8,	9,  10, 11,  13,  15,  17,  19,	 23, 27,
		31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
	static const uint8_t extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
					  1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
					  4, 4, 4, 4, 5, 5, 5, 5, 0};
	for (unsigned s = 0; s < 256; s++)
		literal[s] = symbol_code(s);
	end_of_block = symbol_code(256);
	/* 258 has a code of its own (285), though 284's extra bits reach it. */
	for (unsigned i = 0; i < 29; i++) {
		unsigned last = i == 28 ? MAX_MATCH : base[i + 1] - 1u;
		code c = symbol_code(257 + i);
		for (unsigned l = base[i]; l <= last; l++)
			length[l] = (code){c.bits | (l - base[i]) << c.len,
					   (uint8_t)(c.len + extra[i])};
	}
}

/* A distance's fixed code (5 bits: the symbol) and its extra bits. */
static code distance_code(unsigned d)
{
	unsigned v = d - 1;
	if (v < 4)
		return (code){reversed(v, 5), 5};
	unsigned log2 = 31u - (unsigned)__builtin_clz(v);
	unsigned symbol = 2 * log2 + ((v >> (log2 - 1)) & 1);
	unsigned nextra = log2 - 1;
	return (code){reversed(symbol, 5) | (v & ((1u << nextra) - 1)) << 5,
		      (uint8_t)(5 + nextra)};
}

typedef struct bits {
	uint64_t pending; /* not yet written, least significant first */
	unsigned npending;
	unsigned char *p;
} bits;

/* Adds up to 32 bits; writes whole 32-bit words as they fill. */
static inline void put(bits *w, uint32_t v, unsigned n)
{
	w->pending |= (uint64_t)v << w->npending;
	w->npending += n;
	if (w->npending >= 32) {
		uint32_t word = (uint32_t)w->pending;
		unsigned char b[4] = {(unsigned char)word,
				      (unsigned char)(word >> 8),
				      (unsigned char)(word >> 16),
				      (unsigned char)(word >> 24)};
		memcpy(w->p, b, 4);
		w->p += 4;
		w->pending >>= 32;
		w->npending -= 32;
	}
}

static inline uint32_t read32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline unsigned hash(uint32_t v)
{
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static size_t stored(unsigned char *out, const unsigned char *in, size_t n)
{
	out[0] = 1; /* final, stored */
	out[1] = (unsigned char)n;
	out[2] = (unsigned char)(n >> 8);
	out[3] = (unsigned char)~n;
	out[4] = (unsigned char)(~n >> 8);
	if (n > 0)
		memcpy(out + 5, in, n);
	return n + 5;
}

size_t dpex_deflate_fixed(unsigned char *out, const void *data, size_t n)
{
	assert(n <= DPEX_DEFLATE_FIXED_MAX);
	pthread_once(&tables_once, make_tables);
	const unsigned char *in = data;
	uint16_t table[1u << HASH_BITS];
	memset(table, 0, sizeof(table));
	bits w = {.p = out};
	put(&w, 1 | 1 << 1, 3); /* final, fixed codes */
	size_t i = 0;
	while (i + MIN_MATCH <= n) {
		/* Past the input's size a stored block is smaller: stop. */
		if ((size_t)(w.p - out) > n)
			return stored(out, in, n);
		uint32_t v = read32(in + i);
		unsigned h = hash(v);
		size_t at = table[h];
		table[h] = (uint16_t)(i + 1);
		if (at == 0 || i + 1 - at > MAX_DISTANCE ||
		    read32(in + at - 1) != v) {
			put(&w, literal[in[i]].bits, literal[in[i]].len);
			i++;
			continue;
		}
		const unsigned char *m = in + at - 1;
		size_t len = MIN_MATCH;
		size_t most = n - i < MAX_MATCH ? n - i : MAX_MATCH;
		while (len < most && m[len] == in[i + len])
			len++;
		code d = distance_code((unsigned)(in + i - m));
		put(&w, length[len].bits, length[len].len);
		put(&w, d.bits, d.len);
		size_t end = i + len;
		for (i++; i < end && i + MIN_MATCH <= n; i++)
			table[hash(read32(in + i))] = (uint16_t)(i + 1);
		i = end;
	}
	for (; i < n; i++)
		put(&w, literal[in[i]].bits, literal[in[i]].len);
	put(&w, end_of_block.bits, end_of_block.len);
	while (w.npending > 0) {
		*w.p++ = (unsigned char)w.pending;
		w.pending >>= 8;
		w.npending = w.npending > 8 ? w.npending - 8 : 0;
	}
	size_t len = (size_t)(w.p - out);
	return len > n + 5 ? stored(out, in, n) : len;
}
