/* memo: bytes found again by tag and by the identity of JSON values. */
#include "core/answer/memo.h"

#include <criterion/criterion.h>
#include <string.h>

static dpex_memo *memo(size_t max_bytes)
{
	dpex_memo *m;
	cr_assert_eq(dpex_memo_new(&m, max_bytes), 0);
	return m;
}

Test(memo, finds_bytes_by_tag_and_values_by_identity)
{
	dpex_memo *m = memo(1 << 20);
	json_t *a = json_pack("{s:s}", "purpose", "billing");
	json_t *twin = json_deep_copy(a); /* equal, but another value */
	json_t *b = json_array();
	const json_t *ab[] = {a, b}, *ba[] = {b, a}, *t[] = {twin, b};
	cr_assert_eq(dpex_memo_put(m, 1, ab, 2, "<p>billing</p>", 14), 0);
	size_t len;
	const char *got = dpex_memo_get(m, 1, ab, 2, &len);
	cr_assert_not_null(got);
	cr_expect_eq(len, 14);
	cr_expect_eq(memcmp(got, "<p>billing</p>", 14), 0);
	cr_expect_null(dpex_memo_get(m, 2, ab, 2, &len), "another tag");
	cr_expect_eq(len, 0);
	cr_expect_null(dpex_memo_get(m, 1, ba, 2, &len), "another order");
	cr_expect_null(dpex_memo_get(m, 1, t, 2, &len), "an equal copy");
	cr_expect_null(dpex_memo_get(m, 1, ab, 1, &len), "fewer values");
	json_decref(twin);
	json_decref(b);
	json_decref(a);
	dpex_memo_free(m);
}

Test(memo, holds_its_values_until_freed)
{
	dpex_memo *m = memo(1 << 20);
	json_t *a = json_string("kept");
	const json_t *k[] = {a};
	cr_assert_eq(dpex_memo_put(m, 0, k, 1, "x", 1), 0);
	/* While the memo lives, no other value can take a's address. */
	cr_expect_eq(a->refcount, 2);
	dpex_memo_free(m);
	cr_expect_eq(a->refcount, 1);
	json_decref(a);
}

Test(memo, keeps_nothing_past_its_size_and_says_so_by_missing)
{
	dpex_memo *m = memo(10);
	json_t *a = json_object(), *b = json_object();
	const json_t *ka[] = {a}, *kb[] = {b};
	cr_assert_eq(dpex_memo_put(m, 0, ka, 1, "0123456789", 10), 0);
	cr_assert_eq(dpex_memo_put(m, 0, kb, 1, "more", 4), 0);
	size_t len;
	cr_expect_not_null(dpex_memo_get(m, 0, ka, 1, &len));
	cr_expect_null(dpex_memo_get(m, 0, kb, 1, &len));
	cr_expect_eq(b->refcount, 1, "a value not kept is not held");
	json_decref(a);
	json_decref(b);
	dpex_memo_free(m);
}

Test(memo, null_memo_finds_nothing_and_keeps_nothing)
{
	json_t *a = json_true();
	const json_t *k[] = {a};
	size_t len = 7;
	cr_expect_eq(dpex_memo_put(NULL, 0, k, 1, "x", 1), 0);
	cr_expect_null(dpex_memo_get(NULL, 0, k, 1, &len));
	cr_expect_eq(len, 0);
}
