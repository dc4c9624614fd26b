/*
 * worker: dpex worker, the request tracker's exports, from the queue.
 */
#include "cli.h"
#include "core/base/error.h"
#include "core/queue/worker.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char worker_usage[] =
	"Usage: dpex worker --control DSN --map FILE --out DIR [OPTIONS]\n"
	"\n"
	"Takes requests from the control database's queue, most urgent\n"
	"first, exports each subject as 'dpex export' would and records the\n"
	"answer: ready with the archive's path, size, rows and SHA-256\n"
	"(dpex-ID-EPOCH.zip in DIR), not_found when no source knows the\n"
	"subject (an answer, not retried), or, after an error, back in the\n"
	"queue with a growing pause until its last attempt, then failed.\n"
	"Waits for the queue's notifications, so it starts on a new request\n"
	"at once. Run as many as you like, on as many machines as reach the\n"
	"control database and share DIR: each request is done by one.\n"
	"\n"
	"Options:\n"
	"  -c, --control DSN      the control database (libpq connection\n"
	"                         string or URI); default: $DPEX_CONTROL\n"
	"  -m, --map FILE         the data map (JSON)\n"
	"  -o, --out DIR          the archives' directory, shared by every\n"
	"                         worker of the queue\n"
	"  -j, --concurrency N    requests at once (default: 1)\n"
	"      --id NAME          this worker's name in the queue (default:\n"
	"                         HOST:PID:RANDOM); must be unique\n"
	"      --lease SECONDS    how long a claim holds without a heartbeat\n"
	"                         (default: 60; renewed every third of it)\n"
	"      --poll SECONDS     how often to look when no notification\n"
	"                         came (default: 10)\n"
	"      --retry SECONDS    the first pause after a failed attempt; it\n"
	"                         doubles with each (default: 30)\n"
	"  -q, --quiet            no line per request on standard error\n"
	"  -h, --help             show this text\n"
	"\n"
	"SIGTERM or SIGINT: stop claiming, finish and record what is held,\n"
	"exit 0. A second one: stop at once; what was held goes back to the\n"
	"queue.\n"
	"\n"
	"Exit codes: 0 stopped by a signal, 2 usage, 3 map invalid, 4 the\n"
	"control database could not be reached at the start, 6 DIR is not\n"
	"writable.\n";

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	if (signals_seen++ == 0)
		dpex_worker_drain();
	else
		dpex_cancel();
}

static int seconds_option(const char *arg, const char *name, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (*end || !(v > 0) || v > 86400)
		return usage_error("worker",
				   "--%s: expected seconds between 0 and "
				   "86400, e.g. 30 or 0.5",
				   name);
	*out = v;
	return 0;
}

int cmd_worker(int argc, char **argv)
{
	static const struct option opts[] = {
		{"control", required_argument, NULL, 'c'},
		{"map", required_argument, NULL, 'm'},
		{"out", required_argument, NULL, 'o'},
		{"concurrency", required_argument, NULL, 'j'},
		{"id", required_argument, NULL, 'I'},
		{"lease", required_argument, NULL, 'L'},
		{"poll", required_argument, NULL, 'P'},
		{"retry", required_argument, NULL, 'R'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	dpex_worker_options o = {
		.control_dsn = getenv("DPEX_CONTROL"),
		.concurrency = 1,
		.lease_seconds = 60,
		.poll_seconds = 10,
		.retry_seconds = 30,
		.log = stderr,
	};
	const char *map_path = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:m:o:j:qh", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'c':
			o.control_dsn = optarg;
			break;
		case 'm':
			map_path = optarg;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'j':
			o.concurrency = (int)strtol(optarg, &end, 10);
			if (*end || o.concurrency < 1 || o.concurrency > 64)
				return usage_error("worker",
						   "--concurrency \"%s\": "
						   "expected 1 to 64",
						   optarg);
			break;
		case 'I':
			o.worker_id = optarg;
			break;
		case 'L':
			if (seconds_option(optarg, "lease", &o.lease_seconds))
				return EXIT_USAGE;
			break;
		case 'P':
			if (seconds_option(optarg, "poll", &o.poll_seconds))
				return EXIT_USAGE;
			break;
		case 'R':
			if (seconds_option(optarg, "retry", &o.retry_seconds))
				return EXIT_USAGE;
			break;
		case 'q':
			o.log = NULL;
			break;
		case 'h':
			fputs(worker_usage, stdout);
			return 0;
		default:
			return usage_error("worker", "invalid option%s", "");
		}
	}
	if (optind < argc)
		return usage_error("worker", "unexpected argument \"%s\"",
				   argv[optind]);
	if (!o.control_dsn || !*o.control_dsn)
		return usage_error("worker",
				   "--control DSN is required (or set "
				   "DPEX_CONTROL)%s",
				   "");
	if (!map_path)
		return usage_error("worker", "--map FILE is required%s", "");
	if (!o.out_dir)
		return usage_error("worker", "--out DIR is required%s", "");
	if (access(o.out_dir, W_OK | X_OK) != 0) {
		fprintf(stderr,
			"dpex worker: --out %s: not a directory this user can "
			"write to; create it (it is shared by every worker of "
			"the queue)\n",
			o.out_dir);
		return EXIT_OUTPUT;
	}
	dpex_datamap *m;
	int rc = load_map(&m, map_path);
	if (rc)
		return rc;
	o.map = m;
	on_stop_signals(on_signal);
	rc = dpex_worker_run(&o);
	dpex_datamap_free(m);
	return rc ? fail(rc) : 0;
}
