// Package daemon is the long-running mode of replsync-daemon: the loop that
// decides when a pass runs (at start, on an interval with jitter, soon
// after the document changes, on SIGHUP), how it stops (SIGTERM/SIGINT let
// the current pass finish within a grace period), and the health and
// readiness it reports. It runs passes through a function it is given
// (app.App.Pass): there is one reconcile path.
//
// The loop's rules:
//
//	event                    idle                    pass running           stopping
//	-----------------------  ----------------------  ---------------------  ---------------------
//	start                    pass                    -                      -
//	interval timer           pass                    (not armed)            (not armed)
//	watch timer              poll the source         (not armed)            (not armed)
//	poll: changed            debounce, then pass     -                      ignored
//	SIGHUP                   pass                    one more pass after    ignored
//	SIGTERM/SIGINT (first)   exit                    grace, then cancel     -
//	SIGTERM/SIGINT (again)   -                       cancel now             cancel now
//	context ended            exit                    cancel now             cancel now
//
// Triggers that come while a pass runs coalesce into one pass right after
// it. The interval timer is re-armed after every pass, whatever started
// it, so passes are at least about an interval apart unless the document
// changes or SIGHUP asks. Never two passes at once; a pass that fails is
// retried by the next trigger, and nothing a pass returns stops the loop.
package daemon
