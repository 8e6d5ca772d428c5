/*
 * The lock model: sessions added once, edges without duplicates, chains
 * counted through (and cycles not looping), the blocker to act on first,
 * queries cut on a character boundary, the metrics both front ends
 * read, and the verdict both give from them.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "output.h"
#include "probe/locks.h"
#include "probe/locks_verdict.h"
#include "verdict.h"

/* A waits for nobody; B waits for A; C waits for B; D waits for A. */
static void chain(struct lock_report *r)
{
	struct lock_session *s;

	locks_init(r);
	s = locks_session(r, 5);
	locks_set(&s->user, "app", false);
	locks_set(&s->host, "10.0.0.7", false);
	s->trx_age = 80;
	s->idle = 70;
	s = locks_session(r, 6);
	s->wait = 30;
	s->trx_age = 40;
	s = locks_session(r, 7);
	s->wait = 74;
	s = locks_session(r, 8);
	s->wait = 2;
	locks_edge(r, 6, 5);
	locks_edge(r, 7, 6);
	locks_edge(r, 8, 5);
	locks_edge(r, 8, 5);
	locks_edge(r, 8, 8);
	locks_analyse(r);
}

Test(locks, sessions_are_added_once)
{
	struct lock_report r;

	locks_init(&r);
	locks_session(&r, 1)->wait = 3;
	cr_assert_eq(locks_session(&r, 1)->wait, 3);
	cr_assert_eq(r.nsessions, 1);
	cr_assert(isnan(locks_session(&r, 2)->wait));
	cr_assert(isnan(r.deadlocks));
	locks_free(&r);
	cr_assert_eq(r.nsessions, 0);
}

Test(locks, chains_are_counted_through)
{
	struct lock_report r;

	chain(&r);
	cr_assert_eq(r.nedges, 3);
	cr_assert_eq(locks_find(&r, 5)->blocks_direct, 2);
	cr_assert_eq(locks_find(&r, 5)->blocks_total, 3);
	cr_assert_eq(locks_find(&r, 6)->blocks_direct, 1);
	cr_assert_eq(locks_find(&r, 6)->blocks_total, 1);
	cr_assert_eq(locks_find(&r, 7)->blocks_total, 0);
	cr_assert_eq(locks_waiters(&r), 3);
	cr_assert_eq(locks_blockers(&r), 2);
	cr_assert_eq(locks_longest(&r), 74);
	cr_assert_eq(locks_worst_blocker(&r)->id, 5);
	cr_assert_eq(locks_blocker_of(&r, 7), 6);
	cr_assert_eq(locks_blocker_of(&r, 5), -1);
	locks_free(&r);
}

Test(locks, a_queue_behind_one_lock)
{
	enum { N = 300 };
	struct lock_report r;

	/* Each session waits for every one ahead of it, twice over: N^2 edges. */
	locks_init(&r);
	for (long i = 0; i < N; i++)
		locks_session(&r, i)->wait = i == 0 ? NAN : 1;
	for (int twice = 0; twice < 2; twice++)
		for (long i = 1; i < N; i++)
			for (long j = 0; j < i; j++)
				locks_edge(&r, i, j);
	locks_analyse(&r);
	cr_assert_eq(r.nedges, N * (N - 1) / 2);
	cr_assert_eq(locks_find(&r, 0)->blocks_direct, N - 1);
	cr_assert_eq(locks_find(&r, 0)->blocks_total, N - 1);
	cr_assert_eq(locks_find(&r, N - 2)->blocks_total, 1);
	cr_assert_eq(locks_find(&r, N - 1)->blocks_total, 0);
	cr_assert_eq(locks_blocker_of(&r, N - 1), 0);
	cr_assert_eq(locks_worst_blocker(&r)->id, 0);
	locks_free(&r);
}

Test(locks, a_cycle_ends)
{
	struct lock_report r;

	locks_init(&r);
	locks_session(&r, 1)->wait = 1;
	locks_session(&r, 2)->wait = 2;
	locks_session(&r, 3)->wait = 3;
	locks_edge(&r, 1, 2);
	locks_edge(&r, 2, 3);
	locks_edge(&r, 3, 1);
	locks_analyse(&r);
	for (long id = 1; id <= 3; id++)
		cr_assert_eq(locks_find(&r, id)->blocks_total, 2);
	/* Every blocker waits: still one is named. */
	cr_assert_not_null(locks_worst_blocker(&r));
	locks_free(&r);
}

Test(locks, the_head_of_a_chain_comes_first)
{
	struct lock_report r;

	locks_init(&r);
	/* 2 waits for 1 and holds up 3 and 4; 1 holds up fewer but waits for nobody. */
	locks_session(&r, 1)->trx_age = 5;
	locks_session(&r, 2)->wait = 1;
	locks_session(&r, 3)->wait = 1;
	locks_session(&r, 4)->wait = 1;
	locks_edge(&r, 2, 1);
	locks_edge(&r, 3, 2);
	locks_edge(&r, 4, 2);
	locks_analyse(&r);
	cr_assert_eq(locks_worst_blocker(&r)->id, 1);
	locks_free(&r);
}

Test(locks, no_blocker_without_edges)
{
	struct lock_report r;

	locks_init(&r);
	locks_session(&r, 9)->wait = 12; /* a metadata lock whose holder is unknown */
	locks_analyse(&r);
	cr_assert_null(locks_worst_blocker(&r));
	cr_assert_eq(locks_waiters(&r), 1);
	cr_assert_eq(locks_longest(&r), 12);
	locks_free(&r);
}

Test(locks, queries_are_cut_on_a_character)
{
	char q[LOCKS_QUERY_MAX + 10];
	char *field = NULL;

	memset(q, 'a', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	/* a two-byte character straddling the cut */
	q[LOCKS_QUERY_MAX - 1] = (char)0xC3;
	q[LOCKS_QUERY_MAX] = (char)0xA9;
	locks_set(&field, q, true);
	cr_assert_eq(strlen(field), LOCKS_QUERY_MAX - 1 + 3);
	cr_assert_str_eq(field + LOCKS_QUERY_MAX - 1, "...");
	locks_set(&field, "short", true);
	cr_assert_str_eq(field, "short");
	locks_set(&field, NULL, false);
	cr_assert_null(field);
}

Test(locks, a_query_never_shows_a_password)
{
	char *field = NULL;

	locks_set(&field, "ALTER USER 'app'@'%' IDENTIFIED BY 's3cr''et\\'x'", true);
	cr_assert_str_eq(field, "ALTER USER 'app'@'%' IDENTIFIED BY '***'");
	locks_set(&field, "alter role app password 'pw' valid until '2030-01-01'", true);
	cr_assert_str_eq(field, "alter role app password '***' valid until '***'");
	locks_set(&field, "SET PASSWORD FOR u = PASSWORD(\"pw\")", true);
	cr_assert_str_eq(field, "SET PASSWORD FOR u = PASSWORD(\"***\")");
	/* The word inside a string is no keyword; strings before the keyword stay. */
	locks_set(&field, "update t set v = 'password' where k = 'x'", true);
	cr_assert_str_eq(field, "update t set v = 'password' where k = 'x'");
	locks_set(&field, "update 'a' identified by 'unterminated", true);
	cr_assert_str_eq(field, "update 'a' identified by '***'");
	locks_set(&field, NULL, false);
}

Test(locks, a_full_report_notes_what_it_drops)
{
	struct lock_report r;

	locks_init(&r);
	for (long id = 0; id < LOCKS_SESSIONS_MAX; id++)
		locks_session(&r, id)->wait = 1;
	cr_assert_null(locks_session(&r, LOCKS_SESSIONS_MAX));
	cr_assert_eq(r.dropped, 1);
	cr_assert_eq(locks_waiters(&r), LOCKS_SESSIONS_MAX);
	locks_free(&r);
}

Test(locks, who)
{
	struct lock_report r;
	char who[64];

	chain(&r);
	locks_who(locks_find(&r, 5), who, sizeof(who));
	cr_assert_str_eq(who, "app@10.0.0.7");
	locks_who(locks_find(&r, 6), who, sizeof(who));
	cr_assert_str_eq(who, "unknown");
	locks_free(&r);
}

Test(locks, metrics)
{
	struct lock_report r;
	struct metric_set *set = metric_set_new();
	const struct metric *m;

	chain(&r);
	r.deadlocks = 4;
	locks_metrics(&r, set);
	cr_assert_eq(metric_set_value(set, "lock_waiters", NULL, NULL), 3);
	cr_assert_eq(metric_set_value(set, "lock_wait_longest", NULL, NULL), 74);
	cr_assert_eq(metric_set_value(set, "lock_blockers", NULL, NULL), 2);
	cr_assert_eq(metric_set_value(set, "lock_blocked_most", NULL, NULL), 3);
	cr_assert_eq(metric_set_value(set, "lock_blocker_idle", NULL, NULL), 70);
	m = metric_set_find(set, "lock_deadlocks", NULL, NULL);
	cr_assert_not_null(m);
	cr_assert_eq(m->kind, METRIC_COUNTER);
	/* Counters the server does not keep are left out, not zero. */
	cr_assert_null(metric_set_find(set, "lock_row_waits", NULL, NULL));
	/* Each session in its own series, the blocker to act on first leading. */
	cr_assert_eq(metric_set_value(set, "lock_sessions", NULL, NULL), 4);
	cr_assert_eq(metric_set_value(set, "lock_sessions_dropped", NULL, NULL), 0);
	m = metric_set_find(set, "lock_blocker_sessions", NULL, NULL);
	cr_assert_eq(m->value, 3);
	cr_assert_str_eq(metric_label(m, "id"), "5");
	cr_assert_str_eq(metric_label(m, "user"), "app");
	cr_assert_str_eq(metric_label(m, "host"), "10.0.0.7");
	cr_assert_eq(metric_set_value(set, "lock_blocker_direct", "id", "5"), 2);
	cr_assert_eq(metric_set_value(set, "lock_session_idle", "id", "5"), 70);
	cr_assert_eq(metric_set_value(set, "lock_session_trx_age", "id", "5"), 80);
	/* A waiter: how long, for what, behind whom; nothing it does not do. */
	m = metric_set_find(set, "lock_session_wait", "id", "7");
	cr_assert_eq(m->value, 74);
	cr_assert_str_eq(metric_label(m, "blocked_by"), "6");
	cr_assert_str_eq(metric_label(m, "user"), "");
	cr_assert_null(metric_set_find(set, "lock_session_idle", "id", "7"));
	cr_assert_null(metric_set_find(set, "lock_blocker_sessions", "id", "7"));
	cr_assert_null(metric_set_find(set, "lock_session_trx_age", "id", "7"));
	metric_set_free(set);
	locks_free(&r);
}

Test(locks, the_set_gives_the_report_back)
{
	struct lock_report r, back;
	struct metric_set *set = metric_set_new();
	const struct lock_session *s;

	chain(&r);
	locks_set(&locks_known(&r, 7)->lock, "row lock on `t`.`a`", false);
	locks_set(&locks_known(&r, 7)->query, "update t.a set v = 1", true);
	r.row_waits = 9;
	locks_metrics(&r, set);
	/* What the agent adds is ignored. */
	metric_set_label_missing(set, "target", "db");
	locks_from_set(&back, set);
	cr_assert_eq(back.nsessions, 4);
	cr_assert_eq(back.row_waits, 9);
	cr_assert(isnan(back.deadlocks));
	cr_assert_eq(locks_worst_blocker(&back)->id, 5);
	s = locks_find(&back, 5);
	cr_assert_str_eq(s->user, "app");
	cr_assert_eq(s->blocks_total, 3);
	cr_assert_eq(s->blocks_direct, 2);
	cr_assert_eq(s->idle, 70);
	cr_assert(isnan(s->wait));
	s = locks_find(&back, 6);
	cr_assert_null(s->user);
	cr_assert_eq(s->wait, 30);
	cr_assert_eq(s->trx_age, 40);
	cr_assert_eq(s->blocks_total, 1);
	cr_assert_eq(locks_blocker_of(&back, 6), 5);
	s = locks_find(&back, 7);
	cr_assert_str_eq(s->lock, "row lock on `t`.`a`");
	cr_assert_str_eq(s->query, "update t.a set v = 1");
	cr_assert_eq(s->blocks_total, 0);
	cr_assert_eq(locks_blocker_of(&back, 7), 6);
	metric_set_free(set);
	locks_free(&back);
	locks_free(&r);
}

Test(locks, only_the_first_sessions_are_detailed)
{
	struct lock_report r, back;
	struct metric_set *set = metric_set_new();

	/* Session 100 blocks 30 waiters, each waiting longer than the one before. */
	locks_init(&r);
	locks_session(&r, 100)->trx_age = 5;
	for (long id = 1; id <= 30; id++) {
		locks_session(&r, id)->wait = (double)id;
		locks_edge(&r, id, 100);
	}
	locks_analyse(&r);
	locks_metrics(&r, set);
	locks_from_set(&back, set);
	cr_assert_eq(back.nsessions, LOCKS_DETAIL_MAX);
	cr_assert_eq(metric_set_value(set, "lock_sessions", NULL, NULL), 31);
	cr_assert_eq(locks_worst_blocker(&back)->id, 100);
	/* The blocker, then the longest waits. */
	cr_assert_not_null(locks_find(&back, 30));
	cr_assert_not_null(locks_find(&back, 22));
	cr_assert_null(locks_find(&back, 21));
	metric_set_free(set);
	locks_free(&back);
	locks_free(&r);
}

Test(locks, a_tie_goes_to_the_lower_id_whatever_the_order)
{
	struct lock_report r;

	/* Two heads, each holding up one session, transactions of the same age. */
	locks_init(&r);
	locks_session(&r, 9)->trx_age = 3;
	locks_session(&r, 4)->trx_age = 3;
	locks_session(&r, 1)->wait = 1;
	locks_session(&r, 2)->wait = 1;
	locks_edge(&r, 1, 9);
	locks_edge(&r, 2, 4);
	locks_analyse(&r);
	cr_assert_eq(locks_worst_blocker(&r)->id, 4);
	locks_free(&r);
}

/*
 * What verdict v says of the metrics of r, with the options of the n pairs,
 * as the agent asks it (rates from an agent with no earlier collection);
 * with the labels an agent adds when agent_labels. The caller frees it.
 */
static char *judged(const struct verdict *v, const struct lock_report *r,
		    const struct plugin_pair *pairs, size_t n, bool agent_labels)
{
	struct metric_set *set = metric_set_new();
	struct pgsql_locks_opts opts; /* the larger of the two */
	struct plugin_args a;
	struct rates rates = {.agent = true};
	struct result *res;
	char err[256], *out;

	cr_assert_leq(v->opts_size, sizeof(opts));
	cr_assert_eq(verdict_parse(v, pairs, n, &opts, &a, err, sizeof(err)), 0, "%s", err);
	locks_metrics(r, set);
	if (agent_labels) {
		metric_set_label_missing(set, "target", "db");
		metric_set_label_missing(set, "dbms", "mysql");
	}
	res = verdict_judge(
	    v, &(struct verdict_in){
		   .args = &a, .opts = &opts, .set = set, .source = "db", .rates = &rates});
	out = result_render(res);
	result_free(res);
	verdict_free_opts(v, &opts, &a);
	metric_set_free(set);
	return out;
}

Test(locks_verdict, names_the_blocker_from_the_set_alone)
{
	static const struct plugin_pair pairs[] = {{"warning", "10"}, {"critical", "60"}};
	struct lock_report r;
	char *plain, *agent;

	chain(&r);
	locks_set(&locks_known(&r, 7)->lock, "row lock on `t`.`a`", false);
	locks_set(&locks_known(&r, 7)->query, "update t.a set v = 1", true);
	plain = judged(&verdict_mysql_locks, &r, pairs, 2, false);
	cr_expect(
	    strncmp(plain,
		    "MYSQL-LOCKS CRITICAL - 3 sessions waiting, longest 74 s (> 60), blocked by "
		    "thread 5 (app@10.0.0.7, idle 70 s in an open transaction) | ",
		    133) == 0,
	    "%s", plain);
	cr_expect_not_null(
	    strstr(plain, "\nto end thread 5 and roll back its transaction: KILL 5\n"), "%s",
	    plain);
	cr_expect_not_null(strstr(plain, "\nthread 7 (unknown) waits 74 s for the row lock on "
					 "`t`.`a`, blocked by thread 6: update t.a set v = 1\n"),
			   "%s", plain);
	/* The agent's labels change nothing. */
	agent = judged(&verdict_mysql_locks, &r, pairs, 2, true);
	cr_expect_str_eq(agent, plain);
	free(plain);
	free(agent);
	/* PostgreSQL's words for the same. */
	plain = judged(&verdict_pgsql_locks, &r, pairs, 2, false);
	cr_expect_not_null(strstr(plain, "blocked by pid 5 (app@10.0.0.7, idle 70 s"), "%s", plain);
	cr_expect_not_null(strstr(plain, "SELECT pg_terminate_backend(5)\n"), "%s", plain);
	free(plain);
	locks_free(&r);
}

Test(locks_verdict, counts_what_it_does_not_list)
{
	struct lock_report r;
	char *out;

	locks_init(&r);
	locks_session(&r, 100)->idle = 5;
	for (long id = 1; id <= 12; id++) {
		locks_session(&r, id)->wait = (double)id;
		locks_edge(&r, id, 100);
	}
	locks_analyse(&r);
	out = judged(&verdict_pgsql_locks, &r, NULL, 0, false);
	cr_expect(strncmp(out,
			  "PGSQL-LOCKS OK - 12 sessions waiting, longest 12 s, blocked by pid 100 ",
			  71) == 0,
		  "%s", out);
	cr_expect_not_null(strstr(out, "\n3 more sessions wait or block, not listed\n"), "%s", out);
	cr_expect_null(strstr(out, "pid 3 "), "%s", out);
	free(out);
	locks_free(&r);
}

Test(locks_verdict, the_agent_takes_no_connection_option)
{
	static const struct plugin_pair db[] = {{"database", "postgres"}};
	struct pgsql_locks_opts opts;
	struct plugin_args a;
	char err[256];

	cr_expect_eq(verdict_parse(&verdict_pgsql_locks, db, 1, &opts, &a, err, sizeof(err)), -1);
	verdict_free_opts(&verdict_pgsql_locks, &opts, &a);
	cr_expect_eq(verdict_find("mysql_locks"), &verdict_mysql_locks);
	cr_expect_str_eq(verdict_find("pgsql_locks")->kind, "postgresql");
}
