// Package bench holds gostack's Go benchmarks of hot paths, run against
// an in-process cloud (go test -bench . ./bench/), beside the load
// generators in bench/cmd that drive the real binary.
package bench
