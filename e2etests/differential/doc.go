// Package differential checks the reloader against frr-reload.py on real
// FRR: a seeded generator produces a sequence of frr.conf files the way the
// daemon does (random FRRConfiguration objects, changed step by step, run
// through the product's conversion and renderer); the test applies them one
// by one through the reloader binary to one FRR instance, gives the last file
// to a fresh instance through `frr-reload.py --reload --overwrite`, and
// compares both running configurations as normalised contexts.
//
// The generator builds FRRConfiguration objects rather than the render model:
// the files then carry whatever the conversion and the renderer do today
// (prefix-list numbering, sorting, default lines, merged raw config), and a
// change there (stable sequence numbers, for one) reaches this test without
// touching it.
//
// The generator (Generate) and the normaliser (ParseRunningConfig, Diff) are
// pure and unit tested; the real-FRR test lives in differential_test.go. A
// failure names its seed; rerun it alone with
//
//	go test ./e2etests/differential -run TestDifferential -seed=N
//
// FRRK8S_DIFF_SEEDS and FRRK8S_DIFF_STEPS turn the short default run into a
// long one (make test-differential).
package differential
