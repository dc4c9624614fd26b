#include "core/answer/cover.h"

#include "core/base/buf.h"
#include "core/answer/cover_text.h"
#include "core/base/error.h"
#include "core/answer/memo.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INDEX_NAME "index.html"
#define README_NAME "README.txt"
#define MANIFEST_NAME "manifest.json"

/* Plain text lines stay readable in any terminal or mail client. */
#define TEXT_WIDTH 76

/* Column kinds of a table. */
enum { COL_TEXT, COL_NUM, COL_WIDE };

/*
 * One page being written: the same calls make index.html and README.txt.
 * HTML goes straight to the sink. Plain text collects the current block
 * (a paragraph, a list item, a table cell) in line, and writes it wrapped
 * when the block ends; a table's cells are kept until its end to align the
 * columns (a table has a row per entity or file: bounded by the map, not
 * by the subject's data). Errors are sticky: after the first, every call
 * does nothing and rc says what failed.
 */
typedef struct doc {
	dpex_sink *sink;
	bool html;
	int rc;
	const dpex_cover_lang *lang;
	const dpex_archive *archive;
	dpex_memo *memo;   /* NULL: every part is rendered */
	dpex_buf *capture; /* also gets what is written, while set */
	dpex_buf line;
	/* inside a table cell or a key/value row: lists become "a; b" */
	bool in_cell;
	size_t cell_items;
	bool bare_item; /* the list in this cell has one item: no bullet */
	/* plain text tables */
	const char *const *heads;
	const int *kinds;
	size_t ncols;
	char **cells; /* nrows * ncols */
	size_t ncells;
	size_t cells_cap;
	size_t col;
} doc;

/* A value for a numbered place in a text; href makes it a link. */
typedef struct arg {
	const char *text;
	const char *href;
} arg;

static const char *msg(const doc *d, dpex_cover_text_id id)
{
	return d->lang->text[id];
}

/* ---- writing ---------------------------------------------------------- */

static void sink_put(doc *d, const char *s, size_t n)
{
	if (!d->rc)
		d->rc = dpex_sink_write(d->sink, s, n);
	if (!d->rc && d->capture)
		d->rc = dpex_buf_append(d->capture, s, n);
}

static void markup(doc *d, const char *s)
{
	sink_put(d, s, strlen(s));
}

/* HTML: escapes &, <, >, " and ' (safe in text and in quoted attribute
 * values). Plain text: control characters become spaces, so data cannot
 * break the layout. */
static void text_n(doc *d, const char *s, size_t n)
{
	if (d->rc)
		return;
	if (!d->html) {
		size_t start = 0;
		for (size_t i = 0; i <= n && !d->rc; i++) {
			if (i < n && (unsigned char)s[i] >= 0x20 &&
			    s[i] != 0x7f)
				continue;
			d->rc = dpex_buf_append(&d->line, s + start, i - start);
			if (!d->rc && i < n)
				d->rc = dpex_buf_putc(&d->line, ' ');
			start = i + 1;
		}
		return;
	}
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			/* NUL cannot occur; other C0 controls are not allowed
			 * in HTML text. */
			if ((unsigned char)s[i] < 0x20 && s[i] != '\n' &&
			    s[i] != '\t')
				rep = " ";
		}
		if (rep) {
			sink_put(d, s + start, i - start);
			markup(d, rep);
			start = i + 1;
		}
	}
	sink_put(d, s + start, n - start);
}

static void text(doc *d, const char *s)
{
	text_n(d, s, strlen(s));
}

/* An archive member name as a relative URL: bytes outside the unreserved
 * set and '/' are percent-encoded (RFC 3986 §2.1). */
static void href_member(doc *d, const char *name)
{
	static const char hexd[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		char enc[4];
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			sink_put(d, (const char *)p, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hexd[*p >> 4];
		enc[2] = hexd[*p & 0xF];
		sink_put(d, enc, 3);
	}
}

static bool is_web_url(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0 ||
	       strncasecmp(url, "http://", 7) == 0;
}

/* A link to an archive member (relative) or, with external, to a web page.
 * Plain text shows the label, and an external address after it. */
static void put_link(doc *d, const char *target, const char *label,
		     bool external)
{
	if (!d->html) {
		text(d, label);
		if (external && strcmp(target, label) != 0) {
			text(d, " <");
			text(d, target);
			text(d, ">");
		}
		return;
	}
	if (external && !is_web_url(target)) {
		/* Not a web address: no link a click could misuse. */
		text(d, label);
		return;
	}
	markup(d, "<a href=\"");
	if (external)
		text(d, target);
	else
		href_member(d, target);
	markup(d, external ? "\" rel=\"external noreferrer\">" : "\">");
	text(d, label);
	markup(d, "</a>");
}

/* Writes a translated text, each {N} replaced by args[N-1]. */
static void tpl(doc *d, dpex_cover_text_id id, const arg *args, size_t nargs)
{
	const char *s = msg(d, id);
	while (*s) {
		const char *open = strchr(s, '{');
		if (!open || open[1] < '1' || open[1] > '9' || open[2] != '}') {
			size_t n = open ? (size_t)(open - s) + 1 : strlen(s);
			text_n(d, s, n);
			s += n;
			continue;
		}
		text_n(d, s, (size_t)(open - s));
		size_t k = (size_t)(open[1] - '1');
		assert(k < nargs);
		if (k < nargs) {
			if (args[k].href)
				put_link(d, args[k].href, args[k].text, true);
			else
				text(d, args[k].text);
		}
		s = open + 3;
	}
}

static void tpl1(doc *d, dpex_cover_text_id id, const char *a1)
{
	arg a = {a1, NULL};
	tpl(d, id, &a, 1);
}

/* ---- plain text layout ------------------------------------------------- */

/* Display width in code points: UTF-8 continuation bytes do not count. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/* Writes s wrapped at TEXT_WIDTH: the first line after first, the others
 * after rest. A word longer than a line stays whole. */
static void wrap(doc *d, const char *first, const char *rest, const char *s)
{
	const char *prefix = first;
	size_t col = 0;
	bool line_empty = true;
	markup(d, prefix);
	col = width(prefix, strlen(prefix));
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		size_t n = strcspn(s, " ");
		size_t w = width(s, n);
		if (!line_empty && col + 1 + w > TEXT_WIDTH) {
			markup(d, "\n");
			prefix = rest;
			markup(d, prefix);
			col = width(prefix, strlen(prefix));
			line_empty = true;
		}
		if (!line_empty) {
			markup(d, " ");
			col++;
		}
		sink_put(d, s, n);
		col += w;
		line_empty = false;
		s += n;
	}
	markup(d, "\n");
}

/* Ends a plain text block: writes line wrapped, then empties it. */
static void flush(doc *d, const char *first, const char *rest)
{
	if (d->rc)
		return;
	wrap(d, first, rest, d->line.data ? d->line.data : "");
	dpex_buf_clear(&d->line);
}

/* The parts of a page a memo may keep (memo.h). */
enum { PART_CATEGORY_FACTS, PART_TRANSFERS, PART_CLOSING };

/* Writes a part of the page that depends on nothing but keys (the values
 * render reads), the language and the form: from the memo when it has it,
 * else rendered, then kept. A part starts and ends between blocks. */
static void memoized(doc *d, unsigned part, const json_t *const *keys,
		     size_t nkeys, void (*render)(doc *, const json_t *),
		     const json_t *arg)
{
	if (!d->memo || d->rc) {
		render(d, arg);
		return;
	}
	size_t lang = 0;
	while (dpex_cover_langs[lang] != d->lang)
		lang++;
	unsigned tag = (part * 2 + d->html) * 16 + (unsigned)lang;
	size_t len;
	const char *kept = dpex_memo_get(d->memo, tag, keys, nkeys, &len);
	if (kept) {
		sink_put(d, kept, len);
		return;
	}
	assert(!d->capture && d->line.len == 0 && d->ncells == 0 &&
	       !d->in_cell);
	dpex_buf out = DPEX_BUF_INIT;
	d->capture = &out;
	render(d, arg);
	d->capture = NULL;
	if (!d->rc)
		d->rc = dpex_memo_put(d->memo, tag, keys, nkeys,
				      out.data ? out.data : "", out.len);
	dpex_buf_free(&out);
}

/* ---- blocks ------------------------------------------------------------ */

static void heading(doc *d, int level, const char *title)
{
	if (d->html) {
		char tag[8];
		snprintf(tag, sizeof(tag), "<h%d>", level);
		markup(d, tag);
		text(d, title);
		snprintf(tag, sizeof(tag), "</h%d>", level);
		markup(d, tag);
		markup(d, "\n");
		return;
	}
	markup(d, "\n");
	text(d, title);
	flush(d, "", "");
	size_t w = width(title, strlen(title));
	for (size_t i = 0; i < w; i++)
		markup(d, level == 1 ? "=" : level == 2 ? "-" : "~");
	markup(d, "\n");
	markup(d, "\n");
}

static void p_begin(doc *d, const char *cls)
{
	if (d->html) {
		markup(d, cls ? "<p class=\"" : "<p>");
		if (cls) {
			markup(d, cls);
			markup(d, "\">");
		}
	}
}

static void p_end(doc *d)
{
	if (d->html) {
		markup(d, "</p>\n");
		return;
	}
	flush(d, "", "");
	markup(d, "\n");
}

static void para(doc *d, dpex_cover_text_id id)
{
	p_begin(d, NULL);
	text(d, msg(d, id));
	p_end(d);
}

/* n: the number of items; a cell's list of one is just its item. */
static void ul_begin(doc *d, size_t n)
{
	d->bare_item = d->in_cell && n == 1;
	if (d->html && !d->bare_item)
		markup(d, d->in_cell ? "<ul class=\"in\">" : "<ul>\n");
	d->cell_items = 0;
}

static void li_begin(doc *d)
{
	if (d->html && !d->bare_item)
		markup(d, "<li>");
	else if (d->in_cell && d->cell_items > 0)
		text(d, "; ");
	d->cell_items++;
}

static void li_end(doc *d)
{
	if (d->html && d->bare_item)
		return;
	if (d->html)
		markup(d, d->in_cell ? "</li>" : "</li>\n");
	else if (!d->in_cell)
		flush(d, "  - ", "    ");
}

static void ul_end(doc *d)
{
	bool bare = d->bare_item;
	d->bare_item = false;
	if (d->html && bare)
		return;
	if (d->html)
		markup(d, d->in_cell ? "</ul>" : "</ul>\n");
	else if (!d->in_cell)
		markup(d, "\n");
}

/* A table with a header row; kinds says how each column aligns. */
static void table_begin(doc *d, const char *caption, const char *const *heads,
			const int *kinds, size_t ncols)
{
	d->heads = heads;
	d->kinds = kinds;
	d->ncols = ncols;
	d->col = 0;
	if (!d->html)
		return;
	markup(d, "<table>\n");
	if (caption) {
		markup(d, "<caption>");
		text(d, caption);
		markup(d, "</caption>\n");
	}
	markup(d, "<thead><tr>");
	for (size_t c = 0; c < ncols; c++) {
		markup(d, kinds[c] == COL_NUM
				  ? "<th scope=\"col\" class=\"num\">"
				  : "<th scope=\"col\">");
		text(d, heads[c]);
		markup(d, "</th>");
	}
	markup(d, "</tr></thead>\n<tbody>\n");
}

static void tr_begin(doc *d, const char *cls)
{
	d->col = 0;
	if (d->html) {
		markup(d, cls ? "<tr class=\"" : "<tr>");
		if (cls) {
			markup(d, cls);
			markup(d, "\">");
		}
	}
}

/* The first cell of a row heads it (th scope="row"). */
static void td_begin(doc *d)
{
	assert(d->col < d->ncols);
	d->in_cell = true;
	d->cell_items = 0;
	if (!d->html)
		return;
	int kind = d->kinds[d->col];
	if (d->col == 0)
		markup(d, kind == COL_NUM ? "<th scope=\"row\" class=\"num\">"
					  : "<th scope=\"row\">");
	else
		markup(d, kind == COL_NUM ? "<td class=\"num\">" : "<td>");
}

static void td_end(doc *d)
{
	d->in_cell = false;
	if (d->html) {
		markup(d, d->col == 0 ? "</th>" : "</td>");
		d->col++;
		return;
	}
	if (d->rc)
		return;
	if (d->ncells == d->cells_cap) {
		size_t cap = d->cells_cap ? 2 * d->cells_cap : 64;
		char **c = dpex_realloc(d->cells, cap * sizeof(*c));
		if (!c) {
			d->rc = DPEX_ENOMEM;
			return;
		}
		d->cells = c;
		d->cells_cap = cap;
	}
	char *cell = dpex_strdup(d->line.data ? d->line.data : "");
	if (!cell) {
		d->rc = DPEX_ENOMEM;
		return;
	}
	d->cells[d->ncells++] = cell;
	dpex_buf_clear(&d->line);
	d->col++;
}

static void td_text(doc *d, const char *s)
{
	td_begin(d);
	text(d, s);
	td_end(d);
}

static void tr_end(doc *d)
{
	/* Cells left out stay empty. */
	while (d->col < d->ncols && !d->rc)
		td_text(d, "");
	if (d->html)
		markup(d, "</tr>\n");
}

static void free_cells(doc *d)
{
	for (size_t i = 0; i < d->ncells; i++)
		free(d->cells[i]);
	d->ncells = 0;
}

/* Plain text: the columns aligned, the headers above; a wide column goes
 * under its row, indented and wrapped. */
static void table_end(doc *d)
{
	if (d->html) {
		markup(d, "</tbody>\n</table>\n");
		return;
	}
	size_t w[8] = {0}, last = 0;
	assert(d->ncols <= 8);
	for (size_t c = 0; c < d->ncols; c++) {
		w[c] = width(d->heads[c], strlen(d->heads[c]));
		if (d->kinds[c] != COL_WIDE)
			last = c;
	}
	for (size_t i = 0; i < d->ncells; i++) {
		size_t cw = width(d->cells[i], strlen(d->cells[i]));
		if (cw > w[i % d->ncols])
			w[i % d->ncols] = cw;
	}
	size_t nrows = d->ncells / d->ncols;
	for (size_t r = 0; r <= nrows; r++) {
		const char *const *row =
			r == 0 ? d->heads
			       : (const char *const *)d->cells +
					 (r - 1) * d->ncols;
		const char *wide = NULL;
		/* The row is built in line, so that the padding of empty cells
		 * at its end can be dropped. */
		dpex_buf_clear(&d->line);
		dpex_buf_puts(&d->line, "  ");
		for (size_t c = 0; c < d->ncols; c++) {
			const char *s = row[c];
			if (d->kinds[c] == COL_WIDE) {
				wide = r == 0 ? NULL : s;
				continue;
			}
			size_t pad = w[c] - width(s, strlen(s));
			if (c > 0)
				dpex_buf_puts(&d->line, "  ");
			if (d->kinds[c] == COL_NUM)
				dpex_buf_printf(&d->line, "%*s", (int)pad, "");
			dpex_buf_puts(&d->line, s);
			if (d->kinds[c] != COL_NUM && c != last)
				dpex_buf_printf(&d->line, "%*s", (int)pad, "");
		}
		if (!d->line.data) {
			d->rc = dpex_error_oom();
			return;
		}
		size_t n = d->line.len;
		while (n > 0 && d->line.data[n - 1] == ' ')
			n--;
		sink_put(d, d->line.data, n);
		dpex_buf_clear(&d->line);
		markup(d, "\n");
		if (wide && wide[0])
			wrap(d, "      ", "      ", wide);
	}
	markup(d, "\n");
	free_cells(d);
}

/* A row of a two-column table of facts: the label heads the row. */
static void kv_table_begin(doc *d)
{
	if (d->html)
		markup(d, "<table class=\"facts\">\n<tbody>\n");
}

static void kv_begin(doc *d, dpex_cover_text_id label)
{
	d->in_cell = true;
	d->cell_items = 0;
	if (d->html) {
		markup(d, "<tr><th scope=\"row\">");
		text(d, msg(d, label));
		markup(d, "</th><td>");
	} else {
		text(d, msg(d, label));
		text(d, ": ");
	}
}

static void kv_end(doc *d)
{
	d->in_cell = false;
	if (d->html)
		markup(d, "</td></tr>\n");
	else
		flush(d, "  ", "      ");
}

static void kv_table_end(doc *d)
{
	if (d->html)
		markup(d, "</tbody>\n</table>\n");
	else
		markup(d, "\n");
}

/* ---- values ------------------------------------------------------------ */

/* A text from about.json: a string, or translations {"en": ..., "nl": ...}
 * resolved to lang, then English, then the first given. */
static const char *text_of(const json_t *v, const char *lang)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_object(v))
		return NULL;
	const char *s = json_string_value(json_object_get(v, lang));
	if (!s)
		s = json_string_value(json_object_get(v, "en"));
	const char *key;
	json_t *t;
	json_object_foreach((json_t *)v, key, t)
	{
		if (!s)
			s = json_string_value(t);
	}
	return s;
}

static const char *field(const doc *d, const json_t *o, const char *key)
{
	return text_of(json_object_get(o, key), d->lang->code);
}

/* 1234567 as "1,234,567" (en), "1.234.567" (nl), "1 234 567" (sv). */
static void format_count(const doc *d, long long n, char *out, size_t size)
{
	char digits[32];
	snprintf(digits, sizeof(digits), "%lld", n < 0 ? 0 : n);
	size_t len = strlen(digits), o = 0;
	for (size_t i = 0; i < len && o + 8 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0) {
			size_t k = strlen(d->lang->thousands);
			memcpy(out + o, d->lang->thousands, k);
			o += k;
		}
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static void format_size(const doc *d, unsigned long long n, char *out,
			size_t size)
{
	static const char *const units[] = {"kB", "MB", "GB", "TB"};
	if (n < 1000) {
		snprintf(out, size, "%llu B", n);
		return;
	}
	double v = (double)n / 1000.0;
	size_t u = 0;
	while (v >= 999.95 && u + 1 < sizeof(units) / sizeof(*units)) {
		v /= 1000.0;
		u++;
	}
	long long tenths = (long long)(v * 10.0 + 0.5);
	snprintf(out, size, "%lld%s%lld %s", tenths / 10, d->lang->decimal,
		 tenths % 10, units[u]);
}

static void rows_phrase(doc *d, long long n)
{
	char num[48];
	format_count(d, n, num, sizeof(num));
	tpl1(d, n == 1 ? CT_ROWS_ONE : CT_ROWS_MANY, num);
}

/* Fills a text's numbered places with plain strings, into out. */
static void expand(const char *s, const char *const *args, size_t nargs,
		   char *out, size_t size)
{
	size_t o = 0;
	while (*s && o + 1 < size) {
		if (s[0] == '{' && s[1] >= '1' && s[1] <= '9' && s[2] == '}' &&
		    (size_t)(s[1] - '1') < nargs) {
			const char *a = args[s[1] - '1'];
			size_t n = strlen(a);
			if (n > size - 1 - o)
				n = size - 1 - o;
			memcpy(out + o, a, n);
			o += n;
			s += 3;
			continue;
		}
		out[o++] = *s++;
	}
	out[o] = '\0';
}

/* "2026-11-30T00:38:29Z" in words: "30 November 2026 at 00:38 UTC"; what
 * does not parse is shown as it is. */
static void date_words(const doc *d, const char *iso, char *out, size_t size)
{
	int y, mo, day, h, mi;
	if (!iso ||
	    sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &day, &h, &mi) != 5 ||
	    mo < 1 || mo > 12) {
		snprintf(out, size, "%s", iso ? iso : "");
		return;
	}
	char sday[16], syear[16], stime[16];
	snprintf(sday, sizeof(sday), "%d", day);
	snprintf(syear, sizeof(syear), "%d", y);
	snprintf(stime, sizeof(stime), "%02d:%02d", h, mi);
	const char *args[] = {sday, d->lang->months[mo - 1], syear, stime};
	expand(msg(d, CT_DATE), args, 4, out, size);
}

static bool has_member(const doc *d, const char *name)
{
	if (strcmp(name, INDEX_NAME) == 0 || strcmp(name, README_NAME) == 0 ||
	    strcmp(name, MANIFEST_NAME) == 0)
		return true;
	size_t n = dpex_archive_member_count(d->archive);
	for (size_t i = 0; i < n; i++)
		if (strcmp(dpex_archive_member_at(d->archive, i).name, name) ==
		    0)
			return true;
	return false;
}

/* A file name: linked when the archive holds it. */
static void file_ref(doc *d, const char *name)
{
	if (has_member(d, name))
		put_link(d, name, name, false);
	else
		text(d, name);
}

/* ---- the page ----------------------------------------------------------- */

static const char css[] =
	"*{box-sizing:border-box}"
	"html{background:#eef1f5}"
	"body{margin:0;color:#1b1f24;font:16px/1.55 system-ui,-apple-system,"
	"\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}"
	"main{max-width:60rem;margin:0 auto;padding:2.5rem 2rem 3rem;"
	"background:#fff;min-height:100vh}"
	"h1{font-size:2.1rem;line-height:1.2;margin:0 0 1rem;color:#0d2b4e}"
	"h2{font-size:1.4rem;margin:2.5rem 0 .75rem;padding-bottom:.3rem;"
	"border-bottom:2px solid #c9d3df;color:#0d2b4e}"
	"h3{font-size:1.15rem;margin:1.75rem 0 .5rem}"
	"p{margin:.5rem 0 1rem;max-width:48rem}"
	".lead{font-size:1.12rem}"
	".ref{color:#4a5563}"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0 1.25rem}"
	"caption{text-align:left;font-weight:600;padding:.25rem 0}"
	"th,td{text-align:left;vertical-align:top;padding:.5rem .65rem;"
	"border-bottom:1px solid #dde3ea}"
	"thead th{background:#e8edf3;border-bottom:2px solid #c9d3df}"
	"tbody th{font-weight:600}"
	"table.facts tbody th{width:30%;background:#f6f8fa}"
	".num{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}"
	"tr.total th,tr.total td{font-weight:700;border-top:2px solid #c9d3df}"
	"ul{padding-left:1.4rem}li{margin:.25rem 0}"
	"ul.in{margin:0;padding-left:1.1rem}ul.in li{margin:0 0 .2rem}"
	"a{color:#0a58ca;text-decoration-thickness:1px}"
	"a:focus{outline:3px solid #ffbf47;outline-offset:1px}"
	"code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
	"footer{margin-top:3rem;padding-top:1rem;border-top:1px solid "
	"#dde3ea;color:#4a5563;font-size:.9rem}"
	"@media (max-width:40rem){main{padding:1.25rem 1rem}"
	"table.facts tbody th{width:auto}}"
	"@media print{html{background:#fff}main{padding:0;max-width:none}"
	"a{color:inherit}}";

static void page_begin(doc *d)
{
	if (!d->html) {
		text(d, msg(d, CT_TITLE));
		flush(d, "", "");
		size_t w = width(msg(d, CT_TITLE), strlen(msg(d, CT_TITLE)));
		for (size_t i = 0; i < w; i++)
			markup(d, "=");
		markup(d, "\n\n");
		return;
	}
	markup(d, "<!DOCTYPE html>\n<html lang=\"");
	markup(d, d->lang->code);
	markup(d, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, "
		  "initial-scale=1\">\n<title>");
	text(d, msg(d, CT_TITLE));
	markup(d, "</title>\n<style>");
	markup(d, css);
	markup(d, "</style>\n</head>\n<body>\n<main>\n<h1>");
	text(d, msg(d, CT_TITLE));
	markup(d, "</h1>\n");
}

static void page_end(doc *d)
{
	char version[64];
	snprintf(version, sizeof(version), "%s", DPEX_VERSION);
	if (d->html) {
		markup(d, "<footer><p>");
		tpl1(d, CT_FOOTER, version);
		markup(d, "</p></footer>\n</main>\n</body>\n</html>\n");
		return;
	}
	markup(d, "\n");
	tpl1(d, CT_FOOTER, version);
	flush(d, "", "");
}

static void intro(doc *d, const json_t *about, const json_t *summary)
{
	char when[128];
	date_words(d, json_string_value(json_object_get(summary, "created_at")),
		   when, sizeof(when));
	const char *controller =
		field(d, json_object_get(about, "controller"), "name");
	const char *kind = json_string_value(json_object_get(about, "kind"));
	p_begin(d, "lead");
	if (controller) {
		arg a[] = {{controller, NULL}, {when, NULL}};
		tpl(d,
		    kind && strcmp(kind, "portability") == 0
			    ? CT_INTRO_PORTABILITY
			    : CT_INTRO_ACCESS,
		    a, 2);
	} else {
		tpl1(d, CT_INTRO_PLAIN, when);
	}
	p_end(d);
	const char *rid =
		json_string_value(json_object_get(summary, "request_id"));
	if (rid) {
		p_begin(d, "ref");
		tpl1(d, CT_REQUEST, rid);
		p_end(d);
	}
	if (!d->html)
		para(d, CT_README_SEE_HTML);
}

static void subject_section(doc *d, const json_t *summary)
{
	const json_t *subject = json_object_get(summary, "subject");
	if (!json_is_object(subject) || json_object_size(subject) == 0)
		return;
	heading(d, 2, msg(d, CT_H_SUBJECT));
	para(d, CT_SUBJECT_INTRO);
	static const int kinds[] = {COL_TEXT, COL_TEXT};
	const char *heads[] = {msg(d, CT_TH_IDENTIFIER), msg(d, CT_TH_VALUE)};
	table_begin(d, NULL, heads, kinds, 2);
	const char *key;
	json_t *values;
	json_object_foreach((json_t *)subject, key, values)
	{
		tr_begin(d, NULL);
		td_text(d, key);
		td_begin(d);
		size_t i;
		json_t *v;
		ul_begin(d, json_array_size(values));
		json_array_foreach(values, i, v)
		{
			li_begin(d);
			text(d,
			     json_string_value(v) ? json_string_value(v) : "");
			li_end(d);
		}
		ul_end(d);
		td_end(d);
		tr_end(d);
	}
	table_end(d);
}

/* "csv/<entity>.csv" when the archive has it. */
static void entity_csv(const doc *d, const char *entity, char *out, size_t size)
{
	snprintf(out, size, "csv/%s.csv", entity);
	if (!has_member(d, out))
		out[0] = '\0';
}

static void glance_section(doc *d, const json_t *summary)
{
	const json_t *entities = json_object_get(summary, "entities");
	heading(d, 2, msg(d, CT_H_GLANCE));
	para(d, CT_GLANCE_INTRO);
	static const int kinds[] = {COL_TEXT, COL_TEXT, COL_NUM};
	const char *heads[] = {msg(d, CT_TH_TABLE), msg(d, CT_TH_SYSTEM),
			       msg(d, CT_TH_ROWS)};
	table_begin(d, NULL, heads, kinds, 3);
	long long total = 0;
	size_t i;
	json_t *e;
	char num[48], csv[300];
	json_array_foreach(entities, i, e)
	{
		const char *name =
			json_string_value(json_object_get(e, "name"));
		const char *source =
			json_string_value(json_object_get(e, "source"));
		long long rows = (long long)json_integer_value(
			json_object_get(e, "rows"));
		total += rows;
		tr_begin(d, NULL);
		td_begin(d);
		entity_csv(d, name ? name : "", csv, sizeof(csv));
		if (csv[0])
			put_link(d, csv, name, false);
		else
			text(d, name ? name : "");
		td_end(d);
		td_text(d, source ? source : "");
		format_count(d, rows, num, sizeof(num));
		td_text(d, num);
		tr_end(d);
	}
	tr_begin(d, "total");
	td_text(d, msg(d, CT_TOTAL));
	td_text(d, "");
	format_count(d, total, num, sizeof(num));
	td_text(d, num);
	tr_end(d);
	table_end(d);
}

/* The entity of "<dir><entity>.csv", into out; false for another name. */
static bool csv_entity(const char *name, const char *dir, char *out,
		       size_t size)
{
	size_t n = strlen(name), k = strlen(dir);
	if (strncmp(name, dir, k) != 0 || n <= k + 4 ||
	    strcmp(name + n - 4, ".csv") != 0 || strchr(name + k, '/'))
		return false;
	snprintf(out, size, "%.*s", (int)(n - k - 4), name + k);
	return true;
}

static void file_use(doc *d, const char *name)
{
	char entity[256];
	if (strcmp(name, INDEX_NAME) == 0)
		text(d,
		     msg(d, d->html ? CT_FILE_INDEX_HTML : CT_FILE_INDEX_TEXT));
	else if (strcmp(name, README_NAME) == 0)
		text(d, msg(d, d->html ? CT_FILE_README_HTML
				       : CT_FILE_README_TEXT));
	else if (strcmp(name, "data.json") == 0)
		text(d, msg(d, CT_FILE_DATA_JSON));
	else if (strcmp(name, "data.xlsx") == 0)
		text(d, msg(d, CT_FILE_XLSX));
	else if (strcmp(name, MANIFEST_NAME) == 0)
		text(d, msg(d, CT_FILE_MANIFEST));
	else if (strcmp(name, "about.json") == 0)
		text(d, msg(d, CT_FILE_ABOUT));
	else if (csv_entity(name, "csv/", entity, sizeof(entity)))
		tpl1(d, CT_FILE_CSV, entity);
	else if (csv_entity(name, "csv-safe/", entity, sizeof(entity)))
		tpl1(d, CT_FILE_CSV_SAFE, entity);
	else
		text(d, msg(d, CT_FILE_OTHER));
}

static void file_row(doc *d, const char *name, const dpex_archive_entry *e)
{
	char num[48];
	tr_begin(d, NULL);
	td_begin(d);
	put_link(d, name, name, false);
	td_end(d);
	td_begin(d);
	file_use(d, name);
	td_end(d);
	if (e && e->rows >= 0) {
		format_count(d, e->rows, num, sizeof(num));
		td_text(d, num);
	} else {
		td_text(d, "");
	}
	if (e)
		format_size(d, e->size, num, sizeof(num));
	td_text(d, e ? num : "");
	tr_end(d);
}

/* In the order of the ZIP: the cover pages, the members as added, the
 * manifest (written at commit, so without a size here). */
static void files_section(doc *d)
{
	heading(d, 2, msg(d, CT_H_FILES));
	para(d, CT_FILES_INTRO);
	static const int kinds[] = {COL_TEXT, COL_WIDE, COL_NUM, COL_NUM};
	const char *heads[] = {msg(d, CT_TH_FILE), msg(d, CT_TH_FILE_USE),
			       msg(d, CT_TH_ROWS), msg(d, CT_TH_SIZE)};
	table_begin(d, NULL, heads, kinds, 4);
	file_row(d, INDEX_NAME, NULL);
	file_row(d, README_NAME, NULL);
	size_t n = dpex_archive_member_count(d->archive);
	for (size_t i = 0; i < n; i++) {
		dpex_archive_entry e = dpex_archive_member_at(d->archive, i);
		if (strcmp(e.name, INDEX_NAME) != 0 &&
		    strcmp(e.name, README_NAME) != 0)
			file_row(d, e.name, &e);
	}
	file_row(d, MANIFEST_NAME, NULL);
	table_end(d);
}

/* A list of texts from about.json, or "Not stated". */
static void text_list(doc *d, const json_t *arr)
{
	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		text(d, msg(d, CT_NOT_STATED));
		return;
	}
	ul_begin(d, json_array_size(arr));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		li_begin(d);
		const char *s = text_of(v, d->lang->code);
		text(d, s ? s : "");
		li_end(d);
	}
	ul_end(d);
}

static void article(doc *d, const char *number)
{
	if (!number)
		return;
	text(d, " (");
	tpl1(d, CT_ARTICLE, number);
	text(d, ")");
}

static void legal_bases(doc *d, const json_t *arr)
{
	static const struct {
		const char *key;
		dpex_cover_text_id id;
	} bases[] = {
		{"consent", CT_BASIS_CONSENT},
		{"contract", CT_BASIS_CONTRACT},
		{"legal_obligation", CT_BASIS_LEGAL_OBLIGATION},
		{"vital_interests", CT_BASIS_VITAL_INTERESTS},
		{"vital_interest", CT_BASIS_VITAL_INTERESTS},
		{"public_task", CT_BASIS_PUBLIC_TASK},
		{"public_interest", CT_BASIS_PUBLIC_TASK},
		{"legitimate_interests", CT_BASIS_LEGITIMATE_INTERESTS},
		{"legitimate_interest", CT_BASIS_LEGITIMATE_INTERESTS},
	};
	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		text(d, msg(d, CT_NOT_STATED));
		return;
	}
	ul_begin(d, json_array_size(arr));
	size_t i;
	json_t *b;
	json_array_foreach(arr, i, b)
	{
		li_begin(d);
		const char *basis = field(d, b, "basis");
		const char *shown = basis;
		for (size_t k = 0; basis && k < sizeof(bases) / sizeof(*bases);
		     k++)
			if (strcmp(basis, bases[k].key) == 0)
				shown = msg(d, bases[k].id);
		if (shown)
			text(d, shown);
		article(d, field(d, b, "article"));
		const char *detail = field(d, b, "detail");
		if (detail) {
			text(d, ": ");
			text(d, detail);
		}
		li_end(d);
	}
	ul_end(d);
}

static void origin(doc *d, const json_t *o)
{
	const char *kind = field(d, o, "kind");
	const char *source = field(d, o, "source");
	if (!kind && !source)
		text(d, msg(d, CT_NOT_STATED));
	else if (kind && strcmp(kind, "provided") == 0)
		text(d, msg(d, CT_ORIGIN_PROVIDED));
	else if (kind && strcmp(kind, "observed") == 0)
		text(d, msg(d, CT_ORIGIN_OBSERVED));
	else if (kind && strcmp(kind, "derived") == 0)
		text(d, msg(d, CT_ORIGIN_DERIVED));
	else if (kind && strcmp(kind, "assigned") == 0)
		text(d, msg(d, CT_ORIGIN_ASSIGNED));
	else if (source)
		tpl1(d, CT_ORIGIN_THIRD_PARTY, source);
	else if (strcmp(kind, "third_party") == 0)
		text(d, msg(d, CT_ORIGIN_THIRD_PARTY_UNNAMED));
	else
		text(d, kind);
	/* A source named besides another kind still tells where from. */
	if (source && kind &&
	    (strcmp(kind, "provided") == 0 || strcmp(kind, "observed") == 0 ||
	     strcmp(kind, "derived") == 0 || strcmp(kind, "assigned") == 0)) {
		text(d, " ");
		tpl1(d, CT_ORIGIN_THIRD_PARTY, source);
	}
}

static void recipients(doc *d, const json_t *arr)
{
	if (!json_is_array(arr)) {
		text(d, msg(d, CT_NOT_STATED));
		return;
	}
	if (json_array_size(arr) == 0) {
		text(d, msg(d, CT_NONE));
		return;
	}
	ul_begin(d, json_array_size(arr));
	size_t i;
	json_t *r;
	json_array_foreach(arr, i, r)
	{
		li_begin(d);
		const char *name = field(d, r, "name");
		const char *cat = field(d, r, "category");
		const char *country = field(d, r, "country");
		const char *safeguards = field(d, r, "safeguards");
		text(d, name ? name : cat ? cat : "");
		const char *more[3] = {name ? cat : NULL, country, NULL};
		size_t n = 0;
		for (size_t k = 0; k < 2; k++)
			if (more[k]) {
				text(d, n++ ? ", " : " (");
				text(d, more[k]);
			}
		if (safeguards) {
			text(d, n++ ? "; " : " (");
			tpl1(d, CT_SAFEGUARDS, safeguards);
		}
		if (n)
			text(d, ")");
		li_end(d);
	}
	ul_end(d);
}

static void category_data(doc *d, const json_t *entities)
{
	if (!json_is_array(entities) || json_array_size(entities) == 0) {
		text(d, msg(d, CT_NOT_STATED));
		return;
	}
	ul_begin(d, json_array_size(entities));
	size_t i;
	json_t *e;
	json_array_foreach(entities, i, e)
	{
		li_begin(d);
		const char *name = field(d, e, "name");
		text(d, name ? name : "");
		json_t *rows = json_object_get(e, "rows");
		if (json_is_integer(rows)) {
			text(d, ": ");
			rows_phrase(d, (long long)json_integer_value(rows));
		}
		const json_t *files = json_object_get(e, "files");
		size_t k;
		json_t *f;
		json_array_foreach(files, k, f)
		{
			if (!json_string_value(f))
				continue;
			text(d, k ? ", " : " (");
			file_ref(d, json_string_value(f));
			if (k + 1 == json_array_size(files))
				text(d, ")");
		}
		const char *about_entity = field(d, e, "description");
		if (about_entity) {
			text(d, ". ");
			text(d, about_entity);
		}
		li_end(d);
	}
	ul_end(d);
}

/* What a category is for, on what basis, from where, for how long and for
 * whom: the same for every subject with data in it. */
static void category_facts(doc *d, const json_t *c)
{
	kv_begin(d, CT_TH_PURPOSES);
	text_list(d, json_object_get(c, "purposes"));
	kv_end(d);
	kv_begin(d, CT_TH_LEGAL_BASIS);
	legal_bases(d, json_object_get(c, "legal_basis"));
	kv_end(d);
	kv_begin(d, CT_TH_ORIGIN);
	origin(d, json_object_get(c, "origin"));
	kv_end(d);
	kv_begin(d, CT_TH_RETENTION);
	const char *retention = field(d, c, "retention");
	text(d, retention ? retention : msg(d, CT_NOT_STATED));
	kv_end(d);
	kv_begin(d, CT_TH_RECIPIENTS);
	recipients(d, json_object_get(c, "recipients"));
	kv_end(d);
	kv_begin(d, CT_TH_AUTOMATED);
	const json_t *ad = json_object_get(c, "automated_decision");
	const char *desc = field(d, ad, "description");
	const char *logic = field(d, ad, "logic");
	if (!desc && !logic)
		text(d, msg(d, CT_AUTOMATED_NONE));
	if (desc)
		text(d, desc);
	if (desc && logic)
		text(d, " ");
	if (logic)
		tpl1(d, CT_AUTOMATED_LOGIC, logic);
	const char *significance = field(d, ad, "significance");
	if ((desc || logic) && significance) {
		text(d, " ");
		tpl1(d, CT_AUTOMATED_SIGNIFICANCE, significance);
	}
	if ((desc || logic) && json_is_true(json_object_get(ad, "profiling"))) {
		text(d, " ");
		text(d, msg(d, CT_PROFILING));
	}
	kv_end(d);
	kv_table_end(d);
}

static void categories_section(doc *d, const json_t *about)
{
	heading(d, 2, msg(d, CT_H_CATEGORIES));
	const json_t *cats = json_object_get(about, "categories");
	if (!json_is_array(cats) || json_array_size(cats) == 0) {
		para(d, CT_NO_CATEGORIES);
		return;
	}
	para(d, CT_CATEGORIES_INTRO);
	size_t i;
	json_t *c;
	json_array_foreach(cats, i, c)
	{
		const char *name = field(d, c, "category");
		heading(d, 3, name ? name : msg(d, CT_NOT_STATED));
		kv_table_begin(d);
		kv_begin(d, CT_TH_CAT_DATA);
		category_data(d, json_object_get(c, "entities"));
		kv_end(d);
		const json_t *facts[] = {
			json_object_get(c, "purposes"),
			json_object_get(c, "legal_basis"),
			json_object_get(c, "origin"),
			json_object_get(c, "retention"),
			json_object_get(c, "recipients"),
			json_object_get(c, "automated_decision")};
		memoized(d, PART_CATEGORY_FACTS, facts, 6, category_facts, c);
	}
}

static void transfers_section(doc *d, const json_t *about)
{
	const json_t *arr = json_object_get(about, "third_country_transfers");
	if (json_array_size(arr) == 0)
		return;
	heading(d, 2, msg(d, CT_H_TRANSFERS));
	para(d, CT_TRANSFERS_INTRO);
	/* Safeguards are a sentence ("Standard contractual clauses (EU
	 * 2021/914)"): under the row, wrapped, so README.txt keeps 76
	 * columns. */
	static const int kinds[] = {COL_TEXT, COL_TEXT, COL_WIDE};
	const char *heads[] = {msg(d, CT_TH_RECIPIENT), msg(d, CT_TH_COUNTRY),
			       msg(d, CT_TH_SAFEGUARDS)};
	table_begin(d, NULL, heads, kinds, 3);
	size_t i;
	json_t *t;
	json_array_foreach(arr, i, t)
	{
		const char *v[] = {field(d, t, "recipient"),
				   field(d, t, "country"),
				   field(d, t, "safeguards")};
		tr_begin(d, NULL);
		for (size_t k = 0; k < 3; k++)
			td_text(d, v[k] ? v[k] : msg(d, CT_NOT_STATED));
		tr_end(d);
	}
	table_end(d);
}

static void excluded_section(doc *d, const json_t *about)
{
	const json_t *arr = json_object_get(about, "excluded");
	if (json_array_size(arr) == 0)
		return;
	heading(d, 2, msg(d, CT_H_EXCLUDED));
	para(d, CT_EXCLUDED_INTRO);
	static const int kinds[] = {COL_TEXT, COL_WIDE};
	const char *heads[] = {msg(d, CT_TH_TABLE), msg(d, CT_TH_REASON)};
	table_begin(d, NULL, heads, kinds, 2);
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	{
		const char *entity = field(d, x, "entity");
		const char *reason = field(d, x, "reason");
		tr_begin(d, NULL);
		td_text(d, entity ? entity : "");
		td_text(d, reason ? reason : msg(d, CT_NOT_STATED));
		tr_end(d);
	}
	table_end(d);
}

static void redactions_section(doc *d, const json_t *about)
{
	const json_t *red = json_object_get(about, "redactions");
	if (!json_is_object(red) || json_object_size(red) == 0)
		return;
	heading(d, 2, msg(d, CT_H_REDACTIONS));
	para(d, CT_REDACTIONS_INTRO);
	static const int kinds[] = {COL_TEXT, COL_NUM};
	const char *heads[] = {msg(d, CT_TH_FIELD), msg(d, CT_TH_REDACTED)};
	table_begin(d, NULL, heads, kinds, 2);
	const char *key;
	json_t *n;
	char num[48];
	json_object_foreach((json_t *)red, key, n)
	{
		tr_begin(d, NULL);
		td_text(d, key);
		format_count(d, (long long)json_integer_value(n), num,
			     sizeof(num));
		td_text(d, num);
		tr_end(d);
	}
	table_end(d);
}

/* The rights listed when about.json gives none (the first NLISTED), and
 * the texts for names about.json may give without a text. */
static const struct {
	const char *key;
	dpex_cover_text_id id;
} builtin_rights[] = {
	{"access", CT_RIGHT_ACCESS},
	{"rectification", CT_RIGHT_RECTIFICATION},
	{"erasure", CT_RIGHT_ERASURE},
	{"restriction", CT_RIGHT_RESTRICTION},
	{"objection", CT_RIGHT_OBJECTION},
	{"portability", CT_RIGHT_PORTABILITY},
	{"withdraw_consent", CT_RIGHT_WITHDRAW_CONSENT},
	{"automated_decision", CT_RIGHT_AUTOMATED},
	{"human_review", CT_RIGHT_AUTOMATED},
	{"complaint", CT_COMPLAINT_GENERIC},
};
#define NRIGHTS (sizeof(builtin_rights) / sizeof(builtin_rights[0]))
#define NLISTED 8

/* about.json's rights when it lists them (their texts already in the
 * request's language), else every right of Art. 15(1)(e) and beyond. */
static void rights_section(doc *d, const json_t *about)
{
	heading(d, 2, msg(d, CT_H_RIGHTS));
	para(d, CT_RIGHTS_INTRO);
	const json_t *rights = json_object_get(about, "rights");
	ul_begin(d, 0);
	if (json_array_size(rights) > 0) {
		size_t i;
		json_t *r;
		json_array_foreach(rights, i, r)
		{
			const char *key = field(d, r, "right");
			const char *s = field(d, r, "text");
			if (!s && !key)
				continue;
			li_begin(d);
			if (s) {
				/* "... corrected (Art. 16 GDPR)." */
				size_t n = strlen(s);
				bool stop = n > 0 && s[n - 1] == '.';
				text_n(d, s, stop ? n - 1 : n);
				article(d, field(d, r, "article"));
				if (stop)
					text(d, ".");
			} else {
				const char *shown = key;
				for (size_t k = 0; k < NRIGHTS; k++)
					if (strcmp(key,
						   builtin_rights[k].key) == 0)
						shown = msg(
							d,
							builtin_rights[k].id);
				text(d, shown);
			}
			li_end(d);
		}
	} else {
		for (size_t k = 0; k < NLISTED; k++) {
			li_begin(d);
			text(d, msg(d, builtin_rights[k].id));
			li_end(d);
		}
	}
	ul_end(d);
	const json_t *ctl = json_object_get(about, "controller");
	const char *name = field(d, ctl, "name");
	const char *contact = field(d, ctl, "contact");
	p_begin(d, NULL);
	if (name || contact) {
		char who[512];
		if (name && contact)
			snprintf(who, sizeof(who), "%s (%s)", name, contact);
		else
			snprintf(who, sizeof(who), "%s", name ? name : contact);
		tpl1(d, CT_RIGHTS_HOW, who);
	} else {
		text(d, msg(d, CT_RIGHTS_HOW_PLAIN));
	}
	p_end(d);
}

static void complaint_section(doc *d, const json_t *about)
{
	heading(d, 2, msg(d, CT_H_COMPLAINT));
	const json_t *sa = json_object_get(about, "supervisory_authority");
	const char *name = field(d, sa, "name");
	const char *url = field(d, sa, "url");
	p_begin(d, NULL);
	if (name || url) {
		arg a = {name ? name : url, url};
		tpl(d, CT_COMPLAINT_AUTHORITY, &a, 1);
	} else {
		text(d, msg(d, CT_COMPLAINT_GENERIC));
	}
	p_end(d);
}

static void contact_section(doc *d, const json_t *about)
{
	const json_t *ctl = json_object_get(about, "controller");
	static const struct {
		const char *key;
		dpex_cover_text_id label;
	} rows[] = {{"name", CT_TH_CONTROLLER},
		    {"contact", CT_TH_CONTACT},
		    {"dpo", CT_TH_DPO},
		    {"address", CT_TH_ADDRESS}};
	size_t nrows = sizeof(rows) / sizeof(rows[0]);
	bool any = false;
	for (size_t i = 0; i < nrows; i++)
		any = any || field(d, ctl, rows[i].key);
	if (!any)
		return;
	heading(d, 2, msg(d, CT_H_CONTACT));
	kv_table_begin(d);
	for (size_t i = 0; i < nrows; i++) {
		const char *v = field(d, ctl, rows[i].key);
		if (!v)
			continue;
		kv_begin(d, rows[i].label);
		text(d, v);
		kv_end(d);
	}
	kv_table_end(d);
}

/* The rights, where to complain and whom to ask: the page's end. */
static void closing_sections(doc *d, const json_t *about)
{
	rights_section(d, about);
	complaint_section(d, about);
	contact_section(d, about);
}

static int write_page(doc *d, const json_t *about, const json_t *summary)
{
	page_begin(d);
	intro(d, about, summary);
	subject_section(d, summary);
	glance_section(d, summary);
	files_section(d);
	categories_section(d, about);
	const json_t *transfers[] = {
		json_object_get(about, "third_country_transfers")};
	memoized(d, PART_TRANSFERS, transfers, 1, transfers_section, about);
	excluded_section(d, about);
	redactions_section(d, about);
	const json_t *closing[] = {
		json_object_get(about, "rights"),
		json_object_get(about, "controller"),
		json_object_get(about, "supervisory_authority")};
	memoized(d, PART_CLOSING, closing, 3, closing_sections, about);
	page_end(d);
	return d->rc;
}

int dpex_cover_check_lang(const char *lang)
{
	if (!lang || dpex_cover_lang_find(lang))
		return 0;
	dpex_buf known = DPEX_BUF_INIT;
	for (size_t i = 0; i < dpex_cover_nlangs; i++)
		dpex_buf_printf(&known, "%s%s",
				i == 0			     ? ""
				: i + 1 == dpex_cover_nlangs ? " or "
							     : ", ",
				dpex_cover_langs[i]->code);
	int rc = dpex_error_set(DPEX_EUSAGE,
				"language \"%s\" is not available: choose %s",
				lang, known.data ? known.data : "en");
	dpex_buf_free(&known);
	return rc;
}

static int add_page(dpex_archive *a, const char *name, bool html,
		    const dpex_cover_lang *lang, const json_t *about,
		    const json_t *summary, dpex_memo *memo)
{
	doc d = {.html = html, .lang = lang, .archive = a, .memo = memo};
	int rc = dpex_archive_member_open(a, name, &d.sink);
	if (rc)
		return rc;
	rc = write_page(&d, about, summary);
	int crc = dpex_sink_close(d.sink, -1);
	free_cells(&d);
	free(d.cells);
	dpex_buf_free(&d.line);
	return rc ? rc : crc;
}

int dpex_cover_add(dpex_archive *a, const json_t *about, const json_t *summary,
		   const char *lang, dpex_memo *memo)
{
	int rc = dpex_cover_check_lang(lang);
	if (rc)
		return rc;
	const dpex_cover_lang *l = dpex_cover_lang_find(lang ? lang : "en");
	if (!json_is_object(about))
		about = NULL;
	rc = add_page(a, INDEX_NAME, true, l, about, summary, memo);
	if (!rc)
		rc = add_page(a, README_NAME, false, l, about, summary, memo);
	if (!rc)
		rc = dpex_archive_member_first(a, INDEX_NAME);
	if (!rc)
		rc = dpex_archive_member_first(a, README_NAME);
	return rc;
}
